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

const MARGIN: f32 = 50.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
const TOP: f32 = 70.0;
const BOTTOM: f32 = PAGE_H - 64.0;
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
            Section::Kpis { title, indicators } => {
                flow.heading(title.as_deref().unwrap_or("At a glance"));
                kpis(ctx, &mut flow, indicators);
            }
            Section::Text { title, text } => {
                if let Some(t) = title {
                    flow.heading(t);
                }
                for para in fill_placeholders(ctx, text).split("\n\n") {
                    flow.paragraph(para.trim(), BODY, Rgb::TEXT);
                    flow.y += 6.0;
                }
            }
            Section::Chart { title, chart, indicator, indicators, by, stack, span, caption } => {
                let ids: Vec<&str> = indicator.iter().chain(indicators).map(String::as_str).collect();
                let (data, note) = chart_data(ctx, *chart, &ids, by.as_deref(), stack.as_deref(), *span);
                if data.categories.is_empty() {
                    // Nothing to draw: say so rather than print an empty frame.
                    flow.heading(title);
                    flow.paragraph(&note.unwrap_or_default(), BODY, Rgb::MUTED);
                    flow.y += 10.0;
                    continue;
                }
                let height = match data.kind {
                    ChartKind::Bars => (data.categories.len() as f32 * 20.0 + 40.0).clamp(120.0, 420.0),
                    _ => 230.0,
                };
                let withheld = data.series.iter().flat_map(|s| &s.values).any(Option::is_none)
                    && ctx.figures.suppress_below.is_some()
                    && ids.iter().any(|id| ctx.library.get(id).is_some_and(|i| i.counts_people || i.aggregation == crate::indicator::Aggregation::Distinct));
                let note = match (note, withheld) {
                    (Some(n), _) => Some(n),
                    (None, true) => Some(format!(
                        "Counts of fewer than {} people (and figures that would reveal them) are withheld, so some bars or points are missing.",
                        ctx.figures.suppress_below.unwrap_or(0)
                    )),
                    (None, false) => None,
                };
                flow.ensure(height + 60.0);
                flow.heading(title);
                let drawn = chart::draw_vector(&data, CONTENT_W, height)?;
                let (x, y) = (MARGIN, flow.y);
                flow.page().extend(drawn.cmds.iter().map(|c| c.shifted(x, y)));
                flow.y += height + 4.0;
                for line in [note, caption.clone()].into_iter().flatten() {
                    flow.paragraph(&line, 8.0, Rgb::MUTED);
                }
                flow.y += 10.0;
                charts.push(ChartOut { slug: format!("{:02}-{}", n + 1, slug(title)), data, width: CONTENT_W, height });
            }
            Section::Table { title, by, indicators } => {
                flow.heading(title);
                let (head, rows, numeric) = table_rows(ctx, by, indicators);
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
                        let drawn = chart::draw_vector(&data, CONTENT_W, height)?;
                        let (x, y) = (MARGIN, flow.y);
                        flow.page().extend(drawn.cmds.iter().map(|c| c.shifted(x, y)));
                        flow.y += height + 4.0;
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
                    let height = (data.categories.len() as f32 * 20.0 + 40.0).clamp(120.0, 420.0);
                    flow.ensure(height + 30.0);
                    flow.text(MARGIN, 10.0, true, Rgb::TEXT, "Share of each commitment delivered");
                    flow.y += 16.0;
                    let drawn = chart::draw_vector(&data, CONTENT_W, height)?;
                    let (x, y) = (MARGIN, flow.y);
                    flow.page().extend(drawn.cmds.iter().map(|c| c.shifted(x, y)));
                    flow.y += height + 10.0;
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
                let height = (data.categories.len() as f32 * 20.0 + 40.0).clamp(120.0, 420.0);
                flow.ensure(height + 60.0);
                flow.heading(&title);
                let drawn = chart::draw_vector(&data, CONTENT_W, height)?;
                let (x, y) = (MARGIN, flow.y);
                flow.page().extend(drawn.cmds.iter().map(|c| c.shifted(x, y)));
                flow.y += height + 8.0;
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
                let height = (data.categories.len() as f32 * 20.0 + 40.0).clamp(120.0, 420.0);
                flow.ensure(height + 60.0);
                flow.heading(&title);
                let drawn = chart::draw_vector(&data, CONTENT_W, height)?;
                let (x, y) = (MARGIN, flow.y);
                flow.page().extend(drawn.cmds.iter().map(|c| c.shifted(x, y)));
                flow.y += height + 4.0;
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
        furniture(ctx, page, i + 1, total);
    }
    Ok(Built { pages: flow.pages, charts, tables })
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

/// Header (pages after the cover) and footer (every page).
fn furniture(ctx: &Context, page: &mut Vec<Cmd>, n: usize, total: usize) {
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

/// A figure as printed: withheld counts of people show as "<5", never their value.
fn shown(ctx: &Context, row: &Row, unit: &str) -> String {
    match (row.suppressed, ctx.figures.suppress_below) {
        (true, Some(t)) => format!("<{t}"),
        _ => value(row.value, unit),
    }
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
            let big = fit(&row.map_or("–".to_string(), |r| shown(ctx, r, &ind.unit)), 20.0, true, w - 20.0);
            page.push(Cmd::Text { x: x + 12.0, y: y + 28.0, size: 20.0, bold: true, colour: Rgb::ACCENT, text: big.clone() });
            let unit = unit_word(&ind.unit);
            if !unit.is_empty() {
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

pub fn fill_placeholders(ctx: &Context, text: &str) -> String {
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
                    "total" => row.map_or_else(|| value(Some(0.0), unit), |r| shown(ctx, r, unit)),
                    "records" => crate::output::format_figure(row.map_or(0, |r| r.records) as f64),
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

/// Build a chart's data from the figures. Returns a note when something is missing.
fn chart_data(ctx: &Context, kind: ChartType, ids: &[&str], by: Option<&str>, stack: Option<&str>, span: Span) -> (ChartData, Option<String>) {
    let default_by = match kind {
        ChartType::Line => "quarter",
        ChartType::TargetVsActual => "financial_year",
        _ => "programme",
    };
    let by = by.unwrap_or(default_by);
    let mut dims = vec![by.to_string()];
    dims.extend(stack.map(str::to_string));
    let span = if span == Span::ToDate { SpanKey::ToDate } else { SpanKey::Period };
    let rows = ctx.figures.rows(&Need { dims, span }, ctx.subject);
    let unit = ids.first().and_then(|id| ctx.library.get(id)).map_or(String::new(), |i| i.unit.clone());
    let is_period = crate::aggregate::Grain::parse(by).is_some();
    let label = |k: &str| -> String { if is_period { k.to_string() } else { name_of(ctx, k).to_string() } };
    let ind_name = |id: &str| ctx.library.get(id).map_or(id.to_string(), |i| i.name.clone());
    let mut note = None;
    let data = match kind {
        ChartType::Bar => {
            let id = ids[0];
            let mut pairs: Vec<(String, f64)> = rows.iter().filter(|r| r.indicator == id).filter_map(|r| r.value.map(|v| (r.keys[0].clone(), v))).collect();
            if is_period {
                pairs.sort_by(|a, b| a.0.cmp(&b.0));
            } else {
                // Largest first; ties by name, so output is stable.
                pairs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            }
            ChartData {
                kind: ChartKind::Bars,
                categories: pairs.iter().map(|p| label(&p.0)).collect(),
                series: vec![Series { name: ind_name(id), values: pairs.iter().map(|p| Some(p.1)).collect(), outline: false }],
                unit,
                ..Default::default()
            }
        }
        ChartType::StackedBar => {
            let id = ids[0];
            let mine: Vec<&Row> = rows.iter().filter(|r| r.indicator == id).collect();
            let mut cats: Vec<String> = mine.iter().map(|r| r.keys[0].clone()).collect();
            cats.sort();
            cats.dedup();
            let mut stacks: Vec<String> = mine.iter().map(|r| r.keys[1].clone()).collect();
            stacks.sort_by_key(|s| (s == NOT_RECORDED, s.clone()));
            stacks.dedup();
            let series = stacks
                .iter()
                .map(|s| Series {
                    name: s.replace('_', " "),
                    values: cats.iter().map(|c| mine.iter().find(|r| &r.keys[0] == c && &r.keys[1] == s).and_then(|r| r.value)).collect(),
                    outline: false,
                })
                .collect();
            ChartData { kind: ChartKind::Stacked, categories: cats.iter().map(|c| label(c)).collect(), series, unit, ..Default::default() }
        }
        ChartType::Line => {
            let mut cats: Vec<String> = rows.iter().filter(|r| ids.contains(&r.indicator.as_str())).map(|r| r.keys[0].clone()).collect();
            cats.sort();
            cats.dedup();
            let series = ids
                .iter()
                .map(|id| Series {
                    name: ind_name(id),
                    values: cats.iter().map(|c| rows.iter().find(|r| r.indicator == *id && &r.keys[0] == c).and_then(|r| r.value)).collect(),
                    outline: false,
                })
                .collect();
            ChartData { kind: ChartKind::Lines, categories: cats, series, unit, ..Default::default() }
        }
        ChartType::TargetVsActual => {
            let (cats, actual, target): (Vec<String>, Vec<Option<f64>>, Vec<Option<f64>>) = if ids.len() == 1 {
                let mine: Vec<&Row> = rows.iter().filter(|r| r.indicator == ids[0]).collect();
                (mine.iter().map(|r| r.keys[0].clone()).collect(), mine.iter().map(|r| r.value).collect(), mine.iter().map(|r| r.target).collect())
            } else {
                let pick = |id: &str| rows.iter().find(|r| r.indicator == id);
                (ids.iter().map(|id| ind_name(id)).collect(), ids.iter().map(|id| pick(id).and_then(|r| r.value)).collect(), ids.iter().map(|id| pick(id).and_then(|r| r.target)).collect())
            };
            if target.iter().all(Option::is_none) {
                note = Some(format!("No targets are set for {} in this period: only actual figures are shown.", ctx.subject_name));
            }
            ChartData {
                kind: ChartKind::Grouped,
                categories: cats,
                series: vec![
                    Series { name: "Actual".into(), values: actual, outline: false },
                    Series { name: "Target".into(), values: target, outline: true },
                ],
                unit,
                ..Default::default()
            }
        }
    };
    if data.categories.is_empty() {
        note = Some(format!("No records for {} in this period.", ctx.subject_name));
    }
    (data, note)
}

/// Header, rows and which columns are numbers.
fn table_rows(ctx: &Context, by: &[String], ids: &[String]) -> (Vec<String>, Vec<Vec<String>>, Vec<bool>) {
    let need = Need { dims: by.to_vec(), span: SpanKey::Period };
    let rows = ctx.figures.rows(&need, ctx.subject);
    let has_targets = rows.iter().any(|r| r.target.is_some());
    let mut head: Vec<String> = by.iter().map(|d| title_case(d)).collect();
    head.extend(["Indicator".to_string(), "Value".to_string(), "Records".to_string()]);
    if has_targets {
        head.extend(["Target".to_string(), "% of target".to_string()]);
    }
    let mut numeric = vec![false; by.len() + 1];
    numeric.extend(vec![true; head.len() - by.len() - 1]);
    let mut out = Vec::new();
    let shown_keys = |r: &Row| -> Vec<String> {
        r.keys.iter().zip(by).map(|(k, d)| if crate::aggregate::Grain::parse(d).is_some() { k.clone() } else { name_of(ctx, k).to_string() }).collect()
    };
    let mut sorted: Vec<(Vec<String>, &Row)> = rows.iter().filter(|r| ids.contains(&r.indicator)).map(|r| (shown_keys(r), r)).collect();
    let order = |id: &str| ids.iter().position(|i| i == id).unwrap_or(usize::MAX);
    // Rows in the order a reader looks for them: by the names shown, then the spec's indicator order.
    sorted.sort_by(|a, b| a.0.cmp(&b.0).then(order(&a.1.indicator).cmp(&order(&b.1.indicator))));
    for (mut cells, r) in sorted {
        let Some(ind) = ctx.library.get(&r.indicator) else { continue };
        let unit = unit_word(&ind.unit);
        cells.push(if unit.is_empty() { ind.name.clone() } else { format!("{} ({unit})", ind.name) });
        cells.push(shown(ctx, r, &ind.unit));
        cells.push(if r.suppressed { "–".into() } else { crate::output::format_figure(r.records as f64) });
        if has_targets {
            cells.push(if r.target.is_some() { value(r.target, &ind.unit) } else { "–".into() });
            cells.push(pct_of_target(ctx, r).map_or("–".into(), |p| format!("{p:.0}%")));
        }
        out.push(cells);
    }
    (head, out, numeric)
}

fn title_case(s: &str) -> String {
    let s = s.replace('_', " ");
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| f.to_uppercase().collect::<String>() + c.as_str())
}

/// Column widths for a table at a font size, and whether every column got at least
/// its minimum (numbers whole, no word broken).
fn column_widths(head: &[String], rows: &[Vec<String>], numeric: &[bool], size: f32) -> (Vec<f32>, bool) {
    let cols = head.len();
    let content = |c: usize| rows.iter().map(|r| text_width(&r[c], size, false)).fold(0.0, f32::max);
    let widest_word = |c: usize| head[c].split_whitespace().map(|w| text_width(w, size, true)).fold(0.0, f32::max);
    let longest_word = |c: usize| rows.iter().flat_map(|r| r[c].split_whitespace()).map(|w| text_width(w, size, false)).fold(widest_word(c), f32::max).min(120.0) + 8.0;
    let natural: Vec<f32> = (0..cols).map(|c| content(c).max(text_width(&head[c], size, true)) + 8.0).collect();
    // Numbers keep their width (headings wrap onto two lines to let them).
    let minimum: Vec<f32> = (0..cols).map(|c| if numeric[c] { content(c).max(widest_word(c)) + 8.0 } else { longest_word(c) }).collect();
    let mut widths: Vec<f32> = (0..cols).map(|c| if numeric[c] { minimum[c] } else { natural[c] }).collect();
    let fixed: f32 = (0..cols).filter(|c| numeric[*c]).map(|c| widths[c]).sum();
    let flexible: f32 = (0..cols).filter(|c| !numeric[*c]).map(|c| widths[c]).sum();
    if fixed + flexible <= CONTENT_W {
        if let Some(last_text) = numeric.iter().rposition(|n| !n) {
            widths[last_text] += CONTENT_W - fixed - flexible;
        }
        return (widths, true);
    }
    // Text columns share what is left in proportion to their natural width, but never
    // below their longest word; any overshoot comes back from those with room to spare.
    let room = (CONTENT_W - fixed).max(0.0);
    for c in 0..cols {
        if !numeric[c] {
            widths[c] = (natural[c] / flexible.max(1.0) * room).max(minimum[c]);
        }
    }
    let excess = widths.iter().sum::<f32>() - CONTENT_W;
    let slack: f32 = (0..cols).map(|c| widths[c] - minimum[c]).sum();
    if excess > 0.0 && slack > 0.0 {
        let take = (excess / slack).min(1.0);
        for c in 0..cols {
            widths[c] -= (widths[c] - minimum[c]) * take;
        }
    }
    let total: f32 = widths.iter().sum();
    if total > CONTENT_W + 0.01 {
        widths.iter_mut().for_each(|w| *w *= CONTENT_W / total);
        return (widths, false);
    }
    (widths, true)
}

/// A table that splits across pages, repeating its heading row. Text cells wrap
/// (up to three lines); a wide table steps down a font size before anything is cut.
fn table(flow: &mut Flow, head: &[String], rows: &[Vec<String>], numeric: &[bool]) {
    const MAX_LINES: usize = 3;
    if rows.is_empty() {
        flow.paragraph("No figures for this period.", BODY, Rgb::MUTED);
        return;
    }
    let (size, widths) = [8.5f32, 7.5, 6.5]
        .iter()
        .map(|s| (*s, column_widths(head, rows, numeric, *s)))
        .find(|(_, (_, fits))| *fits)
        .map_or_else(|| (6.5, column_widths(head, rows, numeric, 6.5).0), |(s, (w, _))| (s, w));
    let line = size * 1.24;
    let pad = size * 0.53;
    let lines_of = |cell: &str, c: usize, bold: bool| -> Vec<String> {
        let w = widths[c] - 7.0;
        if numeric[c] && !bold {
            return vec![fit(cell, size, bold, w)];
        }
        let mut lines = wrap(cell, size, bold, w);
        if lines.len() > MAX_LINES {
            lines.truncate(MAX_LINES);
            let last = format!("{}…", lines[MAX_LINES - 1]);
            lines[MAX_LINES - 1] = fit(&last, size, bold, w);
        }
        lines
    };
    let row_height = |cells: &[String], bold: bool| -> f32 {
        let n = cells.iter().enumerate().map(|(c, cell)| lines_of(cell, c, bold).len()).max().unwrap_or(1);
        n as f32 * line + pad
    };
    let draw_row = |flow: &mut Flow, cells: &[String], bold: bool, fill: Option<Rgb>| {
        let h = row_height(cells, bold);
        let y = flow.y;
        let page = flow.page();
        if let Some(f) = fill {
            page.push(Cmd::Rect { x: MARGIN, y, w: CONTENT_W, h, fill: Some(f), stroke: None });
        }
        let mut x = MARGIN;
        for (c, cell) in cells.iter().enumerate() {
            let w = widths[c];
            for (l, text) in lines_of(cell, c, bold).into_iter().enumerate() {
                let tx = if numeric[c] { x + w - 3.5 - text_width(&text, size, bold) } else { x + 3.5 };
                page.push(Cmd::Text { x: tx, y: y + size * 1.18 + l as f32 * line, size, bold, colour: Rgb::TEXT, text });
            }
            x += w;
        }
        flow.y += h;
    };
    let head_h = row_height(head, true);
    flow.ensure(head_h + row_height(&rows[0], false) * 2.0);
    draw_row(flow, head, true, Some(Rgb::RULE));
    for (i, r) in rows.iter().enumerate() {
        if flow.y + row_height(r, false) > BOTTOM {
            flow.new_page();
            draw_row(flow, head, true, Some(Rgb::RULE));
        }
        draw_row(flow, r, false, (i % 2 == 1).then_some(Rgb::TINT));
    }
    flow.y += 12.0;
}

fn data_quality(ctx: &Context, flow: &mut Flow) {
    let q = ctx.figures.quality(ctx.subject);
    let pct = |share: f64| format!("{:.0}%", share * 100.0);
    let mut rows = vec![
        vec!["Records used".to_string(), crate::output::format_figure(q.records as f64)],
        vec!["Records rejected by validation".to_string(), crate::output::format_figure(q.rejected as f64)],
        vec!["First and last outcome dates".to_string(), format!("{} to {}", q.first.clone().unwrap_or("–".into()), q.last.clone().unwrap_or("–".into()))],
    ];
    for (field, share) in &q.completeness {
        let label = match field.as_str() {
            "evidence" => "Evidence coverage (records naming their evidence)".to_string(),
            "participant" => "Records with a participant id".to_string(),
            f => format!("Records with {}", f.replace('_', " ")),
        };
        rows.push(vec![label, pct(*share)]);
    }
    table(flow, &["Measure".to_string(), "Value".to_string()], &rows, &[false, true]);
    flow.paragraph(
        "Records are checked on the way in: a record with an unknown indicator, a value that is not a number or is out of range, an impossible or future date, or a repeated record id is rejected and not counted.",
        8.5,
        Rgb::MUTED,
    );
    flow.y += 6.0;
}

fn methodology(ctx: &Context, flow: &mut Flow) {
    flow.paragraph(
        "Each figure is computed from the outcome records by the indicator's roll-up rule below. Flows are added up; stocks take each organisation's latest figure in the period and are never added up over time; rates are recomputed from their summed parts, never averaged.",
        BODY,
        Rgb::TEXT,
    );
    if let Some(t) = ctx.figures.suppress_below {
        flow.y += 4.0;
        flow.paragraph(
            &format!("To protect the people counted, counts of people from 1 to {} are shown as <{t}, with enough neighbouring figures withheld that none can be worked out from a total; rates built on them are withheld too.", t - 1),
            BODY,
            Rgb::TEXT,
        );
    }
    flow.y += 8.0;
    let mut ids: Vec<&str> = ctx.spec.indicators.iter().map(String::as_str).collect();
    for s in &ctx.spec.sections {
        for id in s.indicator_ids() {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    for id in ids {
        let Some(ind) = ctx.library.get(id) else { continue };
        flow.ensure(60.0);
        flow.text(MARGIN, 10.0, true, Rgb::TEXT, &fit(&format!("{} ({})", ind.name, ind.id), 10.0, true, CONTENT_W));
        flow.y += 14.0;
        flow.paragraph(&ind.description, 8.5, Rgb::TEXT);
        let mut facts = vec![format!("Unit: {}", ind.unit), format!("Roll-up: {}", ind.roll_up_text())];
        let f = &ind.frameworks;
        let codes: Vec<String> = [("National TOMs", &f.toms), ("IRIS+", &f.iris), ("SDG target", &f.sdg)]
            .iter()
            .filter_map(|(l, c)| c.as_ref().map(|c| format!("{l} {c}")))
            .collect();
        if !codes.is_empty() {
            facts.push(format!("Frameworks: {}", codes.join(", ")));
        }
        if let Some(p) = &ind.proxy {
            facts.push(format!("Financial proxy: {} per unit ({} prices); source: {}", value(Some(p.value), &p.currency), p.price_year, p.source));
        }
        flow.paragraph(&facts.join(" · "), 8.0, Rgb::MUTED);
        flow.y += 8.0;
    }
}

fn money(v: f64) -> String {
    value(Some(v), "GBP")
}

fn social_value(ctx: &Context, flow: &mut Flow) {
    let Some(g) = ctx.value.filter(|g| !g.lines.is_empty()) else {
        flow.paragraph(&format!("No outcomes with a financial proxy were recorded for {} in this period.", ctx.subject_name), BODY, Rgb::MUTED);
        return;
    };
    let pv = g.present_value();
    let tiles: Vec<(String, String, String)> = vec![
        (money(pv), "Social value (present value)".into(), String::new()),
        (g.investment.map_or("–".into(), money), "Investment in the period".into(), String::new()),
        (g.ratio().map_or("–".into(), |r| format!("£{r:.2}")), "Social value per £1 invested (SROI)".into(), String::new()),
        (g.npv().map_or("–".into(), money), "Net present value".into(), String::new()),
        (g.payback_months().map_or("–".into(), |m| format!("{m:.0}")), "Payback period".into(), "months".into()),
        (money(g.lines.iter().map(|l| l.gross()).sum()), "Gross value before adjustments".into(), String::new()),
    ];
    tile_grid(flow, &tiles);
    let rate = g.rate * 100.0;
    let mut text = format!(
        "Values use {} outcome(s) with financial proxies, adjusted for deadweight, attribution and displacement, lasting each outcome's duration with drop-off, and discounted at {rate:.1}% a year{}.",
        g.lines.len(),
        if (g.rate - crate::value::assumptions::GREEN_BOOK_RATE).abs() < 1e-12 { " (HM Treasury Green Book)" } else { "" }
    );
    if g.investment.is_none() {
        text.push_str(" No investment is recorded for this subject, so there is no ratio: give a programmes table or [investment] in the assumptions file.");
    } else {
        text.push_str(" Investment is the programme's funding spread evenly over its dates, for the share falling in this period.");
    }
    flow.paragraph(&text, 8.5, Rgb::MUTED);
    flow.y += 6.0;
}

/// Tiles: (big value, label, unit word).
fn tile_grid(flow: &mut Flow, tiles: &[(String, String, String)]) {
    const PER_ROW: usize = 3;
    const GAP: f32 = 10.0;
    const H: f32 = 64.0;
    let w = (CONTENT_W - GAP * (PER_ROW as f32 - 1.0)) / PER_ROW as f32;
    for chunk in tiles.chunks(PER_ROW) {
        flow.ensure(H + GAP);
        let y = flow.y;
        for (k, (big, label, unit)) in chunk.iter().enumerate() {
            let x = MARGIN + k as f32 * (w + GAP);
            let page = flow.page();
            page.push(Cmd::Rect { x, y, w, h: H, fill: Some(Rgb::TINT), stroke: None });
            page.push(Cmd::Rect { x, y, w: 3.0, h: H, fill: Some(Rgb::ACCENT), stroke: None });
            let big = fit(big, 18.0, true, w - 20.0);
            page.push(Cmd::Text { x: x + 12.0, y: y + 26.0, size: 18.0, bold: true, colour: Rgb::ACCENT, text: big.clone() });
            if !unit.is_empty() {
                page.push(Cmd::Text { x: x + 16.0 + text_width(&big, 18.0, true), y: y + 26.0, size: 8.5, bold: false, colour: Rgb::MUTED, text: unit.clone() });
            }
            for (l, line) in wrap(label, 8.5, false, w - 20.0).into_iter().take(2).enumerate() {
                page.push(Cmd::Text { x: x + 12.0, y: y + 43.0 + l as f32 * 11.0, size: 8.5, bold: false, colour: Rgb::TEXT, text: line });
            }
        }
        flow.y += H + GAP;
    }
}

fn impact_map(ctx: &Context, flow: &mut Flow) {
    let Some(g) = ctx.value.filter(|g| !g.lines.is_empty()) else {
        flow.paragraph("No outcomes with a financial proxy in this period.", BODY, Rgb::MUTED);
        return;
    };
    let pct = |v: f64| format!("{:.0}%", v * 100.0);
    let head: Vec<String> = ["Stakeholder", "Outcome", "Quantity", "Proxy", "Dead-wt", "Attrib.", "Displ.", "Drop-off", "Years", "Present value"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let rows: Vec<Vec<String>> = g
        .lines
        .iter()
        .map(|l| {
            let p = &l.params;
            vec![
                l.stakeholder.clone(),
                l.outcome.clone(),
                value(Some(l.quantity), &l.unit),
                money(p.value),
                pct(p.deadweight),
                pct(p.attribution),
                pct(p.displacement),
                pct(p.drop_off),
                p.duration_years.to_string(),
                money(l.present_value(g.rate)),
            ]
        })
        .collect();
    let numeric = [false, false, true, true, true, true, true, true, true, true];
    table(flow, &head, &rows, &numeric);
    flow.paragraph("Dead-wt: deadweight; Attrib.: attribution; Displ.: displacement. Proxy sources are listed in the methodology appendix. Quantity × proxy = gross value; × (1 − deadweight) × (1 − attribution) × (1 − displacement) = first-year impact; later years fall by the drop-off; each year is discounted.", 8.0, Rgb::MUTED);
    flow.y += 6.0;
}

fn tornado_data(ctx: &Context) -> Option<(ChartData, Vec<String>)> {
    let g = ctx.value.filter(|g| !g.lines.is_empty())?;
    let base = g.ratio()?;
    let rows = crate::value::sensitivity::analyse(g, ctx.assumptions);
    let label = |p: &str| match p {
        "value" => "Proxy values",
        "deadweight" => "Deadweight",
        "attribution" => "Attribution",
        "displacement" => "Displacement",
        "drop_off" => "Drop-off",
        "duration_years" => "Duration",
        "discount_rate" => "Discount rate",
        other => other,
    }
    .to_string();
    let data = ChartData {
        kind: ChartKind::Tornado,
        categories: rows.iter().map(|r| format!("{} ×{}–×{}", label(r.parameter), r.low, r.high)).collect(),
        series: vec![
            Series { name: "SROI at the low multiplier".into(), values: rows.iter().map(|r| Some(r.sroi_low)).collect(), outline: false },
            Series { name: "SROI at the high multiplier".into(), values: rows.iter().map(|r| Some(r.sroi_high)).collect(), outline: false },
        ],
        unit: String::new(),
        base: Some(base),
        y_max: None,
    };
    let mut notes = vec![format!("The line is the SROI ratio with every assumption as stated: £{base:.2} per £1.")];
    let breaks: Vec<String> = rows
        .iter()
        .filter_map(|r| r.break_even.map(|m| format!("{} ×{m:.2}", label(r.parameter).to_lowercase())))
        .collect();
    notes.push(if breaks.is_empty() {
        "No single assumption, varied alone, brings the ratio to £1 per £1.".into()
    } else {
        format!("The ratio reaches £1 per £1 (break-even) at: {}.", breaks.join("; "))
    });
    Some((data, notes))
}

/// The commitments table; returns the chart of % delivered when there is anything to show.
fn commitments(ctx: &Context, flow: &mut Flow) -> Option<ChartData> {
    if ctx.commitments.is_empty() {
        flow.paragraph(&format!("No community benefit commitments for {}.", ctx.subject_name), BODY, Rgb::MUTED);
        return None;
    }
    let head: Vec<String> = ["Contract", "Supplier", "Commitment", "Committed", "Delivered", "%", "Status", "Due"].iter().map(|s| s.to_string()).collect();
    let unit_of = |id: &str| ctx.library.get(id).map_or(String::new(), |i| i.unit.clone());
    let rows: Vec<Vec<String>> = ctx
        .commitments
        .iter()
        .map(|p| {
            let c = &p.commitment;
            let unit = unit_of(&c.indicator);
            vec![
                c.contract.clone(),
                name_of(ctx, &c.supplier).to_string(),
                ctx.library.get(&c.indicator).map_or(c.indicator.clone(), |i| i.name.clone()),
                value(Some(c.committed), &unit),
                value(Some(p.delivered), &unit),
                p.pct_delivered().map_or("–".into(), |v| format!("{v:.0}%")),
                p.status.label().to_string(),
                c.due.format("%-d %b %Y").to_string(),
            ]
        })
        .collect();
    table(flow, &head, &rows, &[false, false, false, true, true, true, false, true]);
    let mut contracts: Vec<&str> = ctx.commitments.iter().map(|p| p.commitment.contract.as_str()).collect();
    contracts.dedup();
    let summary: Vec<String> = contracts
        .iter()
        .map(|c| {
            let mine: Vec<&crate::commitments::Progress> = ctx.commitments.iter().filter(|p| p.commitment.contract == *c).collect();
            let sv: f64 = mine.iter().filter_map(|p| p.social_value).sum::<f64>() + 0.0;
            let cv = mine.first().map_or(0.0, |p| p.commitment.contract_value);
            format!("{c}: social value delivered {} ({:.1}% of the contract's {})", money(sv), if cv > 0.0 { sv / cv * 100.0 } else { 0.0 }, money(cv))
        })
        .collect();
    flow.paragraph(&summary.join("; "), 8.5, Rgb::MUTED);
    flow.paragraph(
        "Status: met when delivered; missed when due and not delivered; otherwise on track when delivery is at least 90% of the commitment's pro-rata share for the time elapsed, and at risk when it is not. Social value here is delivered quantity × proxy, before SROI adjustments.",
        8.0,
        Rgb::MUTED,
    );
    flow.y += 8.0;
    Some(ChartData {
        kind: ChartKind::Bars,
        categories: ctx
            .commitments
            .iter()
            .map(|p| format!("{} · {}", p.commitment.contract, ctx.library.get(&p.commitment.indicator).map_or(p.commitment.indicator.as_str(), |i| i.name.as_str())))
            .collect(),
        series: vec![Series { name: "% delivered".into(), values: ctx.commitments.iter().map(|p| p.pct_delivered()).collect(), outline: false }],
        unit: "%".into(),
        ..Default::default()
    })
}

/// The comparison rows for one indicator, best rank first.
fn ranked<'a>(ctx: &'a Context, indicator: &str, by: &str, per: super::spec::PerKind) -> Vec<&'a crate::compare::Row> {
    let Some(rows) = ctx.comparisons.get(&(by.to_string(), per)) else { return Vec::new() };
    let mut mine: Vec<&crate::compare::Row> = rows.iter().filter(|r| r.indicator == indicator).collect();
    mine.sort_by(|a, b| a.rank.unwrap_or(usize::MAX).cmp(&b.rank.unwrap_or(usize::MAX)).then(a.group.cmp(&b.group)));
    mine
}

fn ranking_table(ctx: &Context, flow: &mut Flow, rows: &[&crate::compare::Row], per: super::spec::PerKind) {
    let per_label = if per == super::spec::PerKind::Investment { "Per £10k" } else { "Per person" };
    let head: Vec<String> = ["Peer", "Outcomes", per_label, "£ per outcome", "Priority reach", "Year on year", "Rank", "Quartile", "Caution"].iter().map(|s| s.to_string()).collect();
    let num = |v: Option<f64>, d: usize| v.map_or("–".to_string(), |v| format!("{v:.d$}"));
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                name_of(ctx, &r.group).to_string(),
                value(r.value, ""),
                if per == super::spec::PerKind::Investment { num(r.per_10k, 2) } else { num(r.per_participant, 3) },
                r.cost_per_outcome.map_or("–".into(), |c| value(Some(c), "GBP")),
                r.priority_share.map_or("–".into(), |p| format!("{p:.0}%")),
                r.yoy_change.map_or("–".into(), |c| format!("{c:+.0}%")),
                r.rank.map_or("–".into(), |v| v.to_string()),
                r.quartile.map_or("–".into(), |q| format!("Q{q}")),
                r.flags.join("; "),
            ]
        })
        .collect();
    table(flow, &head, &body, &[false, true, true, true, true, true, true, true, false]);
    flow.paragraph(
        "Rank 1 is best (by the indicator's direction); peers with equal figures share a rank. Quartile 1 is the best quarter of peers. Priority reach: share of outcomes for people in SIMD deciles 1–2 or named priority groups. Year on year compares the last two financial years in the data.",
        8.0,
        Rgb::MUTED,
    );
    flow.y += 8.0;
}

#[allow(clippy::too_many_arguments)]
fn small_multiples(ctx: &Context, flow: &mut Flow, charts: &mut Vec<ChartOut>, n: usize, indicator: &str, by: &str, grain: &str, span: Span) -> Result<()> {
    const PER_ROW: usize = 3;
    const GAP: f32 = 10.0;
    const H: f32 = 110.0;
    let span = if span == Span::ToDate { SpanKey::ToDate } else { SpanKey::Period };
    let rows = ctx.figures.rows(&Need { dims: vec![by.to_string(), grain.to_string()], span }, ctx.subject);
    let mine: Vec<&Row> = rows.iter().filter(|r| r.indicator == indicator).collect();
    let mut periods: Vec<String> = mine.iter().map(|r| r.keys[1].clone()).collect();
    periods.sort();
    periods.dedup();
    let mut peers: Vec<(String, String)> = mine.iter().map(|r| (name_of(ctx, &r.keys[0]).to_string(), r.keys[0].clone())).collect();
    peers.sort();
    peers.dedup();
    if peers.is_empty() {
        flow.paragraph("No records in this period.", BODY, Rgb::MUTED);
        return Ok(());
    }
    // One scale for all, so the panels can be compared at a glance.
    let top = mine.iter().filter_map(|r| r.value).fold(0.0, f64::max).max(1.0) * 1.12;
    let unit = ctx.library.get(indicator).map_or(String::new(), |i| i.unit.clone());
    let w = (CONTENT_W - GAP * (PER_ROW as f32 - 1.0)) / PER_ROW as f32;
    // Short period labels in small panels: "Q2 24" rather than "2024-Q2".
    let short = |p: &str| match p.split_once("-Q") {
        Some((y, q)) => format!("Q{q} {}", y.get(2..).unwrap_or(y)),
        None => p.to_string(),
    };
    for chunk in peers.chunks(PER_ROW) {
        flow.ensure(H + 18.0);
        let y = flow.y;
        for (k, (name, id)) in chunk.iter().enumerate() {
            let x = MARGIN + k as f32 * (w + GAP);
            let data = ChartData {
                kind: ChartKind::Lines,
                categories: periods.iter().map(|p| short(p)).collect(),
                series: vec![Series {
                    name: name.clone(),
                    values: periods.iter().map(|p| mine.iter().find(|r| &r.keys[0] == id && &r.keys[1] == p).and_then(|r| r.value)).collect(),
                    outline: false,
                }],
                unit: unit.clone(),
                y_max: Some(top),
                ..Default::default()
            };
            let page = flow.page();
            page.push(Cmd::Text { x, y: y + 9.0, size: 8.5, bold: true, colour: Rgb::TEXT, text: fit(name, 8.5, true, w) });
            let drawn = chart::draw_vector(&data, w, H)?;
            page.extend(drawn.cmds.iter().map(|c| c.shifted(x, y + 14.0)));
            charts.push(ChartOut { slug: format!("{:02}-{}-{}", n + 1, slug(indicator), slug(id)), data, width: w, height: H });
        }
        flow.y += H + 22.0;
    }
    Ok(())
}

/// The figures behind a section as a table, for analysts (`--figures-dir`). Charts are
/// exported from their data instead; text and page breaks have none.
fn section_table(ctx: &Context, section: &Section) -> Result<Option<polars::prelude::DataFrame>> {
    use polars::prelude::*;
    let frame_of_rows = |rows: &[&Row], dims: &[String]| -> Result<DataFrame> {
        let mut cols: Vec<Column> = dims
            .iter()
            .enumerate()
            .map(|(k, d)| Column::new(d.as_str().into(), rows.iter().map(|r| r.keys[k].clone()).collect::<Vec<_>>()))
            .collect();
        cols.push(Column::new("indicator".into(), rows.iter().map(|r| r.indicator.clone()).collect::<Vec<_>>()));
        cols.push(Column::new("value".into(), rows.iter().map(|r| r.value).collect::<Vec<_>>()));
        cols.push(Column::new("unit".into(), rows.iter().map(|r| ctx.library.get(&r.indicator).map_or(String::new(), |i| i.unit.clone())).collect::<Vec<_>>()));
        cols.push(Column::new("records".into(), rows.iter().map(|r| r.records).collect::<Vec<_>>()));
        cols.push(Column::new("target".into(), rows.iter().map(|r| r.target).collect::<Vec<_>>()));
        Ok(DataFrame::new(rows.len(), cols)?)
    };
    let by_kind = || match ctx.spec.subject {
        super::spec::SubjectKind::Organisation => crate::value::GroupBy::Organisation,
        _ => crate::value::GroupBy::Programme,
    };
    Ok(match section {
        Section::Kpis { indicators, .. } => {
            let rows: Vec<&Row> = indicators.iter().filter_map(|id| total(ctx, id)).collect();
            Some(frame_of_rows(&rows, &[])?)
        }
        Section::Table { by, indicators, .. } => {
            let need = Need { dims: by.clone(), span: SpanKey::Period };
            let rows: Vec<&Row> = ctx.figures.rows(&need, ctx.subject).iter().filter(|r| indicators.contains(&r.indicator)).collect();
            Some(frame_of_rows(&rows, by)?)
        }
        Section::SocialValue { .. } | Section::ImpactMap { .. } => match ctx.value {
            Some(g) => Some(crate::value::to_frame(std::slice::from_ref(g), by_kind())?),
            None => None,
        },
        Section::Tornado { .. } => match ctx.value.filter(|g| g.ratio().is_some()) {
            Some(g) => Some(crate::value::sensitivity_frame(std::slice::from_ref(g), ctx.assumptions, by_kind())?),
            None => None,
        },
        Section::Commitments { .. } if !ctx.commitments.is_empty() => Some(crate::commitments::to_frame(ctx.commitments)?),
        Section::Ranking { indicator, per, by, .. } => {
            let rows: Vec<crate::compare::Row> = ranked(ctx, indicator, by, *per).into_iter().cloned().collect();
            Some(crate::compare::to_frame(&rows, if by == "organisation" { "organisation" } else { "programme" })?)
        }
        Section::DataQuality { .. } => {
            let q = ctx.figures.quality(ctx.subject);
            let mut measure = vec!["records".to_string(), "rejected".to_string()];
            let mut value = vec![q.records as f64, q.rejected as f64];
            for (f, share) in &q.completeness {
                measure.push(format!("{f}_filled_share"));
                value.push(*share);
            }
            Some(df!("measure" => measure, "value" => value)?)
        }
        _ => None,
    })
}

/// A chart's data as a table: one row per category, one column per series.
pub fn chart_frame(d: &ChartData) -> Result<polars::prelude::DataFrame> {
    use polars::prelude::*;
    let mut cols = vec![Column::new("category".into(), d.categories.clone())];
    for s in &d.series {
        cols.push(Column::new(s.name.as_str().into(), s.values.clone()));
    }
    cols.push(Column::new("unit".into(), vec![d.unit.clone(); d.categories.len()]));
    Ok(DataFrame::new(d.categories.len(), cols)?)
}
