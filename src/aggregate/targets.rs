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
        let lower_is_better = super::any_of("indicator", &lower);
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
        let achieved = |value: &str, target: &str| {
            when(col(target).gt(lit(0.0)).and(lower_is_better.clone().not()))
                .then(col(value) / col(target) * lit(100.0))
                .when(col(value).gt(lit(0.0)).and(lower_is_better.clone()))
                .then(col(target) / col(value) * lit(100.0))
                .otherwise(lit(NULL).cast(DataType::Float64))
                // Six decimals, as the figures: 56, not 56.00000000000001.
                .round(6, RoundMode::HalfAwayFromZero)
        };
        let mut out = figures
            .clone()
            .lazy()
            .join(t.clone().select(select), on.clone(), on.clone(), JoinArgs::new(JoinType::Left))
            .with_columns([
                achieved("value", "target").alias("pct_achieved"),
                (col("value") - col("baseline")).alias("change_from_baseline"),
            ]);
        if let (Some(grain), true) = (Dimension::period_in(by), figures.column("to_date").is_ok()) {
            let to_date = targets_to_date(figures, t, &keys, grain, library)?;
            out = out
                .join(to_date.lazy(), on.clone(), on, JoinArgs::new(JoinType::Left))
                .with_column(achieved("to_date", "target_to_date").alias("pct_achieved_to_date"));
        }
        Ok(out.collect()?)
    }
}

/// Each row's target to date: the sum of its keys' targets for the periods from the
/// table's first up to the row's (the table's and the targets'), for indicators whose
/// figures add up over time (sums and counts of records); none where one of those
/// periods has no target. `t` holds the target rows whose keys are `keys` (targets
/// column, figures column); `grain` is the table's period.
fn targets_to_date(
    figures: &DataFrame,
    t: LazyFrame,
    keys: &[(&str, &str)],
    grain: super::Grain,
    library: &Library,
) -> Result<DataFrame> {
    let period = grain.name();
    use crate::indicator::{Aggregation, RollUp};
    let adds: Vec<&str> = library
        .iter()
        .filter(|i| matches!(i.roll_up(), RollUp::Flow(Aggregation::Sum | Aggregation::Count)))
        .map(|i| i.id.as_str())
        .collect();
    let adds_up = super::any_of("indicator", &adds);
    // The table's periods and the targets' periods of the same grain from the table's
    // first on (a period may have a target and no records): labels of one grain sort
    // as their periods do (2023-24 before 2024-25).
    let labels = figures.column(period)?.cast(&DataType::String)?;
    let mut periods: Vec<String> = labels.str()?.iter().flatten().map(str::to_string).collect();
    let first = periods.iter().min().cloned();
    let targeted = t.clone().select([col("period")]).collect()?;
    let targeted = targeted.column("period")?.cast(&DataType::String)?;
    periods.extend(
        targeted
            .str()?
            .iter()
            .flatten()
            .filter(|p| grain.is_label(p) && first.as_deref().is_some_and(|f| *p >= f))
            .map(str::to_string),
    );
    periods.sort_unstable();
    periods.dedup();
    let others: Vec<Expr> = keys
        .iter()
        .filter(|(tk, _)| *tk != "period")
        .map(|(tk, fk)| col(*tk).alias(*fk))
        .chain([col("indicator")])
        .collect();
    let t = t.filter(adds_up);
    let mut parts = Vec::with_capacity(periods.len());
    for (i, label) in periods.iter().enumerate() {
        let so_far: Vec<&str> = periods[..=i].iter().map(String::as_str).collect();
        let within = super::any_of("period", &so_far);
        parts.push(
            t.clone()
                .filter(within)
                .group_by(others.clone())
                .agg([col("target").sum().alias("target_to_date"), col("target").count().alias("__periods")])
                .filter(col("__periods").eq(lit(so_far.len() as u32)))
                .select([all().exclude_cols(["__periods"]).as_expr(), lit(label.as_str()).alias(period)]),
        );
    }
    let mut select: Vec<Expr> = keys.iter().map(|(_, fk)| col(*fk)).collect();
    select.extend([col("indicator"), col("target_to_date")]);
    if parts.is_empty() {
        // No figures: no periods, and a table of none.
        let mut none: Vec<Expr> = keys.iter().map(|(tk, fk)| col(*tk).alias(*fk)).collect();
        none.extend([col("indicator"), col("target").alias("target_to_date")]);
        return Ok(t.filter(lit(false)).select(none).collect()?);
    }
    Ok(concat(parts, UnionArgs::default())?.select(select).collect()?)
}
