//! Drawing commands: what the layout and the charts put on a page, in points
//! from the page's top-left corner. The PDF writer turns them into PDF
//! operators; tests can inspect them without parsing a PDF.

/// A4 in points.
pub const PAGE_W: f32 = 595.28;
/// A4 in points.
pub const PAGE_H: f32 = 841.89;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub const BLACK: Rgb = Rgb(0, 0, 0);
    pub const TEXT: Rgb = Rgb(0x22, 0x22, 0x22);
    pub const MUTED: Rgb = Rgb(0x5f, 0x63, 0x68);
    pub const RULE: Rgb = Rgb(0xc8, 0xcc, 0xd0);
    pub const TINT: Rgb = Rgb(0xf1, 0xf3, 0xf5);
    pub const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);
    pub const ACCENT: Rgb = Rgb(0x00, 0x72, 0xB2);
    /// For markings a reader must not miss (internal, not for publication).
    pub const WARNING: Rgb = Rgb(0xB0, 0x1E, 0x1E);
}

/// Okabe–Ito: distinguishable with the common colour-vision deficiencies. The order
/// alternates dark and light so neighbouring series also differ in greyscale.
pub const PALETTE: [Rgb; 7] = [
    Rgb(0x00, 0x72, 0xB2), // blue
    Rgb(0xE6, 0x9F, 0x00), // orange
    Rgb(0x00, 0x9E, 0x73), // bluish green
    Rgb(0xCC, 0x79, 0xA7), // reddish purple
    Rgb(0x56, 0xB4, 0xE9), // sky blue
    Rgb(0xD5, 0x5E, 0x00), // vermillion
    Rgb(0xF0, 0xE4, 0x42), // yellow
];

impl Rgb {
    /// Relative luminance (WCAG 2.2).
    pub fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    /// The contrast ratio of two colours (1 to 21).
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    /// This colour darkened until text in it reads on the report's palest grounds
    /// (white and the tint): WCAG AA's 4.5:1 for body text.
    pub fn readable(self) -> Rgb {
        let mut c = self;
        let mut k = 1.0f64;
        while c.contrast(Rgb::TINT) < 4.5 && k > 0.0 {
            k -= 0.02;
            let dim = |v: u8| (f64::from(v) * k).round() as u8;
            c = Rgb(dim(self.0), dim(self.1), dim(self.2));
        }
        c
    }

    /// Text that reads on a fill of this colour: black or white.
    pub fn text_on(self) -> Rgb {
        if Rgb::BLACK.contrast(self) >= Rgb::WHITE.contrast(self) {
            Rgb::BLACK
        } else {
            Rgb::WHITE
        }
    }
}

pub fn series_colour(i: usize) -> Rgb {
    PALETTE[i % PALETTE.len()]
}

/// What a stretch of a page is in the document's logical structure (a PDF
/// structure element). Layout opens and closes them around what it draws; the PDF
/// writer turns them into the tagged PDF's structure tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Role {
    H1,
    H2,
    H3,
    P,
    /// A list (KPI and value tiles), of `ListItem`s each holding a `ListBody`.
    List,
    ListItem,
    ListBody,
    Table,
    TableRow,
    /// A header cell: of its column (`row: false`) or of its row.
    TableHeader {
        row: bool,
    },
    TableCell,
    /// A chart, with its words for a reader who cannot see it.
    Figure {
        alt: String,
    },
    /// A note at a page's foot (what a mark on the page means): a child of the
    /// document whatever is open, read after what is open.
    Note,
}

impl Role {
    /// The standard structure type's name.
    pub fn tag(&self) -> &'static str {
        match self {
            Role::H1 => "H1",
            Role::H2 => "H2",
            Role::H3 => "H3",
            Role::P => "P",
            Role::List => "L",
            Role::ListItem => "LI",
            Role::ListBody => "LBody",
            Role::Table => "Table",
            Role::TableRow => "TR",
            Role::TableHeader { .. } => "TH",
            Role::TableCell => "TD",
            Role::Figure { .. } => "Figure",
            Role::Note => "Note",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    /// Begin a structure element inside the one open (the document when none is):
    /// what is drawn until its `Close` is its content.
    Open(Role),
    /// End the innermost open structure element.
    Close,
    /// What is drawn until `EndArtifact` is page furniture (running header and footer,
    /// a repeated table heading), whatever element is open.
    BeginArtifact,
    EndArtifact,
    /// Text with its baseline at `y`.
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        colour: Rgb,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<Rgb>,
        stroke: Option<(Rgb, f32)>,
    },
    Path {
        points: Vec<(f32, f32)>,
        colour: Rgb,
        width: f32,
    },
    Polygon {
        points: Vec<(f32, f32)>,
        fill: Rgb,
    },
}

impl Cmd {
    /// The same command moved by (dx, dy).
    pub fn shifted(&self, dx: f32, dy: f32) -> Cmd {
        let mv = |pts: &[(f32, f32)]| pts.iter().map(|(x, y)| (x + dx, y + dy)).collect();
        match self {
            Cmd::Text { x, y, size, bold, colour, text } => {
                Cmd::Text { x: x + dx, y: y + dy, size: *size, bold: *bold, colour: *colour, text: text.clone() }
            }
            Cmd::Rect { x, y, w, h, fill, stroke } => {
                Cmd::Rect { x: x + dx, y: y + dy, w: *w, h: *h, fill: *fill, stroke: *stroke }
            }
            Cmd::Path { points, colour, width } => Cmd::Path { points: mv(points), colour: *colour, width: *width },
            Cmd::Polygon { points, fill } => Cmd::Polygon { points: mv(points), fill: *fill },
            other => other.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_colours_meet_wcag_aa() {
        // WCAG's own examples: black on white is 21:1, #767676 on white about 4.54:1.
        assert!((Rgb::BLACK.contrast(Rgb::WHITE) - 21.0).abs() < 1e-9);
        assert!((Rgb(0x76, 0x76, 0x76).contrast(Rgb::WHITE) - 4.54).abs() < 0.01);
        for c in PALETTE {
            let text = c.readable();
            assert!(text.contrast(Rgb::WHITE) >= 4.5 && text.contrast(Rgb::TINT) >= 4.5, "{c:?} → {text:?}");
            assert!(c.text_on().contrast(c) >= 4.5, "text on {c:?}");
        }
        for c in [Rgb::TEXT, Rgb::MUTED, Rgb::ACCENT, Rgb::WARNING] {
            assert!(c.contrast(Rgb::TINT) >= 4.5, "{c:?} on the tint");
        }
        assert!(Rgb::WHITE.contrast(Rgb::ACCENT) >= 4.5, "the cover's title on its band");
        assert!(Rgb::TEXT.contrast(Rgb::RULE) >= 4.5, "a table's heading row");
    }
}
