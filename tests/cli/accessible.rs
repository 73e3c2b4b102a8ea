//! Accessible PDFs, checked by walking each document's structure tree (lopdf): a
//! tagged PDF/UA-1 catalog; every Figure has words (Alt); every Table has header
//! cells with a scope; headings start at H1 and never skip a level; every piece of
//! marked content on every page is in the tree and the parent tree points back at its
//! element; no text is drawn outside marked content. A PDF/UA validator
//! (`page-validation`, run by `.ci/run`) checks the rest of PDF/UA-1 but not tables'
//! header cells, which this does. A deliberately broken PDF shows the check fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Encoding, Object, ObjectId};

use crate::readable::{documents, release};

/// One structure element as met walking the tree in order.
struct Element {
    id: ObjectId,
    tag: String,
    depth: usize,
    /// Its marked content: (page, MCID).
    marked: Vec<(ObjectId, i64)>,
    alt: Option<String>,
    scope: Option<String>,
}

fn name(o: &Object) -> String {
    o.as_name().map(|n| String::from_utf8_lossy(n).into_owned()).unwrap_or_default()
}

fn resolve<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(o),
        _ => o,
    }
}

fn text(o: &Object) -> String {
    let Ok(bytes) = o.as_str() else { return String::new() };
    if bytes.starts_with(&[0xFE, 0xFF]) {
        let units: Vec<u16> =
            bytes[2..].chunks(2).map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])).collect();
        String::from_utf16_lossy(&units)
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// The structure tree's elements in reading order (depth first).
fn elements(doc: &Document) -> Result<Vec<Element>, String> {
    let catalog = doc.catalog().map_err(|e| e.to_string())?;
    let root = catalog.get(b"StructTreeRoot").map_err(|_| "no StructTreeRoot".to_string())?;
    let root = resolve(doc, root).as_dict().map_err(|_| "StructTreeRoot is not a dictionary")?;
    let mut out = Vec::new();
    let mut stack: Vec<(Object, usize)> = kids(root).into_iter().rev().map(|k| (k, 0)).collect();
    while let Some((kid, depth)) = stack.pop() {
        let Object::Reference(id) = kid else { continue };
        let dict = doc.get_dictionary(id).map_err(|e| e.to_string())?;
        let page = dict.get(b"Pg").and_then(Object::as_reference).ok();
        let mut marked = Vec::new();
        let mut children = Vec::new();
        for k in kids(dict) {
            match &k {
                Object::Integer(mcid) => {
                    marked.push((page.ok_or(format!("element {id:?} has an MCID but no /Pg"))?, *mcid))
                }
                Object::Dictionary(mcr) => marked.push((
                    mcr.get(b"Pg").and_then(Object::as_reference).map_err(|_| "an MCR without /Pg")?,
                    mcr.get(b"MCID").and_then(Object::as_i64).map_err(|_| "an MCR without /MCID")?,
                )),
                Object::Reference(_) => children.push((k.clone(), depth + 1)),
                _ => {}
            }
        }
        let scope = dict
            .get(b"A")
            .ok()
            .map(|a| resolve(doc, a))
            .and_then(|a| a.as_dict().ok())
            .and_then(|a| a.get(b"Scope").ok())
            .map(name);
        out.push(Element {
            id,
            tag: dict.get(b"S").map(name).unwrap_or_default(),
            depth,
            marked,
            alt: dict.get(b"Alt").ok().map(text),
            scope,
        });
        stack.extend(children.into_iter().rev());
    }
    Ok(out)
}

fn kids(dict: &Dictionary) -> Vec<Object> {
    match dict.get(b"K") {
        Ok(Object::Array(a)) => a.clone(),
        Ok(o) => vec![o.clone()],
        Err(_) => Vec::new(),
    }
}

/// What is wrong with a PDF's tagging, in words (empty: nothing found).
pub(crate) fn problems(bytes: &[u8]) -> Vec<String> {
    let doc = match Document::load_mem(bytes) {
        Ok(d) => d,
        Err(e) => return vec![format!("unreadable: {e}")],
    };
    let mut out = Vec::new();
    let catalog = doc.catalog().expect("a catalog");
    let flag = |d: &str, k: &[u8]| {
        catalog
            .get(d.as_bytes())
            .ok()
            .map(|o| resolve(&doc, o))
            .and_then(|o| o.as_dict().ok())
            .and_then(|o| o.get(k).ok())
            .and_then(|o| o.as_bool().ok())
    };
    if flag("MarkInfo", b"Marked") != Some(true) {
        out.push("the catalog lacks /MarkInfo << /Marked true >>".into());
    }
    if flag("ViewerPreferences", b"DisplayDocTitle") != Some(true) {
        out.push("the catalog lacks /ViewerPreferences << /DisplayDocTitle true >>".into());
    }
    if catalog.get(b"Lang").ok().map(text).as_deref() != Some("en-GB") {
        out.push("the catalog's /Lang is not en-GB".into());
    }
    let xmp = catalog
        .get(b"Metadata")
        .ok()
        .and_then(|m| m.as_reference().ok())
        .and_then(|id| doc.get_object(id).ok())
        .and_then(|o| o.as_stream().ok())
        .map(|s| String::from_utf8_lossy(&s.content).into_owned())
        .unwrap_or_default();
    if !xmp.contains("<pdfuaid:part>1</pdfuaid:part>") || !xmp.contains("<dc:title>") {
        out.push("the XMP metadata lacks pdfuaid:part 1 or dc:title".into());
    }
    if doc.version != "1.7" {
        out.push(format!("the header says PDF {}, not 1.7", doc.version));
    }

    let elements = match elements(&doc) {
        Ok(e) => e,
        Err(e) => return [out, vec![e]].concat(),
    };
    // Headings: H1 first, then never more than one level deeper than the last.
    let mut last = 0;
    for e in &elements {
        let Some(level) = e.tag.strip_prefix('H').and_then(|l| l.parse::<usize>().ok()) else { continue };
        if level > last + 1 {
            out.push(format!("an H{level} follows an H{last}"));
        }
        last = level;
    }
    for (i, e) in elements.iter().enumerate() {
        match e.tag.as_str() {
            "Figure" if e.alt.as_deref().is_none_or(|a| a.trim().is_empty()) => {
                out.push(format!("a Figure ({:?}) has no Alt", e.id))
            }
            "Table" => {
                let inside = elements[i + 1..].iter().take_while(|d| d.depth > e.depth);
                let headers: Vec<&Element> = inside.filter(|d| d.tag == "TH").collect();
                if headers.is_empty() {
                    out.push(format!("a Table ({:?}) has no TH cells", e.id));
                }
                for th in headers {
                    if !matches!(th.scope.as_deref(), Some("Column" | "Row" | "Both")) {
                        out.push(format!("a TH ({:?}) has no /Scope", th.id));
                    }
                }
            }
            _ => {}
        }
    }

    // Marked content: every MCID on a page is in the tree, once, and the page's parent
    // tree entry names the element that holds it.
    let in_tree: BTreeMap<(ObjectId, i64), ObjectId> =
        elements.iter().flat_map(|e| e.marked.iter().map(move |m| (*m, e.id))).collect();
    let parent_tree = parent_tree(&doc);
    let mut on_pages = BTreeSet::new();
    for (n, page) in doc.get_pages() {
        let content = Content::decode(&doc.get_page_content(page)).unwrap_or(Content { operations: vec![] });
        let parents = doc
            .get_dictionary(page)
            .ok()
            .and_then(|d| d.get(b"StructParents").ok())
            .and_then(|o| o.as_i64().ok())
            .and_then(|k| parent_tree.get(&k));
        let mut depth = 0usize;
        for op in &content.operations {
            match op.operator.as_str() {
                "BDC" | "BMC" => {
                    depth += 1;
                    let mcid = op.operands.get(1).map(|o| resolve(&doc, o)).and_then(|o| o.as_dict().ok());
                    if let Some(mcid) = mcid.and_then(|d| d.get(b"MCID").ok()).and_then(|o| o.as_i64().ok()) {
                        on_pages.insert((page, mcid));
                        match in_tree.get(&(page, mcid)) {
                            None => out.push(format!("page {n}: MCID {mcid} is not in the structure tree")),
                            Some(owner) => {
                                if parents.and_then(|p| p.get(mcid as usize)) != Some(owner) {
                                    out.push(format!("page {n}: the parent tree does not name MCID {mcid}'s element"))
                                }
                            }
                        }
                    } else if name(&op.operands[0]) != "Artifact" {
                        out.push(format!("page {n}: marked content {} without an MCID", name(&op.operands[0])));
                    }
                }
                "EMC" => depth = depth.saturating_sub(1),
                "Tj" | "TJ" | "re" | "S" | "f" | "B" if depth == 0 => {
                    out.push(format!("page {n}: {} drawn outside marked content", op.operator));
                }
                _ => {}
            }
        }
    }
    for (m, owner) in &in_tree {
        if !on_pages.contains(m) {
            out.push(format!("{owner:?} claims MCID {} of {:?}, which no page has", m.1, m.0));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Each page's entry of the parent tree (StructParents key → element per MCID).
fn parent_tree(doc: &Document) -> BTreeMap<i64, Vec<ObjectId>> {
    let mut out = BTreeMap::new();
    let Some(root) = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"StructTreeRoot").ok())
        .map(|o| resolve(doc, o))
        .and_then(|o| o.as_dict().ok())
    else {
        return out;
    };
    let Some(tree) = root.get(b"ParentTree").ok().map(|o| resolve(doc, o)).and_then(|o| o.as_dict().ok()) else {
        return out;
    };
    let Ok(Object::Array(nums)) = tree.get(b"Nums").map(|o| resolve(doc, o)) else { return out };
    for pair in nums.chunks(2) {
        let (Some(Ok(k)), Some(Object::Array(ids))) = (pair.first().map(Object::as_i64), pair.get(1)) else { continue };
        out.insert(k, ids.iter().filter_map(|o| o.as_reference().ok()).collect());
    }
    out
}

/// The document as a screen reader meets it: each element's tag, and its text (a
/// figure's Alt, else the text of its marked content), in structure order.
pub(crate) fn reading_order(path: &Path) -> Vec<(String, String)> {
    let doc = Document::load(path).unwrap();
    let mut texts: BTreeMap<(ObjectId, i64), String> = BTreeMap::new();
    for (_, page) in doc.get_pages() {
        let fonts = doc.get_page_fonts(page).unwrap();
        let encodings: BTreeMap<Vec<u8>, Encoding> =
            fonts.into_iter().filter_map(|(name, font)| font.get_font_encoding(&doc).ok().map(|e| (name, e))).collect();
        let content = Content::decode(&doc.get_page_content(page)).unwrap();
        let (mut font, mut mcid) = (Vec::new(), None);
        for op in &content.operations {
            match op.operator.as_str() {
                "BDC" => {
                    mcid = op
                        .operands
                        .get(1)
                        .and_then(|o| o.as_dict().ok())
                        .and_then(|d| d.get(b"MCID").ok())
                        .and_then(|o| o.as_i64().ok())
                }
                "BMC" | "EMC" => mcid = None,
                "Tf" => {
                    font = op.operands.first().and_then(|o| o.as_name().ok()).map(<[u8]>::to_vec).unwrap_or_default()
                }
                "Tj" => {
                    let bytes = op.operands.first().and_then(|o| o.as_str().ok()).unwrap_or_default();
                    let t = encodings.get(&font).and_then(|e| Document::decode_text(e, bytes).ok()).unwrap_or_default();
                    if let Some(m) = mcid {
                        let entry = texts.entry((page, m)).or_default();
                        if !entry.is_empty() {
                            entry.push(' ');
                        }
                        entry.push_str(&t);
                    }
                }
                _ => {}
            }
        }
    }
    elements(&doc)
        .unwrap()
        .into_iter()
        .filter(|e| !e.marked.is_empty() || e.alt.is_some())
        .map(|e| {
            let said = match &e.alt {
                Some(alt) => alt.clone(),
                None => e.marked.iter().filter_map(|m| texts.get(m)).cloned().collect::<Vec<_>>().join(" "),
            };
            (e.tag, said)
        })
        .collect()
}

#[test]
fn every_document_of_the_sample_release_is_tagged_throughout() {
    for pdf in documents() {
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(bytes.len() <= 150 * 1024, "{}: {} KB, over 150 KB", pdf.display(), bytes.len() / 1024);
        let found = problems(&bytes);
        assert!(found.is_empty(), "{}:\n{}", pdf.display(), found.join("\n"));
    }
}

/// The check is not a formality: a figure without words, a table without header
/// cells and a heading that skips a level are each found.
#[test]
fn a_pdf_with_a_figure_without_words_or_a_table_without_headers_fails() {
    let pdf = release().join("board/ORG01.pdf");
    let good = std::fs::read(&pdf).unwrap();
    assert!(problems(&good).is_empty());
    let broken = |change: &dyn Fn(&mut Dictionary) -> bool| -> Vec<String> {
        let mut doc = Document::load_mem(&good).unwrap();
        for object in doc.objects.values_mut() {
            if let Object::Dictionary(d) = object {
                // A structure element: a type (/S), a parent (/P), and kids (/K).
                let element = d.has(b"S") && d.has(b"P") && d.has(b"K");
                if element && change(d) {
                    break;
                }
            }
        }
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes).unwrap();
        problems(&bytes)
    };
    let no_alt = broken(&|d| d.remove(b"Alt").is_some());
    assert!(no_alt.iter().any(|p| p.contains("Figure") && p.contains("no Alt")), "{no_alt:?}");
    let no_headers = broken(&|d| {
        if d.get(b"S").ok().map(name).as_deref() == Some("TH") {
            d.set("S", Object::Name(b"TD".to_vec()));
        }
        false
    });
    assert!(no_headers.iter().any(|p| p.contains("no TH cells")), "{no_headers:?}");
    let skipped = broken(&|d| {
        let h2 = d.get(b"S").ok().map(name).as_deref() == Some("H2");
        if h2 {
            d.set("S", Object::Name(b"H3".to_vec()));
        }
        h2
    });
    assert!(skipped.iter().any(|p| p.contains("an H3 follows an H1")), "{skipped:?}");
}

/// A board pack read in structure order: the cover's title first, then each section's
/// heading before what it heads, every chart in words with every period it draws.
#[test]
fn a_board_pack_reads_in_order_with_every_chart_described() {
    let order = reading_order(&release().join("board/ORG01.pdf"));
    if let Ok(path) = std::env::var("IMPACT_READING_ORDER") {
        let said: Vec<String> = order.iter().map(|(tag, text)| format!("[{tag}] {text}")).collect();
        std::fs::write(path, said.join("\n")).unwrap();
    }
    assert_eq!(order[0], ("H1".to_string(), "Board pack".to_string()));
    assert!(
        order[1..3].iter().any(|(_, t)| t == "Clyde Reuse Hub"),
        "the subject follows the title: {:?}",
        &order[..3]
    );
    let notes: Vec<&String> = order.iter().filter(|(tag, _)| tag == "Note").map(|(_, t)| t).collect();
    assert!(notes.iter().any(|n| n.contains("<5")), "the notes on marks are read: {notes:?}");
    let figures: Vec<(usize, &String)> =
        order.iter().enumerate().filter(|(_, (tag, _))| tag == "Figure").map(|(i, (_, t))| (i, t)).collect();
    assert!(figures.len() >= 4, "{figures:?}");
    for (i, alt) in figures {
        assert!(alt.contains("chart"), "{alt}");
        assert!(
            order[..i]
                .iter()
                .rev()
                .find(|(tag, _)| tag.starts_with('H'))
                .is_some_and(|(_, h)| alt.contains(h.trim_end_matches('.'))),
            "a chart's words begin with the heading it stands under: {alt}"
        );
    }
    let h2: Vec<&str> = order.iter().filter(|(t, _)| t == "H2").map(|(_, s)| s.as_str()).collect();
    assert!(
        h2.iter().any(|h| h.starts_with("At a glance")) && h2.iter().any(|h| h.starts_with("Methodology")),
        "{h2:?}"
    );
}

/// Relative luminance and contrast ratio (WCAG 2.2), of colours as PDF `rg` operands.
fn contrast(a: [f32; 3], b: [f32; 3]) -> f32 {
    let lum = |c: [f32; 3]| {
        let ch = |v: f32| if v <= 0.04045 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) };
        0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2])
    };
    let (x, y) = (lum(a), lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// Every piece of text in every sample document stands out from what it is drawn on
/// (the last filled rectangle under it, else the white page) by WCAG AA's 4.5:1.
#[test]
fn text_contrast_meets_wcag_aa_on_what_it_is_drawn_on() {
    let (mut failures, mut on_colour) = (Vec::new(), 0);
    for pdf in documents() {
        let doc = Document::load(&pdf).unwrap();
        for (n, page) in doc.get_pages() {
            let content = Content::decode(&doc.get_page_content(page)).unwrap();
            let (mut fill, mut at) = ([0.0f32; 3], (0.0f32, 0.0f32));
            let mut rect = None;
            let mut fills: Vec<([f32; 4], [f32; 3])> = Vec::new();
            let num = |o: &Object| match o {
                Object::Integer(i) => *i as f32,
                Object::Real(r) => *r,
                _ => 0.0,
            };
            for op in &content.operations {
                let v: Vec<f32> = op.operands.iter().map(num).collect();
                match op.operator.as_str() {
                    "rg" if v.len() == 3 => fill = [v[0], v[1], v[2]],
                    "re" if v.len() == 4 => rect = Some([v[0], v[1], v[2], v[3]]),
                    "f" | "B" => {
                        if let Some(r) = rect.take() {
                            fills.push((r, fill));
                        }
                    }
                    "Td" if v.len() == 2 => at = (v[0], v[1]),
                    "Tj" => {
                        let (x, y) = (at.0 + 1.0, at.1 + 2.0);
                        let ground = fills
                            .iter()
                            .rev()
                            .find(|(r, _)| x >= r[0] && x <= r[0] + r[2] && y >= r[1] && y <= r[1] + r[3])
                            .map_or([1.0; 3], |(_, c)| *c);
                        on_colour += usize::from(ground != [1.0; 3]);
                        let ratio = contrast(fill, ground);
                        if ratio < 4.5 {
                            failures
                                .push(format!("{} page {n}: {fill:?} on {ground:?} is {ratio:.2}:1", pdf.display()));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    failures.dedup();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(on_colour > 1000, "text on tiles, table headings, segments and the cover is checked: {on_colour}");
}

/// The HTML pages of every shipped spec for every sample subject, made in the sample
/// project (so with the release's protection), once for the tests of this module.
fn html_pages() -> &'static [(PathBuf, PathBuf)] {
    static MADE: std::sync::OnceLock<(tempfile::TempDir, Vec<(PathBuf, PathBuf)>)> = std::sync::OnceLock::new();
    let (_, pages) = MADE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        crate::util::sample_project(dir.path());
        for (spec, each) in
            [("board", Some("organisation")), ("funder", Some("programme")), ("cbc", None), ("compare", None)]
        {
            let mut args = vec!["report", spec, "--format", "html"];
            let folder = format!("html/{spec}");
            match each {
                Some(kind) => args.extend(["--each", kind, "--out-dir", &folder]),
                None => args.extend(["--out-dir", "html"]),
            }
            crate::util::impact_in(dir.path(), &args).ok();
        }
        let release = release();
        let mut pages = Vec::new();
        for pdf in documents() {
            let rel = pdf.strip_prefix(release).unwrap().with_extension("html");
            let html = dir.path().join("html").join(&rel);
            assert!(html.exists(), "{} was made", rel.display());
            pages.push((html, pdf));
        }
        (dir, pages)
    });
    pages
}

/// A page's chart descriptions (`<desc>`), in order, as plain text.
fn descriptions(html: &str) -> Vec<String> {
    html.split("<desc id=\"")
        .skip(1)
        .map(|rest| {
            let text = &rest[rest.find('>').unwrap() + 1..rest.find("</desc>").unwrap()];
            text.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&")
        })
        .collect()
}

/// Each HTML page: a language, a title, one h1 and no skipped heading level; every
/// chart an image named and described in the PDF's own words for it, in the same
/// order; every table captioned with scoped header cells; nothing fetched from
/// anywhere; and the same bytes when made again.
#[test]
fn html_reports_say_what_the_pdfs_say_in_accessible_html() {
    for (html_path, pdf) in html_pages() {
        let html = std::fs::read_to_string(html_path).unwrap();
        let name = html_path.display();
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en-GB\">"), "{name}");
        assert!(html.contains("<title>") && html.matches("<h1>").count() == 1, "{name}");
        let mut last = 1;
        for level in html.match_indices("<h").filter_map(|(i, _)| html[i + 2..].chars().next()?.to_digit(10)) {
            assert!(level <= last + 1, "{name}: an h{level} after an h{last}");
            last = level;
        }
        let svgs = html.matches("<svg ").count();
        assert_eq!(svgs, html.matches("role=\"img\" aria-labelledby=\"chart-title-").count(), "{name}");
        assert_eq!(svgs, html.matches("<title id=").count(), "{name}");
        let tables = html.matches("<table>").count();
        assert_eq!(tables, html.matches("<caption id=").count(), "{name}: every table has a caption");
        assert!(!html.contains("<th>") && !html.contains("<td scope"), "{name}: header cells are scoped");
        for external in [" src=", "<link", "url(", "@import", "href=\"http", "<script"] {
            assert!(!html.contains(external), "{name}: {external}");
        }
        let alts: Vec<String> =
            reading_order(pdf).into_iter().filter(|(tag, _)| tag == "Figure").map(|(_, alt)| alt).collect();
        assert_eq!(descriptions(&html), alts, "{name}: the charts are described as in the PDF");
    }
    // Made again, byte for byte the same.
    let (first, _) = &html_pages()[0];
    let dir = tempfile::tempdir().unwrap();
    crate::util::sample_project(dir.path());
    crate::util::impact_in(dir.path(), &["report", "board", "--subject", "ORG01", "--out", "again.html"]).ok();
    assert_eq!(std::fs::read(dir.path().join("again.html")).unwrap(), std::fs::read(first).unwrap());
}

/// A report's name says what it is: `--out x.html` is an HTML page, `--format html`
/// with a `.pdf` name is refused before any work.
#[test]
fn the_format_follows_the_name_and_a_contradiction_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    crate::util::sample_project(dir.path());
    let run =
        crate::util::impact_in(dir.path(), &["report", "cbc", "--format", "html", "--out", "cbc.pdf"]).expect_code(2);
    assert!(
        run.stderr.contains("written as an HTML page") && run.stderr.contains("hint: name the file .html"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("cbc.pdf").exists());
    crate::util::impact_in(dir.path(), &["report", "cbc", "--out", "cbc.htm"]).ok();
    assert!(std::fs::read_to_string(dir.path().join("cbc.htm")).unwrap().starts_with("<!DOCTYPE html>"));
}
