//! The embedded typeface (DejaVu Sans, shipped by the `dejavu` crate so a fresh
//! machine needs nothing installed): parsed once per process, measured for wrapping.

use std::sync::OnceLock;

use printpdf::ParsedFont;

pub struct Fonts {
    pub regular: ParsedFont,
    pub bold: ParsedFont,
    /// Each face's advance width (font units) for every character of the Basic
    /// Multilingual Plane, looked up once: measuring text for wrapping looked each
    /// character up in two maps, 15–18% of a batch's time.
    regular_advance: Vec<u16>,
    bold_advance: Vec<u16>,
}

/// Advance widths by code point, for the Basic Multilingual Plane.
fn advances(font: &ParsedFont) -> Vec<u16> {
    (0..=u16::MAX as u32).map(|c| measure(font, c)).collect()
}

fn measure(font: &ParsedFont, codepoint: u32) -> u16 {
    let gid = font.lookup_glyph_index(codepoint).unwrap_or(0);
    font.get_glyph_width(gid).unwrap_or(0)
}

impl Fonts {
    fn face(&self, bold: bool) -> (&ParsedFont, &[u16]) {
        if bold {
            (&self.bold, &self.bold_advance)
        } else {
            (&self.regular, &self.regular_advance)
        }
    }

    /// The advance of `text` in font units (no kerning: widths add up).
    fn units(&self, text: &str, bold: bool) -> u32 {
        let (font, table) = self.face(bold);
        text.chars().map(|c| u32::from(table.get(c as usize).copied().unwrap_or_else(|| measure(font, c as u32)))).sum()
    }
}

static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();

/// The fonts, parsed on first use and shared by every document in the process.
pub fn fonts() -> Option<&'static Fonts> {
    FONTS
        .get_or_init(|| {
            let timer = crate::timing::start();
            let mut warnings = Vec::new();
            let regular = ParsedFont::from_bytes(dejavu::sans::regular(), 0, &mut warnings)?;
            let bold = ParsedFont::from_bytes(dejavu::sans::bold(), 0, &mut warnings)?;
            let (regular_advance, bold_advance) = (advances(&regular), advances(&bold));
            crate::timing::lap(&timer, "fonts parsed and measured");
            Some(Fonts { regular, bold, regular_advance, bold_advance })
        })
        .as_ref()
}

/// A copy of the regular or bold face holding only the glyphs for `chars` (plus
/// .notdef), so a report embeds kilobytes of font, not the whole 700 KB face.
/// `text` is `chars` in order, which names the subset. (`embed::face` keeps what
/// it cuts, so the same characters are cut once per process.)
pub(crate) fn cut_subset(chars: &std::collections::BTreeSet<char>, text: &str, bold: bool) -> Option<ParsedFont> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::subset::{subset as cut, CmapTarget, SubsetProfile};
    let f = fonts()?;
    let (face, bytes) = if bold { (&f.bold, dejavu::sans::bold()) } else { (&f.regular, dejavu::sans::regular()) };
    let mut ids: Vec<u16> =
        chars.iter().filter_map(|c| face.lookup_glyph_index(*c as u32)).filter(|g| *g != 0).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.insert(0, 0);
    let data = ReadScope::new(bytes).read::<FontData<'_>>().ok()?;
    let provider = data.table_provider(0).ok()?;
    let cut_bytes = cut(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode).ok()?;
    let mut warnings = Vec::new();
    let mut font = ParsedFont::from_bytes(&cut_bytes, 0, &mut warnings)?;
    // A subset font is named "TAG+Face" (ISO 32000-1, 9.6.4); the tag is derived from
    // the glyphs so the same text gives the same name.
    let mut h = super::hash::fnv1a(text.as_bytes());
    let tag: String = (0..6)
        .map(|_| {
            let c = (b'A' + (h % 26) as u8) as char;
            h /= 26;
            c
        })
        .collect();
    font.font_name = Some(format!("{tag}+{}", if bold { "DejaVuSans-Bold" } else { "DejaVuSans" }));
    Some(font)
}

/// Width of `text` in points at `size`.
pub fn text_width(text: &str, size: f32, bold: bool) -> f32 {
    match fonts() {
        Some(f) => points(f, f.units(text, bold), size, bold),
        None => text.chars().count() as f32 * size * 0.55,
    }
}

/// Font units to points, as `text_width` converts them.
fn points(f: &Fonts, units: u32, size: f32, bold: bool) -> f32 {
    units as f32 / f32::from(f.face(bold).0.units_per_em.max(1)) * size
}

/// Greedy word wrap to `width` points. A word longer than a line is broken by characters.
pub fn wrap(text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    // A line's width is its words' widths added up (in whole font units, so exactly
    // what measuring the joined line gives), not the line measured again per word.
    let f = fonts();
    let word_units = |w: &str| f.map_or(0, |f| f.units(w, bold));
    let space = word_units(" ");
    let fits = |units: u32, text: &str| match f {
        Some(f) => points(f, units, size, bold) <= width,
        None => text_width(text, size, bold) <= width,
    };
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut line_units = 0u32;
        for word in paragraph.split_whitespace() {
            let units = if line.is_empty() { word_units(word) } else { line_units + space + word_units(word) };
            let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if fits(units, &candidate) {
                line = candidate;
                line_units = units;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // The word alone may still be too long: break it.
            let mut piece = String::new();
            for ch in word.chars() {
                piece.push(ch);
                if text_width(&piece, size, bold) > width && piece.chars().count() > 1 {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(ch);
                }
            }
            line_units = word_units(&piece);
            line = piece;
        }
        lines.push(line);
    }
    lines
}

/// Shorten `text` with an ellipsis so it fits `width` points.
pub fn fit(text: &str, size: f32, bold: bool, width: f32) -> String {
    if text_width(text, size, bold) <= width {
        return text.to_string();
    }
    let mut out: String = text.to_string();
    while !out.is_empty() && text_width(&format!("{out}…"), size, bold) > width {
        out.pop();
    }
    format!("{}…", out.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_font_has_the_characters_reports_need() {
        let f = fonts().expect("DejaVu parses");
        for c in ['£', '–', 'é', 'ò', 'à', 'ì', 'ù', 'Ò', '€', '%'] {
            assert!(f.regular.lookup_glyph_index(c as u32).is_some_and(|g| g != 0), "{c} missing");
        }
    }

    #[test]
    fn a_subset_is_small_and_maps_the_same_characters() {
        let chars: std::collections::BTreeSet<char> = "Fàilte £1,234 – Còmhlan".chars().collect();
        let text: String = chars.iter().collect();
        let sub = cut_subset(&chars, &text, false).expect("subset");
        assert!(sub.original_bytes.len() < 40_000, "{} bytes", sub.original_bytes.len());
        let full = &fonts().unwrap().regular;
        for c in &chars {
            let g = sub.lookup_glyph_index(*c as u32).expect("mapped");
            // Same advance as in the full face, so measured layout stays true.
            let w_full = full.get_glyph_width(full.lookup_glyph_index(*c as u32).unwrap()).unwrap();
            assert_eq!(sub.get_glyph_width(g), Some(w_full), "{c}");
        }
    }

    #[test]
    fn wrapping_respects_the_width() {
        let text = "Fàilte Works helped forty-two people into sustained work across Glasgow this year.";
        let lines = wrap(text, 10.0, false, 150.0);
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(text_width(l, 10.0, false) <= 150.0, "{l}");
        }
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn fit_adds_an_ellipsis() {
        let s = fit("Inverclyde Caring Connections", 10.0, false, 60.0);
        assert!(s.ends_with('…') && text_width(&s, 10.0, false) <= 60.0, "{s}");
        assert_eq!(fit("Short", 10.0, false, 60.0), "Short");
    }
}
