//! The plan: what numbers a spec needs, read off its sections once, so the figures
//! are computed for every subject in one pass and each section only reads them.

use std::collections::BTreeMap;

use super::figures::{Need, SpanKey};
use super::spec::{Per, Section, Span, Spec, Window};
use crate::aggregate::Unit;

/// The KPI grouping: the period's financial year when it is one (so targets keyed by
/// it join), otherwise none.
pub fn kpi_need(window: &Window) -> Need {
    Need { dims: window.financial_year.iter().map(|_| "financial_year".to_string()).collect(), span: SpanKey::Period }
}

/// The groupings each section needs.
/// `valued`: the indicators a social value section may value, whose totals the report
/// needs so it can tell whether a value would give a withheld count away.
pub fn needs(spec: &Spec, window: &Window, valued: &[String]) -> BTreeMap<Need, Vec<String>> {
    let mut out: BTreeMap<Need, Vec<String>> = BTreeMap::new();
    let mut add = |need: Need, ids: Vec<String>| out.entry(need).or_default().extend(ids);
    // Totals for the indicator set and every placeholder: one KPI grouping.
    let mut totals: Vec<String> = spec.indicators.clone();
    if needs_value(spec) {
        totals.extend(valued.iter().cloned());
    }
    for s in &spec.sections {
        match s {
            Section::Kpis { indicators, .. } => totals.extend(indicators.iter().cloned()),
            Section::Text { .. } => totals.extend(s.indicator_ids().into_iter().map(str::to_string)),
            Section::Chart { chart, indicator, indicators, by, stack, span, .. } => {
                let ids: Vec<String> = indicator.iter().chain(indicators).cloned().collect();
                let mut dims = vec![by.clone().unwrap_or_else(|| chart.default_by().to_string())];
                dims.extend(stack.iter().cloned());
                let span = match span {
                    Span::Period => SpanKey::Period,
                    Span::ToDate => SpanKey::ToDate,
                };
                add(Need { dims, span }, ids);
            }
            Section::Table { by, indicators, .. } => {
                add(Need { dims: by.clone(), span: SpanKey::Period }, indicators.clone())
            }
            Section::SmallMultiples { indicator, by, grain, span, .. } => {
                let span = if *span == Span::ToDate { SpanKey::ToDate } else { SpanKey::Period };
                add(Need { dims: vec![by.clone(), grain.clone()], span }, vec![indicator.clone()]);
            }
            _ => {}
        }
    }
    add(kpi_need(window), totals);
    for ids in out.values_mut() {
        ids.sort();
        ids.dedup();
    }
    out
}

/// The peer comparisons ranking and cost-per-outcome sections read: indicators by
/// (programme|organisation, per).
pub fn peer_needs(spec: &Spec) -> BTreeMap<(Unit, Per), Vec<String>> {
    let mut wanted: BTreeMap<(Unit, Per), Vec<String>> = BTreeMap::new();
    for s in &spec.sections {
        match s {
            Section::Ranking { indicator, per, by, .. } => {
                wanted.entry((*by, *per)).or_default().push(indicator.clone())
            }
            Section::CostPerOutcome { indicator, by, .. } => {
                wanted.entry((*by, Per::Investment)).or_default().push(indicator.clone())
            }
            _ => {}
        }
    }
    for ids in wanted.values_mut() {
        ids.sort();
        ids.dedup();
    }
    wanted
}

/// Sections that read the social value computation.
pub fn needs_value(spec: &Spec) -> bool {
    spec.sections
        .iter()
        .any(|s| matches!(s, Section::SocialValue { .. } | Section::ImpactMap { .. } | Section::Tornado { .. }))
}

/// Sections that read the commitments table.
pub fn needs_commitments(spec: &Spec) -> bool {
    spec.sections.iter().any(|s| matches!(s, Section::Commitments { .. }))
}

/// Sections that compare subjects with each other (one report about all of them).
pub fn compares_peers(spec: &Spec) -> bool {
    spec.sections
        .iter()
        .any(|s| matches!(s, Section::Ranking { .. } | Section::CostPerOutcome { .. } | Section::SmallMultiples { .. }))
}
