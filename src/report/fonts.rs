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

/// The characters of `text` the report's typeface has no glyph for (emoji, Chinese,
/// Japanese and Korean, among others): they print as empty boxes.
pub fn undrawable(text: &str) -> impl Iterator<Item = char> + '_ {
    let f = fonts();
    text.chars().filter(move |&c| {
        // Latin letters and the usual punctuation are all in the face.
        (c as u32) >= 0x250
            && !c.is_control()
            && f.is_some_and(|f| f.regular.lookup_glyph_index(c as u32).is_none_or(|g| g == 0))
    })
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
            // The word alone may still be too long: break it, measuring as it grows
            // (measuring the whole piece again per character made a long id quadratic).
            let (mut piece, mut piece_units, mut piece_chars) = (String::new(), 0u32, 0usize);
            for ch in word.chars() {
                let units = piece_units + char_units_in(f, ch, bold);
                if !piece.is_empty() && !fits_units(f, units, piece_chars + 1, size, bold, width) {
                    lines.push(std::mem::take(&mut piece));
                    (piece_units, piece_chars) = (0, 0);
                }
                piece.push(ch);
                piece_units += char_units_in(f, ch, bold);
                piece_chars += 1;
            }
            line_units = word_units(&piece);
            line = piece;
        }
        lines.push(line);
    }
    lines
}

/// One character's advance in font units, in the regular or bold face as `bold` says
/// (0 without fonts, where widths are counted by characters instead).
fn char_units_in(f: Option<&Fonts>, c: char, bold: bool) -> u32 {
    f.map_or(0, |f| {
        let (font, table) = f.face(bold);
        u32::from(table.get(c as usize).copied().unwrap_or_else(|| measure(font, c as u32)))
    })
}

/// Whether text of `units` font units (`chars` characters) fits `width`, exactly as
/// `text_width` of the whole would say (widths are added up in whole font units).
fn fits_units(f: Option<&Fonts>, units: u32, chars: usize, size: f32, bold: bool, width: f32) -> bool {
    match f {
        Some(f) => points(f, units, size, bold) <= width,
        None => chars as f32 * size * 0.55 <= width,
    }
}

/// Shorten `text` with an ellipsis so it fits `width` points: the longest start of it
/// that fits with the ellipsis, found in one pass (linear in the text's length; taking
/// a character off and measuring again made a long name quadratic).
pub fn fit(text: &str, size: f32, bold: bool, width: f32) -> String {
    if text_width(text, size, bold) <= width {
        return text.to_string();
    }
    let f = fonts();
    let ellipsis = char_units_in(f, '…', bold);
    let (mut units, mut count, mut end) = (0u32, 0usize, 0usize);
    for (i, c) in text.char_indices() {
        units += char_units_in(f, c, bold);
        count += 1;
        if !fits_units(f, units + ellipsis, count + 1, size, bold, width) {
            break;
        }
        end = i + c.len_utf8();
    }
    format!("{}…", text[..end].trim_end())
}

/// `wrap`, in at most `max_lines` lines: the last one shortened with an ellipsis when
/// the text needs more (a 2,000-character name must not run over the page's foot).
pub fn wrap_at_most(text: &str, size: f32, bold: bool, width: f32, max_lines: usize) -> Vec<String> {
    let mut lines = wrap(text, size, bold, width);
    if lines.len() > max_lines.max(1) {
        let rest = lines.split_off(max_lines.max(1) - 1).join(" ");
        lines.push(fit(&format!("{rest} …"), size, bold, width));
    }
    lines
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
    fn long_text_is_cut_and_wrapped_in_time_linear_in_its_length() {
        let long = "W".repeat(200_000);
        let started = std::time::Instant::now();
        let cut = fit(&long, 10.0, false, 100.0);
        assert!(cut.ends_with('…') && text_width(&cut, 10.0, false) <= 100.0);
        let lines = wrap(&long, 10.0, false, 300.0);
        assert!(lines.iter().all(|l| text_width(l, 10.0, false) <= 300.0));
        assert_eq!(lines.concat(), long);
        let few = wrap_at_most(&format!("{long} and more"), 22.0, true, 495.0, 4);
        assert_eq!(few.len(), 4);
        assert!(few[3].ends_with('…'));
        // Quadratic cutting took minutes on 100,000 characters; linear takes milliseconds.
        assert!(started.elapsed().as_secs_f64() < 5.0, "{:?}", started.elapsed());
    }

    #[test]
    fn characters_the_face_cannot_draw_are_found() {
        assert_eq!(undrawable("Fàilte Works £1,234 – ok").count(), 0);
        assert_eq!(undrawable("Café 北京 市").collect::<String>(), "北京市");
    }

    #[test]
    fn fit_adds_an_ellipsis() {
        let s = fit("Inverclyde Caring Connections", 10.0, false, 60.0);
        assert!(s.ends_with('…') && text_width(&s, 10.0, false) <= 60.0, "{s}");
        assert_eq!(fit("Short", 10.0, false, 60.0), "Short");
    }
}
