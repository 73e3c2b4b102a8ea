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
