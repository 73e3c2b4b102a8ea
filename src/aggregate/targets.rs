//! Targets and baselines joined onto figures.
//!
//! A targets table has `indicator`, `target`, optional `baseline`, and the keys it
//! applies to: any of `organisation`, `programme` and `period` (a period label
//! such as 2024-25 or 2024-Q1). A target row applies to figures grouped by exactly
//! its keys: a programme × period target meets `--by programme,financial_year`.

use std::collections::HashSet;
use std::path::Path;

use polars::prelude::*;

use super::Dimension;
use crate::data::side::SideTable;
use crate::error::{Error, Result};
use crate::indicator::{Direction, Library};

const KEYS: [&str; 3] = ["organisation", "programme", "period"];

/// Targets and baselines per indicator, read from a targets table.
#[derive(Debug, Clone)]
pub struct Targets {
    /// organisation, programme, period (text, null when the row does not use it),
    /// indicator, target, baseline (Float64).
    pub df: DataFrame,
}

impl Targets {
    /// Reads a targets table (CSV or workbook) strictly (see `data::side`), checking
    /// its indicators against the library.
    pub fn load(path: &Path, library: &Library) -> Result<Targets> {
        let table = SideTable::read(
            path,
            &["indicator", "target"],
            "a targets table has indicator, target, optional baseline, and organisation/programme/period keys",
        )?;
        let n = table.len();
        let (mut indicators, mut target, mut baseline) =
            (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
        let (mut org, mut prog, mut period) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
        let mut seen = HashSet::new();
        for i in 0..n {
            let id = table.text(i, "indicator")?;
            if library.get(&id).is_none() {
                let err = table.error(i, "indicator", format!("unknown indicator `{id}`"));
                return Err(match library.nearest(&id) {
                    Some(near) => err.with_hint(format!("did you mean `{near}`?")),
                    None => err,
                });
            }
            let keys = (
                table.optional(i, "organisation").map(str::to_string),
                table.optional(i, "programme").map(str::to_string),
                table.optional(i, "period").map(str::to_string),
            );
            if !seen.insert((keys.clone(), id.clone())) {
                return Err(Error::read(
                    path,
                    format!(
                        "row {}: a second target for the same organisation, programme, period and indicator",
                        table.row_number(i)
                    ),
                )
                .with_hint("keep one target per key"));
            }
            target.push(Some(
                table.optional_number(i, "target")?.ok_or_else(|| table.error(i, "target", "no value given"))?,
            ));
            baseline.push(table.optional_number(i, "baseline")?);
            indicators.push(Some(id));
            org.push(keys.0);
            prog.push(keys.1);
            period.push(keys.2);
        }
        let df = df!(
            "organisation" => org, "programme" => prog, "period" => period,
            "indicator" => indicators, "target" => target, "baseline" => baseline
        )?;
        Ok(Targets { df })
    }

    /// Add target, baseline, pct_achieved and change_from_baseline to figures.
    /// Targets apply when the figures are grouped by exactly a target row's keys;
    /// otherwise the columns are present but empty.
    pub fn join(&self, figures: &DataFrame, by: &[Dimension], library: &Library) -> Result<DataFrame> {
        let mut keys: Vec<(&str, &str)> = Vec::new(); // (targets column, figures column)
        let mut joinable = true;
        for d in by {
            match d {
                Dimension::Field(f @ ("organisation" | "programme")) => keys.push((f, f)),
                Dimension::Period(g) => keys.push(("period", g.name())),
                Dimension::Field(_) => joinable = false,
            }
        }
        let lower: Vec<&str> =
            library.iter().filter(|i| i.direction == Direction::Lower).map(|i| i.id.as_str()).collect();
        let lower_is_better =
            lower.iter().map(|id| col("indicator").eq(lit(*id))).reduce(|a, b| a.or(b)).unwrap_or(lit(false));
        let mut t = self.df.clone().lazy();
        for k in KEYS {
            let used = keys.iter().any(|(tk, _)| *tk == k);
            t = t.filter(if used { col(k).is_not_null() } else { col(k).is_null() });
        }
        if !joinable {
            t = t.filter(lit(false));
        }
        let mut select: Vec<Expr> = keys.iter().map(|(tk, fk)| col(*tk).alias(*fk)).collect();
        select.extend([col("indicator"), col("target"), col("baseline")]);
        let mut on: Vec<Expr> = keys.iter().map(|(_, fk)| col(*fk)).collect();
        on.push(col("indicator"));
        let out = figures
            .clone()
            .lazy()
            .join(t.select(select), on.clone(), on, JoinArgs::new(JoinType::Left))
            .with_columns([
                when(col("target").gt(lit(0.0)).and(lower_is_better.clone().not()))
                    .then(col("value") / col("target") * lit(100.0))
                    .when(col("value").gt(lit(0.0)).and(lower_is_better))
                    .then(col("target") / col("value") * lit(100.0))
                    .otherwise(lit(NULL).cast(DataType::Float64))
                    .alias("pct_achieved"),
                (col("value") - col("baseline")).alias("change_from_baseline"),
            ])
            .collect()?;
        Ok(out)
    }
}
