//! Sections: each kind is a type of its own, in a module of its own, behind one trait
//! (`SectionKind`: its name, its spec check, the figures it needs, what it says as
//! document blocks, and the table behind it), and listed once in `Section` below. A
//! new kind is a new module and a line in that list; the compiler checks every
//! dispatch.

use std::collections::HashMap;

use polars::prelude::DataFrame;
use serde::Deserialize;

use super::blocks::{Block, Cover, Document, Frame, Panel, Tile, TileStyle};
use super::chart::ChartData;
use super::draw::Rgb;
use super::figures::Figures;
use super::format::{percent, price, value};
use super::need::{kpi_need, Needs};
use super::row::Row;
use super::terms::{About, Window};
use crate::error::{Error, Result};
use crate::indicator::{CohortPart, RollUp};
use crate::indicator::{Direction, Library};
use crate::privacy::Withheld;

mod chart;
pub(crate) mod chart_figures;
mod commitments;
mod cost_per_outcome;
mod data_quality;
mod impact_map;
mod kpis;
mod methodology;
mod page_break;
mod ranking;
mod small_multiples;
mod social_value;
mod table;
mod text;
mod tornado;

pub use chart::{chart_frame, ChartType};

/// One kind of report section.
pub(crate) trait SectionKind {
    /// The kind as a spec names it (`kpis`, `chart`, …).
    fn name(&self) -> &'static str;
    /// The indicators it uses (each checked against the library, and described in the
    /// methodology appendix).
    fn indicator_ids(&self) -> Vec<&str> {
        Vec::new()
    }
    /// Checks beyond its indicators (dimensions, placeholders, a chart's shape), storing
    /// what it parses; an error names the spec and the section (`at`).
    fn check(&mut self, _at: &At) -> Result<()> {
        Ok(())
    }
    /// The figures it reads, added to the spec's needs.
    fn needs(&self, _needs: &mut Needs) {}
    /// What it says for one subject, as document blocks (`n`: its place in the spec).
    fn blocks(&self, ctx: &Context, n: usize, out: &mut Blocks) -> Result<()>;
    /// The table behind it, for `--figures-dir` (None: it has none, or none to show).
    fn table(&self, _ctx: &Context) -> Result<Option<DataFrame>> {
        Ok(None)
    }
    /// The indicators it shows a figure, a mark or "not yet due" of, for this subject
    /// (a "not recorded" is no figure to define): by default, those of its indicators
    /// the subject has figures for.
    fn shown(&self, ctx: &Context) -> Vec<String> {
        self.indicator_ids().into_iter().filter(|id| ctx.figures.shows(ctx.subject, id)).map(str::to_string).collect()
    }
}

/// Where a section stands, for the errors of its checks.
pub(crate) struct At<'a> {
    /// The spec file.
    pub path: &'a std::path::Path,
    /// "section 3 (chart)".
    pub place: String,
    /// The library the spec is checked against.
    pub library: &'a Library,
}

impl At<'_> {
    /// An error in the spec about this section.
    pub fn error(&self, message: impl std::fmt::Display) -> Error {
        Error::config(self.path, format!("{}: {message}", self.place))
    }
}

/// The section kinds, each listed once: the `Section` a spec's `[[section]]` reads as
/// (by its `kind`), and the one dispatch to each kind's type.
macro_rules! section_kinds {
    ($($(#[$doc:meta])* $variant:ident($ty:ty),)*) => {
        /// One section of a report.
        #[derive(Debug, Clone, Deserialize)]
        #[serde(tag = "kind", rename_all = "snake_case")]
        pub enum Section {
            $($(#[$doc])* $variant($ty),)*
        }

        impl Section {
            /// The section's kind.
            pub(crate) fn kind(&self) -> &dyn SectionKind {
                match self {
                    $(Section::$variant(s) => s,)*
                }
            }

            /// The section's kind, to check and store what it parses.
            pub(crate) fn kind_mut(&mut self) -> &mut dyn SectionKind {
                match self {
                    $(Section::$variant(s) => s,)*
                }
            }
        }
    };
}

section_kinds! {
    /// Headline figures as tiles.
    Kpis(kpis::Kpis),
    /// Narrative with placeholders such as `{jobs_created.total}`.
    Text(text::Text),
    /// A chart of one or more indicators.
    Chart(chart::Chart),
    /// A table of indicators by dimensions.
    Table(table::Table),
    /// Records, rejections and completeness of fields.
    DataQuality(data_quality::DataQuality),
    /// How each indicator is measured and valued.
    Methodology(methodology::Methodology),
    /// Present value, investment, SROI ratio, NPV and payback.
    SocialValue(social_value::SocialValue),
    /// The SROI impact map: stakeholder, outcome, quantity, proxy, adjustments, value.
    ImpactMap(impact_map::ImpactMap),
    /// Sensitivity of the SROI ratio to each assumption, as a tornado chart.
    Tornado(tornado::Tornado),
    /// Community Benefit Clause commitments against delivery.
    Commitments(commitments::Commitments),
    /// Peers ranked on an indicator per £10k invested or per person recorded.
    Ranking(ranking::Ranking),
    /// Cost per outcome for each peer, as a dot plot (cheapest first).
    CostPerOutcome(cost_per_outcome::CostPerOutcome),
    /// One small trend chart per peer, all on the same scale.
    SmallMultiples(small_multiples::SmallMultiples),
    /// Start a new page.
    PageBreak(page_break::PageBreak),
}

/// Everything one subject's report is built from.
pub struct Context<'a> {
    /// What the document says of itself (title, audience, subject kind, indicators).
    pub about: &'a About,
    pub window: &'a Window,
    pub library: &'a Library,
    pub figures: &'a Figures,
    pub subject: &'a str,
    pub subject_name: String,
    /// id → display name, for organisation, programme and area categories.
    pub names: &'a HashMap<String, String>,
    /// Footer text: the date the figures run to.
    pub footer: String,
    /// A fingerprint of the inputs (in the methodology's "About these figures").
    pub fingerprint: &'a str,
    /// The subject's social value, when the spec asks for it.
    pub value: Option<&'a crate::value::GroupValue>,
    pub assumptions: &'a crate::value::Assumptions,
    /// The subject's Community Benefit Clause commitments.
    pub commitments: &'a [crate::commitments::Progress],
    /// Peer comparisons by (programme|organisation, per): computed once for the batch.
    pub comparisons: &'a HashMap<(crate::aggregate::Unit, crate::compare::Per), Vec<crate::compare::Row>>,
}

/// Body text size.
pub(crate) const BODY: f32 = 10.0;

/// Marks a share outside 0–100%: printed beside it, and explained on its page.
pub const OUT_OF_RANGE_MARK: &str = "*";

/// On every page of a report made with small numbers not withheld (`--no-suppress`).
pub const INTERNAL_MARKING: &str = "Internal: small numbers not withheld. Not for publication.";

/// Said where a subject has no records for an indicator.
const NOT_RECORDED_WORDS: &str = "Not recorded";
/// A cohort rate whose members are all still inside their follow-up window.
const NOT_YET_DUE_WORDS: &str = "Not yet due";

/// A section's blocks as they are said, in order, and (for the methodology) the
/// indicators whose figures or marks the document shows: it defines those, and only
/// those.
#[derive(Default)]
pub(crate) struct Blocks(pub Vec<Block>, pub std::collections::BTreeSet<String>);

impl Blocks {
    fn keep_together(&mut self, h: f32) {
        self.0.push(Block::KeepTogether(h));
    }

    /// Keep what follows with a chart of `height` (which layout may draw a little
    /// shorter to fill a page).
    fn keep_chart(&mut self, height: f32) {
        self.keep_together(height * 0.7 + 40.0);
    }

    /// Lines and paragraphs kept on one page.
    fn together(&mut self, blocks: Vec<Block>) {
        self.0.push(Block::Together(blocks));
    }

    fn heading(&mut self, title: &str) {
        self.0.push(Block::Heading(title.to_string()));
    }

    fn paragraph(&mut self, text: &str, size: f32, colour: Rgb) {
        self.0.push(Block::Paragraph { text: text.to_string(), size, colour });
    }

    fn line(&mut self, text: &str, size: f32, bold: bool, advance: f32) {
        self.0.push(Block::Line { text: text.to_string(), size, bold, advance });
    }

    fn space(&mut self, h: f32) {
        self.0.push(Block::Space(h));
    }

    fn chart(&mut self, data: ChartData, height: f32, slug: String) {
        self.0.push(Block::Chart { data, height, slug });
    }

    fn table(&mut self, head: Vec<String>, rows: Vec<Vec<String>>, numeric: Vec<bool>) {
        self.0.push(Block::Table { head, rows, numeric });
    }

    fn tiles(&mut self, style: TileStyle, tiles: Vec<Tile>) {
        self.0.push(Block::Tiles { style, tiles });
    }

    fn panels(&mut self, panels: Vec<Panel>) {
        self.0.push(Block::Panels(panels));
    }
}

/// One subject's report as document blocks, with the tables behind its sections.
pub fn document(ctx: &Context, sections: &[Section]) -> Result<(Document, Vec<(String, DataFrame)>)> {
    let mut tables = Vec::new();
    // Each section's blocks; the methodology's last, wherever it stands, as it defines
    // what the others show.
    let mut said: Vec<Option<Blocks>> = Vec::with_capacity(sections.len());
    let mut shown = std::collections::BTreeSet::new();
    // With no value to state, the first section about value says so in a line and the
    // others say nothing (not three empty sections in a row).
    let no_value = ctx.value.is_none_or(|v| v.lines.is_empty()) || !withheld_values(ctx).is_empty();
    let mut value_said = false;
    for (n, section) in sections.iter().enumerate() {
        let kind = section.kind();
        if let Some(frame) = kind.table(ctx)? {
            tables.push((format!("{:02}-{}", n + 1, kind.name().replace('_', "-")), frame));
        }
        if matches!(section, Section::Methodology(_)) {
            said.push(None);
            continue;
        }
        if matches!(section, Section::SocialValue(_) | Section::ImpactMap(_) | Section::Tornado(_)) {
            if no_value && value_said {
                said.push(Some(Blocks::default()));
                continue;
            }
            value_said = true;
        }
        let mut out = Blocks::default();
        kind.blocks(ctx, n, &mut out)?;
        shown.extend(shown_by(ctx, section));
        said.push(Some(out));
    }
    let mut blocks = Vec::new();
    for (n, (section, part)) in sections.iter().zip(said).enumerate() {
        let part = match part {
            Some(part) => part,
            None => {
                let mut out = Blocks(Vec::new(), shown.clone());
                section.kind().blocks(ctx, n, &mut out)?;
                out
            }
        };
        blocks.extend(part.0);
    }
    let figures = chart_figures::appendix(&blocks);
    blocks.extend(figures);
    Ok((Document { cover: cover(ctx), frame: frame(ctx), blocks }, tables))
}

/// The indicators a section shows a figure, a mark or "not yet due" of, for this
/// subject (a "not recorded" is no figure to define).
fn shown_by(ctx: &Context, section: &Section) -> Vec<String> {
    let mut ids = section.kind().shown(ctx);
    match section {
        Section::SocialValue(_) | Section::ImpactMap(_) | Section::Tornado(_) => {
            ids.extend(
                ctx.value.iter().flat_map(|v| v.lines.iter()).filter(|l| l.quantity > 0.0).map(|l| l.indicator.clone()),
            );
        }
        Section::Commitments(_) => {
            ids.extend(ctx.commitments.iter().filter(|p| p.records > 0).map(|p| p.commitment.indicator.clone()));
        }
        _ => {}
    }
    ids
}

/// The subject's units, as value tables name their groups.
fn subject_unit(ctx: &Context) -> crate::aggregate::Unit {
    match ctx.about.subject {
        super::terms::SubjectKind::Organisation => crate::aggregate::Unit::Organisation,
        _ => crate::aggregate::Unit::Programme,
    }
}

fn cover(ctx: &Context) -> Cover {
    let q = ctx.figures.quality(ctx.subject);
    Cover {
        title: ctx.about.title.clone(),
        subtitle: ctx.about.subtitle.clone(),
        subject: ctx.subject_name.clone(),
        period: ctx.window.label.clone(),
        lines: vec![
            format!("Prepared for: {}", ctx.about.audience),
            format!("Period: {} to {}", ctx.window.from.format("%-d %B %Y"), ctx.window.to.format("%-d %B %Y")),
            format!("Based on {} outcome records", records_shown(ctx, q.records)),
        ],
    }
}

/// Header, footer, marking, and one note for each kind of mark, printed on the pages
/// where the mark stands, so a reader never has to look elsewhere to know why a
/// figure is missing or flagged.
fn frame(ctx: &Context) -> Frame {
    let mut notes = Vec::new();
    if let Some(t) = ctx.figures.suppress_below {
        for w in [Withheld::Small, Withheld::Secondary, Withheld::Rate, Withheld::Few] {
            notes.push((w.mark(t), crate::privacy::explain(w, t)));
        }
    }
    // A dash stands where there is no figure: said once on each page that shows one.
    notes.push((
        "–".to_string(),
        "–: no figure (nothing was recorded for it; a rate has no count of records of its own).".to_string(),
    ));
    notes.push((
        format!("%{OUT_OF_RANGE_MARK}"),
        format!(
            "{OUT_OF_RANGE_MARK} Outside 0–100%: this rate's numerator and denominator are counted separately and here the part exceeds its whole (checking the data lists such groups), so it is not a share."
        ),
    ));
    Frame {
        title: ctx.about.title.clone(),
        subject: ctx.subject_name.clone(),
        period: ctx.window.label.clone(),
        footer: ctx.footer.clone(),
        marking: ctx.figures.suppress_below.is_none().then(|| INTERNAL_MARKING.to_string()),
        notes,
    }
}

/// Height of a horizontal bar chart: 20 pt a category, within sensible bounds.
fn bar_chart_height(categories: usize) -> f32 {
    (categories as f32 * 20.0 + 40.0).clamp(120.0, 420.0)
}

/// A file-name-safe short form of a title, after the section's number.
fn slug(n: usize, s: &str) -> String {
    format!("{:02}-{}", n + 1, slug_text(s))
}

/// Lower-case letters and digits, other runs as one dash, at most 40 characters.
fn slug_text(s: &str) -> String {
    let mut out: String = s.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    out.trim_matches('-').chars().take(40).collect()
}

/// A figure as printed: a withheld figure prints its mark (see `privacy::Withheld`),
/// never its value; a share outside 0–100% is flagged, never shown as a plain share.
fn shown(ctx: &Context, row: &Row, unit: &str) -> String {
    if let (true, Some(t)) = (row.withheld.is_withheld(), ctx.figures.suppress_below) {
        return row.withheld.mark(t);
    }
    if not_yet_due(ctx, row) {
        return NOT_YET_DUE_WORDS.to_string();
    }
    let text = value(row.value, unit);
    if share_out_of_range(unit, row.value) {
        format!("{text}{OUT_OF_RANGE_MARK}")
    } else {
        text
    }
}

/// A share (unit %) above 100 or below 0 is not a share of the same people.
pub fn share_out_of_range(unit: &str, v: Option<f64>) -> bool {
    unit == "%" && v.is_some_and(|v| !(0.0..=100.0).contains(&((v * 10.0).round() / 10.0)))
}

/// The subject has records for this indicator in the period (a withheld figure has
/// records; a rate with no denominator has none to show).
fn recorded(row: Option<&Row>) -> bool {
    row.is_some_and(|r| r.withheld.is_withheld() || r.value.is_some())
}

/// A cohort rate with members but no one yet past the follow-up window: there is no
/// rate yet, and that is not the same as no records.
fn not_yet_due(ctx: &Context, row: &Row) -> bool {
    !row.withheld.is_withheld()
        && row.value.is_none()
        && row.records > 0
        && ctx.library.get(&row.indicator).is_some_and(|i| i.roll_up() == RollUp::Cohort)
}

/// How many people of a cohort rate are still inside their follow-up window, as
/// printed (a mark when withheld), when there are any.
fn pending_words(ctx: &Context, id: &str) -> Option<String> {
    let (part, _) = ctx.library.get(id)?.cohort_parts().into_iter().find(|(_, p)| *p == CohortPart::Pending)?;
    let row = total(ctx, &part)?;
    if row.value == Some(0.0) {
        return None;
    }
    Some(shown(ctx, row, "people"))
}

fn name_of<'a>(ctx: &'a Context, id: &'a str) -> &'a str {
    ctx.names.get(id).map_or(id, String::as_str)
}

/// The subject's figure for an indicator over the whole period.
/// The people a valued quantity rests on as the report publishes them: the subject's
/// figure for the period, or its mark where it is withheld.
fn people_shown(ctx: &Context, rests: &crate::value::RestsOn) -> String {
    match (total(ctx, &rests.indicator), rests.count, ctx.figures.suppress_below) {
        (Some(row), _, _) => shown(ctx, row, "people"),
        (None, None, _) => "0".to_string(),
        // A count the report does not publish elsewhere is not printed unprotected.
        (None, Some(_), Some(t)) => Withheld::Secondary.mark(t),
        (None, Some(n), None) => crate::output::format_figure(n),
    }
}

fn total<'a>(ctx: &'a Context, id: &str) -> Option<&'a Row> {
    ctx.figures.rows(&kpi_need(ctx.window), ctx.subject).iter().find(|r| r.indicator == id)
}

/// Where a figure stands against its target, as words with a symbol so that colour is
/// never the only sign: for a period its records cover to the end, "✓ met" or "✗
/// missed"; part-way, pro rata for the part covered (data to December: three quarters
/// of a year's target), "✓ on track" at 90% of the pro-rata target or better (for an
/// indicator where lower is better, at most 110% of it), "✗ off track" below. None
/// without a target or a published figure.
fn track(ctx: &Context, row: &Row) -> Option<&'static str> {
    let (value, target) = (row.value?, row.target?);
    if row.withheld.is_withheld() || target <= 0.0 {
        return None;
    }
    let last =
        ctx.figures.quality(ctx.subject).last.and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
    let days = |a: chrono::NaiveDate, b: chrono::NaiveDate| ((b - a).num_days() + 1).max(1) as f64;
    let share = match last {
        Some(l) if l < ctx.window.to => {
            (days(ctx.window.from, l) / days(ctx.window.from, ctx.window.to)).clamp(0.0, 1.0)
        }
        _ => 1.0,
    };
    let lower = ctx.library.get(&row.indicator).is_some_and(|i| i.direction == Direction::Lower);
    if share >= 1.0 {
        let met = if lower { value <= target } else { value >= target };
        return Some(if met { "✓ met" } else { "✗ missed" });
    }
    let expected = target * share;
    let tolerance = crate::commitments::ON_TRACK_TOLERANCE;
    let on = if lower { value <= expected / tolerance } else { value >= expected * tolerance };
    Some(if on { "✓ on track" } else { "✗ off track" })
}

fn pct_of_target(ctx: &Context, row: &Row) -> Option<f64> {
    let lower = ctx.library.get(&row.indicator).is_some_and(|i| i.direction == Direction::Lower);
    if lower {
        percent(row.target, row.value)
    } else {
        percent(row.value, row.target)
    }
}

/// The valued outcomes whose quantity this report withholds (a count of people under
/// the threshold, or withheld to protect one): any value built on them, or a total
/// that adds them, would give the count away.
fn withheld_values(ctx: &Context) -> Vec<String> {
    let Some(g) = ctx.value else { return Vec::new() };
    let mut names: Vec<String> = g
        .lines
        .iter()
        .filter(|l| total(ctx, &l.indicator).is_some_and(|r| r.withheld.is_withheld()))
        .map(|l| l.outcome.clone())
        .collect();
    names.dedup();
    names
}

/// The subject's values as a table (`sensitivity`: the sensitivity tests), withheld as
/// `impact value` withholds them (`value::withhold_small_counts`), and besides where
/// this report withholds a valued quantity to protect its other figures.
fn value_table(ctx: &Context, sensitivity: bool) -> Result<Option<DataFrame>> {
    let Some(g) = ctx.value else { return Ok(None) };
    if sensitivity && g.ratio().is_none() {
        return Ok(None);
    }
    let groups = std::slice::from_ref(g);
    let mut frame = if sensitivity {
        crate::value::sensitivity_frame(groups, ctx.assumptions, subject_unit(ctx))?
    } else {
        crate::value::to_frame(groups, subject_unit(ctx), &|r| people_shown(ctx, r))?
    };
    if let Some(t) = ctx.figures.suppress_below {
        let also: Vec<(String, String, Withheld)> = g
            .lines
            .iter()
            .filter_map(|l| {
                let why = total(ctx, &l.indicator).map(|r| r.withheld).filter(|w| w.is_withheld())?;
                Some((g.group.clone(), l.indicator.clone(), why))
            })
            .collect();
        crate::value::withhold_small_counts(&mut frame, groups, subject_unit(ctx), ctx.library, t, sensitivity, &also)?;
    }
    Ok(Some(frame))
}

/// Said in place of a social value that would reveal a withheld count.
fn value_withheld_words(ctx: &Context, names: &[String]) -> String {
    format!(
        "Not shown: the social value adds outcomes whose counts this report withholds to protect small numbers of people ({}); a value, ratio or total built on them would give them away. Figures withheld under a threshold of {}.",
        names.join(", "),
        ctx.figures.suppress_below.unwrap_or(0)
    )
}

/// A count of records as published: records are often one per person, so a count of
/// 1 to threshold − 1 prints the small-count mark, like a count of people.
fn records_shown(ctx: &Context, n: u64) -> String {
    match (records_published(ctx, n), ctx.figures.suppress_below) {
        (None, Some(t)) => Withheld::Small.mark(t),
        _ => crate::output::format_figure(n as f64),
    }
}

/// A record count a table may publish (None where `records_shown` prints a mark).
fn records_published(ctx: &Context, n: u64) -> Option<u64> {
    match ctx.figures.suppress_below {
        Some(t) if n > 0 && n < u64::from(t) => None,
        _ => Some(n),
    }
}

/// The mark of a withheld figure, to print or draw where the figure would stand.
fn mark(ctx: &Context, row: &Row) -> Option<String> {
    ctx.figures.suppress_below.filter(|_| row.withheld.is_withheld()).map(|t| row.withheld.mark(t))
}

/// A unit as an axis says it: "£" for money, "%" for shares, else the unit's word.
fn unit_symbol(unit: &str) -> &str {
    match unit {
        "GBP" => "£",
        u => u,
    }
}

fn money(v: f64) -> String {
    value(Some(v), "GBP")
}
