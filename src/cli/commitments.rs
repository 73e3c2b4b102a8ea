use std::path::PathBuf;

use clap::Args;
use polars::prelude::*;

use super::validate::{parse_day, DataArgs};
use super::Outcome;
use crate::commitments;
use crate::data;
use crate::error::{Error, Result};
use crate::indicator::Library;
use crate::output::TableFormat;
use crate::value::Assumptions;

#[derive(Debug, Args)]
pub struct CommitmentsArgs {
    /// Commitments table: contract, supplier, [programme,] indicator, committed, [start,] due, contract_value.
    #[arg(long, value_name = "FILE")]
    pub commitments: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// Judge progress as of this day (default: the latest outcome date in the data,
    /// so the same data gives the same statuses).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    /// Assumptions file (for the price index of proxy values).
    #[arg(long, value_name = "FILE")]
    pub assumptions: Option<PathBuf>,
    #[arg(long, value_enum)]
    pub format: Option<TableFormat>,
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(args: CommitmentsArgs, library: &Library) -> Result<Outcome> {
    let list = commitments::load(&args.commitments, library)?;
    let assumptions = match &args.assumptions {
        Some(p) => Assumptions::load(p, library)?,
        None => Assumptions::default(),
    };
    let map = args.data.map(library)?;
    let dataset = data::load_valid(&args.data.data, library, map.as_ref(), &args.data.options()?)?;
    let as_of = match &args.as_of {
        Some(d) => parse_day(d, "--as-of")?,
        None => latest_date(&dataset.records)?.ok_or_else(|| Error::usage("the data has no records; give --as-of"))?,
    };
    let progress = commitments::track(&list, &dataset.records, library, &assumptions, as_of)?;
    let frame = commitments::to_frame(&progress)?;
    let format = super::table_format(args.format, args.out.as_deref());
    // The date goes above a text table; machine formats stay pure.
    let header = if format == TableFormat::Table { format!("as of {as_of}\n") } else { String::new() };
    super::emit(&frame, format, args.out.as_deref(), "row(s)", &format!(" (as of {as_of})"), &header, "")
}

/// The last outcome date in the records.
pub fn latest_date(records: &DataFrame) -> Result<Option<chrono::NaiveDate>> {
    let days = records.column("date")?.cast(&DataType::Int32)?;
    Ok(days.i32()?.max().map(crate::data::parse::from_epoch_days))
}
