//! A subset face as the PDF objects that embed it: the font program, the
//! ToUnicode map that lets readers copy and search the text, the widths, the
//! descriptor and the Type 0 font over them (the structure printpdf writes for an
//! external TrueType face: Identity-H codes that are the subset's glyph ids).
//!
//! Built once per face and character set and kept for the process, with the
//! program and the map already deflated: a batch's reports mostly share their
//! characters, and preparing and deflating the same font for each of them was a
//! sixth of a batch's time.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use lopdf::{Dictionary, Object, ObjectId, Stream, StringFormat};
use printpdf::ParsedFont;

/// The resource name a page gives the regular or the bold face.
pub fn resource(bold: bool) -> &'static str {
    if bold {
        "F2"
    } else {
        "F1"
    }
}

/// Characters every subset holds, used or not: printable ASCII and the few others a
/// report writes most (£, €, dashes, quotes, the ellipsis, the bullet). Without
/// them a batch's headline figures and names gave half its reports a subset of their
/// own, each cut, measured and deflated again; with them a board pack is about
/// 9 KB bigger (61 KB, not 52) and nearly every report of a batch shares one.
pub const COMMON: &str = concat!(
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~",
    "£€–—−‘’“”…•·×÷±≤≥→"
);

/// One face, subset to the characters of a document, ready to add to one.
pub struct Face {
    /// Each ASCII character's code (0 where the subset has none).
    ascii: [u16; 128],
    /// Each further character of the subset and its code, in character order.
    others: Vec<(char, u16)>,
    /// "TAG+DejaVuSans": the same name on the font, its descendant and descriptor.
    name: Vec<u8>,
    /// The font program (`/FontFile2`), deflated.
    program: Stream,
    /// The code → text map, deflated.
    to_unicode: Stream,
    /// `/W`: runs of consecutive codes and their widths in thousandths of an em.
    widths: Vec<Object>,
    /// The descriptor's metrics, in thousandths of an em.
    metrics: Metrics,
}

struct Metrics {
    ascent: i64,
    descent: i64,
    cap_height: i64,
    italic_angle: i64,
    flags: i64,
    stem_v: i64,
    bbox: [i64; 4],
}

impl Face {
    /// The two-byte code that draws `c`: its glyph in the subset, or 0 (.notdef)
    /// for a character the face does not have.
    pub fn code(&self, c: char) -> u16 {
        match self.ascii.get(c as usize) {
            Some(code) => *code,
            None => self.others.binary_search_by_key(&c, |(o, _)| *o).map_or(0, |i| self.others[i].1),
        }
    }

    /// Add the font's objects to `doc`; the Type 0 font's id is what a page's
    /// font resource names.
    pub fn add_to(&self, doc: &mut lopdf::Document) -> ObjectId {
        let name = || Object::Name(self.name.clone());
        let program = doc.add_object(self.program.clone());
        let to_unicode = doc.add_object(self.to_unicode.clone());
        let m = &self.metrics;
        let descriptor = doc.add_object(Dictionary::from_iter(vec![
            ("Type", Object::Name(b"FontDescriptor".to_vec())),
            ("FontName", name()),
            ("Ascent", m.ascent.into()),
            ("Descent", m.descent.into()),
            ("CapHeight", m.cap_height.into()),
            ("ItalicAngle", m.italic_angle.into()),
            ("Flags", m.flags.into()),
            ("StemV", m.stem_v.into()),
            ("FontBBox", Object::Array(m.bbox.iter().map(|v| Object::Integer(*v)).collect())),
            ("FontFile2", Object::Reference(program)),
        ]));
        let system = Dictionary::from_iter(vec![
            ("Registry", Object::String(b"Adobe".to_vec(), StringFormat::Literal)),
            ("Ordering", Object::String(b"Identity".to_vec(), StringFormat::Literal)),
            ("Supplement", Object::Integer(0)),
        ]);
        let descendant = Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Font".to_vec())),
            ("BaseFont", name()),
            ("Subtype", Object::Name(b"CIDFontType2".to_vec())),
            ("CIDSystemInfo", Object::Dictionary(system)),
            ("W", Object::Array(self.widths.clone())),
            // A code without a /W entry is .notdef; its width does not matter.
            ("DW", Object::Integer(1000)),
            ("FontDescriptor", Object::Reference(descriptor)),
            ("CIDToGIDMap", Object::Name(b"Identity".to_vec())),
        ]);
        doc.add_object(Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Font".to_vec())),
            ("Subtype", Object::Name(b"Type0".to_vec())),
            ("BaseFont", name()),
            ("Encoding", Object::Name(b"Identity-H".to_vec())),
            ("ToUnicode", Object::Reference(to_unicode)),
            ("DescendantFonts", Object::Array(vec![Object::Dictionary(descendant)])),
        ]))
    }
}

/// Faces already built in this process, by face and characters. Bounded, as a
/// batch can be any size.
static FACES: Mutex<Vec<(FaceKey, Arc<Face>)>> = Mutex::new(Vec::new());
/// Bold or not, and the characters in order.
type FaceKey = (bool, String);
const FACES_KEPT: usize = 64;

/// The regular or bold face subset to `chars`, with its objects; the same
/// characters always give the same face, built once per process.
pub fn face(chars: &BTreeSet<char>, bold: bool) -> Option<Arc<Face>> {
    let key = (bold, chars.iter().collect::<String>());
    if let Some(face) = FACES.lock().ok().and_then(|kept| kept.iter().find(|(k, _)| *k == key).map(|(_, f)| f.clone()))
    {
        return Some(face);
    }
    let timer = crate::timing::start();
    let face = Arc::new(build(super::fonts::cut_subset(chars, &key.1, bold)?, chars, bold)?);
    crate::timing::lap(&timer, "a font subset cut and deflated");
    if let Ok(mut kept) = FACES.lock() {
        if kept.len() < FACES_KEPT {
            kept.push((key, face.clone()));
        }
    }
    Some(face)
}

fn build(font: ParsedFont, chars: &BTreeSet<char>, bold: bool) -> Option<Face> {
    // Each glyph a character of the document draws, with that character (the last
    // one, should two characters share a glyph).
    let mut glyphs: BTreeMap<u16, char> = BTreeMap::new();
    // A character's code is its glyph in the subset (looked up once here, not per
    // character drawn: a tree lookup per character was 7% of a batch).
    let (mut ascii, mut others) = ([0u16; 128], Vec::new());
    for c in chars {
        if let Some(gid) = font.lookup_glyph_index(*c as u32) {
            glyphs.insert(gid, *c);
            match ascii.get_mut(*c as usize) {
                Some(code) => *code = gid,
                None => others.push((*c, gid)),
            }
        }
    }
    let name = font.font_name.clone()?.into_bytes();
    let upm = f32::from(font.pdf_font_metrics.units_per_em.max(1));
    let per_mille = |v: f32| (v * (1000.0 / upm)).round() as i64;

    let cmap = printpdf::ToUnicodeCMap {
        mappings: glyphs.iter().map(|(gid, c)| (u32::from(*gid), vec![*c as u32])).collect(),
    };
    // Deflated hard: once per subset, and the program is most of a report's bytes.
    let mut to_unicode = Stream::new(Dictionary::new(), cmap.to_cmap_string(resource(bold)).into_bytes());
    super::deflate::deflate_at(&mut to_unicode, 9);
    let mut program_dict = Dictionary::new();
    // /Length1 is the program's size before deflating (ISO 32000-1, 9.9).
    program_dict.set("Length1", font.original_bytes.len() as i64);
    let mut program = Stream::new(program_dict, font.original_bytes.clone());
    super::deflate::deflate_at(&mut program, 9);

    let m = &font.pdf_font_metrics;
    let ascent = per_mille(f32::from(font.font_metrics.ascent));
    let italic_angle = if m.caret_slope_rise == 0 {
        0
    } else {
        (-f32::from(m.caret_slope_run).atan2(f32::from(m.caret_slope_rise)).to_degrees()).round() as i64
    };
    let metrics = Metrics {
        ascent,
        descent: per_mille(f32::from(font.font_metrics.descent)),
        // The face's cap height is not read without printpdf's layout engine; the
        // ascent stands in, as printpdf itself writes.
        cap_height: ascent,
        italic_angle,
        // Nonsymbolic (Latin characters), and italic when the caret slants.
        flags: (1 << 5) | if italic_angle != 0 { 1 << 6 } else { 0 },
        // No table carries the stem width; estimated from the weight class, as
        // PDF producers conventionally do.
        stem_v: if m.us_weight_class == 0 {
            80
        } else {
            50 + (f32::from(m.us_weight_class) / 65.0).powi(2).round() as i64
        },
        bbox: [m.x_min, m.y_min, m.x_max, m.y_max].map(|v| per_mille(f32::from(v))),
    };
    let widths = width_runs(glyphs.keys().map(|gid| {
        let w = font.get_glyph_width(*gid).unwrap_or(0);
        (*gid, (f32::from(w) * 1000.0 / upm) as i64)
    }));
    Some(Face { ascii, others, name, program, to_unicode, widths, metrics })
}

/// `/W` from (code, width) in ascending codes: each run of consecutive codes as
/// its first code and the array of their widths.
fn width_runs(entries: impl Iterator<Item = (u16, i64)>) -> Vec<Object> {
    let mut out = Vec::new();
    let mut run: Option<(u16, u16, Vec<Object>)> = None;
    for (code, width) in entries {
        match &mut run {
            Some((_, last, widths)) if u32::from(code) == u32::from(*last) + 1 => {
                *last = code;
                widths.push(Object::Integer(width));
            }
            _ => {
                if let Some((first, _, widths)) = run.take() {
                    out.extend([Object::Integer(i64::from(first)), Object::Array(widths)]);
                }
                run = Some((code, code, vec![Object::Integer(width)]));
            }
        }
    }
    if let Some((first, _, widths)) = run {
        out.extend([Object::Integer(i64::from(first)), Object::Array(widths)]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_runs_group_consecutive_codes() {
        let w = width_runs([(3, 500), (4, 600), (9, 700)].into_iter());
        let expect = vec![
            Object::Integer(3),
            Object::Array(vec![Object::Integer(500), Object::Integer(600)]),
            Object::Integer(9),
            Object::Array(vec![Object::Integer(700)]),
        ];
        assert_eq!(format!("{w:?}"), format!("{expect:?}"));
    }

    #[test]
    fn a_face_codes_its_characters_and_nothing_else() {
        let chars: BTreeSet<char> = "Fàilte £1,234".chars().collect();
        let face = face(&chars, false).expect("face");
        for c in &chars {
            assert_ne!(face.code(*c), 0, "{c}");
        }
        assert_eq!(face.code('ß'), 0, "ß is not in the subset");
        // The same characters give the same (shared) face.
        assert!(Arc::ptr_eq(&face, &super::face(&chars, false).unwrap()));
    }
}
