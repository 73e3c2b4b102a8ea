use std::path::PathBuf;

use clap::Args;

use super::args::{parse_day, DataArgs, Period, PrivacyArgs, TableOut};
use super::Outcome;
use impactkit::aggregate::{Dimension, Filters, Request, Targets};
use impactkit::error::{Error, Result};
use impactkit::indicator::Library;

#[derive(Debug, Args)]
pub struct AggregateArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Group by these, in order: organisation, programme, area, beneficiary_group,
    /// gender, age_band, simd_decile, and at most one of year, quarter, month,
    /// financial_year (April–March, shown as 2024-25) or financial_quarter (2024-25 Q1
    /// is April–June). Empty: one total per indicator.
    #[arg(long, default_value = "", hide_default_value = true, value_name = "DIMS", hide_possible_values = true,
          value_parser = super::args::Offering(super::args::dimensions))]
    pub by: String,
    /// Cohort rates: the date the data is complete to; a follow-up window still open
    /// then is "not yet due" (default: the latest record date in the data).
    #[arg(long, value_name = "DATE")]
    pub as_at: Option<String>,
    /// Leave out invalid records (their problems are printed) instead of refusing the data.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Only these organisations (repeat or comma-separate).
    #[arg(long = "organisation", value_delimiter = ',', value_name = "ID")]
    pub organisations: Vec<String>,
    /// Only these programmes.
    #[arg(long = "programme", value_delimiter = ',', value_name = "ID")]
    pub programmes: Vec<String>,
    /// Only these areas.
    #[arg(long = "area", value_delimiter = ',', value_name = "CODE")]
    pub areas: Vec<String>,
    /// Only these beneficiary groups.
    #[arg(long = "group", value_delimiter = ',', value_name = "GROUP")]
    pub groups: Vec<String>,
    /// Only these indicators.
    #[arg(long = "indicator", value_delimiter = ',', value_name = "ID")]
    pub only_indicators: Vec<String>,
    /// Beside each figure by period, its figure to date: every record from --from (else
    /// the first) to the end of the row's period, by the indicator's own rule (people
    /// counted once across periods), withheld together with the figures by period.
    /// Needs a period in --by.
    #[arg(long)]
    pub to_date: bool,
    /// Targets and baselines (CSV/XLSX: indicator, target, baseline, and organisation/programme/period keys).
    #[arg(long, value_name = "FILE")]
    pub targets: Option<PathBuf>,
    #[command(flatten)]
    pub period: Period,
    #[command(flatten)]
    pub privacy: PrivacyArgs,
    #[command(flatten)]
    pub output: TableOut,
}

pub fn run(args: AggregateArgs, library: &Library) -> Result<Outcome> {
    // Checked first: a file name no format fits is refused before any data is read.
    let format = args.output.format()?;
    let (from, to) = args.period.days()?;
    args.data.refuse_out_over_inputs(args.output.out.as_deref(), &[args.targets.as_deref()])?;
    let by = Dimension::parse_list(&args.by)?;
    if args.to_date && Dimension::period_in(&by).is_none() {
        return Err(Error::usage("--to-date needs a period in --by").with_hint(impactkit::aggregate::TO_DATE_HINT));
    }
    let filters = Filters {
        from,
        to,
        organisations: args.organisations,
        programmes: args.programmes,
        areas: args.areas,
        groups: args.groups,
        indicators: args.only_indicators,
        as_at: args.as_at.as_deref().map(|d| parse_day(d, "--as-at")).transpose()?,
        priority: None,
    };
    let targets = args.targets.as_deref().map(|p| Targets::load(p, library)).transpose()?;
    let request = Request {
        by,
        filters,
        suppress_below: args.privacy.threshold(),
        publish_apart: Vec::new(),
        to_date: args.to_date,
    };
    // One streaming pass: memory stays bounded whatever the size of the data, and
    // nothing is written unless every check passes (or --skip-invalid leaves it out).
    let mut figures =
        args.data.pass(library, std::slice::from_ref(&request), Vec::new(), args.skip_invalid)?.figures.remove(0);
    if let Some(t) = &targets {
        figures = t.join(&figures, &request.by, library)?;
    }
    super::emit(&figures, format, args.output.out.as_deref(), "figure row(s)", "", "", "")
}
