//! Documents people want to read, checked on every shipped spec for every sample
//! subject by reading the PDFs back (text with its position, and the lines drawn):
//! the definitions cover only what a document shows; no "(s)" plurals, backticks or
//! cut-short running headers; no page but the last more than a third empty; no chart
//! headed only by its indicator's name; and no withheld mark standing on a zero line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lopdf::content::Content;
use lopdf::{Document, Encoding, Object};

/// A4 height in points.
const PAGE_H: f32 = 841.89;
/// The content area in PDF coordinates (from the layout: 70 pt under the top, 110 pt
/// above the bottom).
const CONTENT_TOP: f32 = PAGE_H - 70.0;
const CONTENT_BOTTOM: f32 = 110.0;

/// A piece of text where it is drawn: x, baseline y (PDF coordinates), size.
#[derive(Debug, Clone)]
struct Text {
    x: f32,
    y: f32,
    size: f32,
    text: String,
}

/// What a page draws.
#[derive(Debug, Default)]
struct Page {
    texts: Vec<Text>,
    /// Horizontal segments: (x0, x1, y).
    rules: Vec<(f32, f32, f32)>,
    /// The lowest point of any drawing inside the content area.
    lowest_drawing: Option<f32>,
}

fn number(o: &Object) -> f32 {
    match o {
        Object::Integer(i) => *i as f32,
        Object::Real(r) => *r,
        _ => 0.0,
    }
}

/// Every page of a PDF as text with positions and the lines drawn.
fn pages(path: &Path) -> Vec<Page> {
    let doc = Document::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    for (_, page_id) in doc.get_pages() {
        let fonts = doc.get_page_fonts(page_id).unwrap();
        let encodings: BTreeMap<Vec<u8>, Encoding> =
            fonts.into_iter().filter_map(|(name, font)| font.get_font_encoding(&doc).ok().map(|e| (name, e))).collect();
        let content = Content::decode(&doc.get_page_content(page_id)).unwrap();
        let mut page = Page::default();
        let (mut font, mut size, mut at, mut pen) = (Vec::new(), 0.0f32, (0.0f32, 0.0f32), (0.0f32, 0.0f32));
        let low = |y: f32, page: &mut Page| {
            if (CONTENT_BOTTOM..=CONTENT_TOP).contains(&y) {
                page.lowest_drawing = Some(page.lowest_drawing.map_or(y, |l: f32| l.min(y)));
            }
        };
        for op in &content.operations {
            let n = |i: usize| op.operands.get(i).map_or(0.0, number);
            match op.operator.as_str() {
                "Tf" => {
                    font = op.operands.first().and_then(|o| o.as_name().ok()).map(<[u8]>::to_vec).unwrap_or_default();
                    size = n(1);
                }
                "Td" => at = (n(0), n(1)),
                "Tj" => {
                    let bytes = op.operands.first().and_then(|o| o.as_str().ok()).unwrap_or_default();
                    let text =
                        encodings.get(&font).and_then(|e| Document::decode_text(e, bytes).ok()).unwrap_or_default();
                    page.texts.push(Text { x: at.0, y: at.1, size, text });
                }
                "m" => pen = (n(0), n(1)),
                "l" => {
                    let (x, y) = (n(0), n(1));
                    if (y - pen.1).abs() < 0.01 && (x - pen.0).abs() > 1.0 {
                        page.rules.push((pen.0.min(x), pen.0.max(x), y));
                    }
                    low(y, &mut page);
                    low(pen.1, &mut page);
                    pen = (x, y);
                }
                "re" => low(n(1), &mut page),
                _ => {}
            }
        }
        out.push(page);
    }
    out
}

/// The sample project's release, made once for the tests of this module.
pub(crate) fn release() -> &'static Path {
    static MADE: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    let (_, out) = MADE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        crate::util::sample_project(dir.path());
        crate::util::impact_in(dir.path(), &["release"]).ok();
        let out = dir.path().join("out/2024-25");
        (dir, out)
    });
    out
}

/// Every PDF of the release: each shipped spec for every sample subject.
pub(crate) fn documents() -> Vec<PathBuf> {
    let root = release();
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() && p.file_name().is_some_and(|n| n != "figures") {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "pdf") {
                out.push(p);
            }
        }
    }
    out.sort();
    assert_eq!(out.len(), 18, "12 board packs, 4 funder reports, the register and the comparison");
    out
}

/// Every figures table of one document (the release's `figures/SPEC/SUBJECT/`, or
/// `figures/SPEC/` for a document about everything), as one text.
fn figures_text(pdf: &Path) -> String {
    let root = release();
    let rel = pdf.strip_prefix(root).unwrap().with_extension("");
    let dir = root.join("figures").join(&rel);
    let dir = if dir.is_dir() { dir } else { root.join("figures").join(rel.file_stem().unwrap()) };
    let mut text = String::new();
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        text.push_str(&std::fs::read_to_string(e.unwrap().path()).unwrap_or_default());
    }
    text
}

fn library() -> impactkit::indicator::Library {
    impactkit::indicator::Library::load(&crate::util::repo().join("indicators")).unwrap()
}

fn joined(texts: &[Text]) -> String {
    texts.iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join(" ")
}

#[test]
fn definitions_are_of_what_each_document_shows() {
    let library = library();
    for pdf in documents() {
        let pages = pages(&pdf);
        let all: Vec<Text> = pages.iter().flat_map(|p| p.texts.clone()).collect();
        let Some(start) = all.iter().position(|t| t.text == "Definitions of the figures shown") else {
            assert!(
                !all.iter().any(|t| t.text == "Methodology"),
                "{}: a methodology with no definitions",
                pdf.display()
            );
            continue;
        };
        let before = joined(&all[..start]).split_whitespace().collect::<Vec<_>>().join(" ");
        // What the document's tables (its --figures-dir files) give figures of.
        let tables = figures_text(&pdf);
        let mut defined = 0;
        for t in &all[start + 1..] {
            // An entry's heading: "Name (id)" in 10 pt.
            let Some(id) = t.text.strip_suffix(')').and_then(|s| s.rsplit_once(" (")).map(|(_, id)| id) else {
                continue;
            };
            let Some(ind) = library.get(id).filter(|_| (t.size - 10.0).abs() < 0.01) else { continue };
            defined += 1;
            let in_tables = tables.lines().any(|l| l.split(',').any(|cell| cell == id));
            assert!(
                before.contains(&ind.name) || in_tables,
                "{}: defines {id} ({}), which it does not show",
                pdf.display(),
                ind.name
            );
        }
        assert!(defined > 0, "{}: no definitions found", pdf.display());
    }
}

#[test]
fn words_are_whole_and_headers_uncut() {
    for pdf in documents() {
        for (n, page) in pages(&pdf).iter().enumerate() {
            for t in &page.texts {
                assert!(!t.text.contains("(s)"), "{} p{}: a \"(s)\" plural: {}", pdf.display(), n + 1, t.text);
                assert!(!t.text.contains('`'), "{} p{}: command-line text: {}", pdf.display(), n + 1, t.text);
                if t.y > CONTENT_TOP {
                    assert!(
                        !t.text.contains('…'),
                        "{} p{}: the running header is cut: {}",
                        pdf.display(),
                        n + 1,
                        t.text
                    );
                }
            }
        }
    }
}

#[test]
fn no_page_but_the_last_is_more_than_a_third_empty() {
    let mut failures = Vec::new();
    for pdf in documents() {
        let pages = pages(&pdf);
        // Page 1 is the cover; the last page may end where the document ends.
        for (n, page) in pages.iter().enumerate().skip(1).take(pages.len().saturating_sub(2)) {
            let lowest_text = page
                .texts
                .iter()
                .filter(|t| (CONTENT_BOTTOM..=CONTENT_TOP).contains(&t.y))
                .map(|t| t.y - t.size * 0.3)
                .fold(f32::INFINITY, f32::min);
            let lowest = page.lowest_drawing.unwrap_or(f32::INFINITY).min(lowest_text);
            let empty = (lowest - CONTENT_BOTTOM) / (CONTENT_TOP - CONTENT_BOTTOM);
            if empty > 1.0 / 3.0 {
                failures.push(format!("{} page {}: {:.0}% empty", pdf.display(), n + 1, empty * 100.0));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn charts_are_headed_by_what_they_show() {
    let library = library();
    let names: Vec<&str> = library.iter().map(|i| i.name.as_str()).collect();
    for pdf in documents() {
        for page in pages(&pdf) {
            for t in page.texts.iter().filter(|t| (t.size - 14.0).abs() < 0.01) {
                assert!(
                    !names.contains(&t.text.as_str()),
                    "{}: a heading that is only an indicator's name: {}",
                    pdf.display(),
                    t.text
                );
            }
        }
    }
}

#[test]
fn withheld_marks_stand_off_the_zero_line() {
    let mut seen = 0;
    for pdf in documents() {
        for (n, page) in pages(&pdf).iter().enumerate() {
            for t in &page.texts {
                let mark = ["<5", "[c]", "[r]", "[p]"].iter().any(|m| t.text.starts_with(m))
                    || t.text.starts_with("withheld ");
                if !mark {
                    continue;
                }
                // The zero line under the mark: the lowest horizontal line of its chart
                // (no other line within 45 pt below it), spanning the mark.
                let spans = |(x0, x1, _): &&(f32, f32, f32)| *x0 <= t.x + 1.0 && *x1 >= t.x;
                let lowest =
                    |r: &&(f32, f32, f32)| !page.rules.iter().any(|o| spans(&o) && o.2 < r.2 - 0.5 && o.2 > r.2 - 45.0);
                let under = page
                    .rules
                    .iter()
                    .filter(spans)
                    .filter(lowest)
                    .filter(|(_, _, y)| *y <= t.y + 0.5)
                    .map(|(_, _, y)| t.y - y)
                    .fold(f32::INFINITY, f32::min);
                seen += 1;
                assert!(
                    under >= 5.0,
                    "{} p{}: the mark {:?} stands on a line ({under:.1} pt above it)",
                    pdf.display(),
                    n + 1,
                    t.text
                );
            }
        }
    }
    assert!(seen > 10, "{seen} marks seen");
}
