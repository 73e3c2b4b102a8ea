use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::validate::{parse_day, DataArgs};
use super::Outcome;
use crate::aggregate::Filters;
use crate::compare::{self, Per};
use crate::data;
use crate::error::Result;
use crate::indicator::Library;
use crate::output::TableFormat;
use crate::value::{self, Assumptions};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompareBy {
    Programme,
    Organisation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PerArg {
    Investment,
    Participant,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[arg(long, value_enum, default_value_t = CompareBy::Programme)]
    pub by: CompareBy,
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
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Flag comparisons resting on fewer records than this.
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub min_records: i64,
    /// Beneficiary groups counted as priority groups (SIMD deciles 1–2 always count).
    #[arg(long, value_delimiter = ',', value_name = "GROUP")]
    pub priority_groups: Vec<String>,
    #[arg(long, value_enum)]
    pub format: Option<TableFormat>,
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(args: CompareArgs, library: &Library) -> Result<Outcome> {
    let per = match args.per {
        PerArg::Investment => Per::Investment,
        PerArg::Participant => Per::Participant,
    };
    let by = match args.by {
        CompareBy::Programme => "programme",
        CompareBy::Organisation => "organisation",
    };
    let assumptions = match &args.assumptions {
        Some(p) => Assumptions::load(p, library)?,
        None => Assumptions::default(),
    };
    let programmes = args.programmes.as_deref().filter(|_| args.by == CompareBy::Programme);
    let investments = value::gather_investments(programmes, &assumptions)?;
    compare::check_investments(per, &investments)?;
    let opts = compare::Options {
        by,
        per,
        indicators: args.only_indicators,
        filters: Filters {
            from: args.from.as_deref().map(|d| parse_day(d, "--from")).transpose()?,
            to: args.to.as_deref().map(|d| parse_day(d, "--to")).transpose()?,
            ..Filters::default()
        },
        min_records: args.min_records,
        priority_groups: if args.priority_groups.is_empty() {
            compare::DEFAULT_PRIORITY_GROUPS.iter().map(|s| s.to_string()).collect()
        } else {
            args.priority_groups
        },
        priority_simd: 2,
    };
    let map = args.data.map(library)?;
    let dataset = data::load_valid(&args.data.data, library, map.as_ref(), &args.data.options()?)?;
    let rows = compare::compare(&dataset.records, library, &investments, &opts)?;
    let frame = compare::to_frame(&rows, by)?;
    let format = super::table_format(args.format, args.out.as_deref());
    super::emit(&frame, format, args.out.as_deref(), "row(s)", "", "", "")
}
