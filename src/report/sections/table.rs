//! Table sections: figures by the spec's dimensions, one row per group and indicator.

use super::super::need::{Need, SpanKey};
use super::*;
use crate::aggregate::Dimension;

/// A table of indicators by dimensions.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// Heading.
    pub title: String,
    /// Row dimensions (empty: one row per indicator).
    #[serde(default)]
    pub by: Vec<String>,
    /// Indicators, one column each.
    pub indicators: Vec<String>,
    /// `by`, parsed by the spec check.
    #[serde(skip)]
    dims: Vec<Dimension>,
}

impl Table {
    /// The row dimensions by name (as parsed, once checked).
    fn dim_names(&self) -> Vec<String> {
        if self.dims.len() == self.by.len() {
            self.dims.iter().map(|d| d.name().to_string()).collect()
        } else {
            self.by.clone()
        }
    }
}

impl SectionKind for Table {
    fn name(&self) -> &'static str {
        "table"
    }

    fn indicator_ids(&self) -> Vec<&str> {
        self.indicators.iter().map(String::as_str).collect()
    }

    fn check(&mut self, at: &At) -> Result<()> {
        self.dims = Dimension::parse_list(&self.by.join(",")).map_err(|e| at.error(e))?;
        Ok(())
    }

    fn needs(&self, needs: &mut Needs) {
        needs.grouping(Need { dims: self.dim_names(), span: SpanKey::Period }, self.indicators.iter().cloned());
    }

    fn blocks(&self, ctx: &Context, _n: usize, out: &mut Blocks) -> Result<()> {
        blocks(ctx, &self.title, &self.dim_names(), &self.indicators, out);
        Ok(())
    }

    fn table(&self, ctx: &Context) -> Result<Option<DataFrame>> {
        table(ctx, &self.dim_names(), &self.indicators).map(Some)
    }
}

fn blocks(ctx: &Context, title: &str, by: &[String], indicators: &[String], out: &mut Blocks) {
    let (head, rows, numeric) = table_rows(ctx, by, indicators);
    if rows.is_empty() && ctx.about.omit_empty {
        return;
    }
    out.heading(title);
    if rows.is_empty() {
        out.paragraph(&format!("No records for {} in this period.", ctx.subject_name), BODY, Rgb::MUTED);
        return;
    }
    out.table(head, rows, numeric);
}

/// The section's figures as a table.
fn table(ctx: &Context, by: &[String], indicators: &[String]) -> Result<DataFrame> {
    let need = Need { dims: by.to_vec(), span: SpanKey::Period };
    let rows: Vec<&Row> =
        ctx.figures.rows(&need, ctx.subject).iter().filter(|r| indicators.contains(&r.indicator)).collect();
    frame_of_rows(ctx, &rows, by)
}

/// Figure rows as a table: dims…, indicator, value, unit, records, target, withheld.
pub(super) fn frame_of_rows(ctx: &Context, rows: &[&Row], dims: &[String]) -> Result<DataFrame> {
    use polars::prelude::*;
    let mut cols: Vec<Column> = dims
        .iter()
        .enumerate()
        .map(|(k, d)| Column::new(d.as_str().into(), rows.iter().map(|r| r.keys[k].clone()).collect::<Vec<_>>()))
        .collect();
    cols.push(Column::new("indicator".into(), rows.iter().map(|r| r.indicator.clone()).collect::<Vec<_>>()));
    cols.push(Column::new("value".into(), rows.iter().map(|r| r.value).collect::<Vec<_>>()));
    cols.push(Column::new(
        "unit".into(),
        rows.iter()
            .map(|r| ctx.library.get(&r.indicator).map_or(String::new(), |i| i.unit.clone()))
            .collect::<Vec<_>>(),
    ));
    // A withheld figure's record count is withheld with it: it can give the count back.
    let records = |r: &Row| {
        if r.withheld.is_withheld() {
            None
        } else {
            records_published(ctx, r.records.max(0) as u64).map(|n| n as i64)
        }
    };
    cols.push(Column::new("records".into(), rows.iter().map(|r| records(r)).collect::<Vec<_>>()));
    cols.push(Column::new("target".into(), rows.iter().map(|r| r.target).collect::<Vec<_>>()));
    if ctx.figures.suppress_below.is_some() {
        cols.push(Column::new("withheld".into(), rows.iter().map(|r| r.withheld.word()).collect::<Vec<_>>()));
    }
    Ok(DataFrame::new(rows.len(), cols)?)
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
        r.keys
            .iter()
            .zip(by)
            .map(
                |(k, d)| {
                    if crate::aggregate::Grain::parse(d).is_some() {
                        k.clone()
                    } else {
                        name_of(ctx, k).to_string()
                    }
                },
            )
            .collect()
    };
    let mut sorted: Vec<(Vec<String>, &Row)> =
        rows.iter().filter(|r| ids.contains(&r.indicator)).map(|r| (shown_keys(r), r)).collect();
    let order = |id: &str| ids.iter().position(|i| i == id).unwrap_or(usize::MAX);
    // Rows in the order a reader looks for them: by the names shown, then the spec's indicator order.
    sorted.sort_by(|a, b| a.0.cmp(&b.0).then(order(&a.1.indicator).cmp(&order(&b.1.indicator))));
    for (mut cells, r) in sorted {
        let Some(ind) = ctx.library.get(&r.indicator) else { continue };
        let unit = super::super::format::unit_word(&ind.unit);
        cells.push(if unit.is_empty() { ind.name.clone() } else { format!("{} ({unit})", ind.name) });
        cells.push(shown(ctx, r, &ind.unit));
        cells.push(if r.withheld.is_withheld() { "–".into() } else { records_shown(ctx, r.records.max(0) as u64) });
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
