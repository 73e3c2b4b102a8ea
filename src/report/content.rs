//! Drawing commands → a page's content stream, written straight into bytes.
//!
//! Text in its own BT…ET with a hex Tj; rectangles as `re`; lines as m/l/S; polygons
//! as m/l/h/f. The graphics and text state (fill and stroke colours, line width,
//! font and size) is set only when it changes: it persists across text objects in a
//! content stream, and a table's hundred cells in one colour and face say so once.
//! Numbers are written to 0.01 pt (colours to 0.001), which is finer than any
//! printer or screen and half the bytes of an `f32`'s shortest form; each page's
//! stream is deflated, so bytes here are time there. Going through printpdf's
//! operations and lopdf's object writer cost a third of a batch's time: an
//! allocation per operand and a formatter call per hex digit.

use super::draw::PAGE_H;
use super::draw::{Cmd, Rgb};
use super::embed::{self, Face};
use super::structure::{push_integer, Mark, Tree};

/// The content stream that draws `cmds` on page `page` (from 0), with text coded for
/// `faces` (regular, bold). A face that is `None` draws nothing of its text's glyphs
/// (code 0). Each run of drawing is marked content: an artifact, or its element's
/// with a new MCID recorded in `tree`.
pub fn encode(cmds: &[Cmd], faces: &[Option<&Face>; 2], tree: &mut Tree, page: usize) -> Vec<u8> {
    let mut out = Stream { bytes: Vec::with_capacity(cmds.len() * 40), first: true, state: State::default() };
    let mut run: Option<Mark> = None;
    for c in cmds {
        let drawn = match c {
            Cmd::Open(role) => {
                tree.open(role.clone());
                None
            }
            Cmd::Close => {
                tree.close();
                None
            }
            Cmd::BeginArtifact | Cmd::EndArtifact => {
                tree.artifact(matches!(c, Cmd::BeginArtifact));
                None
            }
            Cmd::Text { .. } => Some(tree.mark_for(true)),
            Cmd::Rect { fill: None, stroke: None, .. } => None,
            _ => Some(tree.mark_for(false)),
        };
        let Some(mark) = drawn else { continue };
        if run != Some(mark) {
            if run.is_some() {
                out.op(&[], "EMC");
            }
            out.start();
            match mark {
                Mark::Artifact => out.bytes.extend_from_slice(b"/Artifact BMC"),
                Mark::Of(element) => {
                    let mcid = tree.mark(element, page);
                    out.bytes.push(b'/');
                    out.bytes.extend_from_slice(tree.tag(element).as_bytes());
                    out.bytes.extend_from_slice(b" <</MCID ");
                    push_integer(&mut out.bytes, mcid as i64);
                    out.bytes.extend_from_slice(b">> BDC");
                }
            }
            run = Some(mark);
        }
        match c {
            Cmd::Text { x, y, size, bold, colour, text } => {
                out.op(&[], "BT");
                out.font(*bold, *size);
                out.fill(*colour);
                out.op(&[*x, PAGE_H - y], "Td");
                out.start();
                out.hex_text(text, faces[usize::from(*bold)]);
                out.bytes.extend_from_slice(b" Tj");
                out.op(&[], "ET");
            }
            Cmd::Rect { x, y, w, h, fill, stroke } => {
                let paint = match (fill, stroke) {
                    (Some(_), Some(_)) => "B",
                    (Some(_), None) => "f",
                    (None, Some(_)) => "S",
                    (None, None) => continue,
                };
                if let Some(f) = fill {
                    out.fill(*f);
                }
                if let Some((s, width)) = stroke {
                    out.stroke(*s, *width);
                }
                out.op(&[*x, PAGE_H - y - h, *w, *h], "re");
                out.op(&[], paint);
            }
            Cmd::Path { points, colour, width } => {
                if !points.is_empty() {
                    out.stroke(*colour, *width);
                    out.path(points);
                    out.op(&[], "S");
                }
            }
            Cmd::Polygon { points, fill } => {
                out.fill(*fill);
                out.path(points);
                out.op(&[], "h");
                out.op(&[], "f");
            }
            Cmd::Open(_) | Cmd::Close | Cmd::BeginArtifact | Cmd::EndArtifact => {}
        }
    }
    if run.is_some() {
        out.op(&[], "EMC");
    }
    out.bytes
}

/// What the stream has set so far (nothing, at the start of a page's stream).
#[derive(Default)]
struct State {
    fill: Option<Rgb>,
    stroke: Option<Rgb>,
    width: Option<u32>,
    font: Option<(bool, u32)>,
}

/// Operations separated by newlines, each operand followed by a space.
struct Stream {
    bytes: Vec<u8>,
    first: bool,
    state: State,
}

impl Stream {
    /// Begin an operation.
    fn start(&mut self) {
        if !self.first {
            self.bytes.push(b'\n');
        }
        self.first = false;
    }

    fn op(&mut self, operands: &[f32], operator: &str) {
        self.start();
        for v in operands {
            self.number(*v);
        }
        self.bytes.extend_from_slice(operator.as_bytes());
    }

    fn fill(&mut self, c: Rgb) {
        if self.state.fill != Some(c) {
            self.state.fill = Some(c);
            self.colour(c, "rg");
        }
    }

    fn stroke(&mut self, c: Rgb, width: f32) {
        if self.state.stroke != Some(c) {
            self.state.stroke = Some(c);
            self.colour(c, "RG");
        }
        if self.state.width != Some(width.to_bits()) {
            self.state.width = Some(width.to_bits());
            self.op(&[width], "w");
        }
    }

    fn font(&mut self, bold: bool, size: f32) {
        if self.state.font != Some((bold, size.to_bits())) {
            self.state.font = Some((bold, size.to_bits()));
            self.start();
            self.bytes.push(b'/');
            self.bytes.extend_from_slice(embed::resource(bold).as_bytes());
            self.bytes.push(b' ');
            self.number(size);
            self.bytes.extend_from_slice(b"Tf");
        }
    }

    /// A colour's three components to 0.001 (each of 0–255 reads back as itself).
    fn colour(&mut self, c: Rgb, operator: &str) {
        self.start();
        for v in [c.0, c.1, c.2] {
            push_fixed(&mut self.bytes, (i64::from(v) * 1000 + 127) / 255, 1000);
            self.bytes.push(b' ');
        }
        self.bytes.extend_from_slice(operator.as_bytes());
    }

    /// m, then l for each further point, in PDF coordinates (y up).
    fn path(&mut self, points: &[(f32, f32)]) {
        for (i, (x, y)) in points.iter().enumerate() {
            self.op(&[*x, PAGE_H - y], if i == 0 { "m" } else { "l" });
        }
    }

    /// A number and the space after it.
    fn number(&mut self, v: f32) {
        push_number(&mut self.bytes, v);
        self.bytes.push(b' ');
    }

    /// `text` as a hex string of two-byte codes.
    fn hex_text(&mut self, text: &str, face: Option<&Face>) {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        self.bytes.push(b'<');
        for c in text.chars() {
            let code = face.map_or(0, |f| f.code(c));
            for shift in [12, 8, 4, 0] {
                self.bytes.push(HEX[usize::from((code >> shift) & 0xF)]);
            }
        }
        self.bytes.push(b'>');
    }
}

/// `v` to 0.01: no exponent, no trailing zeros, no ".0" (PDF readers take it).
fn push_number(out: &mut Vec<u8>, v: f32) {
    let hundredths = (f64::from(v) * 100.0).round();
    let hundredths = if hundredths.is_finite() { hundredths as i64 } else { 0 };
    push_fixed(out, hundredths, 100);
}

/// `n / scale` (scale a power of ten) in decimals, trailing zeros dropped.
fn push_fixed(out: &mut Vec<u8>, n: i64, scale: i64) {
    if n < 0 {
        out.push(b'-');
    }
    let n = n.unsigned_abs();
    let scale = scale.unsigned_abs();
    push_integer(out, (n / scale) as i64);
    let mut frac = n % scale;
    if frac == 0 {
        return;
    }
    out.push(b'.');
    let mut digits = scale / 10;
    while frac > 0 && digits > 0 {
        out.push(b'0' + (frac / digits) as u8);
        frac %= digits;
        digits /= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_its_own_text_object_with_the_faces_codes() {
        let chars: std::collections::BTreeSet<char> = "Fàilte £5".chars().collect();
        let face = embed::face(&chars, true).expect("face");
        let cmds =
            vec![Cmd::Text { x: 50.0, y: 90.0, size: 9.5, bold: true, colour: Rgb::WHITE, text: "£5 à".into() }];
        let mut cmds = cmds;
        cmds.insert(0, Cmd::Open(crate::report::draw::Role::P));
        let text = String::from_utf8(encode(&cmds, &[None, Some(&face)], &mut Tree::default(), 0)).unwrap();
        let codes: String = "£5 à".chars().map(|c| format!("{:04X}", face.code(c))).collect();
        assert!(!codes.contains("0000"), "every character has a glyph: {codes}");
        assert_eq!(
            text,
            format!("/P <</MCID 0>> BDC\nBT\n/F2 9.5 Tf\n1 1 1 rg\n50 {} Td\n<{codes}> Tj\nET\nEMC", PAGE_H - 90.0)
        );
        // Without the face, the characters draw as .notdef.
        let text = String::from_utf8(encode(&cmds, &[None, None], &mut Tree::default(), 0)).unwrap();
        assert!(text.contains("<0000000000000000> Tj"), "{text}");
    }

    #[test]
    fn state_is_set_once_while_it_holds_and_numbers_are_short() {
        let text = |x: f32, colour: Rgb| Cmd::Text { x, y: 10.0, size: 8.5, bold: false, colour, text: String::new() };
        let cmds = vec![text(1.0, Rgb::TEXT), text(2.125, Rgb::TEXT), text(3.0, Rgb::MUTED)];
        let out = String::from_utf8(encode(&cmds, &[None, None], &mut Tree::default(), 0)).unwrap();
        assert_eq!(out.matches("Tf").count(), 1, "{out}");
        assert_eq!(out.matches(" rg").count(), 2, "{out}");
        assert!(out.contains("0.133 0.133 0.133 rg") && out.contains("\n2.13 831.89 Td"), "{out}");
        // Every 8-bit channel reads back as itself from its three decimals.
        for v in 0..=255u8 {
            let mut b = Vec::new();
            push_fixed(&mut b, (i64::from(v) * 1000 + 127) / 255, 1000);
            let back: f64 = String::from_utf8(b).unwrap().parse().unwrap();
            assert_eq!((back * 255.0).round() as u8, v);
        }
        let mut b = Vec::new();
        for v in [-0.004f32, -12.5, 0.05, 100.0, 841.89] {
            push_number(&mut b, v);
            b.push(b' ');
        }
        assert_eq!(String::from_utf8(b).unwrap(), "0 -12.5 0.05 100 841.89 ");
    }

    #[test]
    fn a_page_of_each_command() {
        let cmds = vec![
            Cmd::Rect { x: 10.0, y: 20.0, w: 30.0, h: 40.0, fill: Some(Rgb::WHITE), stroke: Some((Rgb::BLACK, 0.5)) },
            Cmd::Rect { x: 0.0, y: 0.0, w: 1.0, h: 1.0, fill: None, stroke: None },
            Cmd::Path { points: vec![(1.0, 2.0), (3.0, 4.0)], colour: Rgb::BLACK, width: 1.0 },
            Cmd::Polygon { points: vec![(1.0, 2.0), (3.0, 4.0), (5.0, 2.0)], fill: Rgb::BLACK },
        ];
        let text = String::from_utf8(encode(&cmds, &[None, None], &mut Tree::default(), 0)).unwrap();
        let h = PAGE_H;
        let expect = format!(
            "/Artifact BMC\n1 1 1 rg\n0 0 0 RG\n0.5 w\n10 {} 30 40 re\nB\n1 w\n1 {} m\n3 {} l\nS\n0 0 0 rg\n1 {} m\n3 {} l\n5 {} l\nh\nf\nEMC",
            h - 20.0 - 40.0,
            h - 2.0,
            h - 4.0,
            h - 2.0,
            h - 4.0,
            h - 2.0
        );
        assert_eq!(text, expect);
    }
}
