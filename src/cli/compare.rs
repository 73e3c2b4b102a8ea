use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::args::{DataArgs, Period, PrivacyArgs, TableOut, UnitArg};
use super::Outcome;
use impactkit::aggregate::Filters;
use impactkit::aggregate::Unit;
use impactkit::compare::{self, Per};
use impactkit::error::Result;
use impactkit::indicator::Library;
use impactkit::value::{self, Assumptions};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PerArg {
    Investment,
    Participant,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Leave out invalid records (their problems are printed) instead of refusing the data.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Compare programmes or organisations (the peers ranked against each other).
    #[arg(long, value_enum, default_value_t = UnitArg::Programme)]
    pub by: UnitArg,
    /// Rank on outcomes per £10k invested or per participant.
    #[arg(long, value_enum, default_value_t = PerArg::Investment)]
    pub per: PerArg,
    /// Programmes table (investment, start, end).
    #[arg(long, value_name = "FILE")]
    pub programmes: Option<PathBuf>,
    /// Assumptions file: [investment] by organisation.
    #[arg(long, value_name = "FILE")]
    pub assumptions: Option<PathBuf>,
    /// Indicators to compare (default: every summed, counted or distinct-people indicator).
    #[arg(long = "indicator", value_delimiter = ',', value_name = "ID")]
    pub only_indicators: Vec<String>,
    /// Flag comparisons resting on fewer records than this.
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub min_records: i64,
    /// Beneficiary groups counted as priority groups (SIMD deciles 1–2 always count).
    #[arg(long, value_delimiter = ',', value_name = "GROUP")]
    pub priority_groups: Vec<String>,
    #[command(flatten)]
    pub period: Period,
    #[command(flatten)]
    pub privacy: PrivacyArgs,
    #[command(flatten)]
    pub output: TableOut,
}

pub fn run(args: CompareArgs, library: &Library) -> Result<Outcome> {
    // Checked first: a file name no format fits is refused before any data is read.
    let format = args.output.format()?;
    let (from, to) = args.period.days()?;
    args.data.refuse_out_over_inputs(
        args.output.out.as_deref(),
        &[args.programmes.as_deref(), args.assumptions.as_deref()],
    )?;
    let per = match args.per {
        PerArg::Investment => Per::Investment,
        PerArg::Participant => Per::Participant,
    };
    let by = Unit::from(args.by);
    let assumptions = match &args.assumptions {
        Some(p) => Assumptions::load(p, library)?,
        None => Assumptions::default(),
    };
    let programmes = args.programmes.as_deref().filter(|_| args.by == UnitArg::Programme);
    let investments = value::gather_investments(programmes, &assumptions)?;
    compare::check_investments(per, &investments)?;
    let opts = compare::Options {
        by,
        per,
        indicators: args.only_indicators,
        filters: Filters { from, to, ..Filters::default() },
        min_records: args.min_records,
        priority_groups: if args.priority_groups.is_empty() {
            compare::DEFAULT_PRIORITY_GROUPS.iter().map(|s| s.to_string()).collect()
        } else {
            args.priority_groups
        },
        priority_simd: 2,
    };
    // One streaming pass for the comparison's requests and its count of people.
    let (requests, mut people) = compare::requests(library, &opts)?;
    people.participants = args.data.options()?.participants;
    let figures = args.data.pass(library, &requests, vec![&mut people], args.skip_invalid)?.figures;
    let rows = compare::from_figures(&figures, people, library, &investments, &opts)?;
    let frame = compare::published_frame(&rows, by.column(), library, args.privacy.threshold())?;
    super::emit(&frame, format, args.output.out.as_deref(), "row(s)", "", "", "")
}
