//! The tables behind each section, for `--figures-dir`.

#[allow(unused_imports)]
use super::*;

/// The figures behind a section as a table, for analysts (`--figures-dir`). Charts are
/// exported from their data instead; text and page breaks have none.
pub(super) fn section_table(ctx: &Context, section: &Section) -> Result<Option<polars::prelude::DataFrame>> {
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
        // A withheld figure's record count is withheld with it: it can give the count back.
        cols.push(Column::new("records".into(), rows.iter().map(|r| (!r.withheld.is_withheld()).then_some(r.records)).collect::<Vec<_>>()));
        cols.push(Column::new("target".into(), rows.iter().map(|r| r.target).collect::<Vec<_>>()));
        if ctx.figures.suppress_below.is_some() {
            cols.push(Column::new("withheld".into(), rows.iter().map(|r| r.withheld.word()).collect::<Vec<_>>()));
        }
        Ok(DataFrame::new(rows.len(), cols)?)
    };
    let by_kind = || match ctx.spec.subject {
        crate::report::spec::SubjectKind::Organisation => crate::value::GroupBy::Organisation,
        _ => crate::value::GroupBy::Programme,
    };
    Ok(match section {
        Section::Kpis { .. } => {
            let rows: Vec<&Row> = kpi_indicators(ctx, section).iter().filter_map(|id| total(ctx, id)).collect();
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
    if !d.withheld.is_empty() {
        // The marks of withheld figures per category, as printed on the chart.
        let marks: Vec<Option<String>> = (0..d.categories.len()).map(|i| Some(d.marks_at(i)).filter(|m| !m.is_empty())).collect();
        cols.push(Column::new("withheld".into(), marks));
    }
    Ok(DataFrame::new(d.categories.len(), cols)?)
}
