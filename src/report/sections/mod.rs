//! Sections: one module per section kind, each turning one subject's numbers into
//! document blocks (what the section says) and into the table behind it (for
//! `--figures-dir`). This is the one place that dispatches on the section kind for
//! output; `plan` is the one place that does it for the numbers a spec needs.

use std::collections::HashMap;

use polars::prelude::DataFrame;

use super::blocks::{Block, Cover, Document, Frame, Panel, Tile, TileStyle};
use super::chart::ChartData;
use super::draw::Rgb;
use super::figures::{Figures, Row};
use super::format::{percent, price, value};
use super::plan::kpi_need;
use super::spec::{Section, Spec, Window};
use crate::error::Result;
use crate::indicator::{CohortPart, RollUp};
use crate::indicator::{Direction, Library};
use crate::privacy::Withheld;

mod chart;
mod commitments;
mod cost_per_outcome;
mod data_quality;
mod impact_map;
mod kpis;
mod methodology;
mod ranking;
mod small_multiples;
mod social_value;
mod table;
mod text;
mod tornado;

pub use chart::chart_frame;

/// Everything one subject's report is built from.
pub struct Context<'a> {
    pub spec: &'a Spec,
    pub window: &'a Window,
    pub library: &'a Library,
    pub figures: &'a Figures,
    pub subject: &'a str,
    pub subject_name: String,
    /// id → display name, for organisation, programme and area categories.
    pub names: &'a HashMap<String, String>,
    /// Footer text: input hash and date.
    pub footer: String,
    /// The subject's social value, when the spec asks for it.
    pub value: Option<&'a crate::value::GroupValue>,
    pub assumptions: &'a crate::value::Assumptions,
    /// The subject's Community Benefit Clause commitments.
    pub commitments: &'a [crate::commitments::Progress],
    /// Peer comparisons by (programme|organisation, per): computed once for the batch.
    pub comparisons: &'a HashMap<(crate::aggregate::Unit, super::spec::Per), Vec<crate::compare::Row>>,
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

/// A section's blocks as they are said, in order.
#[derive(Default)]
pub(crate) struct Blocks(pub Vec<Block>);

impl Blocks {
    fn keep_together(&mut self, h: f32) {
        self.0.push(Block::KeepTogether(h));
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
pub fn document(ctx: &Context) -> Result<(Document, Vec<(String, DataFrame)>)> {
    let mut out = Blocks::default();
    let mut tables = Vec::new();
    for (n, section) in ctx.spec.sections.iter().enumerate() {
        if let Some(frame) = section_table(ctx, section)? {
            tables.push((format!("{:02}-{}", n + 1, section.kind_name().replace('_', "-")), frame));
        }
        section_blocks(ctx, n, section, &mut out)?;
    }
    Ok((Document { cover: cover(ctx), frame: frame(ctx), blocks: out.0 }, tables))
}

/// What one section says.
fn section_blocks(ctx: &Context, n: usize, section: &Section, out: &mut Blocks) -> Result<()> {
    match section {
        Section::Kpis { title, .. } => kpis::blocks(ctx, section, title.as_deref(), out),
        Section::Text { title, text } => text::blocks(ctx, title.as_deref(), text, out),
        Section::Chart { title, chart, indicator, indicators, by, stack, span, caption } => {
            let ids: Vec<&str> = indicator.iter().chain(indicators).map(String::as_str).collect();
            chart::blocks(ctx, n, title, *chart, &ids, by.as_deref(), stack.as_deref(), *span, caption.as_deref(), out);
        }
        Section::Table { title, by, indicators } => table::blocks(ctx, title, by, indicators, out),
        Section::DataQuality { title } => data_quality::blocks(ctx, title.as_deref(), out),
        Section::Methodology { title } => methodology::blocks(ctx, title.as_deref(), out),
        Section::SocialValue { title } => social_value::blocks(ctx, title.as_deref(), out),
        Section::ImpactMap { title } => impact_map::blocks(ctx, title.as_deref(), out),
        Section::Tornado { title } => tornado::blocks(ctx, n, title.as_deref(), out),
        Section::Commitments { title } => commitments::blocks(ctx, n, title.as_deref(), out),
        Section::Ranking { title, indicator, per, by } => {
            ranking::blocks(ctx, n, title.as_deref(), indicator, *per, *by, out)
        }
        Section::CostPerOutcome { title, indicator, by } => {
            cost_per_outcome::blocks(ctx, n, title.as_deref(), indicator, *by, out)
        }
        Section::SmallMultiples { title, indicator, by, grain, span } => {
            small_multiples::blocks(ctx, n, title.as_deref(), indicator, by, grain, *span, out);
        }
        Section::PageBreak => out.0.push(Block::PageBreak),
    }
    Ok(())
}

/// The figures behind a section as a table, for analysts (`--figures-dir`). Charts are
/// exported from their data instead; text and page breaks have none.
fn section_table(ctx: &Context, section: &Section) -> Result<Option<DataFrame>> {
    let by_kind = || match ctx.spec.subject {
        crate::report::spec::SubjectKind::Organisation => crate::aggregate::Unit::Organisation,
        _ => crate::aggregate::Unit::Programme,
    };
    Ok(match section {
        Section::Kpis { .. } => Some(kpis::table(ctx, section)?),
        Section::Table { by, indicators, .. } => Some(table::table(ctx, by, indicators)?),
        // A value that would reveal a withheld count is not exported either.
        Section::SocialValue { .. } | Section::ImpactMap { .. } | Section::Tornado { .. }
            if !withheld_values(ctx).is_empty() =>
        {
            None
        }
        Section::SocialValue { .. } | Section::ImpactMap { .. } => match ctx.value {
            Some(g) => Some(crate::value::to_frame(std::slice::from_ref(g), by_kind(), &|r| people_shown(ctx, r))?),
            None => None,
        },
        Section::Tornado { .. } => match ctx.value.filter(|g| g.ratio().is_some()) {
            Some(g) => Some(crate::value::sensitivity_frame(std::slice::from_ref(g), ctx.assumptions, by_kind())?),
            None => None,
        },
        Section::Commitments { .. } if !ctx.commitments.is_empty() => Some(commitments::table(ctx)?),
        Section::Ranking { indicator, per, by, .. } => Some(ranking::table(ctx, indicator, *by, *per)?),
        Section::DataQuality { .. } => Some(data_quality::table(ctx)?),
        _ => None,
    })
}

fn cover(ctx: &Context) -> Cover {
    let q = ctx.figures.quality(ctx.subject);
    Cover {
        title: ctx.spec.title.clone(),
        subtitle: ctx.spec.subtitle.clone(),
        subject: ctx.subject_name.clone(),
        period: ctx.window.label.clone(),
        lines: vec![
            format!("Prepared for: {}", ctx.spec.audience),
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
    notes.push((
        format!("%{OUT_OF_RANGE_MARK}"),
        format!(
            "{OUT_OF_RANGE_MARK} Outside 0–100%: this rate's numerator and denominator are counted separately and here the part exceeds its whole (`impact validate` lists such groups), so it is not a share."
        ),
    ));
    Frame {
        title: ctx.spec.title.clone(),
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
