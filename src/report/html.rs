//! A report as one self-contained HTML page, from the same blocks as its PDF:
//! semantic headings, tables with captions and scoped header cells, charts as inline
//! SVG with a title and the same words as the PDF's alternative text, the marks and
//! what they mean. No external request (styles inline, the reader's own fonts); it
//! reads on a phone and prints.

use std::fmt::Write as _;

use super::blocks::{Block, Document, Tile, TileStyle};
use super::chart::{self, ChartData};
use super::draw::Rgb;
use super::layout::ChartOut;
use crate::error::Result;

/// The width charts are drawn at (as in the PDF); the page scales them to fit.
const CHART_W: f32 = 495.0;

/// The page, and the charts drawn on it (for `--charts-dir` and `--figures-dir`).
pub struct Page {
    pub html: String,
    pub charts: Vec<ChartOut>,
}

/// The HTML page of `doc`, titled `title`.
pub fn page(doc: &Document, title: &str, generator: &str) -> Result<Page> {
    let mut w = Writer {
        out: String::with_capacity(64 * 1024),
        charts: Vec::new(),
        section_open: false,
        heading: String::new(),
        captions: Vec::new(),
        ids: 0,
    };
    w.head(title, generator);
    w.cover(doc);
    w.out.push_str("<main id=\"main\">\n");
    let blocks = &doc.blocks;
    for (i, block) in blocks.iter().enumerate() {
        let next = blocks.get(i + 1);
        w.block(block, next)?;
    }
    w.close_section();
    w.out.push_str("</main>\n");
    w.foot(doc);
    w.out.push_str("</body>\n</html>\n");
    Ok(Page { html: w.out, charts: w.charts })
}

struct Writer {
    out: String,
    charts: Vec<ChartOut>,
    section_open: bool,
    /// The last heading: a table's caption and a chart's words begin with it.
    heading: String,
    /// Every table's caption so far.
    captions: Vec<String>,
    ids: usize,
}

/// Text for HTML or XML content and attribute values (the HTML page, the PDF's XMP,
/// the page pictures).
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// How a mark stands in the page: a one-character mark (the dash of no figure) as a
/// cell of its own, others anywhere in the text.
fn shown_as_mark(needle: &str) -> String {
    if needle.chars().count() == 1 {
        format!(">{}<", esc(needle))
    } else {
        esc(needle)
    }
}

fn hex(c: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

impl Writer {
    fn id(&mut self, kind: &str) -> String {
        self.ids += 1;
        format!("{kind}-{}", self.ids)
    }

    fn head(&mut self, title: &str, generator: &str) {
        let _ = write!(
            self.out,
            "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"{}\">\n<title>{}</title>\n<style>\n{}</style>\n</head>\n<body>\n\
             <a class=\"skip\" href=\"#main\">Skip to the report</a>\n",
            esc(generator),
            esc(title),
            style()
        );
    }

    fn cover(&mut self, doc: &Document) {
        let c = &doc.cover;
        self.out.push_str("<header class=\"cover\">\n");
        if let Some(marking) = &doc.frame.marking {
            let _ = writeln!(self.out, "<p class=\"marking\"><strong>{}</strong></p>", esc(marking));
        }
        let _ = writeln!(self.out, "<h1>{}</h1>", esc(&c.title));
        if let Some(sub) = &c.subtitle {
            let _ = writeln!(self.out, "<p class=\"subtitle\">{}</p>", esc(sub));
        }
        let _ = writeln!(self.out, "<p class=\"subject\">{}</p>", esc(&c.subject));
        let _ = writeln!(self.out, "<p class=\"period\">{}</p>", esc(&c.period));
        if !c.lines.is_empty() {
            self.out.push_str("<ul class=\"about\">\n");
            for l in &c.lines {
                let _ = writeln!(self.out, "<li>{}</li>", esc(l));
            }
            self.out.push_str("</ul>\n");
        }
        self.out.push_str("</header>\n");
    }

    fn close_section(&mut self) {
        if self.section_open {
            self.out.push_str("</section>\n");
            self.section_open = false;
        }
    }

    fn block(&mut self, block: &Block, next: Option<&Block>) -> Result<()> {
        match block {
            Block::KeepTogether(_) | Block::Space(_) | Block::PageBreak => {}
            Block::Heading(title) => {
                self.close_section();
                // Sections are not landmarks (a page of a dozen regions is no help);
                // the headings are how a reader moves through the report.
                let id = self.id("section");
                let _ = writeln!(self.out, "<section>\n<h2 id=\"{id}\">{}</h2>", esc(title));
                self.section_open = true;
                self.heading = title.clone();
            }
            Block::Subheading(title) => {
                self.heading = title.clone();
                // A table under it takes it as its caption.
                if !matches!(next, Some(Block::Table { .. })) {
                    let _ = writeln!(self.out, "<h3>{}</h3>", esc(title));
                }
            }
            Block::Paragraph { text, colour, .. } => {
                let class = if *colour == Rgb::MUTED { " class=\"note\"" } else { "" };
                let _ = writeln!(self.out, "<p{class}>{}</p>", esc(text));
            }
            Block::Line { text, bold, .. } => {
                if *bold && self.section_open {
                    let _ = writeln!(self.out, "<h3>{}</h3>", esc(text));
                } else {
                    let _ = writeln!(self.out, "<p class=\"lead\">{}</p>", esc(text));
                }
            }
            Block::Together(group) => {
                self.out.push_str("<div class=\"entry\">\n");
                for b in group {
                    self.block(b, None)?;
                }
                self.out.push_str("</div>\n");
            }
            Block::Chart { data, height, slug } => {
                let title = self.heading.clone();
                self.out.push_str("<figure class=\"chart\">\n");
                self.svg(data, CHART_W, *height, &title)?;
                self.out.push_str("</figure>\n");
                self.charts.push(ChartOut { slug: slug.clone(), data: data.clone(), width: CHART_W, height: *height });
            }
            Block::Panels(panels) => {
                self.out.push_str("<div class=\"panels\">\n");
                for panel in panels {
                    let _ =
                        writeln!(self.out, "<figure class=\"panel\">\n<figcaption>{}</figcaption>", esc(&panel.title));
                    self.svg(&panel.data, 158.0, 110.0, &panel.title)?;
                    self.out.push_str("</figure>\n");
                    self.charts.push(ChartOut {
                        slug: panel.slug.clone(),
                        data: panel.data.clone(),
                        width: 158.0,
                        height: 110.0,
                    });
                }
                self.out.push_str("</div>\n");
            }
            Block::Table { head, rows, numeric } => self.table(head, rows, numeric),
            Block::Tiles { style, tiles } => self.tiles(*style, tiles),
        }
        Ok(())
    }

    /// A chart as inline SVG: an image whose name is its heading and whose
    /// description is the PDF's words for it.
    fn svg(&mut self, data: &ChartData, width: f32, height: f32, title: &str) -> Result<()> {
        let (t, d) = (self.id("chart-title"), self.id("chart-desc"));
        self.out.push_str(&inline_svg(data, width, height, title, (&t, &d))?);
        Ok(())
    }

    fn table(&mut self, head: &[String], rows: &[Vec<String>], numeric: &[bool]) {
        if rows.is_empty() {
            self.out.push_str("<p class=\"note\">No figures for this period.</p>\n");
            return;
        }
        // The caption names the table's scrolling region too: regions' names are unique.
        let mut caption = self.heading.clone();
        let same = self.captions.iter().filter(|c| **c == caption).count();
        self.captions.push(caption.clone());
        if same > 0 {
            caption = format!("{caption} ({})", same + 1);
        }
        let region = self.id("table");
        // A wide table scrolls inside its own region on a phone (focusable, named).
        let _ = writeln!(
            self.out,
            "<div class=\"table\" role=\"region\" aria-labelledby=\"{region}\" tabindex=\"0\">\n<table>\n<caption id=\"{region}\">{}</caption>",
            esc(&caption)
        );
        self.out.push_str("<thead><tr>");
        for (c, h) in head.iter().enumerate() {
            let class = if numeric.get(c).copied().unwrap_or(false) { " class=\"num\"" } else { "" };
            let text = if h.is_empty() { "Item" } else { h.as_str() };
            let _ = write!(self.out, "<th scope=\"col\"{class}>{}</th>", esc(text));
        }
        self.out.push_str("</tr></thead>\n<tbody>\n");
        let row_headers = !numeric.first().copied().unwrap_or(true);
        for row in rows {
            self.out.push_str("<tr>");
            for (c, cell) in row.iter().enumerate() {
                let num = numeric.get(c).copied().unwrap_or(false);
                if c == 0 && row_headers {
                    let _ = write!(self.out, "<th scope=\"row\">{}</th>", esc(cell));
                } else if num {
                    let _ = write!(self.out, "<td class=\"num\">{}</td>", esc(cell));
                } else {
                    let _ = write!(self.out, "<td>{}</td>", esc(cell));
                }
            }
            self.out.push_str("</tr>\n");
        }
        self.out.push_str("</tbody>\n</table>\n</div>\n");
    }

    fn tiles(&mut self, style: TileStyle, tiles: &[Tile]) {
        let class = match style {
            TileStyle::Kpi => "tiles",
            TileStyle::Value => "tiles value",
        };
        let _ = writeln!(self.out, "<ul class=\"{class}\">");
        for tile in tiles {
            let big_class = if tile.muted { "big muted" } else { "big" };
            let _ = write!(self.out, "<li><p class=\"{big_class}\">{}", esc(&tile.big));
            if !tile.unit.is_empty() {
                let _ = write!(self.out, " <span class=\"unit\">{}</span>", esc(&tile.unit));
            }
            let _ = write!(self.out, "</p><p class=\"name\">{}</p>", esc(&tile.name));
            if let Some(footer) = &tile.footer {
                let _ = write!(self.out, "<p class=\"foot\">{}</p>", esc(footer));
            }
            self.out.push_str("</li>\n");
        }
        self.out.push_str("</ul>\n");
    }

    /// The meaning of every mark the page shows, and the footer's line.
    fn foot(&mut self, doc: &Document) {
        self.out.push_str("<footer>\n");
        let shown: Vec<&(String, String)> =
            doc.frame.notes.iter().filter(|(needle, _)| self.out.contains(&shown_as_mark(needle))).collect();
        if !shown.is_empty() {
            self.out.push_str("<h2>Notes on marks</h2>\n<ul class=\"marks\">\n");
            for (_, note) in shown {
                let _ = writeln!(self.out, "<li>{}</li>", esc(note));
            }
            self.out.push_str("</ul>\n");
        }
        let _ = writeln!(
            self.out,
            "<p>{} · {} · {}</p>",
            esc(&doc.frame.title),
            esc(&doc.frame.subject),
            esc(&doc.frame.footer)
        );
        self.out.push_str("</footer>\n");
    }
}

/// A chart as inline SVG: an image named by `title` and described in the words of
/// the PDF's alternative text, its title and description elements given `ids`.
pub fn inline_svg(data: &ChartData, width: f32, height: f32, title: &str, ids: (&str, &str)) -> Result<String> {
    let svg = chart::draw_svg(data, width, height)?;
    let (t, d) = ids;
    let Some(end) = svg.find('>') else { return Ok(String::new()) };
    let mut out = format!(
        "<svg viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"{t} {d}\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{t}\">{}</title><desc id=\"{d}\">{}</desc>",
        esc(if title.is_empty() { "Chart" } else { title }),
        esc(&chart::describe(data, title)),
        w = width as u32,
        h = height as u32,
    );
    out.push_str(svg[end + 1..].trim_start());
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

/// The page's styles: the PDF's colours (contrast 4.5:1 or more), system fonts,
/// one column that narrows to a phone, and print rules.
fn style() -> String {
    format!(
        "html{{-webkit-text-size-adjust:100%}}\n\
body{{margin:0;font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"DejaVu Sans\",sans-serif;color:{text};background:#fff;line-height:1.5}}\n\
.skip{{position:absolute;left:-999px}}.skip:focus{{left:1rem;top:1rem;background:#fff;color:{accent};padding:.5rem;z-index:1}}\n\
.cover{{background:{accent};color:#fff;padding:2rem max(1rem,calc((100% - 48rem)/2))}}\n\
.cover h1{{font-size:2rem;line-height:1.2;margin:.5rem 0}}\n\
.cover p,.cover li{{margin:.25rem 0}}.cover .subject{{font-size:1.4rem;font-weight:700}}\n\
.cover ul{{list-style:none;padding:0}}\n\
main,footer{{max-width:48rem;margin:0 auto;padding:0 1rem}}\n\
h2{{font-size:1.4rem;line-height:1.3;margin:2rem 0 .5rem}}h3{{font-size:1.05rem;margin:1.25rem 0 .25rem}}\n\
.lead{{margin:0 0 .5rem}}.note{{color:{muted};font-size:.9rem}}\n\
figure{{margin:1rem 0}}figure svg{{width:100%;height:auto;display:block}}\n\
.panels{{display:grid;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr));gap:1rem}}\n\
.panel figcaption{{font-weight:700;font-size:.9rem}}\n\
.table{{overflow-x:auto;margin:1rem 0}}\n\
table{{border-collapse:collapse;width:100%;font-size:.9rem}}\n\
caption{{text-align:left;font-weight:700;padding:.25rem 0}}\n\
th,td{{padding:.3rem .5rem;text-align:left;vertical-align:top}}\n\
thead th{{background:{rule};}}tbody tr:nth-child(even){{background:{tint}}}\n\
tbody th{{font-weight:400}}.num{{text-align:right;font-variant-numeric:tabular-nums}}\n\
.tiles{{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fit,minmax(12rem,1fr));gap:.75rem}}\n\
.tiles li{{background:{tint};border-left:4px solid {accent};padding:.75rem}}\n\
.tiles p{{margin:0}}.big{{font-size:1.6rem;font-weight:700;color:{accent}}}.big.muted{{font-size:1.1rem;color:{muted}}}\n\
.unit{{font-size:.9rem;font-weight:400;color:{muted}}}.foot{{font-size:.85rem;color:{muted}}}\n\
.marking{{background:#fff;color:{warning};display:inline-block;padding:.1rem .4rem}}\n\
footer{{border-top:1px solid {rule};margin-top:2rem;padding-bottom:2rem;color:{muted};font-size:.9rem}}\n\
footer h2{{font-size:1.1rem;color:{text}}}\n\
a{{color:{accent}}}\n\
@media print{{.skip{{display:none}}.cover{{background:none;color:{text};border-bottom:3px solid {accent}}}\
h2,h3{{break-after:avoid}}figure,tr,.tiles li{{break-inside:avoid}}.table{{overflow:visible}}}}\n",
        text = hex(Rgb::TEXT),
        muted = hex(Rgb::MUTED),
        accent = hex(Rgb::ACCENT),
        rule = hex(Rgb::RULE),
        tint = hex(Rgb::TINT),
        warning = hex(Rgb::WARNING),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::blocks::{Cover, Frame};
    use crate::report::chart::{ChartKind, Series};

    fn doc(blocks: Vec<Block>) -> Document {
        Document {
            cover: Cover {
                title: "Board pack".into(),
                subtitle: None,
                subject: "Clyde <Reuse> & Hub".into(),
                period: "2024-25".into(),
                lines: vec![],
            },
            frame: Frame {
                title: "Board pack".into(),
                subject: "Clyde".into(),
                period: "2024-25".into(),
                footer: "Produced 31 March 2025".into(),
                marking: None,
                notes: vec![("<5".into(), "<5: a count of 1 to 4 people.".into())],
            },
            blocks,
        }
    }

    #[test]
    fn headings_tables_and_charts_are_semantic_and_escaped() {
        let data = ChartData {
            kind: ChartKind::Grouped,
            categories: vec!["2024-25".into()],
            series: vec![Series { name: "Job starts".into(), values: vec![None], outline: false }],
            withheld: vec![(0, 0, "<5".into())],
            ..Default::default()
        };
        let page = page(
            &doc(vec![
                Block::Heading("Job starts".into()),
                Block::Chart { data, height: 200.0, slug: "jobs".into() },
                Block::Table {
                    head: vec!["Programme".into(), "Value".into()],
                    rows: vec![vec!["A & B".into(), "<5".into()]],
                    numeric: vec![false, true],
                },
            ]),
            "Board pack — Clyde",
            "impactkit",
        )
        .unwrap();
        let html = &page.html;
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en-GB\">"));
        assert!(html.contains("<h1>Board pack</h1>") && html.contains("Clyde &lt;Reuse&gt; &amp; Hub"));
        assert!(html.contains("<h2 id=\"section-1\">Job starts</h2>"));
        assert!(html.contains("role=\"img\" aria-labelledby=\"chart-title-2 chart-desc-3\""), "{html}");
        assert!(html
            .contains("<desc id=\"chart-desc-3\">Column chart: Job starts. 2024-25: fewer than 5 (withheld).</desc>"));
        assert!(html.contains("<th scope=\"col\">Programme</th>") && html.contains("<th scope=\"row\">A &amp; B</th>"));
        assert!(html.contains("<td class=\"num\">&lt;5</td>"));
        assert!(html.contains("<li>&lt;5: a count of 1 to 4 people.</li>"), "the marks shown are explained");
        assert!(!html.contains(" src=") && !html.contains("<link"), "nothing is fetched");
        assert_eq!(page.charts.len(), 1);
    }
}
