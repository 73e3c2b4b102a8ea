//! Pages of drawing commands → a tagged PDF (printpdf lays out the document), with
//! the font embedded as a subset, the logical structure (`structure`), document
//! metadata, and a trailer id derived from the inputs so the same inputs give the
//! same bytes.

use std::collections::BTreeSet;

use printpdf::{PdfDocument, PdfPage, PdfSaveOptions, Pt};

use super::draw::Cmd;
use super::embed;
use super::structure::{Catalog, Tree};
use crate::error::{Error, Result};

use super::deflate::{deflate_at, deflate_level};
pub use super::draw::{PAGE_H, PAGE_W};

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

/// printpdf lays out the document (catalog, page tree, metadata); the fonts and the
/// pages' content streams are ours (`embed`, `content`), put into the document
/// printpdf builds before it is written.
pub fn write_pdf(pages: &[Vec<Cmd>], meta: &DocMeta) -> Result<Vec<u8>> {
    // The characters each face draws, and the common ones (`embed::COMMON`) so that
    // most reports of a batch share one subset; a face no text uses is not embedded.
    let mut used: [Option<BTreeSet<char>>; 2] = [None, None];
    for c in pages.iter().flatten() {
        if let Cmd::Text { bold, text, .. } = c {
            used[usize::from(*bold)].get_or_insert_with(|| embed::COMMON.chars().collect()).extend(text.chars());
        }
    }
    let face = |bold: bool| match &used[usize::from(bold)] {
        Some(chars) => {
            embed::face(chars, bold).map(Some).ok_or_else(|| Error::internal("the embedded font could not be subset"))
        }
        None => Ok(None),
    };
    let faces = [face(false)?, face(true)?];

    let mut doc = PdfDocument::new(&meta.title);
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
    let size = || printpdf::Mm::from(Pt(PAGE_W));
    let height = printpdf::Mm::from(Pt(PAGE_H));
    doc.with_pages(pages.iter().map(|_| PdfPage::new(size(), height, Vec::new())).collect());
    let mut warnings = Vec::new();
    // Streams are deflated here rather than by printpdf's `optimize`, which always
    // uses the slowest level (see `DEFLATE_LEVEL`).
    let opts = PdfSaveOptions { optimize: false, subset_fonts: false, secure: true, image_optimization: None };
    let mut lo = doc.to_lopdf_document(&opts, &mut warnings);

    let missing = |what: &str| Error::internal(format!("the PDF's {what} could not be found"));
    let page_ids: Vec<lopdf::ObjectId> = lo.get_pages().into_values().collect();
    // Every page shares printpdf's one font resource dictionary.
    let font_dict = match page_ids.first() {
        Some(first) => Some(reference(&lo, *first, &[b"Resources", b"Font"]).ok_or_else(|| missing("font resources"))?),
        None => None,
    };
    for (bold, face) in [false, true].into_iter().zip(&faces) {
        let (Some(face), Some(dict)) = (face, font_dict) else { continue };
        let id = face.add_to(&mut lo);
        lo.get_dictionary_mut(dict).map_err(|_| missing("font resources"))?.set(embed::resource(bold), id);
    }
    let coding = [faces[0].as_deref(), faces[1].as_deref()];
    let level = deflate_level();
    let mut tree = Tree::default();
    for (i, (page, cmds)) in page_ids.iter().zip(pages).enumerate() {
        let contents = reference(&lo, *page, &[b"Contents"]).ok_or_else(|| missing("page contents"))?;
        let Ok(lopdf::Object::Stream(stream)) = lo.get_object_mut(contents) else {
            return Err(missing("page contents"));
        };
        stream.set_content(super::content::encode(cmds, &coding, &mut tree, i));
        deflate_at(stream, level);
    }
    let catalog = Catalog {
        title: meta.title.clone(),
        author: meta.author.clone(),
        subject: meta.subject.clone(),
        date: format!("{}T12:00:00Z", meta.date.format("%Y-%m-%d")),
        producer: format!("impactkit {}", env!("CARGO_PKG_VERSION")),
    };
    let reserved =
        tree.prepare(&mut lo, &page_ids, &catalog).map_err(|e| Error::internal(format!("tagging the PDF: {e}")))?;
    drop_empty_info(&mut lo);
    // Tagged PDF with a structure tree, /Lang and XMP: PDF/UA-1 rests on PDF 1.7.
    lo.version = "1.7".into();
    let mut bytes = Vec::new();
    lo.save_to(&mut bytes).map_err(|e| Error::internal(format!("writing the PDF: {e}")))?;
    let mut bytes =
        tree.append_to(bytes, &reserved, &page_ids).map_err(|e| Error::internal(format!("tagging the PDF: {e}")))?;
    set_document_id(&mut bytes, &meta.id);
    Ok(bytes)
}

/// printpdf writes empty `/GTS_PDFXVersion` and `/Identifier` entries, which make
/// readers report a PDF/X subtype the file does not claim.
fn drop_empty_info(doc: &mut lopdf::Document) {
    let Ok(info) = doc.trailer.get(b"Info").and_then(lopdf::Object::as_reference) else { return };
    let Ok(info) = doc.get_dictionary_mut(info) else { return };
    for key in [&b"GTS_PDFXVersion"[..], b"Identifier"] {
        if matches!(info.get(key), Ok(lopdf::Object::String(s, _)) if s.is_empty()) {
            info.remove(key);
        }
    }
}

/// The object that `path` (keys of nested dictionaries, the last a reference)
/// leads to from object `from`.
fn reference(doc: &lopdf::Document, from: lopdf::ObjectId, path: &[&[u8]]) -> Option<lopdf::ObjectId> {
    let mut dict = doc.get_dictionary(from).ok()?;
    let (last, within) = path.split_last()?;
    for key in within {
        dict = match dict.get(key).ok()? {
            lopdf::Object::Reference(id) => doc.get_dictionary(*id).ok()?,
            lopdf::Object::Dictionary(d) => d,
            _ => return None,
        };
    }
    dict.get(last).ok()?.as_reference().ok()
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
