use std::path::PathBuf;

use clap::Args;

use super::args::{DataArgs, Period, PrivacyArgs, TableOut, UnitArg};
use super::Outcome;
use impactkit::aggregate::Unit;
use impactkit::aggregate::{Filters, Request};
use impactkit::error::{Error, Result};
use impactkit::indicator::Library;
use impactkit::output::TableFormat;
use impactkit::value::{self, Assumptions};

#[derive(Debug, Args)]
pub struct ValueArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Leave out invalid records (their problems are printed) instead of refusing the data.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Programmes table: its `investment` column is each programme's investment, spread
    /// evenly over its `start`–`end` dates when --from/--to take part of it.
    #[arg(long, value_name = "FILE")]
    pub programmes: Option<PathBuf>,
    /// Assumptions (TOML): discount rate, price index, overrides, investment, sensitivity ranges.
    #[arg(long, value_name = "FILE")]
    pub assumptions: Option<PathBuf>,
    /// State every value in this year's prices (the assumptions' report_year), brought
    /// there with HM Treasury's GDP deflators
    #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(1990..=2100))]
    pub report_year: Option<i32>,
    /// Value per programme (its investment from --programmes) or per organisation (its
    /// investment from [investment] in --assumptions).
    #[arg(long, value_enum, default_value_t = UnitArg::Programme)]
    pub by: UnitArg,
    /// Print the sensitivity table (SROI with each assumption varied, and break-even) instead.
    #[arg(long, conflicts_with = "impact_map")]
    pub sensitivity: bool,
    /// Print the impact map (stakeholder, outcome, quantity, proxy, adjustments, value) instead.
    #[arg(long)]
    pub impact_map: bool,
    #[command(flatten)]
    pub period: Period,
    #[command(flatten)]
    pub privacy: PrivacyArgs,
    #[command(flatten)]
    pub output: TableOut,
}

pub fn run(args: ValueArgs, library: &Library) -> Result<Outcome> {
    // Checked first: a file name no format fits is refused before any data is read.
    let format = args.output.format()?;
    let (from, to) = args.period.days()?;
    args.data.refuse_out_over_inputs(
        args.output.out.as_deref(),
        &[args.programmes.as_deref(), args.assumptions.as_deref()],
    )?;
    let mut assumptions = match &args.assumptions {
        Some(p) => Assumptions::load(p, library)?,
        None => Assumptions::default(),
    };
    assumptions.report_year = args.report_year.or(assumptions.report_year);
    // Programmes' investment applies when grouping by programme; organisations' comes from the assumptions.
    let programmes = args.programmes.as_deref().filter(|_| args.by == UnitArg::Programme);
    let investments = value::gather_investments(programmes, &assumptions)?;
    let by = Unit::from(args.by);
    let filters = Filters { from, to, ..Filters::default() };
    let window = (filters.from, filters.to);
    // One pass for two requests: the valued quantities per group, and every
    // indicator's total in the window (to say which recorded outcomes were not valued).
    let requests = [
        value::request(library, by, filters.clone())?,
        Request { filters: Filters { from: window.0, to: window.1, ..Filters::default() }, ..Request::default() },
    ];
    let figures = args.data.pass(library, &requests, Vec::new(), args.skip_invalid)?.figures;
    let groups = value::from_figures(&figures[0], library, &assumptions, by, window, &investments)?;
    if groups.is_empty() {
        return Err(Error::usage("no outcomes with a financial proxy in the data"));
    }
    let mut frame = if args.sensitivity {
        value::sensitivity_frame(&groups, &assumptions, by)?
    } else if args.impact_map {
        value::impact_map_frame(&groups, by)?
    } else {
        // A count of people under the threshold is not printed in a caveat.
        let threshold = args.privacy.threshold();
        let people = move |r: &value::RestsOn| match (threshold, r.count) {
            (Some(t), Some(n)) if n > 0.0 && n < f64::from(t) => format!("fewer than {t}"),
            (_, n) => impactkit::output::format_figure(n.unwrap_or(0.0)),
        };
        value::to_frame(&groups, by, &people)?
    };
    if let Some(t) = args.privacy.threshold() {
        value::withhold_small_counts(&mut frame, &groups, by, library, t, args.sensitivity, &[])?;
    }
    let mut note = String::new();
    if format == TableFormat::Table && !args.sensitivity && !args.impact_map {
        let missing: Vec<&str> = groups.iter().filter(|g| g.investment.is_none()).map(|g| g.group.as_str()).collect();
        if !missing.is_empty() {
            note = format!(
                "note: no investment for {}: no SROI ratio (give --programmes, or [investment] in --assumptions)\n",
                missing.join(", ")
            );
        }
        let unvalued = recorded_not_valued(&figures[1], library)?;
        if !unvalued.is_empty() {
            note.push_str(&format!(
                "note: recorded but not valued (no proxy in the library, so the ratios count valued outcomes only): {}\n",
                unvalued.join(", ")
            ));
        }
    }
    super::emit(&frame, format, args.output.out.as_deref(), "row(s)", "", "", &note)
}

/// Outcome indicators (counts and sums) with records in the window whose indicator
/// carries no proxy: counted, but absent from the value table. `totals`: every
/// indicator's figure in the window.
fn recorded_not_valued(totals: &polars::prelude::DataFrame, library: &Library) -> Result<Vec<String>> {
    let ids = totals.column("indicator")?.str()?.clone();
    let records = totals.column("records")?.cast(&polars::prelude::DataType::Int64)?;
    let mut out: Vec<String> = ids
        .iter()
        .zip(records.i64()?.iter())
        .filter(|(_, n)| n.is_some_and(|n| n > 0))
        .filter_map(|(id, _)| id)
        .filter(|id| library.get(id).is_some_and(impactkit::indicator::Indicator::is_unvalued_outcome))
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}
