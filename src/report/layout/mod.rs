//! One subject's report as pages of drawing commands: the cover, then the document's
//! blocks flowed down A4 pages with page breaks and repeated table headings, the notes
//! that explain the marks on each page, and a header and footer ("Page X of Y") on
//! every page. Layout decides where things go, never what they say.

use super::blocks::{Block, Cover, Document, Frame, Panel, Tile, TileStyle};
use super::chart::{self, ChartData};
use super::draw::{Cmd, Rgb, Role};
use super::draw::{PAGE_H, PAGE_W};
use super::fonts::{fit, text_width, wrap, wrap_at_most};
use crate::error::Result;

mod tables;

use tables::table;

const MARGIN: f32 = 50.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
const TOP: f32 = 70.0;
/// The last line of content; below it, the page's notes on marks, then the footer.
const BOTTOM: f32 = PAGE_H - 110.0;
/// Where the first line of notes on marks stands (lines 8.5 pt apart, at most five).
const NOTES_TOP: f32 = PAGE_H - 98.0;
const NOTE_LINES: usize = 5;
const BODY: f32 = 10.0;
/// A chart may be drawn this share of its height to fill the rest of a page.
const CHART_SHRINK: f32 = 0.7;

/// The height of a line, paragraph or space as laid out (for `Block::Together`).
fn measure(block: &Block) -> f32 {
    match block {
        Block::Paragraph { text, size, .. } => wrap(text, *size, false, CONTENT_W).len() as f32 * size * 1.4,
        Block::Line { advance, .. } => *advance,
        Block::Space(h) => *h,
        _ => 0.0,
    }
}

/// A chart as drawn in the report, kept for `--charts-dir` and `--figures-dir`.
pub struct ChartOut {
    pub slug: String,
    pub data: ChartData,
    pub width: f32,
    pub height: f32,
}

pub struct Built {
    pub pages: Vec<Vec<Cmd>>,
    pub charts: Vec<ChartOut>,
}

struct Flow {
    pages: Vec<Vec<Cmd>>,
    y: f32,
    /// The last section heading: a chart's words begin with it.
    last_heading: Option<String>,
}

impl Flow {
    fn page(&mut self) -> &mut Vec<Cmd> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Start a new page unless `h` more points fit on this one.
    fn ensure(&mut self, h: f32) {
        if self.y + h > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }

    /// Begin a structure element: what is drawn until `close` is its content.
    fn open(&mut self, role: Role) {
        self.page().push(Cmd::Open(role));
    }

    fn close(&mut self) {
        self.page().push(Cmd::Close);
    }

    fn text(&mut self, x: f32, size: f32, bold: bool, colour: Rgb, text: &str) {
        let y = self.y + size;
        self.page().push(Cmd::Text { x, y, size, bold, colour, text: text.to_string() });
    }

    fn paragraph(&mut self, text: &str, size: f32, colour: Rgb) {
        self.open(Role::P);
        for line in wrap(text, size, false, CONTENT_W) {
            self.ensure(size * 1.4);
            self.text(MARGIN, size, false, colour, &line);
            self.y += size * 1.4;
        }
        self.close();
    }

    /// Draw a chart the full content width at the current position and move past it:
    /// as tall as asked where it fits, else as tall as the rest of the page when that is
    /// at least `CHART_SHRINK` of it (a page is not left a third empty for want of a
    /// few points), else on the next page. Returns the height drawn.
    fn chart(&mut self, data: &ChartData, height: f32, title: &str) -> Result<f32> {
        let room = BOTTOM - self.y;
        let height = if height <= room {
            height
        } else if room >= height * CHART_SHRINK {
            room
        } else {
            self.new_page();
            height
        };
        let drawn = chart::draw_vector(data, CONTENT_W, height)?;
        let (x, y) = (MARGIN, self.y);
        self.open(Role::Figure { alt: chart::describe(data, title) });
        self.page().extend(drawn.cmds.iter().map(|c| c.shifted(x, y)));
        self.close();
        self.y += height;
        Ok(height)
    }

    /// Lay out lines, paragraphs and space as one group, on the next page when the
    /// group does not fit on this one.
    fn together(&mut self, blocks: &[Block]) {
        let height: f32 = blocks.iter().map(measure).sum();
        self.ensure(height);
        for block in blocks {
            match block {
                Block::Paragraph { text, size, colour } => {
                    self.open(Role::P);
                    for line in wrap(text, *size, false, CONTENT_W) {
                        self.text(MARGIN, *size, false, *colour, &line);
                        self.y += size * 1.4;
                    }
                    self.close();
                }
                Block::Line { text, size, bold, advance } => self.line(text, *size, *bold, *advance),
                Block::Space(h) => self.y += h,
                _ => {}
            }
        }
    }

    /// One line, shortened to the width: a bold one is a sub-heading (a methodology
    /// entry's name) under the section's heading.
    fn line(&mut self, text: &str, size: f32, bold: bool, advance: f32) {
        self.open(if bold && self.last_heading.is_some() { Role::H3 } else { Role::P });
        self.text(MARGIN, size, bold, Rgb::TEXT, &fit(text, size, bold, CONTENT_W));
        self.close();
        self.y += advance;
    }

    /// A heading within a section, kept with what follows it as a heading is.
    fn subheading(&mut self, title: &str, lead: f32) {
        let lines = wrap(title, 10.5, true, CONTENT_W);
        self.ensure(lines.len() as f32 * 13.0 + 8.0 + lead);
        self.y += 4.0;
        self.open(if self.last_heading.is_some() { Role::H3 } else { Role::P });
        for line in &lines {
            self.text(MARGIN, 10.5, true, Rgb::TEXT, line);
            self.y += 13.0;
        }
        self.close();
        self.y += 4.0;
    }

    /// A heading, kept on one page with the first `lead` points of what follows it
    /// (at least a few lines), so no heading is left alone at a page's foot.
    fn heading(&mut self, title: &str, lead: f32) {
        let lines = wrap(title, 14.0, true, CONTENT_W);
        let extra = 18.0 * (lines.len().max(1) - 1) as f32;
        self.ensure((28.0 + extra + lead).max(80.0));
        self.y += 6.0;
        self.open(Role::H2);
        for (k, line) in lines.iter().enumerate() {
            if k > 0 {
                self.y += 18.0;
            }
            self.text(MARGIN, 14.0, true, Rgb::TEXT, line);
        }
        self.close();
        self.last_heading = Some(title.to_string());
        self.y += 22.0;
    }
}

pub fn build(doc: &Document) -> Result<Built> {
    let mut flow = Flow { pages: Vec::new(), y: TOP, last_heading: None };
    let mut charts = Vec::new();
    cover(&doc.cover, &mut flow);
    flow.new_page();
    for (i, block) in doc.blocks.iter().enumerate() {
        match block {
            Block::KeepTogether(h) => flow.ensure(*h),
            Block::Heading(title) => flow.heading(title, lead_height(&doc.blocks[i + 1..])),
            Block::Subheading(title) => flow.subheading(title, lead_height(&doc.blocks[i + 1..])),
            Block::Paragraph { text, size, colour } => flow.paragraph(text, *size, *colour),
            Block::Line { text, size, bold, advance } => flow.line(text, *size, *bold, *advance),
            Block::Space(h) => flow.y += h,
            Block::Chart { data, height, slug } => {
                let title = flow.last_heading.clone().unwrap_or_default();
                let drawn = flow.chart(data, *height, &title)?;
                charts.push(ChartOut { slug: slug.clone(), data: data.clone(), width: CONTENT_W, height: drawn });
            }
            Block::Together(group) => flow.together(group),
            Block::Table { head, rows, numeric } => table(&mut flow, head, rows, numeric),
            Block::Tiles { style, tiles } => tile_grid(&mut flow, *style, tiles),
            Block::Panels(panels) => panel_grid(&mut flow, panels, &mut charts)?,
            Block::PageBreak => flow.new_page(),
        }
    }
    // Drop a trailing empty page (e.g. after a final page break).
    if flow.pages.len() > 1 && flow.pages.last().is_some_and(Vec::is_empty) {
        flow.pages.pop();
    }
    let total = flow.pages.len();
    for (i, page) in flow.pages.iter_mut().enumerate() {
        let lines: Vec<String> =
            page_notes(&doc.frame, page).iter().flat_map(|n| wrap(n, 7.0, false, CONTENT_W)).take(NOTE_LINES).collect();
        // What the marks on this page mean, read after what is open on it.
        if !lines.is_empty() {
            page.push(Cmd::Open(Role::Note));
        }
        let noted = !lines.is_empty();
        for (k, text) in lines.into_iter().enumerate() {
            page.push(Cmd::Text {
                x: MARGIN,
                y: NOTES_TOP + k as f32 * 8.5,
                size: 7.0,
                bold: false,
                colour: Rgb::MUTED,
                text,
            });
        }
        if noted {
            page.push(Cmd::Close);
        }
        furniture(&doc.frame, page, i + 1, total);
    }
    Ok(Built { pages: flow.pages, charts })
}

/// How much of the blocks after a heading must stand on its page: what cannot be split
/// (a chart, a set of value tiles) whole, else its first row or lines.
fn lead_height(next: &[Block]) -> f32 {
    let mut space = 0.0;
    for block in next {
        let h = match block {
            Block::Space(h) => {
                space += h;
                continue;
            }
            // A heading's description line belongs to the heading: look past it.
            Block::Line { advance, .. } => {
                space += advance;
                continue;
            }
            Block::KeepTogether(h) => *h,
            Block::Chart { height, .. } => height * CHART_SHRINK,
            Block::Together(group) => group.iter().map(measure).sum(),
            // Value tiles are kept together as a set; KPI tiles need their first row.
            Block::Tiles { style: TileStyle::Value, tiles } => tiles_height(TileStyle::Value, tiles),
            Block::Tiles { style: TileStyle::Kpi, tiles } => {
                tiles_height(TileStyle::Kpi, &tiles[..tiles.len().min(TILES_PER_ROW)])
            }
            Block::Panels(_) => 128.0,
            Block::Table { .. } => 60.0,
            Block::Paragraph { size, .. } => size * 1.4 * 3.0,
            _ => 0.0,
        };
        return space + h;
    }
    space
}

fn cover(c: &Cover, flow: &mut Flow) {
    let page = flow.page();
    page.push(Cmd::Rect { x: 0.0, y: 0.0, w: PAGE_W, h: 250.0, fill: Some(Rgb::ACCENT), stroke: None });
    let mut y = 120.0;
    // The band holds three lines of title; the subject below, four lines. The full
    // title and name are in the PDF's metadata.
    page.push(Cmd::Open(Role::H1));
    for line in wrap_at_most(&c.title, 30.0, true, CONTENT_W, 3) {
        page.push(Cmd::Text { x: MARGIN, y, size: 30.0, bold: true, colour: Rgb::WHITE, text: line });
        y += 36.0;
    }
    page.push(Cmd::Close);
    if let Some(sub) = &c.subtitle {
        page.push(Cmd::Open(Role::P));
        page.push(Cmd::Text {
            x: MARGIN,
            y: y + 4.0,
            size: 14.0,
            bold: false,
            colour: Rgb::WHITE,
            text: fit(sub, 14.0, false, CONTENT_W),
        });
        page.push(Cmd::Close);
    }
    let mut y = 320.0;
    page.push(Cmd::Open(Role::P));
    for line in wrap_at_most(&c.subject, 22.0, true, CONTENT_W, 4) {
        page.push(Cmd::Text { x: MARGIN, y, size: 22.0, bold: true, colour: Rgb::TEXT, text: line });
        y += 28.0;
    }
    page.push(Cmd::Close);
    page.push(Cmd::Open(Role::P));
    page.push(Cmd::Text { x: MARGIN, y: y + 6.0, size: 14.0, bold: false, colour: Rgb::TEXT, text: c.period.clone() });
    page.push(Cmd::Close);
    let mut y = y + 50.0;
    for l in &c.lines {
        page.push(Cmd::Open(Role::P));
        page.push(Cmd::Text { x: MARGIN, y, size: 11.0, bold: false, colour: Rgb::MUTED, text: l.clone() });
        page.push(Cmd::Close);
        y += 18.0;
    }
}

/// The notes whose needle (a mark) stands on the page as a figure: in a table cell, a
/// tile, a chart label (a short text), not in a sentence that explains the marks.
fn page_notes(frame: &Frame, page: &[Cmd]) -> Vec<String> {
    let texts: Vec<&str> = page
        .iter()
        .filter_map(|c| if let Cmd::Text { text, .. } = c { Some(text.as_str()) } else { None })
        .filter(|t| t.split_whitespace().count() <= 6)
        .collect();
    frame
        .notes
        .iter()
        // A one-character mark (the dash of no figure) stands alone in its cell; longer
        // marks are found within a short text ("12 [c]").
        .filter(|(needle, _)| {
            texts
                .iter()
                .any(|t| if needle.chars().count() == 1 { t.trim() == needle } else { t.contains(needle.as_str()) })
        })
        .map(|(_, note)| note.clone())
        .collect()
}

/// Marking (when there is one), header (pages after the cover) and footer (every page).
fn furniture(frame: &Frame, page: &mut Vec<Cmd>, n: usize, total: usize) {
    // The marking is read once, on the cover (nothing is open there); every other
    // thing here is page furniture.
    if let (Some(marking), 1) = (&frame.marking, n) {
        page.push(Cmd::Open(Role::P));
        page.push(Cmd::Text { x: MARGIN, y: 26.0, size: 8.5, bold: true, colour: Rgb::WHITE, text: marking.clone() });
        page.push(Cmd::Close);
    }
    page.push(Cmd::BeginArtifact);
    if let (Some(marking), 2..) = (&frame.marking, n) {
        page.push(Cmd::Text { x: MARGIN, y: 26.0, size: 8.5, bold: true, colour: Rgb::WARNING, text: marking.clone() });
    }
    if n > 1 {
        // The subject's name is never cut: the title gives way first (it is on the
        // cover), then the name takes two lines.
        let muted = |x: f32, y: f32, text: String| Cmd::Text { x, y, size: 8.5, bold: false, colour: Rgb::MUTED, text };
        let width = |t: &str| text_width(t, 8.5, false);
        let right = format!("{} · {}", frame.subject, frame.period);
        if width(&frame.title) + 20.0 + width(&right) <= CONTENT_W {
            page.push(muted(MARGIN, 40.0, frame.title.clone()));
            page.push(muted(MARGIN + CONTENT_W - width(&right), 40.0, right));
        } else {
            let period = frame.period.clone();
            page.push(muted(MARGIN + CONTENT_W - width(&period), 40.0, period.clone()));
            let room = CONTENT_W - width(&period) - 20.0;
            let lines = wrap_at_most(&frame.subject, 8.5, false, room, 2);
            let top = 40.0 - 10.0 * (lines.len() as f32 - 1.0);
            for (k, line) in lines.into_iter().enumerate() {
                page.push(muted(MARGIN, top + 10.0 * k as f32, line));
            }
        }
        page.push(Cmd::Path {
            points: vec![(MARGIN, 48.0), (MARGIN + CONTENT_W, 48.0)],
            colour: Rgb::RULE,
            width: 0.5,
        });
    }
    let fy = PAGE_H - 36.0;
    page.push(Cmd::Path {
        points: vec![(MARGIN, fy - 12.0), (MARGIN + CONTENT_W, fy - 12.0)],
        colour: Rgb::RULE,
        width: 0.5,
    });
    page.push(Cmd::Text { x: MARGIN, y: fy, size: 7.5, bold: false, colour: Rgb::MUTED, text: frame.footer.clone() });
    let label = format!("Page {n} of {total}");
    let w = text_width(&label, 7.5, false);
    page.push(Cmd::Text { x: MARGIN + CONTENT_W - w, y: fy, size: 7.5, bold: false, colour: Rgb::MUTED, text: label });
    page.push(Cmd::EndArtifact);
}

/// Tiles three to a row. KPI tiles (78 pt) carry a target footer and show their unit
/// only where it fits; social value tiles (64 pt) are kept on one page as a set. A
/// row grows where a name or a footer takes more lines, so nothing is cut or drawn
/// over another line.
fn tile_grid(flow: &mut Flow, style: TileStyle, tiles: &[Tile]) {
    let TileMetrics { size, big_y, name_y, w, .. } = TileMetrics::of(style);
    if style == TileStyle::Value {
        flow.ensure(tiles_height(style, tiles));
    }
    flow.open(Role::List);
    for chunk in tiles.chunks(TILES_PER_ROW) {
        let h = tile_row_height(style, chunk);
        flow.ensure(h + TILE_GAP);
        let y = flow.y;
        for (k, tile) in chunk.iter().enumerate() {
            let x = MARGIN + k as f32 * (w + TILE_GAP);
            let lines = TileLines::of(style, tile);
            let page = flow.page();
            page.push(Cmd::Open(Role::ListItem));
            page.push(Cmd::Open(Role::ListBody));
            page.push(Cmd::Rect { x, y, w, h, fill: Some(Rgb::TINT), stroke: None });
            page.push(Cmd::Rect { x, y, w: 3.0, h, fill: Some(Rgb::ACCENT), stroke: None });
            let (big_size, colour) = if tile.muted { (14.0, Rgb::MUTED) } else { (size, Rgb::ACCENT) };
            let big = fit(&tile.big, big_size, true, w - 20.0);
            page.push(Cmd::Text { x: x + 12.0, y: y + big_y, size: big_size, bold: true, colour, text: big.clone() });
            if !tile.unit.is_empty() {
                let ux = x + 16.0 + text_width(&big, size, true);
                let fits = style == TileStyle::Value || ux + text_width(&tile.unit, 8.5, false) < x + w - 6.0;
                if fits {
                    page.push(Cmd::Text {
                        x: ux,
                        y: y + big_y,
                        size: 8.5,
                        bold: false,
                        colour: Rgb::MUTED,
                        text: tile.unit.clone(),
                    });
                }
            }
            for (l, line) in lines.name.into_iter().enumerate() {
                page.push(Cmd::Text {
                    x: x + 12.0,
                    y: y + name_y + l as f32 * NAME_LEADING,
                    size: 8.5,
                    bold: false,
                    colour: Rgb::TEXT,
                    text: line,
                });
            }
            // The footer stands at the tile's foot, its last line 7 pt above it.
            let footer_top = y + h - 7.0 - (lines.footer.len().max(1) - 1) as f32 * FOOTER_LEADING;
            for (l, line) in lines.footer.into_iter().enumerate() {
                page.push(Cmd::Text {
                    x: x + 12.0,
                    y: footer_top + l as f32 * FOOTER_LEADING,
                    size: 7.5,
                    bold: false,
                    colour: Rgb::MUTED,
                    text: line,
                });
            }
            page.push(Cmd::Close);
            page.push(Cmd::Close);
        }
        flow.y += h + TILE_GAP;
    }
    flow.close();
}

const TILES_PER_ROW: usize = 3;
const TILE_GAP: f32 = 10.0;
const NAME_LEADING: f32 = 11.0;
const FOOTER_LEADING: f32 = 9.5;

/// A tile style's least height, figure size, figure and name baselines, and width.
struct TileMetrics {
    h: f32,
    size: f32,
    big_y: f32,
    name_y: f32,
    w: f32,
}

impl TileMetrics {
    fn of(style: TileStyle) -> TileMetrics {
        let w = (CONTENT_W - TILE_GAP * (TILES_PER_ROW as f32 - 1.0)) / TILES_PER_ROW as f32;
        match style {
            TileStyle::Kpi => TileMetrics { h: 78.0, size: 20.0, big_y: 28.0, name_y: 45.0, w },
            TileStyle::Value => TileMetrics { h: 64.0, size: 18.0, big_y: 26.0, name_y: 43.0, w },
        }
    }
}

/// A tile's name and footer as wrapped to its width.
struct TileLines {
    name: Vec<String>,
    footer: Vec<String>,
}

impl TileLines {
    fn of(style: TileStyle, tile: &Tile) -> TileLines {
        let w = TileMetrics::of(style).w - 20.0;
        TileLines {
            name: wrap(&tile.name, 8.5, false, w),
            footer: tile.footer.as_deref().map(|f| wrap(f, 7.5, false, w)).unwrap_or_default(),
        }
    }

    /// The height a tile needs: its name's lines under the figure, then its footer's,
    /// a line apart, and 7 pt under the last.
    fn height(&self, style: TileStyle) -> f32 {
        let m = TileMetrics::of(style);
        let name_end = m.name_y + (self.name.len().max(1) - 1) as f32 * NAME_LEADING;
        let end = match self.footer.len() {
            0 => name_end + 4.0,
            n => name_end + NAME_LEADING + (n - 1) as f32 * FOOTER_LEADING,
        };
        m.h.max(end + 7.0)
    }
}

/// The height of one row of tiles: the tallest tile's.
fn tile_row_height(style: TileStyle, row: &[Tile]) -> f32 {
    row.iter().map(|t| TileLines::of(style, t).height(style)).fold(TileMetrics::of(style).h, f32::max)
}

/// The height of a set of tiles, rows and the gaps under them.
fn tiles_height(style: TileStyle, tiles: &[Tile]) -> f32 {
    tiles.chunks(TILES_PER_ROW).map(|row| tile_row_height(style, row) + TILE_GAP).sum()
}

/// Small charts three to a row, each under its title.
fn panel_grid(flow: &mut Flow, panels: &[Panel], charts: &mut Vec<ChartOut>) -> Result<()> {
    const PER_ROW: usize = 3;
    const GAP: f32 = 10.0;
    const H: f32 = 110.0;
    let w = (CONTENT_W - GAP * (PER_ROW as f32 - 1.0)) / PER_ROW as f32;
    for chunk in panels.chunks(PER_ROW) {
        flow.ensure(H + 18.0);
        let y = flow.y;
        for (k, panel) in chunk.iter().enumerate() {
            let x = MARGIN + k as f32 * (w + GAP);
            let page = flow.page();
            page.push(Cmd::Open(Role::P));
            page.push(Cmd::Text {
                x,
                y: y + 9.0,
                size: 8.5,
                bold: true,
                colour: Rgb::TEXT,
                text: fit(&panel.title, 8.5, true, w),
            });
            page.push(Cmd::Close);
            let drawn = chart::draw_vector(&panel.data, w, H)?;
            page.push(Cmd::Open(Role::Figure { alt: chart::describe(&panel.data, &panel.title) }));
            page.extend(drawn.cmds.iter().map(|c| c.shifted(x, y + 14.0)));
            page.push(Cmd::Close);
            charts.push(ChartOut { slug: panel.slug.clone(), data: panel.data.clone(), width: w, height: H });
        }
        flow.y += H + 22.0;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::blocks::{Cover, Frame, Tile};

    /// A heading near a page's foot, followed by value tiles that must stay together,
    /// moves to the next page with them instead of standing alone.
    #[test]
    fn a_heading_stays_with_what_follows_it() {
        let tile = || Tile { big: "£1".into(), muted: false, unit: String::new(), name: "n".into(), footer: None };
        // Lines filling most of the first page, then the heading and six value tiles
        // (two rows, 148 pt) that do not fit below it.
        let mut blocks: Vec<Block> =
            (0..50).map(|_| Block::Line { text: "x".into(), size: 10.0, bold: false, advance: 11.4 }).collect();
        blocks.push(Block::Heading("Social return on investment".into()));
        blocks.push(Block::Tiles { style: TileStyle::Value, tiles: (0..6).map(|_| tile()).collect() });
        let doc = Document {
            cover: Cover { title: "T".into(), subtitle: None, subject: "S".into(), period: "P".into(), lines: vec![] },
            frame: Frame {
                title: "T".into(),
                subject: "S".into(),
                period: "P".into(),
                footer: "F".into(),
                marking: None,
                notes: vec![],
            },
            blocks,
        };
        let built = build(&doc).unwrap();
        let page_of = |text: &str| {
            built.pages.iter().position(|p| p.iter().any(|c| matches!(c, Cmd::Text { text: t, .. } if t == text)))
        };
        let heading = page_of("Social return on investment").expect("heading drawn");
        let tiles = page_of("£1").expect("tiles drawn");
        assert_eq!(heading, tiles, "the heading is on page {heading}, its tiles on page {tiles}");
        assert!(page_of("x") < Some(heading), "the lines come first");
    }

    /// A tile whose name and footer each take two lines grows to hold them: every line
    /// drawn whole, inside the tile, on a baseline of its own.
    #[test]
    fn a_tile_grows_to_hold_its_name_and_footer() {
        let long = Tile {
            big: "£4.46".into(),
            muted: false,
            unit: String::new(),
            name: "Social value per £1 invested (SROI)".into(),
            footer: Some("99% from one outcome: see the note on this page, under the tiles".into()),
        };
        let short = Tile { name: "Net".into(), footer: None, ..long.clone() };
        let mut flow = Flow { pages: Vec::new(), y: TOP, last_heading: None };
        tile_grid(&mut flow, TileStyle::Value, &[short.clone(), short, long]);
        let page = &flow.pages[0];
        let tiles: Vec<(f32, f32, f32, f32)> = page
            .iter()
            .filter_map(|c| match c {
                Cmd::Rect { x, y, w, h, fill: Some(f), .. } if *f == Rgb::TINT => Some((*x, *y, *w, *h)),
                _ => None,
            })
            .collect();
        let (x, y, w, h) = tiles[2];
        assert!(tiles.iter().all(|t| t.3 == h) && h > 64.0, "the row grows as one: {tiles:?}");
        let mut baselines: Vec<f32> = Vec::new();
        for c in page {
            if let Cmd::Text { x: tx, y: ty, size, bold, text, .. } = c {
                if *tx >= x && *tx < x + w {
                    assert!(!text.ends_with('…'), "{text} is cut");
                    assert!(*tx + text_width(text, *size, *bold) <= x + w, "{text} runs out of its tile");
                    assert!(*ty > y && *ty <= y + h - 5.0, "{text} stands outside its tile");
                    baselines.push(*ty);
                }
            }
        }
        baselines.sort_by(f32::total_cmp);
        assert_eq!(baselines.len(), 5, "figure, two name lines, two footer lines: {baselines:?}");
        assert!(baselines.windows(2).all(|b| b[1] - b[0] >= 9.0), "lines drawn over each other: {baselines:?}");
    }
}
