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
use crate::data::parse::parse_amount;
use crate::data::read::read_table;
use crate::data::schema::{normalise_heading, ROW};
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
    /// Reads a targets table (CSV), checking its indicators against the library.
    pub fn load(path: &Path, library: &Library) -> Result<Targets> {
        let raw = read_table(path, None)?;
        let df = raw.df;
        let find = |name: &str| df.get_column_names().into_iter().find(|h| normalise_heading(h) == name).cloned();
        let text_col = |name: &str| -> Result<Vec<Option<String>>> {
            Ok(match find(name) {
                Some(h) => df
                    .column(&h)?
                    .cast(&DataType::String)?
                    .str()?
                    .iter()
                    .map(|v| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()))
                    .collect(),
                None => vec![None; df.height()],
            })
        };
        for required in ["indicator", "target"] {
            if find(required).is_none() {
                let found: Vec<String> =
                    df.get_column_names().iter().filter(|n| n.as_str() != ROW).map(|n| n.to_string()).collect();
                return Err(Error::read(
                    path,
                    format!("missing column `{required}`; the columns found are: {}", found.join(", ")),
                )
                .with_hint(
                    "a targets table has indicator, target, optional baseline, and organisation/programme/period keys",
                ));
            }
        }
        let rows: Vec<i64> = df.column(ROW)?.i64()?.iter().map(|r| r.unwrap_or(0)).collect();
        let indicators = text_col("indicator")?;
        let numbers = |name: &str, required: bool| -> Result<Vec<Option<f64>>> {
            text_col(name)?
                .into_iter()
                .zip(&rows)
                .map(|(v, row)| match v {
                    None if required => Err(Error::read(path, format!("row {row}, column `{name}`: no value given"))),
                    None => Ok(None),
                    Some(t) => parse_amount(&t).map(Some).ok_or_else(|| {
                        Error::read(path, format!("row {row}, column `{name}`: \"{t}\" is not a number"))
                    }),
                })
                .collect()
        };
        let target = numbers("target", true)?;
        let baseline = numbers("baseline", false)?;
        for (id, row) in indicators.iter().zip(&rows) {
            let id = id.as_deref().unwrap_or("");
            if library.get(id).is_none() {
                let err = Error::read(path, format!("row {row}, column `indicator`: unknown indicator `{id}`"));
                return Err(match library.nearest(id) {
                    Some(n) => err.with_hint(format!("did you mean `{n}`?")),
                    None => err,
                });
            }
        }
        let (org, prog, period) = (text_col("organisation")?, text_col("programme")?, text_col("period")?);
        let mut seen = HashSet::new();
        for i in 0..rows.len() {
            let key = (&org[i], &prog[i], &period[i], &indicators[i]);
            if !seen.insert(key) {
                return Err(Error::read(
                    path,
                    format!(
                        "row {}: a second target for the same organisation, programme, period and indicator",
                        rows[i]
                    ),
                )
                .with_hint("keep one target per key"));
            }
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
