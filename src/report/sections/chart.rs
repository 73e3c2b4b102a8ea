//! Chart sections: bar, stacked bar, line and target-vs-actual charts of the figures,
//! with withheld figures marked where they would stand.

use super::super::chart::{ChartKind, Series};
use super::super::need::{Need, SpanKey};
use super::super::terms::Span;
use super::*;
use crate::aggregate::{Dimension, NOT_RECORDED};

/// A chart of one or more indicators.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chart {
    /// Heading.
    pub title: String,
    /// The kind of chart.
    pub chart: ChartType,
    /// One indicator (bar, stacked_bar) …
    #[serde(default)]
    pub indicator: Option<String>,
    /// … or several (line, target_vs_actual).
    #[serde(default)]
    pub indicators: Vec<String>,
    /// Categories: a dimension such as programme, area, financial_year, quarter.
    #[serde(default)]
    pub by: Option<String>,
    /// stacked_bar: the dimension that splits each bar (e.g. beneficiary_group).
    #[serde(default)]
    pub stack: Option<String>,
    /// "period" (default) or "to_date": every record up to the period's end.
    #[serde(default)]
    pub span: Span,
    /// Line under the chart.
    #[serde(default)]
    pub caption: Option<String>,
    /// The heading that says what the chart shows (default: worked out from its
    /// figures, e.g. "Participants starting paid work: 40 in 2024-25, up from 28 in
    /// 2023-24"); `title` stands under it as the description.
    #[serde(default)]
    pub headline: Option<String>,
    /// The categories' dimension, then the stack's, parsed by the spec check.
    #[serde(skip)]
    dims: Vec<Dimension>,
}

/// The kinds of chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartType {
    /// One bar per category.
    Bar,
    /// One bar per category, split by a second dimension.
    StackedBar,
    /// Indicators over periods.
    Line,
    /// Actual against target per period.
    TargetVsActual,
}

impl ChartType {
    /// The categories of a chart whose spec names no `by` (one place, read by the
    /// figures a chart needs and by the chart itself).
    pub fn default_by(self) -> &'static str {
        match self {
            ChartType::Line => "quarter",
            ChartType::TargetVsActual => "financial_year",
            ChartType::Bar | ChartType::StackedBar => "programme",
        }
    }
}

impl Chart {
    /// The dimensions grouped by: the categories' (`by`, else the chart's default),
    /// then the stack's.
    fn dim_names(&self) -> Vec<String> {
        if !self.dims.is_empty() {
            return self.dims.iter().map(|d| d.name().to_string()).collect();
        }
        let mut dims = vec![self.by.clone().unwrap_or_else(|| self.chart.default_by().to_string())];
        dims.extend(self.stack.iter().cloned());
        dims
    }
}

impl SectionKind for Chart {
    fn name(&self) -> &'static str {
        "chart"
    }

    fn indicator_ids(&self) -> Vec<&str> {
        self.indicator.iter().chain(&self.indicators).map(String::as_str).collect()
    }

    fn check(&mut self, at: &At) -> Result<()> {
        let needs_one = matches!(self.chart, ChartType::Bar | ChartType::StackedBar);
        if needs_one && self.indicator.is_none() {
            return Err(at.error("this chart needs `indicator = \"…\"`"));
        }
        if !needs_one && self.indicators.is_empty() && self.indicator.is_none() {
            return Err(at.error("this chart needs `indicators = [\"…\"]`"));
        }
        let mut dims = Vec::new();
        for d in self.by.iter().chain(&self.stack) {
            dims.extend(Dimension::parse_list(d).map_err(|e| at.error(e))?);
        }
        // Every indicator of a chart stands on one axis: their units must agree
        // (whole-number counts of things, people and jobs, may share it).
        let on_axis: Vec<&crate::indicator::Indicator> =
            self.indicator.iter().chain(&self.indicators).filter_map(|id| at.library.get(id)).collect();
        let counts = |i: &crate::indicator::Indicator| {
            i.integer
                || matches!(
                    i.aggregation,
                    crate::indicator::Aggregation::Count | crate::indicator::Aggregation::Distinct
                )
        };
        if let Some(first) = on_axis.first() {
            if let Some(other) = on_axis.iter().find(|i| i.unit != first.unit && !(counts(first) && counts(i))) {
                return Err(at
                    .error(format!(
                        "`{}` is in {} and `{}` in {}, which cannot share one axis",
                        first.id, first.unit, other.id, other.unit
                    ))
                    .with_hint("give each unit its own chart section"));
            }
        }
        if self.chart == ChartType::StackedBar && self.stack.is_none() {
            return Err(at.error("a stacked_bar needs `stack`, e.g. \"beneficiary_group\""));
        }
        if self.by.is_none() {
            dims.insert(0, super::super::need::dimension(self.chart.default_by()));
        }
        self.dims = dims;
        Ok(())
    }

    fn needs(&self, needs: &mut Needs) {
        let span = match self.span {
            Span::Period => SpanKey::Period,
            Span::ToDate => SpanKey::ToDate,
        };
        needs.grouping(Need { dims: self.dim_names(), span }, self.indicator_ids().into_iter().map(str::to_string));
    }

    fn blocks(&self, ctx: &Context, n: usize, out: &mut Blocks) -> Result<()> {
        let ids = self.indicator_ids();
        blocks(
            ctx,
            n,
            &self.title,
            self.chart,
            &ids,
            self.by.as_deref(),
            self.stack.as_deref(),
            self.span,
            self.caption.as_deref(),
            self.headline.as_deref(),
            out,
        );
        Ok(())
    }
}

/// What a chart's value axis measures: its indicators' units ("jobs, people", "£").
fn axis_title(ctx: &Context, ids: &[&str]) -> String {
    let mut units: Vec<&str> = Vec::new();
    for id in ids {
        if let Some(ind) = ctx.library.get(id) {
            let u = unit_symbol(&ind.unit);
            if !units.contains(&u) {
                units.push(u);
            }
        }
    }
    units.join(", ")
}

#[allow(clippy::too_many_arguments)]
fn blocks(
    ctx: &Context,
    n: usize,
    title: &str,
    kind: ChartType,
    ids: &[&str],
    by: Option<&str>,
    stack: Option<&str>,
    span: Span,
    caption: Option<&str>,
    headline: Option<&str>,
    out: &mut Blocks,
) {
    let (data, mut notes) = chart_data(ctx, kind, ids, by, stack, span);
    if data.categories.is_empty() {
        if ctx.about.omit_empty {
            return;
        }
        // Nothing to draw: say so rather than print an empty frame.
        out.heading(title);
        out.paragraph(&notes.join(" "), BODY, Rgb::MUTED);
        out.space(10.0);
        return;
    }
    let height = match data.kind {
        ChartKind::Bars => bar_chart_height(data.categories.len()),
        _ => 230.0,
    };
    if !data.withheld.is_empty() {
        notes.push("Some figures are withheld to protect small numbers of people: they are marked where they would stand, not drawn (the notes on marks say what each means).".to_string());
    }
    // Findings first: what the figures show, then what the chart is.
    let is_period = crate::aggregate::Grain::parse(by.unwrap_or(kind.default_by())).is_some();
    let indicator = ids.first().and_then(|id| ctx.library.get(id)).map_or("", |i| i.name.as_str());
    let found = if ids.len() > 1 && kind == ChartType::TargetVsActual {
        None
    } else {
        finding(&data, kind, is_period, indicator)
    };
    match headline.map(str::to_string).or(found) {
        Some(found) => {
            out.heading(&found);
            out.line(title, 9.0, false, 14.0);
        }
        None => out.heading(title),
    }
    out.chart(data, height, slug(n, title));
    out.space(4.0);
    for line in notes.iter().map(String::as_str).chain(caption) {
        out.paragraph(line, 8.0, Rgb::MUTED);
    }
    out.space(10.0);
}

/// What a chart's published figures show, in words, for its heading: the latest
/// period's figure of the first series against the period before it (the same quarter
/// a year before, for quarters) and its target; the largest category or group. None
/// when nothing published can be said. Withheld figures are never described.
fn finding(data: &ChartData, kind: ChartType, is_period: bool, indicator: &str) -> Option<String> {
    let series = data.series.first()?;
    let published = |k: usize, i: usize| -> Option<f64> {
        let withheld = data.withheld.iter().any(|w| w.0 == k && w.1 == i);
        data.series.get(k)?.values.get(i).copied().flatten().filter(|_| !withheld)
    };
    let figure = |v: f64| super::super::format::value(Some(v), &data.unit);
    let cats = &data.categories;
    match (kind, is_period) {
        (ChartType::StackedBar, _) => {
            // The largest group in the last category.
            let i = cats.len().checked_sub(1)?;
            let (k, v) = (0..data.series.len())
                .filter_map(|k| published(k, i).map(|v| (k, v)))
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))?;
            let group = &data.series[k].name;
            if group.starts_with('(') {
                return None;
            }
            Some(format!("{indicator}: the largest group in {} was {group} ({})", cats[i], figure(v)))
        }
        (_, true) => {
            let name = if kind == ChartType::TargetVsActual { indicator.to_string() } else { series.name.clone() };
            let i = (0..cats.len()).rev().find(|i| published(0, *i).is_some())?;
            let v = published(0, i)?;
            let quarterly = cats[i].contains('Q');
            let before = if quarterly && i >= 4 { Some(i - 4) } else { i.checked_sub(1) };
            let mut text = format!("{name}: {} in {}", figure(v), cats[i]);
            if let Some((j, p)) = before.and_then(|j| published(0, j).map(|p| (j, p))) {
                let when =
                    if quarterly && i - j == 4 { "a year before".to_string() } else { format!("in {}", cats[j]) };
                let change = match v.partial_cmp(&p) {
                    Some(std::cmp::Ordering::Greater) => format!(", up from {} {when}", figure(p)),
                    Some(std::cmp::Ordering::Less) => format!(", down from {} {when}", figure(p)),
                    _ => format!(", the same as {when}"),
                };
                text.push_str(&change);
            }
            if kind == ChartType::TargetVsActual {
                if let Some(t) =
                    data.series.get(1).and_then(|s| s.values.get(i).copied().flatten()).filter(|t| *t > 0.0)
                {
                    text.push_str(&format!(", {:.0}% of its target", v / t * 100.0));
                }
            }
            // Later periods are withheld, never passed over in silence.
            let later: Vec<&str> = cats[i + 1..].iter().map(String::as_str).collect();
            match later.as_slice() {
                [] => {}
                [one] => text.push_str(&format!("; {one} withheld to protect small numbers")),
                _ => text.push_str(&format!(
                    "; {} to {} withheld to protect small numbers",
                    later[0],
                    later[later.len() - 1]
                )),
            }
            Some(text)
        }
        (_, false) => {
            // The category with the most.
            let (i, v) = (0..cats.len())
                .filter_map(|i| published(0, i).map(|v| (i, v)))
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))?;
            if cats.len() == 1 {
                return Some(format!("{}: {} from {}", series.name, figure(v), cats[i]));
            }
            // Of the whole, when the whole is published.
            let whole = (0..cats.len()).map(|i| published(0, i)).sum::<Option<f64>>();
            Some(match whole {
                Some(w) if data.withheld.is_empty() => {
                    format!("{}: the most from {} ({} of {})", series.name, cats[i], figure(v), figure(w))
                }
                _ => format!("{}: the most from {} ({})", series.name, cats[i], figure(v)),
            })
        }
    }
}

/// Build a chart's data from the figures, with notes on anything a reader should know
/// (no targets, no records, labels that differ only in spelling).
fn chart_data(
    ctx: &Context,
    kind: ChartType,
    ids: &[&str],
    by: Option<&str>,
    stack: Option<&str>,
    span: Span,
) -> (ChartData, Vec<String>) {
    let by = by.unwrap_or(kind.default_by());
    let mut dims = vec![by.to_string()];
    dims.extend(stack.map(str::to_string));
    let span = if span == Span::ToDate { SpanKey::ToDate } else { SpanKey::Period };
    let need = Need { dims, span };
    let rows = ctx.figures.rows(&need, ctx.subject);
    let unit = ids.first().and_then(|id| ctx.library.get(id)).map_or(String::new(), |i| i.unit.clone());
    let is_period = crate::aggregate::Grain::parse(by).is_some();
    let label = |k: &str| -> String {
        if is_period {
            k.to_string()
        } else {
            name_of(ctx, k).to_string()
        }
    };
    let ind_name = |id: &str| ctx.library.get(id).map_or(id.to_string(), |i| i.name.clone());
    let mut notes = Vec::new();
    let mark = |r: &Row| mark(ctx, r);
    let mut data = match kind {
        ChartType::Bar => {
            let id = ids[0];
            // Withheld figures keep their place (after the drawn ones), marked.
            let mut pairs: Vec<(String, Option<f64>, Option<String>)> = rows
                .iter()
                .filter(|r| r.indicator == id && (r.value.is_some() || mark(r).is_some()))
                .map(|r| (r.keys[0].clone(), r.value, mark(r)))
                .collect();
            if is_period {
                pairs.sort_by(|a, b| a.0.cmp(&b.0));
            } else {
                // Largest first; ties by name, so output is stable.
                pairs.sort_by(|a, b| {
                    b.1.unwrap_or(f64::NEG_INFINITY).total_cmp(&a.1.unwrap_or(f64::NEG_INFINITY)).then(a.0.cmp(&b.0))
                });
            }
            ChartData {
                kind: ChartKind::Bars,
                categories: pairs.iter().map(|p| label(&p.0)).collect(),
                series: vec![Series {
                    name: ind_name(id),
                    values: pairs.iter().map(|p| p.1).collect(),
                    outline: false,
                }],
                withheld: pairs.iter().enumerate().filter_map(|(i, p)| p.2.clone().map(|m| (0, i, m))).collect(),
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
            let cell = |c: &String, s: &String| mine.iter().find(|r| &r.keys[0] == c && &r.keys[1] == s).copied();
            // Groups are shown with spaces for underscores; two labels that would then
            // read the same (a spelling slip in the data) are shown as recorded instead.
            let shown: Vec<String> = stacks.iter().map(|s| s.replace('_', " ")).collect();
            let clash = |k: usize| shown.iter().filter(|d| **d == shown[k]).count() > 1;
            if (0..stacks.len()).any(clash) {
                notes.push("Some groups are recorded under labels that differ only in spacing or underscores; they are shown apart, in quotes as recorded. Correct the data to count them together.".to_string());
            }
            let series = stacks
                .iter()
                .enumerate()
                .map(|(k, s)| Series {
                    name: if clash(k) { format!("\"{s}\"") } else { shown[k].clone() },
                    values: cats.iter().map(|c| cell(c, s).and_then(|r| r.value)).collect(),
                    outline: false,
                })
                .collect();
            let withheld = marks_of(&stacks, &cats, |s, c| cell(c, s).and_then(mark));
            // People counted once overall may be in two groups: the bar is not the count.
            let once = ctx.library.get(id).is_some_and(|i| i.roll_up() == RollUp::Distinct);
            if once && stack == Some("beneficiary_group") {
                let period_total = total(ctx, id)
                    .filter(|r| {
                        r.value.is_some() && ctx.window.financial_year.as_deref() == cats.last().map(String::as_str)
                    })
                    .map(|r| format!(" ({} in {})", super::shown(ctx, r, "people"), ctx.window.label))
                    .unwrap_or_default();
                notes.push(format!(
                    "A person can be in more than one group, so a bar can add up to more than the people counted, each once{period_total}."
                ));
            }
            // Each group's colour is its place among the batch's groups, not this chart's.
            let batch = ctx.figures.batch_keys(&need, 1);
            let colours = stacks.iter().map(|s| batch.iter().position(|b| b == s).unwrap_or(0)).collect();
            ChartData {
                kind: ChartKind::Stacked,
                categories: cats.iter().map(|c| label(c)).collect(),
                series,
                unit,
                withheld,
                colours,
                ..Default::default()
            }
        }
        ChartType::Line => {
            let mut cats: Vec<String> =
                rows.iter().filter(|r| ids.contains(&r.indicator.as_str())).map(|r| r.keys[0].clone()).collect();
            cats.sort();
            cats.dedup();
            let cell = |id: &str, c: &String| rows.iter().find(|r| r.indicator == id && &r.keys[0] == c);
            let series = ids
                .iter()
                .map(|id| Series {
                    name: ind_name(id),
                    values: cats.iter().map(|c| cell(id, c).and_then(|r| r.value)).collect(),
                    outline: false,
                })
                .collect();
            let withheld = marks_of(ids, &cats, |id, c| cell(id, c).and_then(mark));
            ChartData { kind: ChartKind::Lines, categories: cats, series, unit, withheld, ..Default::default() }
        }
        ChartType::TargetVsActual => {
            let mine: Vec<Option<&Row>> = if ids.len() == 1 {
                rows.iter().filter(|r| r.indicator == ids[0]).map(Some).collect()
            } else {
                ids.iter().map(|id| rows.iter().find(|r| r.indicator == *id)).collect()
            };
            let cats: Vec<String> = if ids.len() == 1 {
                mine.iter().flatten().map(|r| r.keys[0].clone()).collect()
            } else {
                ids.iter().map(|id| ind_name(id)).collect()
            };
            let actual: Vec<Option<f64>> = mine.iter().map(|r| r.and_then(|r| r.value)).collect();
            let target: Vec<Option<f64>> = mine.iter().map(|r| r.and_then(|r| r.target)).collect();
            let withheld = mine.iter().enumerate().filter_map(|(i, r)| r.and_then(mark).map(|m| (0, i, m))).collect();
            let mut series = vec![Series { name: "Actual".into(), values: actual, outline: false }];
            // The legend lists only what is drawn: no target, no "Target".
            if target.iter().all(Option::is_none) {
                notes.push(format!(
                    "No targets are set for {} in this period: only actual figures are shown.",
                    ctx.subject_name
                ));
            } else {
                series.push(Series { name: "Target".into(), values: target, outline: true });
            }
            ChartData { kind: ChartKind::Grouped, categories: cats, series, unit, withheld, ..Default::default() }
        }
    };
    if data.categories.is_empty() {
        notes.push(format!("No records for {} in this period.", ctx.subject_name));
    }
    data.withheld.sort();
    data.axis = axis_title(ctx, ids);
    (data, notes)
}

/// The withheld marks of a chart with one series per item of `series` and one point
/// per category: (series, category, mark) where `mark_at` gives one.
fn marks_of<S>(
    series: &[S],
    cats: &[String],
    mark_at: impl Fn(&S, &String) -> Option<String>,
) -> Vec<(usize, usize, String)> {
    series
        .iter()
        .enumerate()
        .flat_map(|(k, s)| {
            cats.iter().enumerate().filter_map(|(i, c)| mark_at(s, c).map(|m| (k, i, m))).collect::<Vec<_>>()
        })
        .collect()
}

/// A chart's data as a table: one row per category, one column per series.
pub fn chart_frame(d: &ChartData) -> Result<DataFrame> {
    use polars::prelude::*;
    let mut cols = vec![Column::new("category".into(), d.categories.clone())];
    for s in &d.series {
        cols.push(Column::new(s.name.as_str().into(), s.values.clone()));
    }
    cols.push(Column::new("unit".into(), vec![d.unit.clone(); d.categories.len()]));
    if !d.withheld.is_empty() {
        // The marks of withheld figures per category, as printed on the chart.
        let marks: Vec<Option<String>> =
            (0..d.categories.len()).map(|i| Some(d.marks_at(i)).filter(|m| !m.is_empty())).collect();
        cols.push(Column::new("withheld".into(), marks));
    }
    Ok(DataFrame::new(d.categories.len(), cols)?)
}
