use std::path::PathBuf;

use clap::Args;

use super::args::{parse_day, DataArgs, PrivacyArgs, TableOut};
use super::Outcome;
use impactkit::commitments;
use impactkit::error::{Error, Result};
use impactkit::indicator::Library;
use impactkit::output::TableFormat;
use impactkit::value::Assumptions;

#[derive(Debug, Args)]
pub struct CommitmentsArgs {
    /// Commitments table: contract, supplier, [programme,] indicator, committed, [start,]
    /// due, contract_value [default: the project's [tables] commitments]
    #[arg(long, value_name = "FILE")]
    pub commitments: Option<PathBuf>,
    #[command(flatten)]
    pub data: DataArgs,
    /// Leave out invalid records (their problems are printed) instead of refusing the data.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Judge progress as of this day (default: the latest outcome date in the data,
    /// so the same data gives the same statuses).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    /// Assumptions file (for the price index of proxy values).
    #[arg(long, value_name = "FILE")]
    pub assumptions: Option<PathBuf>,
    /// State every value in this year's prices (the assumptions' report_year), brought
    /// there with HM Treasury's GDP deflators
    #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(1990..=2100))]
    pub report_year: Option<i32>,
    #[command(flatten)]
    pub privacy: PrivacyArgs,
    #[command(flatten)]
    pub output: TableOut,
}

pub fn run(args: CommitmentsArgs, library: &Library) -> Result<Outcome> {
    // Checked first: a file name no format fits is refused before any data is read.
    let format = args.output.format()?;
    let commitments_file = args.commitments.clone().ok_or_else(|| {
        impactkit::error::Error::usage("give --commitments FILE: the contracts' commitments")
            .with_hint("or name it in a project's impact.toml: [tables] commitments = \"commitments.csv\"")
    })?;
    args.data.refuse_out_over_inputs(
        args.output.out.as_deref(),
        &[Some(commitments_file.as_path()), args.assumptions.as_deref()],
    )?;
    let list = commitments::load(&commitments_file, library)?;
    let mut assumptions = match &args.assumptions {
        Some(p) => Assumptions::load(p, library)?,
        None => Assumptions::default(),
    };
    assumptions.report_year = args.report_year.or(assumptions.report_year);
    let as_of = args.as_of.as_deref().map(|d| parse_day(d, "--as-of")).transpose()?;
    // One pass, one request per commitment.
    let requests = commitments::requests(&list, as_of);
    let out = args.data.pass(library, &requests, Vec::new(), args.skip_invalid)?;
    let as_of = match as_of.or(out.latest) {
        Some(d) => d,
        None => return Err(Error::usage("the data has no records; give --as-of")),
    };
    let progress = commitments::from_figures(&list, &out.figures, library, &assumptions, as_of)?;
    let mut frame = commitments::to_frame(&progress)?;
    if let Some(t) = args.privacy.threshold() {
        commitments::withhold_small_deliveries(&mut frame, &progress, library, t)?;
    }
    // The date goes above a text table; machine formats stay pure.
    let header = if format == TableFormat::Table { format!("as of {as_of}\n") } else { String::new() };
    super::emit(&frame, format, args.output.out.as_deref(), "row(s)", &format!(" (as of {as_of})"), &header, "")
}
