//! Pages of drawing commands → a PDF (printpdf), with the font embedded as a
//! subset, document metadata, and a trailer id derived from the inputs so the
//! same inputs give the same bytes.

use printpdf::{
    Color, FontId, Line, LinePoint, Op, PaintMode, PdfDocument, PdfFont, PdfFontHandle, PdfPage, PdfSaveOptions, Point,
    Polygon, PolygonRing, Pt, Rect, TextItem, WindingOrder,
};

use super::draw::{Cmd, Rgb};
use crate::error::{Error, Result};

/// A4 in points.
pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;

#[derive(Debug, Clone)]
pub struct DocMeta {
    pub title: String,
    pub subject: String,
    pub author: String,
    pub keywords: Vec<String>,
    /// Creation and modification date written into the PDF.
    pub date: chrono::NaiveDate,
    /// Seeds the trailer /ID (a hash of the inputs).
    pub id: String,
}

const REGULAR: &str = "F1";
const BOLD: &str = "F2";

pub fn write_pdf(pages: &[Vec<Cmd>], meta: &DocMeta) -> Result<Vec<u8>> {
    let mut used = [std::collections::BTreeSet::new(), std::collections::BTreeSet::new()];
    for c in pages.iter().flatten() {
        if let Cmd::Text { bold, text, .. } = c {
            used[usize::from(*bold)].extend(text.chars());
        }
    }
    let face = |bold: bool| {
        super::fonts::subset(&used[usize::from(bold)], bold)
            .ok_or_else(|| Error::internal("the embedded font could not be subset"))
    };
    let mut doc = PdfDocument::new(&meta.title);
    // Fixed resource names (not printpdf's generated ones) keep output byte-identical.
    doc.resources.fonts.map.insert(FontId(REGULAR.into()), PdfFont::new(face(false)?));
    doc.resources.fonts.map.insert(FontId(BOLD.into()), PdfFont::new(face(true)?));
    let info = &mut doc.metadata.info;
    info.subject = meta.subject.clone();
    info.author = meta.author.clone();
    info.keywords = meta.keywords.clone();
    info.creator = "impactkit".into();
    info.producer = format!("impactkit {}", env!("CARGO_PKG_VERSION"));
    use chrono::Datelike;
    let when = printpdf::DateTime {
        date: printpdf::Date { year: meta.date.year(), month: meta.date.month() as u8, day: meta.date.day() as u8 },
        time: printpdf::Time { hour: 12, minute: 0, second: 0, millisecond: 0 },
        offset: printpdf::Offset { hours: 0, minutes: 0, seconds: 0, milliseconds: 0 },
    };
    info.creation_date = when;
    info.modification_date = when;
    info.metadata_date = when;

    let pdf_pages: Vec<PdfPage> = pages
        .iter()
        .map(|cmds| PdfPage::new(printpdf::Mm::from(Pt(PAGE_W)), printpdf::Mm::from(Pt(PAGE_H)), to_ops(cmds)))
        .collect();
    doc.with_pages(pdf_pages);
    let mut warnings = Vec::new();
    // Streams are deflated here rather than by printpdf's `optimize`, which always
    // uses the slowest level (see `DEFLATE_LEVEL`).
    let opts = PdfSaveOptions { optimize: false, subset_fonts: true, secure: true, image_optimization: None };
    let mut lo = doc.to_lopdf_document(&opts, &mut warnings);
    deflate_streams(&mut lo, deflate_level());
    let mut bytes = Vec::new();
    lo.save_to(&mut bytes).map_err(|e| Error::internal(format!("writing the PDF: {e}")))?;
    set_document_id(&mut bytes, &meta.id);
    Ok(bytes)
}

/// The deflate level for every stream. printpdf's own pass uses 9. On 1,000 board
/// packs (BENCHMARKS.md), 6 took 11% less time than 9 for 1.3% bigger files, and 3
/// another 5–7% less (user time 6–12%) for 5.2% bigger files (52 KB a pack, not 49).
const DEFLATE_LEVEL: u32 = 3;

fn deflate_level() -> u32 {
    // For the benchmark's comparison of levels only.
    std::env::var("IMPACT_DEFLATE_LEVEL").ok().and_then(|v| v.parse().ok()).filter(|l| *l <= 9).unwrap_or(DEFLATE_LEVEL)
}

/// Deflate each stream that allows it and has no filter yet, keeping the plain
/// stream when deflating would not make it smaller (as lopdf's own pass does).
fn deflate_streams(doc: &mut lopdf::Document, level: u32) {
    use std::io::Write as _;
    for object in doc.objects.values_mut() {
        let lopdf::Object::Stream(stream) = object else { continue };
        if !stream.allows_compression || stream.dict.get(b"Filter").is_ok() {
            continue;
        }
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(level));
        let Ok(compressed) = encoder.write_all(&stream.content).and_then(|()| encoder.finish()) else { continue };
        if compressed.len() + 19 < stream.content.len() {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(compressed);
        }
    }
}

fn colour(c: Rgb) -> Color {
    Color::Rgb(printpdf::Rgb {
        r: f32::from(c.0) / 255.0,
        g: f32::from(c.1) / 255.0,
        b: f32::from(c.2) / 255.0,
        icc_profile: None,
    })
}

fn point(x: f32, y: f32) -> LinePoint {
    LinePoint { p: Point { x: Pt(x), y: Pt(PAGE_H - y) }, bezier: false }
}

fn to_ops(cmds: &[Cmd]) -> Vec<Op> {
    let mut ops = Vec::with_capacity(cmds.len() * 4);
    for c in cmds {
        match c {
            Cmd::Text { x, y, size, bold, colour: col, text } => {
                let font = FontId(if *bold { BOLD } else { REGULAR }.into());
                ops.extend([
                    Op::StartTextSection,
                    Op::SetFont { font: PdfFontHandle::External(font), size: Pt(*size) },
                    Op::SetFillColor { col: colour(*col) },
                    Op::SetTextCursor { pos: Point { x: Pt(*x), y: Pt(PAGE_H - y) } },
                    Op::ShowText { items: vec![TextItem::Text(text.clone())] },
                    Op::EndTextSection,
                ]);
            }
            Cmd::Rect { x, y, w, h, fill, stroke } => {
                let mode = match (fill, stroke) {
                    (Some(_), Some(_)) => PaintMode::FillStroke,
                    (Some(_), None) => PaintMode::Fill,
                    (None, Some(_)) => PaintMode::Stroke,
                    (None, None) => continue,
                };
                if let Some(f) = fill {
                    ops.push(Op::SetFillColor { col: colour(*f) });
                }
                if let Some((s, width)) = stroke {
                    ops.push(Op::SetOutlineColor { col: colour(*s) });
                    ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
                }
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: Pt(*x),
                        y: Pt(PAGE_H - y - h),
                        width: Pt(*w),
                        height: Pt(*h),
                        mode: Some(mode),
                        winding_order: Some(WindingOrder::NonZero),
                    },
                });
            }
            Cmd::Path { points, colour: col, width } => {
                ops.push(Op::SetOutlineColor { col: colour(*col) });
                ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
                ops.push(Op::DrawLine {
                    line: Line { points: points.iter().map(|(x, y)| point(*x, *y)).collect(), is_closed: false },
                });
            }
            Cmd::Polygon { points, fill } => {
                ops.push(Op::SetFillColor { col: colour(*fill) });
                ops.push(Op::DrawPolygon {
                    polygon: Polygon {
                        rings: vec![PolygonRing { points: points.iter().map(|(x, y)| point(*x, *y)).collect() }],
                        mode: PaintMode::Fill,
                        winding_order: WindingOrder::NonZero,
                    },
                });
            }
        }
    }
    ops
}

/// printpdf writes a random trailer /ID; replace both strings with one derived
/// from the inputs (same length, so no offsets move).
fn set_document_id(bytes: &mut [u8], seed: &str) {
    let Some(at) = find_last(bytes, b"/ID") else { return };
    let hex = format!(
        "{:016x}{:016x}",
        super::hash::fnv1a(seed.as_bytes()),
        super::hash::fnv1a(format!("{seed}#").as_bytes())
    );
    let mut i = at + 3;
    for _ in 0..2 {
        let Some(open) = bytes[i..].iter().position(|b| *b == b'(').map(|p| p + i) else { return };
        let Some(close) = bytes[open..].iter().position(|b| *b == b')').map(|p| p + open) else { return };
        let span = close - open - 1;
        for (k, b) in bytes[open + 1..close].iter_mut().enumerate() {
            *b = hex.as_bytes()[k % hex.len()];
        }
        debug_assert!(span > 0);
        i = close + 1;
    }
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}
