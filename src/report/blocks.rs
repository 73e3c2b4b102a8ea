//! Document blocks: what a section says, decided by the section (`sections`), placed
//! on pages by `layout`. A block holds finished text and chart data; layout only
//! measures, wraps, breaks pages and draws.

use super::chart::ChartData;
use super::draw::Rgb;

/// One piece of a section, in reading order.
#[derive(Debug, Clone)]
pub enum Block {
    /// Start a new page unless this many points fit on this one (keeps a heading with
    /// what follows it).
    KeepTogether(f32),
    /// A section heading.
    Heading(String),
    /// A heading within a section (wrapped, smaller).
    Subheading(String),
    /// Wrapped text at a size and colour.
    Paragraph { text: String, size: f32, colour: Rgb },
    /// One line of text, shortened to the page width, then `advance` points down.
    Line { text: String, size: f32, bold: bool, advance: f32 },
    /// Vertical space in points.
    Space(f32),
    /// A chart the full content width; `slug` names its `--charts-dir`/`--figures-dir` files.
    Chart { data: ChartData, height: f32, slug: String },
    /// A table that splits across pages with its heading row repeated.
    Table { head: Vec<String>, rows: Vec<Vec<String>>, numeric: Vec<bool> },
    /// Headline tiles, three to a row.
    Tiles { style: TileStyle, tiles: Vec<Tile> },
    /// Small charts three to a row on one scale, each with its title.
    Panels(Vec<Panel>),
    /// Start a new page.
    PageBreak,
    /// Lines and paragraphs kept on one page (a methodology entry): measured, and moved
    /// whole to the next page when they do not fit.
    Together(Vec<Block>),
}

/// The look of a row of tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileStyle {
    /// KPI tiles: 78 pt high, 20 pt figures, a target footer.
    Kpi,
    /// Social value tiles: 64 pt high, 18 pt figures, kept on one page as a set.
    Value,
}

/// One tile: a big figure, the unit beside it (when it fits), a name, a footer.
#[derive(Debug, Clone)]
pub struct Tile {
    pub big: String,
    /// Set for a tile that states no figure ("Not recorded"): smaller and muted.
    pub muted: bool,
    pub unit: String,
    pub name: String,
    pub footer: Option<String>,
}

/// One small chart of a set of panels.
#[derive(Debug, Clone)]
pub struct Panel {
    pub title: String,
    pub data: ChartData,
    pub slug: String,
}

/// The cover page's words.
#[derive(Debug, Clone)]
pub struct Cover {
    pub title: String,
    pub subtitle: Option<String>,
    pub subject: String,
    pub period: String,
    pub lines: Vec<String>,
}

/// What stands on every page: header, footer, markings, and the notes that explain
/// marks (each printed at the foot of a page whose text contains its `needle`).
#[derive(Debug, Clone)]
pub struct Frame {
    pub title: String,
    pub subject: String,
    pub period: String,
    pub footer: String,
    /// Printed at the top of every page (e.g. "Internal: small numbers not withheld").
    pub marking: Option<String>,
    pub notes: Vec<(String, String)>,
}

/// A whole report as blocks: the cover, then each section's blocks.
#[derive(Debug, Clone)]
pub struct Document {
    pub cover: Cover,
    pub frame: Frame,
    pub blocks: Vec<Block>,
}
