use std::path::PathBuf;

use clap::Args;
use polars::prelude::*;

use super::validate::{parse_day, DataArgs};
use super::Outcome;
use crate::commitments;
use crate::data;
use crate::error::{Error, Result};
use crate::indicator::Library;
use crate::output::{self, TableFormat};
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
    let format = args.format.or_else(|| args.out.as_deref().and_then(TableFormat::from_extension)).unwrap_or(TableFormat::Table);
    let bytes = output::render(&frame, format)?;
    match &args.out {
        Some(path) => {
            output::write_atomic(path, &bytes)?;
            Ok(Outcome { stdout: format!("wrote {} row(s) to {} (as of {as_of})\n", frame.height(), path.display()).into_bytes(), exit_code: 0 })
        }
        None if format == TableFormat::Parquet => Err(Error::usage("Parquet is binary; give --out FILE.parquet")),
        None if format == TableFormat::Table => Ok(Outcome { stdout: [format!("as of {as_of}\n").into_bytes(), bytes].concat(), exit_code: 0 }),
        None => Ok(Outcome { stdout: bytes, exit_code: 0 }),
    }
}

/// The last outcome date in the records.
pub fn latest_date(records: &DataFrame) -> Result<Option<chrono::NaiveDate>> {
    let days = records.column("date")?.cast(&DataType::Int32)?;
    Ok(days.i32()?.max().map(crate::data::parse::from_epoch_days))
}
