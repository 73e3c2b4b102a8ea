//! One subject's report as pages of drawing commands: a cover, then the spec's
//! sections flowed down A4 pages with page breaks, repeated table headings, and a
//! header and footer ("Page X of Y") on every page.

use std::collections::HashMap;

use super::chart::{self, ChartData, ChartKind, Series};
use super::draw::{Cmd, Rgb};
use super::figures::{kpi_need, Figures, Need, Row, SpanKey};
use super::fonts::{fit, text_width, wrap};
use super::format::{percent, unit_word, value};
use super::pdf::{PAGE_H, PAGE_W};
use super::spec::{placeholders, ChartType, Section, Span, Spec, Window};
use crate::aggregate::NOT_RECORDED;
use crate::error::Result;
use crate::indicator::{Direction, Library};
use crate::privacy::Withheld;

mod charts;
mod compare;
mod export;
mod tables;
mod value;

use charts::*;
use compare::*;
pub use export::chart_frame;
use export::*;
use tables::*;
use value::*;

const MARGIN: f32 = 50.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
const TOP: f32 = 70.0;
/// The last line of content; below it, the page's notes on marks, then the footer.
const BOTTOM: f32 = PAGE_H - 110.0;
/// Where the first line of notes on marks stands (lines 8.5 pt apart, at most five).
const NOTES_TOP: f32 = PAGE_H - 98.0;
const NOTE_LINES: usize = 5;
const BODY: f32 = 10.0;

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
    pub comparisons: &'a HashMap<(String, super::spec::PerKind), Vec<crate::compare::Row>>,
}

/// A chart as drawn in the report, kept for `--charts-dir`.
pub struct ChartOut {
    pub slug: String,
    pub data: ChartData,
    pub width: f32,
    pub height: f32,
}

pub struct Built {
    pub pages: Vec<Vec<Cmd>>,
    pub charts: Vec<ChartOut>,
    /// The tables behind the report's sections (charts' data is in `charts`), for `--figures-dir`.
    pub tables: Vec<(String, polars::prelude::DataFrame)>,
}

struct Flow {
    pages: Vec<Vec<Cmd>>,
    y: f32,
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

    fn text(&mut self, x: f32, size: f32, bold: bool, colour: Rgb, text: &str) {
        let y = self.y + size;
        self.page().push(Cmd::Text { x, y, size, bold, colour, text: text.to_string() });
    }

    fn paragraph(&mut self, text: &str, size: f32, colour: Rgb) {
        for line in wrap(text, size, false, CONTENT_W) {
            self.ensure(size * 1.4);
            self.text(MARGIN, size, false, colour, &line);
            self.y += size * 1.4;
        }
    }

    /// Draw a chart the full content width at the current position and move past it.
    fn chart(&mut self, data: &ChartData, height: f32) -> Result<()> {
        let drawn = chart::draw_vector(data, CONTENT_W, height)?;
        let (x, y) = (MARGIN, self.y);
        self.page().extend(drawn.cmds.iter().map(|c| c.shifted(x, y)));
        self.y += height;
        Ok(())
    }

    fn heading(&mut self, title: &str) {
        // Keep a heading with at least a few lines of what follows.
        self.ensure(80.0);
        self.y += 6.0;
        self.text(MARGIN, 14.0, true, Rgb::TEXT, title);
        self.y += 22.0;
    }
}

pub fn build(ctx: &Context) -> Result<Built> {
    let mut flow = Flow { pages: Vec::new(), y: TOP };
    let mut charts = Vec::new();
    let mut tables: Vec<(String, polars::prelude::DataFrame)> = Vec::new();
    cover(ctx, &mut flow);
    flow.new_page();
    for (n, section) in ctx.spec.sections.iter().enumerate() {
        if let Some(frame) = section_table(ctx, section)? {
            tables.push((format!("{:02}-{}", n + 1, section.kind_name().replace('_', "-")), frame));
        }
        match section {
            Section::Kpis { title, .. } => {
                flow.heading(title.as_deref().unwrap_or("At a glance"));
                let shown = kpi_indicators(ctx, section);
                if shown.is_empty() {
                    flow.paragraph(&format!("{} has no records in this period for the headline indicators.", ctx.subject_name), BODY, Rgb::MUTED);
                }
                kpis(ctx, &mut flow, &shown);
            }
            Section::Text { title, text } => {
                if let Some(t) = title {
                    flow.heading(t);
                }
                let filled = fill_placeholders(ctx, text);
                if filled.is_empty() {
                    flow.paragraph(&format!("{} has no records in this period for the figures this text is about.", ctx.subject_name), BODY, Rgb::MUTED);
                }
                for para in filled.split("\n\n").filter(|p| !p.is_empty()) {
                    flow.paragraph(para, BODY, Rgb::TEXT);
                    flow.y += 6.0;
                }
            }
            Section::Chart { title, chart, indicator, indicators, by, stack, span, caption } => {
                let ids: Vec<&str> = indicator.iter().chain(indicators).map(String::as_str).collect();
                let (data, note) = chart_data(ctx, *chart, &ids, by.as_deref(), stack.as_deref(), *span);
                if data.categories.is_empty() {
                    if ctx.spec.omit_empty {
                        continue;
                    }
                    // Nothing to draw: say so rather than print an empty frame.
                    flow.heading(title);
                    flow.paragraph(&note.unwrap_or_default(), BODY, Rgb::MUTED);
                    flow.y += 10.0;
                    continue;
                }
                let height = match data.kind {
                    ChartKind::Bars => bar_chart_height(data.categories.len()),
                    _ => 230.0,
                };
                let note = match (note, data.withheld.is_empty()) {
                    (Some(n), _) => Some(n),
                    (None, false) => Some("Some figures are withheld to protect small numbers of people: they are marked where they would stand, not drawn (the marks are explained at the foot of the page).".to_string()),
                    (None, true) => None,
                };
                flow.ensure(height + 60.0);
                flow.heading(title);
                flow.chart(&data, height)?;
                flow.y += 4.0;
                for line in [note, caption.clone()].into_iter().flatten() {
                    flow.paragraph(&line, 8.0, Rgb::MUTED);
                }
                flow.y += 10.0;
                charts.push(ChartOut { slug: format!("{:02}-{}", n + 1, slug(title)), data, width: CONTENT_W, height });
            }
            Section::Table { title, by, indicators } => {
                let (head, rows, numeric) = table_rows(ctx, by, indicators);
                if rows.is_empty() && ctx.spec.omit_empty {
                    continue;
                }
                flow.heading(title);
                if rows.is_empty() {
                    flow.paragraph(&format!("No records for {} in this period.", ctx.subject_name), BODY, Rgb::MUTED);
                    continue;
                }
                table(&mut flow, &head, &rows, &numeric);
            }
            Section::DataQuality { title } => {
                flow.heading(title.as_deref().unwrap_or("Data quality"));
                data_quality(ctx, &mut flow);
            }
            Section::Methodology { title } => {
                flow.heading(title.as_deref().unwrap_or("Methodology"));
                methodology(ctx, &mut flow);
            }
            Section::SocialValue { title } => {
                flow.heading(title.as_deref().unwrap_or("Social value"));
                social_value(ctx, &mut flow);
            }
            Section::ImpactMap { title } => {
                flow.heading(title.as_deref().unwrap_or("Impact map"));
                impact_map(ctx, &mut flow);
            }
            Section::Tornado { title } => {
                let title = title.as_deref().unwrap_or("How sensitive is the SROI ratio?");
                match tornado_data(ctx) {
                    None => {
                        flow.heading(title);
                        flow.paragraph("No SROI ratio to test: it needs outcomes with financial proxies and an investment.", BODY, Rgb::MUTED);
                    }
                    Some((data, notes)) => {
                        let height = (data.categories.len() as f32 * 22.0 + 56.0).clamp(140.0, 320.0);
                        flow.ensure(height + 80.0);
                        flow.heading(title);
                        flow.chart(&data, height)?;
                        flow.y += 4.0;
                        for line in notes {
                            flow.paragraph(&line, 8.0, Rgb::MUTED);
                        }
                        flow.y += 10.0;
                        charts.push(ChartOut { slug: format!("{:02}-{}", n + 1, slug(title)), data, width: CONTENT_W, height });
                    }
                }
            }
            Section::Commitments { title } => {
                let title = title.as_deref().unwrap_or("Community benefit commitments");
                flow.heading(title);
                if let Some(data) = commitments(ctx, &mut flow) {
                    let height = bar_chart_height(data.categories.len());
                    flow.ensure(height + 30.0);
                    flow.text(MARGIN, 10.0, true, Rgb::TEXT, "Share of each commitment delivered");
                    flow.y += 16.0;
                    flow.chart(&data, height)?;
                    flow.y += 10.0;
                    charts.push(ChartOut { slug: format!("{:02}-{}", n + 1, slug(title)), data, width: CONTENT_W, height });
                }
            }
            Section::Ranking { title, indicator, per, by } => {
                let name = ctx.library.get(indicator).map_or(indicator.clone(), |i| i.name.clone());
                let measure = if *per == super::spec::PerKind::Investment { "per £10k invested" } else { "per participant" };
                let title = title.clone().unwrap_or_else(|| format!("{name} {measure}"));
                let rows = ranked(ctx, indicator, by, *per);
                if rows.is_empty() {
                    flow.heading(&title);
                    flow.paragraph("No peers to compare in this period.", BODY, Rgb::MUTED);
                    continue;
                }
                let data = ChartData {
                    kind: ChartKind::Bars,
                    categories: rows.iter().map(|r| name_of(ctx, &r.group).to_string()).collect(),
                    series: vec![Series { name: measure.into(), values: rows.iter().map(|r| if *per == super::spec::PerKind::Investment { r.per_10k } else { r.per_participant }).collect(), outline: false }],
                    ..Default::default()
                };
                let height = bar_chart_height(data.categories.len());
                flow.ensure(height + 60.0);
                flow.heading(&title);
                flow.chart(&data, height)?;
                flow.y += 8.0;
                charts.push(ChartOut { slug: format!("{:02}-{}", n + 1, slug(&title)), data, width: CONTENT_W, height });
                ranking_table(ctx, &mut flow, &rows, *per);
            }
            Section::CostPerOutcome { title, indicator, by } => {
                let name = ctx.library.get(indicator).map_or(indicator.clone(), |i| i.name.to_lowercase());
                let title = title.clone().unwrap_or_else(|| format!("Cost per outcome: {name}"));
                let mut rows: Vec<&crate::compare::Row> = ranked(ctx, indicator, by, super::spec::PerKind::Investment).into_iter().filter(|r| r.cost_per_outcome.is_some()).collect();
                rows.sort_by(|a, b| a.cost_per_outcome.unwrap_or(0.0).total_cmp(&b.cost_per_outcome.unwrap_or(0.0)).then(a.group.cmp(&b.group)));
                if rows.is_empty() {
                    flow.heading(&title);
                    flow.paragraph("No peer has both outcomes and an investment in this period.", BODY, Rgb::MUTED);
                    continue;
                }
                let data = ChartData {
                    kind: ChartKind::Dots,
                    categories: rows.iter().map(|r| name_of(ctx, &r.group).to_string()).collect(),
                    series: vec![Series { name: "£ per outcome".into(), values: rows.iter().map(|r| r.cost_per_outcome).collect(), outline: false }],
                    unit: "GBP".into(),
                    ..Default::default()
                };
                let height = bar_chart_height(data.categories.len());
                flow.ensure(height + 60.0);
                flow.heading(&title);
                flow.chart(&data, height)?;
                flow.y += 4.0;
                flow.paragraph("Investment in the period divided by the outcomes it bought. Cheapest first; a low cost is only good if the outcomes are comparable.", 8.0, Rgb::MUTED);
                flow.y += 10.0;
                charts.push(ChartOut { slug: format!("{:02}-{}", n + 1, slug(&title)), data, width: CONTENT_W, height });
            }
            Section::SmallMultiples { title, indicator, by, grain, span } => {
                let name = ctx.library.get(indicator).map_or(indicator.clone(), |i| i.name.clone());
                let title = title.clone().unwrap_or_else(|| format!("{name}: trend for each {}", by.replace('_', " ")));
                flow.heading(&title);
                small_multiples(ctx, &mut flow, &mut charts, n, indicator, by, grain, *span)?;
            }
            Section::PageBreak => flow.new_page(),
        }
    }
    // Drop a trailing empty page (e.g. after a final page break).
    if flow.pages.len() > 1 && flow.pages.last().is_some_and(Vec::is_empty) {
        flow.pages.pop();
    }
    let total = flow.pages.len();
    for (i, page) in flow.pages.iter_mut().enumerate() {
        let lines: Vec<String> = page_notes(ctx, page).iter().flat_map(|n| wrap(n, 7.0, false, CONTENT_W)).take(NOTE_LINES).collect();
        for (k, text) in lines.into_iter().enumerate() {
            page.push(Cmd::Text { x: MARGIN, y: NOTES_TOP + k as f32 * 8.5, size: 7.0, bold: false, colour: Rgb::MUTED, text });
        }
        furniture(ctx, page, i + 1, total);
    }
    Ok(Built { pages: flow.pages, charts, tables })
}

/// Height of a horizontal bar chart: 20 pt a category, within sensible bounds.
fn bar_chart_height(categories: usize) -> f32 {
    (categories as f32 * 20.0 + 40.0).clamp(120.0, 420.0)
}

fn slug(s: &str) -> String {
    let mut out: String = s.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    out.trim_matches('-').chars().take(40).collect()
}

fn cover(ctx: &Context, flow: &mut Flow) {
    let page = flow.page();
    page.push(Cmd::Rect { x: 0.0, y: 0.0, w: PAGE_W, h: 250.0, fill: Some(Rgb::ACCENT), stroke: None });
    let mut y = 120.0;
    for line in wrap(&ctx.spec.title, 30.0, true, CONTENT_W) {
        page.push(Cmd::Text { x: MARGIN, y, size: 30.0, bold: true, colour: Rgb::WHITE, text: line });
        y += 36.0;
    }
    if let Some(sub) = &ctx.spec.subtitle {
        page.push(Cmd::Text { x: MARGIN, y: y + 4.0, size: 14.0, bold: false, colour: Rgb::WHITE, text: fit(sub, 14.0, false, CONTENT_W) });
    }
    let mut y = 320.0;
    for line in wrap(&ctx.subject_name, 22.0, true, CONTENT_W) {
        page.push(Cmd::Text { x: MARGIN, y, size: 22.0, bold: true, colour: Rgb::TEXT, text: line });
        y += 28.0;
    }
    page.push(Cmd::Text { x: MARGIN, y: y + 6.0, size: 14.0, bold: false, colour: Rgb::TEXT, text: ctx.window.label.clone() });
    let q = ctx.figures.quality(ctx.subject);
    let lines = [
        format!("Prepared for: {}", ctx.spec.audience),
        format!("Period: {} to {}", ctx.window.from.format("%-d %B %Y"), ctx.window.to.format("%-d %B %Y")),
        format!("Based on {} outcome records", crate::output::format_figure(q.records as f64)),
    ];
    let mut y = y + 50.0;
    for l in lines {
        page.push(Cmd::Text { x: MARGIN, y, size: 11.0, bold: false, colour: Rgb::MUTED, text: l });
        y += 18.0;
    }
}

/// One line for each kind of mark on the page, saying what it means, so a reader
/// never has to look elsewhere to know why a figure is missing or flagged.
fn page_notes(ctx: &Context, page: &[Cmd]) -> Vec<String> {
    let texts: Vec<&str> = page.iter().filter_map(|c| if let Cmd::Text { text, .. } = c { Some(text.as_str()) } else { None }).collect();
    let on_page = |needle: &str| texts.iter().any(|t| t.contains(needle));
    let mut notes = Vec::new();
    if let Some(t) = ctx.figures.suppress_below {
        for w in [Withheld::Small, Withheld::Secondary, Withheld::Rate] {
            if on_page(&w.mark(t)) {
                notes.push(crate::privacy::explain(w, t));
            }
        }
    }
    if on_page(&format!("%{OUT_OF_RANGE_MARK}")) {
        notes.push(format!(
            "{OUT_OF_RANGE_MARK} Outside 0–100%: this rate's numerator and denominator are counted separately within the period and need not be the same people (a follow-up this year may be of someone who started last year), so it is not a share."
        ));
    }
    notes
}

/// Header (pages after the cover) and footer (every page).
fn furniture(ctx: &Context, page: &mut Vec<Cmd>, n: usize, total: usize) {
    if ctx.figures.suppress_below.is_none() {
        let colour = if n == 1 { Rgb::WHITE } else { Rgb::WARNING };
        page.push(Cmd::Text { x: MARGIN, y: 26.0, size: 8.5, bold: true, colour, text: INTERNAL_MARKING.to_string() });
    }
    if n > 1 {
        let title = fit(&ctx.spec.title, 8.5, false, CONTENT_W * 0.55);
        page.push(Cmd::Text { x: MARGIN, y: 40.0, size: 8.5, bold: false, colour: Rgb::MUTED, text: title });
        // Shorten the subject's name, never the period.
        let period = format!(" · {}", ctx.window.label);
        let name = fit(&ctx.subject_name, 8.5, false, CONTENT_W * 0.43 - text_width(&period, 8.5, false));
        let right = format!("{name}{period}");
        let w = text_width(&right, 8.5, false);
        page.push(Cmd::Text { x: MARGIN + CONTENT_W - w, y: 40.0, size: 8.5, bold: false, colour: Rgb::MUTED, text: right });
        page.push(Cmd::Path { points: vec![(MARGIN, 48.0), (MARGIN + CONTENT_W, 48.0)], colour: Rgb::RULE, width: 0.5 });
    }
    let fy = PAGE_H - 36.0;
    page.push(Cmd::Path { points: vec![(MARGIN, fy - 12.0), (MARGIN + CONTENT_W, fy - 12.0)], colour: Rgb::RULE, width: 0.5 });
    page.push(Cmd::Text { x: MARGIN, y: fy, size: 7.5, bold: false, colour: Rgb::MUTED, text: ctx.footer.clone() });
    let label = format!("Page {n} of {total}");
    let w = text_width(&label, 7.5, false);
    page.push(Cmd::Text { x: MARGIN + CONTENT_W - w, y: fy, size: 7.5, bold: false, colour: Rgb::MUTED, text: label });
}

/// Marks a share outside 0–100%: printed beside it, and explained on its page.
pub const OUT_OF_RANGE_MARK: &str = "*";

/// A figure as printed: a withheld figure prints its mark (see `privacy::Withheld`),
/// never its value; a share outside 0–100% is flagged, never shown as a plain share.
fn shown(ctx: &Context, row: &Row, unit: &str) -> String {
    if let (true, Some(t)) = (row.withheld.is_withheld(), ctx.figures.suppress_below) {
        return row.withheld.mark(t);
    }
    let text = value(row.value, unit);
    if share_out_of_range(unit, row.value) { format!("{text}{OUT_OF_RANGE_MARK}") } else { text }
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

fn name_of<'a>(ctx: &'a Context, id: &'a str) -> &'a str {
    ctx.names.get(id).map_or(id, String::as_str)
}

/// The subject's figure for an indicator over the whole period.
fn total<'a>(ctx: &'a Context, id: &str) -> Option<&'a Row> {
    ctx.figures.rows(&kpi_need(ctx.window), ctx.subject).iter().find(|r| r.indicator == id)
}

fn pct_of_target(ctx: &Context, row: &Row) -> Option<f64> {
    let lower = ctx.library.get(&row.indicator).is_some_and(|i| i.direction == Direction::Lower);
    if lower { percent(row.target, row.value) } else { percent(row.value, row.target) }
}

/// The indicators a KPI section shows for this subject.
pub(super) fn kpi_indicators(ctx: &Context, section: &Section) -> Vec<String> {
    let Section::Kpis { indicators, only_recorded, max, .. } = section else { return Vec::new() };
    indicators
        .iter()
        .filter(|id| !*only_recorded || recorded(total(ctx, id)))
        .take(max.unwrap_or(usize::MAX))
        .cloned()
        .collect()
}

fn kpis(ctx: &Context, flow: &mut Flow, ids: &[String]) {
    const PER_ROW: usize = 3;
    const GAP: f32 = 10.0;
    const H: f32 = 78.0;
    let w = (CONTENT_W - GAP * (PER_ROW as f32 - 1.0)) / PER_ROW as f32;
    for chunk in ids.chunks(PER_ROW) {
        flow.ensure(H + GAP);
        let y = flow.y;
        for (k, id) in chunk.iter().enumerate() {
            let x = MARGIN + k as f32 * (w + GAP);
            let Some(ind) = ctx.library.get(id) else { continue };
            let row = total(ctx, id);
            let page = flow.page();
            page.push(Cmd::Rect { x, y, w, h: H, fill: Some(Rgb::TINT), stroke: None });
            page.push(Cmd::Rect { x, y, w: 3.0, h: H, fill: Some(Rgb::ACCENT), stroke: None });
            // No records is said in words: a dash or a 0 would read as a figure.
            let (big, size, colour) = match row.filter(|r| recorded(Some(r))) {
                Some(r) => (shown(ctx, r, &ind.unit), 20.0, Rgb::ACCENT),
                None => (NOT_RECORDED_WORDS.to_string(), 14.0, Rgb::MUTED),
            };
            let big = fit(&big, size, true, w - 20.0);
            page.push(Cmd::Text { x: x + 12.0, y: y + 28.0, size, bold: true, colour, text: big.clone() });
            let unit = unit_word(&ind.unit);
            if !unit.is_empty() && recorded(row) && row.is_some_and(|r| !r.withheld.is_withheld()) {
                let ux = x + 16.0 + text_width(&big, 20.0, true);
                if ux + text_width(unit, 8.5, false) < x + w - 6.0 {
                    page.push(Cmd::Text { x: ux, y: y + 28.0, size: 8.5, bold: false, colour: Rgb::MUTED, text: unit.to_string() });
                }
            }
            for (l, line) in wrap(&ind.name, 8.5, false, w - 20.0).into_iter().take(2).enumerate() {
                page.push(Cmd::Text { x: x + 12.0, y: y + 45.0 + l as f32 * 11.0, size: 8.5, bold: false, colour: Rgb::TEXT, text: line });
            }
            if let Some(r) = row.filter(|r| r.target.is_some()) {
                let pct = pct_of_target(ctx, r).map_or("–".to_string(), |p| format!("{p:.0}%"));
                let line = fit(&format!("Target {} · {} of target", value(r.target, &ind.unit), pct), 7.5, false, w - 20.0);
                page.push(Cmd::Text { x: x + 12.0, y: y + H - 7.0, size: 7.5, bold: false, colour: Rgb::MUTED, text: line });
            }
        }
        flow.y += H + GAP;
    }
    flow.y += 4.0;
}

/// On every page of a report made with small numbers not withheld (`--no-suppress`).
pub const INTERNAL_MARKING: &str = "Internal: small numbers not withheld. Not for publication.";

/// Said where a subject has no records for an indicator.
const NOT_RECORDED_WORDS: &str = "Not recorded";

/// A text section with its placeholders filled. A sentence about an indicator the
/// subject has no records for is left out (it would otherwise say "0 job starts"
/// about an organisation that does not record them); a paragraph left with no
/// sentence goes too.
pub fn fill_placeholders(ctx: &Context, text: &str) -> String {
    let paragraphs = text.split("\n\n").map(|para| {
        sentences(para)
            .into_iter()
            .filter(|s| placeholders(s).iter().all(|p| p.split_once('.').is_none_or(|(id, _)| recorded(total(ctx, id)))))
            .map(|s| fill_sentence(ctx, s))
            .collect::<String>()
    });
    paragraphs.map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect::<Vec<_>>().join("\n\n")
}

/// A paragraph's sentences, each with its closing punctuation and the space after it.
/// A full stop inside a placeholder (`{jobs_created.total}`) does not end a sentence.
fn sentences(para: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut depth) = (0, 0usize);
    let bytes = para.as_bytes();
    for (i, c) in para.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            '.' | '!' | '?' if depth == 0 => {
                let next = bytes.get(i + 1).copied();
                if next.is_none_or(|b| b.is_ascii_whitespace()) {
                    let mut end = i + 1;
                    while bytes.get(end).is_some_and(u8::is_ascii_whitespace) {
                        end += 1;
                    }
                    out.push(&para[start..end]);
                    start = end;
                }
            }
            _ => {}
        }
    }
    if start < para.len() {
        out.push(&para[start..]);
    }
    out
}

fn fill_sentence(ctx: &Context, text: &str) -> String {
    let mut out = text.to_string();
    for p in placeholders(text) {
        let replacement = match p.split_once('.') {
            None => match p {
                "subject" => ctx.subject_name.clone(),
                "period" => ctx.window.label.clone(),
                "audience" => ctx.spec.audience.clone(),
                "title" => ctx.spec.title.clone(),
                _ => continue,
            },
            Some((id, field)) => {
                let unit = ctx.library.get(id).map_or("", |i| i.unit.as_str());
                let row = total(ctx, id);
                match field {
                    "total" => row.map_or_else(|| NOT_RECORDED_WORDS.to_lowercase(), |r| shown(ctx, r, unit)),
                    "records" => match row {
                        Some(r) if !r.withheld.is_withheld() => crate::output::format_figure(r.records as f64),
                        Some(r) => r.withheld.mark(ctx.figures.suppress_below.unwrap_or(0)),
                        None => NOT_RECORDED_WORDS.to_lowercase(),
                    },
                    "target" => row.and_then(|r| r.target).map_or("no target".into(), |t| value(Some(t), unit)),
                    "pct_of_target" => row.and_then(|r| pct_of_target(ctx, r)).map_or("n/a".into(), |p| format!("{p:.0}%")),
                    // A phrase that reads well with or without a target.
                    "vs_target" => match row.and_then(|r| r.target.map(|t| (r, t))) {
                        Some((r, t)) => format!(
                            "{} of the target of {}",
                            pct_of_target(ctx, r).map_or("n/a".into(), |p| format!("{p:.0}%")),
                            value(Some(t), unit)
                        ),
                        None => "no target was set".into(),
                    },
                    _ => continue,
                }
            }
        };
        out = out.replace(&format!("{{{p}}}"), &replacement);
    }
    out
}
