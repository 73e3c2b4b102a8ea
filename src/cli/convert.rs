//! `impact convert`: any source, read through its column map, written as canonical
//! records (CSV, JSON or Parquet), so a user can see exactly what impactkit read;
//! without `--out`, CSV on standard output.

use clap::Args;
use polars::prelude::*;

use super::args::{DataArgs, TableOut};
use super::Outcome;
use impactkit::data::{self, schema};
use impactkit::error::Result;
use impactkit::indicator::Library;

#[derive(Debug, Args)]
pub struct ConvertArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Leave out invalid records (their problems are printed) instead of refusing the data.
    #[arg(long)]
    pub skip_invalid: bool,
    #[command(flatten)]
    pub output: TableOut,
}

pub fn run(args: ConvertArgs, library: &Library) -> Result<Outcome> {
    // Records to the screen are CSV (what the file would hold, ready to redirect), not
    // a text table.
    let format = match (&args.output.format, &args.output.out) {
        (None, None) => impactkit::output::TableFormat::Csv,
        _ => args.output.format()?,
    };
    args.data.refuse_out_over_inputs(args.output.out.as_deref(), &[])?;
    let sources = args.data.sources()?;
    let maps = args.data.maps(&sources, library)?;
    let loaded = data::load_files(&maps.files(&sources), library, &args.data.options()?)?;
    if !loaded.report.is_ok() && args.skip_invalid {
        eprint!("{}", loaded.report.to_text());
        eprintln!(
            "warning: --skip-invalid: {} invalid record(s) left out",
            loaded.report.records_read - loaded.report.records_valid
        );
    }
    let (valid, _) = data::keep_valid(loaded, args.skip_invalid)?;
    // The canonical columns in their order, typed: dates as dates, values as numbers.
    let columns: Vec<Expr> = schema::names().map(col).collect();
    let records = valid.records.lazy().select(columns).collect()?;
    super::emit(&records, format, args.output.out.as_deref(), "record(s)", "", "", "")
}
