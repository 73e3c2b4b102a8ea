//! A chart in words, from its data: the alternative text of the tagged PDF's figure
//! and the HTML report's SVG description. Every figure the chart draws is said, and
//! every withheld one is said to be withheld, so nothing exists only as a picture.

use super::{ChartData, ChartKind};
use crate::report::format;

/// "Column chart: {title}. Values in {axis}. 2022-23: Job starts 50, target 45; …".
pub fn describe(data: &ChartData, title: &str) -> String {
    let kind = match data.kind {
        ChartKind::Bars => "Bar chart",
        ChartKind::Dots => "Dot chart",
        ChartKind::Stacked => "Stacked column chart",
        ChartKind::Grouped => "Column chart",
        ChartKind::Lines => "Line chart",
        ChartKind::Tornado => "Sensitivity chart",
    };
    let mut out = String::from(kind);
    let title = title.trim().trim_end_matches('.');
    if !title.is_empty() {
        out.push_str(": ");
        out.push_str(title);
    }
    out.push('.');
    if data.categories.is_empty() || data.series.is_empty() {
        out.push_str(" No figures to chart.");
        return out;
    }
    if !data.axis.is_empty() {
        out.push_str(&format!(" Values in {}.", data.axis));
    }
    if let (ChartKind::Tornado, Some(base)) = (&data.kind, data.base) {
        out.push_str(&format!(" The result as stated is {}.", number(base, &data.unit)));
    }
    if let Some(reference) = data.reference {
        out.push_str(&format!(" A line marks {}.", number(reference, &data.unit)));
    }
    let single = data.series.iter().filter(|s| !s.outline).count() == 1;
    let parts: Vec<String> = data
        .categories
        .iter()
        .enumerate()
        .map(|(i, category)| {
            let figures: Vec<String> = data
                .series
                .iter()
                .enumerate()
                .filter_map(|(k, series)| {
                    let figure = match (series.values.get(i).copied().flatten(), withheld(data, k, i)) {
                        (_, Some(mark)) => mark,
                        (Some(v), None) => number(v, &data.unit),
                        (None, None) if single && !series.outline => "no figure".to_string(),
                        (None, None) => return None,
                    };
                    Some(if single && !series.outline {
                        figure
                    } else if series.outline {
                        format!("{} {figure}", lower_first(&series.name))
                    } else {
                        format!("{} {figure}", series.name)
                    })
                })
                .collect();
            let mut part =
                format!("{category}: {}", if figures.is_empty() { "no figure".into() } else { figures.join(", ") });
            if let Some(words) = data.words.get(i).filter(|w| !w.is_empty()) {
                part.push_str(&format!(" ({words})"));
            }
            part
        })
        .collect();
    out.push(' ');
    out.push_str(&parts.join("; "));
    out.push('.');
    out
}

fn number(v: f64, unit: &str) -> String {
    format::value(Some(v), unit)
}

/// A withheld figure in words: "fewer than 5 (withheld)" for `<5`, else "withheld".
fn withheld(data: &ChartData, series: usize, category: usize) -> Option<String> {
    let (_, _, mark) = data.withheld.iter().find(|w| w.0 == series && w.1 == category)?;
    Some(match mark.strip_prefix('<') {
        Some(n) => format!("fewer than {n} (withheld)"),
        None => "withheld".to_string(),
    })
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        // Keep a name that is an acronym or starts one ("SROI target").
        Some(c) if chars.clone().next().is_some_and(char::is_lowercase) => c.to_lowercase().chain(chars).collect(),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::chart::Series;

    #[test]
    fn a_chart_against_target_with_a_withheld_year_in_words() {
        let data = ChartData {
            kind: ChartKind::Grouped,
            categories: vec!["2022-23".into(), "2023-24".into(), "2024-25".into()],
            series: vec![
                Series { name: "Job starts".into(), values: vec![Some(50.0), Some(33.0), None], outline: false },
                Series { name: "Target".into(), values: vec![Some(45.0), Some(48.0), Some(40.0)], outline: true },
            ],
            axis: "people".into(),
            withheld: vec![(0, 2, "<5".into())],
            ..Default::default()
        };
        assert_eq!(
            describe(&data, "Job starts fell short of target in 2023-24."),
            "Column chart: Job starts fell short of target in 2023-24. Values in people. \
             2022-23: 50, target 45; 2023-24: 33, target 48; 2024-25: fewer than 5 (withheld), target 40."
        );
    }

    #[test]
    fn several_series_are_named_and_money_has_its_symbol() {
        let data = ChartData {
            kind: ChartKind::Stacked,
            categories: vec!["Q1".into()],
            series: vec![
                Series { name: "Women".into(), values: vec![Some(1200.0)], outline: false },
                Series { name: "Men".into(), values: vec![None], outline: false },
            ],
            unit: "GBP".into(),
            withheld: vec![(1, 0, "[c]".into())],
            ..Default::default()
        };
        assert_eq!(describe(&data, ""), "Stacked column chart. Q1: Women £1,200, Men withheld.");
        assert_eq!(describe(&ChartData::default(), "Nothing"), "Bar chart: Nothing. No figures to chart.");
    }
}
