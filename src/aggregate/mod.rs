//! Aggregation: records → figures, grouped by dimensions and a period grain.
//!
//! Every indicator rolls up by its own rule (see `RollUp`): flows add up across
//! organisations and periods; stocks take each unit's latest (or mean, min, max)
//! snapshot across periods and then combine units; distinct-people indicators
//! count participant ids; ratios are recomputed from their summed parts.

pub(crate) mod consistency;
pub(crate) mod fold;
pub mod follow_ups;
pub mod period;
pub mod targets;

use chrono::NaiveDate;
use polars::prelude::*;

pub use fold::{keep_units, Cells, Fold, PeopleFold, Units};
pub use period::Grain;
pub use targets::Targets;

use crate::error::{Error, Result};
use crate::indicator::{Aggregation, CohortPart, Library, RollUp, TimeAggregation};
use crate::privacy::Withheld;

/// Record columns that can be grouped by.
pub const RECORD_DIMS: [&str; 7] =
    ["organisation", "programme", "area", "beneficiary_group", "gender", "age_band", "simd_decile"];

/// Shown for a group whose records leave the dimension blank (e.g. no programme).
pub const NOT_RECORDED: &str = "(not recorded)";

/// The two kinds of delivery unit a figure can be about: who delivered it, or under
/// which programme. One type for every "by organisation or programme" choice
/// (social value, comparison, a batch of reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// The organisation that delivered the outcome.
    Organisation,
    /// The programme it was delivered under.
    Programme,
}

impl Unit {
    /// The record column that names the unit.
    pub fn column(self) -> &'static str {
        match self {
            Unit::Organisation => "organisation",
            Unit::Programme => "programme",
        }
    }
}

/// A column figures are grouped by: a record field, or a period of its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    /// A record field such as `programme` or `area`.
    Field(&'static str),
    /// The period of the record's date at a grain (quarter, financial year, …).
    Period(Grain),
}

impl Dimension {
    /// The column's name in figure tables.
    pub fn name(self) -> &'static str {
        match self {
            Dimension::Field(f) => f,
            Dimension::Period(g) => g.name(),
        }
    }

    /// The period grain among `by` (there is at most one), if any.
    pub fn period_in(by: &[Dimension]) -> Option<Grain> {
        by.iter().find_map(|d| match d {
            Dimension::Period(g) => Some(*g),
            Dimension::Field(_) => None,
        })
    }

    /// Parse `--by organisation,financial_year`: record columns and at most one grain.
    pub fn parse_list(text: &str) -> Result<Vec<Dimension>> {
        let mut dims = Vec::new();
        for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            let dim = if let Some(g) = Grain::parse(word) {
                Dimension::Period(g)
            } else if let Some(f) = RECORD_DIMS.iter().find(|f| **f == word) {
                Dimension::Field(f)
            } else {
                let choices: Vec<&str> =
                    RECORD_DIMS.iter().copied().chain(Grain::ALL.iter().map(|g| g.name())).collect();
                let err = Error::usage(format!("cannot group by `{word}`"));
                return Err(match crate::base::suggest::nearest(word, choices.iter().copied()) {
                    Some(n) => err.with_hint(format!("did you mean `{n}`? dimensions: {}", choices.join(", "))),
                    None => err.with_hint(format!("dimensions: {}", choices.join(", "))),
                });
            };
            if dims.contains(&dim) {
                return Err(Error::usage(format!("`{word}` is named twice in --by")));
            }
            dims.push(dim);
        }
        if dims.iter().filter(|d| matches!(d, Dimension::Period(_))).count() > 1 {
            return Err(Error::usage(
                "--by takes at most one period grain (year, quarter, month, financial_year or financial_quarter)",
            ));
        }
        Ok(dims)
    }
}

/// Which records a request folds: dates, units, places and groups (an empty list keeps all).
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// First day included.
    pub from: Option<NaiveDate>,
    /// Last day included.
    pub to: Option<NaiveDate>,
    /// Organisation ids kept.
    pub organisations: Vec<String>,
    /// Programme ids kept.
    pub programmes: Vec<String>,
    /// Area codes kept.
    pub areas: Vec<String>,
    /// Beneficiary groups kept.
    pub groups: Vec<String>,
    /// Only these indicators in the output (ratio parts are still computed).
    pub indicators: Vec<String>,
    /// The date the data runs to, for cohort rates: a follow-up window still open
    /// then is not yet due. None: the latest date of the records folded.
    pub as_at: Option<NaiveDate>,
    /// Only records that reach priority groups (see `Priority`).
    pub priority: Option<Priority>,
}

/// Records reaching priority groups: a SIMD decile up to `simd_max` (1 is the most
/// deprived tenth), or one of the named beneficiary groups.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Priority {
    /// SIMD deciles up to this count as priority.
    pub simd_max: i32,
    /// Beneficiary groups that count as priority.
    pub groups: Vec<String>,
}

/// One table of figures asked of a pass: its grouping, its filters and its privacy rule.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Grouping columns, in order (the indicator is always the last key).
    pub by: Vec<Dimension>,
    /// Which records are folded.
    pub filters: Filters,
    /// Withhold counts of people under this (see `privacy`); None publishes everything.
    pub suppress_below: Option<u32>,
    /// Dimensions (among `by`) whose values are published in separate documents, e.g.
    /// the subject of a batch of reports: each part is protected on its own.
    pub publish_apart: Vec<&'static str>,
    /// Beside each figure, its figure to date: every record from the start (`from`,
    /// else the first) to the end of the row's period, by the indicator's own rule,
    /// withheld together with the figures by period. Needs a period among `by`.
    pub to_date: bool,
}

/// Figures: the `by` columns in order, then indicator, value, unit, records.
pub fn aggregate(records: &DataFrame, library: &Library, req: &Request) -> Result<DataFrame> {
    let mut fold = Fold::for_request(library, req);
    fold.add(records)?;
    figures(fold.finish()?, library, req)
}

/// Refuse a request naming an unknown indicator before any data is read.
pub fn check_request(library: &Library, req: &Request) -> Result<()> {
    for id in &req.filters.indicators {
        library.require(id)?;
    }
    if req.to_date && Dimension::period_in(&req.by).is_none() {
        return Err(Error::usage("figures to date need a period among the groups").with_hint(TO_DATE_HINT));
    }
    Ok(())
}

/// Figures from folded records (see `fold`): each indicator's roll-up rule runs on
/// the cells, then small-number suppression, ratios, units and period labels.
pub fn figures(cells: Cells, library: &Library, req: &Request) -> Result<DataFrame> {
    check_request(library, req)?;
    let dims: Vec<&str> = req.by.iter().map(|d| d.name()).collect();
    let meta = meta_frame(library)?;
    let mut base = rolled_up(&cells, &dims, &meta)?;
    let Some(to_date) = &cells.to_date else {
        let withheld = match req.suppress_below {
            Some(t) => crate::privacy::flags(
                &base,
                &dims,
                &req.publish_apart,
                &crate::privacy::people_indicators(library),
                &crate::privacy::held_together(library),
                &crate::privacy::cohort_sizes(library),
                library,
                t,
            )?,
            None => vec![Withheld::No; base.height()],
        };
        return finish(base, withheld, library, req, &dims, &meta);
    };
    // Figures to date: each row's figure over every record up to its period's end,
    // withheld together with the figures by period (see `privacy::to_date`).
    let mut running = rolled_up(to_date, &dims, &meta)?;
    let period = Dimension::period_in(&req.by)
        .ok_or_else(|| Error::internal("figures to date without a period among the groups"))?;
    let (withheld, withheld_to_date) = match req.suppress_below {
        Some(t) => {
            crate::privacy::to_date::flags(&base, &running, &dims, period.name(), &req.publish_apart, library, t)?
        }
        None => (vec![Withheld::No; base.height()], vec![Withheld::No; running.height()]),
    };
    base = finish(base, withheld, library, req, &dims, &meta)?;
    running = finish(running, withheld_to_date, library, req, &dims, &meta)?;
    let mut keys: Vec<Expr> = dims.iter().map(|d| col(*d)).collect();
    keys.push(col("indicator"));
    let mut taken = keys.clone();
    taken.push(col("value").alias("to_date"));
    if req.suppress_below.is_some() {
        taken.push(col("withheld").alias("to_date_withheld"));
    }
    Ok(base
        .lazy()
        .join(running.lazy().select(taken), keys.clone(), keys, JoinArgs::new(JoinType::Left))
        .sort(key_order(&dims), SortMultipleOptions::default())
        .collect()?)
}

/// The order of a figures table: by its groups, then indicator.
fn key_order(dims: &[&str]) -> Vec<PlSmallStr> {
    dims.iter().map(|d| PlSmallStr::from(*d)).chain(["indicator".into()]).collect()
}

/// What `--to-date` needs.
pub const TO_DATE_HINT: &str = "add a period to --by, e.g. --by financial_year or --by programme,financial_quarter";

/// Each indicator's roll-up rule run on the cells: the groups, indicator, value and
/// records of every figure counted from records (ratios and rates come after).
fn rolled_up(cells: &Cells, dims: &[&str], meta: &DataFrame) -> Result<DataFrame> {
    // Indicator rules are joined onto the cells, never onto every record.
    let parts = [
        flows(cells.flows.clone().lazy(), dims, meta),
        stocks(cells.stocks.clone().lazy(), dims, meta),
        distinct(cells.distinct.clone().lazy(), dims),
        cohort_parts(cells.cohorts.clone().lazy(), dims),
    ];
    // In the order of the groups and indicator, whatever order the roll-ups came in:
    // which cells protection withholds must not depend on it.
    Ok(concat(parts, UnionArgs::default())?.sort(key_order(dims), SortMultipleOptions::default()).collect()?)
}

/// The published table: `base` withheld as `withheld` says (and a statistic over a
/// few records), then ratios and rates from the parts, units and period labels.
fn finish(
    mut base: DataFrame,
    mut withheld: Vec<Withheld>,
    library: &Library,
    req: &Request,
    dims: &[&str],
    meta: &DataFrame,
) -> Result<DataFrame> {
    if let Some(t) = req.suppress_below {
        // A mean, minimum or maximum over a few records describes a few people.
        crate::privacy::mark_few(&base, library, t, &mut withheld)?;
    }
    let withheld: Vec<i32> = withheld.into_iter().map(Withheld::code).collect();
    base.with_column(Column::new("__withheld".into(), withheld))?;
    let dims = dims.to_vec();
    let ratios = ratios(&base, library, &dims)?;
    let cohort_rates = cohort_rates(&base, library, &dims)?;
    let mut all = concat([base.lazy(), ratios, cohort_rates], UnionArgs::default())?;
    if !req.filters.indicators.is_empty() {
        // A cohort rate comes with its parts: the people not yet due are part of the answer.
        let mut wanted = req.filters.indicators.clone();
        for id in &req.filters.indicators {
            wanted.extend(library.get(id).into_iter().flat_map(|i| i.cohort_parts()).map(|(part, _)| part));
        }
        all = all.filter(any_of("indicator", &wanted));
    }
    let mut out_cols: Vec<Expr> = dims.iter().map(|d| col(*d)).collect();
    // Six decimals: enough for any unit here, and it keeps float noise from
    // summing decimals (67.46000000000001) out of published figures.
    let value = col("value").round(6, RoundMode::HalfAwayFromZero);
    let hidden = col("__withheld").gt(lit(0));
    let withhold = |e: Expr, dtype: DataType| when(hidden.clone()).then(lit(NULL).cast(dtype)).otherwise(e);
    out_cols.extend([
        col("indicator"),
        withhold(value, DataType::Float64).alias("value"),
        col("unit"),
        // Records are often one per person: a count of 1 to threshold − 1 records is
        // withheld beside any figure (3 wellbeing assessments beside a withheld count
        // of people assessed would give it back).
        match req.suppress_below {
            Some(t) => {
                let few = col("records").gt(lit(0)).and(col("records").lt(lit(i64::from(t))));
                when(hidden.clone().or(few))
                    .then(lit(NULL).cast(DataType::Int64))
                    .otherwise(col("records"))
                    .alias("records")
            }
            None => col("records").alias("records"),
        },
    ]);
    if req.suppress_below.is_some() {
        // Why each figure is withheld, in words (empty where it is published).
        let word = |w: Withheld| w.word().unwrap_or_default();
        let code = col("__withheld");
        out_cols.push(
            when(code.clone().eq(lit(Withheld::Small.code())))
                .then(lit(word(Withheld::Small)))
                .when(code.clone().eq(lit(Withheld::Secondary.code())))
                .then(lit(word(Withheld::Secondary)))
                .when(code.clone().eq(lit(Withheld::Rate.code())))
                .then(lit(word(Withheld::Rate)))
                .when(code.eq(lit(Withheld::Few.code())))
                .then(lit(word(Withheld::Few)))
                .otherwise(lit(NULL).cast(DataType::String))
                .alias("withheld"),
        );
    }
    // Period keys become labels (2024-25) only now, on the few grouped rows.
    let labels: Vec<Expr> = req
        .by
        .iter()
        .filter_map(|d| match d {
            Dimension::Period(g) => Some(g.label_of_key(col(g.name())).alias(g.name())),
            Dimension::Field(_) => None,
        })
        .collect();
    let mut all = all.join(
        meta.clone().lazy().select([col("indicator"), col("unit")]),
        [col("indicator")],
        [col("indicator")],
        JoinArgs::new(JoinType::Left),
    );
    if !labels.is_empty() {
        all = all.with_columns(labels);
    }
    let figures = all.select(out_cols).sort(key_order(&dims), SortMultipleOptions::default()).collect()?;
    Ok(figures)
}

/// True where `column` is one of `values` (false for none: an empty set matches nothing).
pub(crate) fn any_of<S: AsRef<str>>(column: &str, values: &[S]) -> Expr {
    values.iter().map(|v| col(column).eq(lit(v.as_ref()))).reduce(|a, b| a.or(b)).unwrap_or(lit(false))
}

/// One row per indicator: how it rolls up, in columns the query can branch on.
fn meta_frame(library: &Library) -> Result<DataFrame> {
    let mut ids = Vec::new();
    let mut modes = Vec::new();
    let mut aggs = Vec::new();
    let mut times = Vec::new();
    let mut units = Vec::new();
    for ind in library.iter() {
        let (mode, agg, time) = match ind.roll_up() {
            RollUp::Flow(a) => ("flow", agg_code(a), "sum"),
            RollUp::Stock { time, units } => ("stock", agg_code(units), time_code(time)),
            RollUp::Distinct => ("distinct", "distinct", "distinct"),
            RollUp::Ratio => ("ratio", "ratio", "ratio"),
            RollUp::Cohort => ("cohort", "cohort", "cohort"),
        };
        ids.push(ind.id.clone());
        modes.push(mode);
        aggs.push(agg);
        times.push(time);
        units.push(ind.unit.as_str());
        for (part, _) in ind.cohort_parts() {
            ids.push(part);
            modes.push("cohort_part");
            aggs.push("sum");
            times.push("sum");
            units.push(COHORT_PART_UNIT);
        }
    }
    Ok(df!("indicator" => ids, "__mode" => modes, "__agg" => aggs, "__time" => times, "unit" => units)?)
}

fn agg_code(a: Aggregation) -> &'static str {
    match a {
        Aggregation::Sum => "sum",
        Aggregation::Count => "count",
        Aggregation::Distinct => "distinct",
        Aggregation::Mean => "mean",
        Aggregation::Min => "min",
        Aggregation::Max => "max",
        Aggregation::Ratio => "ratio",
        Aggregation::Cohort => "cohort",
    }
}

/// The unit of a cohort's parts: they count participants.
pub const COHORT_PART_UNIT: &str = "people";

fn time_code(t: TimeAggregation) -> &'static str {
    match t {
        TimeAggregation::Sum => "sum",
        TimeAggregation::Last => "last",
        TimeAggregation::Mean => "mean",
        TimeAggregation::Min => "min",
        TimeAggregation::Max => "max",
    }
}

fn keys(dims: &[&str], extra: &[&str]) -> Vec<Expr> {
    dims.iter().chain(extra).map(|c| col(*c)).collect()
}

/// Choose among precomputed sum/mean/min/max/count by a code column.
fn pick(code: &str, count: Expr) -> Expr {
    let c = col(code);
    when(c.clone().eq(lit("sum")))
        .then(col("__sum"))
        .when(c.clone().eq(lit("count")))
        .then(count.cast(DataType::Float64))
        .when(c.clone().eq(lit("mean")))
        .then(col("__mean"))
        .when(c.eq(lit("min")))
        .then(col("__min"))
        .otherwise(col("__max"))
}

fn four_stats(of: &str) -> [Expr; 4] {
    [
        col(of).sum().alias("__sum"),
        col(of).mean().alias("__mean"),
        col(of).min().alias("__min"),
        col(of).max().alias("__max"),
    ]
}

fn figure_columns(dims: &[&str]) -> Vec<Expr> {
    let mut out = keys(dims, &["indicator"]);
    out.push(col("value").cast(DataType::Float64));
    out.push(col("records").cast(DataType::Int64));
    out
}

/// Flows: the cells' sum, mean, min, max or count.
fn flows(cells: LazyFrame, dims: &[&str], meta: &DataFrame) -> LazyFrame {
    cells
        .join(
            meta.clone().lazy().filter(col("__mode").eq(lit("flow"))),
            [col("indicator")],
            [col("indicator")],
            JoinArgs::new(JoinType::Inner),
        )
        .with_column(pick("__agg", col("records")).alias("value"))
        .select(figure_columns(dims))
}

/// Stocks: the cells are snapshots per unit per date (any breakdown rows of that
/// date summed); combine them across dates per unit, then across units.
fn stocks(cells: LazyFrame, dims: &[&str], meta: &DataFrame) -> LazyFrame {
    let unit: Vec<&str> = ["organisation", "programme"].into_iter().filter(|u| !dims.contains(u)).collect();
    let mut per_unit: Vec<&str> = vec!["indicator"];
    per_unit.extend(&unit);
    per_unit.extend(["__agg", "__time"]);

    let snapshots =
        cells.join(meta.clone().lazy(), [col("indicator")], [col("indicator")], JoinArgs::new(JoinType::Inner));
    let mut over_time = four_stats("__snap").to_vec();
    over_time.push(col("__snap").sort_by([col("date")], SortMultipleOptions::default()).last().alias("__last"));
    over_time.push(col("__n").sum().alias("records"));
    let per_unit_values = snapshots.group_by(keys(dims, &per_unit)).agg(over_time).with_column(
        when(col("__time").eq(lit("last")))
            .then(col("__last"))
            .when(col("__time").eq(lit("mean")))
            .then(col("__mean"))
            .when(col("__time").eq(lit("min")))
            .then(col("__min"))
            .otherwise(col("__max"))
            .alias("__unit_value"),
    );
    let mut across_units = four_stats("__unit_value").to_vec();
    across_units.push(col("records").sum().alias("records"));
    across_units.push(len().alias("__units"));
    per_unit_values
        .group_by(keys(dims, &["indicator", "__agg"]))
        .agg(across_units)
        .with_column(pick("__agg", col("__units")).alias("value"))
        .select(figure_columns(dims))
}

/// Distinct people: the cells count participant ids once per group.
fn distinct(cells: LazyFrame, dims: &[&str]) -> LazyFrame {
    cells.select(figure_columns(dims))
}

/// A cohort's parts as base figures: people achieved, not achieved and not yet due.
fn cohort_parts(cells: LazyFrame, dims: &[&str]) -> LazyFrame {
    let mut out = keys(dims, &[]);
    out.push(concat_str([col("indicator"), col("__part")], "", false).alias("indicator"));
    out.push(col("value").cast(DataType::Float64));
    out.push(col("value").cast(DataType::Int64).alias("records"));
    cells.select(out)
}

/// Cohort rates from their parts: achieved ÷ (achieved + not achieved) × scale per
/// group; people not yet due are in neither. No one due: no rate, not 0%. Withheld
/// when either part is (a rate near 100% of a few people gives the few away).
fn cohort_rates(base: &DataFrame, library: &Library, dims: &[&str]) -> Result<LazyFrame> {
    let (mut parts, mut cohorts, mut kinds, mut scales) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for ind in library.iter() {
        for (part, kind) in ind.cohort_parts() {
            parts.push(part);
            cohorts.push(ind.id.as_str());
            kinds.push(kind as i32);
            scales.push(ind.scale.unwrap_or(1.0));
        }
    }
    let meta = df!("__part" => parts, "__cohort" => cohorts, "__kind" => kinds, "__scale" => scales)?;
    let of = |kind: CohortPart| col("value").filter(col("__kind").eq(lit(kind as i32))).sum();
    let (achieved, not_achieved) = (col("__achieved"), col("__not_achieved"));
    let due = achieved.clone() + not_achieved.clone();
    let mut out = keys(dims, &[]);
    out.extend([
        col("__cohort").alias("indicator"),
        when(due.clone().gt(lit(0.0)))
            .then(achieved / due * col("__scale"))
            .otherwise(lit(NULL).cast(DataType::Float64))
            .alias("value"),
        // The cohort's size is its parts' sum: none where a part is withheld.
        when(col("__any_hidden")).then(lit(NULL).cast(DataType::Int64)).otherwise(col("records")).alias("records"),
        when(col("__hidden")).then(lit(Withheld::Rate.code())).otherwise(lit(Withheld::No.code())).alias("__withheld"),
    ]);
    Ok(base
        .clone()
        .lazy()
        .join(meta.lazy(), [col("indicator")], [col("__part")], JoinArgs::new(JoinType::Inner))
        .group_by(keys(dims, &["__cohort", "__scale"]))
        .agg([
            of(CohortPart::Achieved).alias("__achieved"),
            of(CohortPart::NotAchieved).alias("__not_achieved"),
            col("value").sum().cast(DataType::Int64).alias("records"),
            col("__withheld")
                .gt(lit(0))
                .and(col("__kind").neq(lit(CohortPart::Pending as i32)))
                .any(true)
                .alias("__hidden"),
            col("__withheld").gt(lit(0)).any(true).alias("__any_hidden"),
        ])
        .select(out))
}

/// Ratios from the base figures: Σnumerator ÷ Σdenominator × scale per group.
/// A group with no denominator (or zero) has no ratio: dividing by nothing is not 0%.
fn ratios(base: &DataFrame, library: &Library, dims: &[&str]) -> Result<LazyFrame> {
    let (mut ids, mut nums, mut dens, mut scales, mut zero) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for ind in library.iter().filter(|i| i.roll_up() == RollUp::Ratio) {
        if let (Some(n), Some(d)) = (&ind.numerator, &ind.denominator) {
            ids.push(ind.id.as_str());
            nums.push(n.as_str());
            dens.push(d.as_str());
            scales.push(ind.scale.unwrap_or(1.0));
            zero.push(ind.missing_numerator_is_zero);
        }
    }
    let rmeta = df!("__ratio" => ids, "__num" => nums, "__den" => dens, "__scale" => scales, "__zero" => zero)?;
    let part = |key: &str, value: &str, n: &str| {
        let mut cols = keys(dims, &["__ratio", "__scale", "__zero"]);
        cols.push(col("value").alias(value));
        cols.push(col("records").alias(n));
        cols.push(col("__withheld").gt(lit(0)).alias(format!("{n}_s")));
        base.clone()
            .lazy()
            .join(rmeta.clone().lazy(), [col("indicator")], [col(key)], JoinArgs::new(JoinType::Inner))
            .select(cols)
    };
    let num = part("__num", "__num_v", "__num_n").select({
        let mut c = keys(dims, &["__ratio"]);
        c.extend([col("__num_v"), col("__num_n"), col("__num_n_s")]);
        c
    });
    let den = part("__den", "__den_v", "__den_n");
    let on = keys(dims, &["__ratio"]);
    let joined = den.join(num, on.clone(), on, JoinArgs::new(JoinType::Left));
    let mut out = keys(dims, &[]);
    out.push(col("__ratio").alias("indicator"));
    out.push(
        when(col("__den_v").gt(lit(0.0)))
            // No numerator records: "not recorded", unless the library says that means 0.
            .then(
                when(col("__num_v").is_null().and(col("__zero"))).then(lit(0.0)).otherwise(col("__num_v"))
                    / col("__den_v")
                    * col("__scale"),
            )
            .otherwise(lit(NULL).cast(DataType::Float64))
            .alias("value"),
    );
    out.push((col("__den_n") + col("__num_n").fill_null(lit(0))).cast(DataType::Int64).alias("records"));
    // A rate built on a withheld count could give it away: withhold the rate too.
    out.push(
        when(col("__den_n_s").or(col("__num_n_s").fill_null(lit(false))))
            .then(lit(Withheld::Rate.code()))
            .otherwise(lit(Withheld::No.code()))
            .alias("__withheld"),
    );
    Ok(joined.select(out))
}
