//! Chart data for chart sections, from the figures.

#[allow(unused_imports)]
use super::*;

/// Build a chart's data from the figures. Returns a note when something is missing.
pub(super) fn chart_data(ctx: &Context, kind: ChartType, ids: &[&str], by: Option<&str>, stack: Option<&str>, span: Span) -> (ChartData, Option<String>) {
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
