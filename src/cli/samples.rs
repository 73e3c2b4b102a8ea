use std::path::PathBuf;

use clap::Subcommand;

use super::Outcome;
use impactkit::data::tables::Tables;
use impactkit::error::{Error, Result};
use impactkit::indicator::Library;
use impactkit::samples::generate;

#[derive(Debug, Subcommand)]
pub enum SamplesCommand {
    /// Write deterministic synthetic outcome records (CSV or Parquet by extension).
    Generate {
        /// How many records.
        #[arg(long, default_value_t = 20_000)]
        rows: u64,
        /// Seed: the same seed, tables and library give byte-identical output.
        #[arg(long, default_value_t = 2024)]
        seed: u64,
        /// Output file (.csv or .parquet).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Organisations table the records are drawn from.
        #[arg(long, default_value = "samples/organisations.csv", value_name = "FILE")]
        organisations: PathBuf,
        /// Programmes table (themes, partners and groups per programme).
        #[arg(long, default_value = "samples/programmes.csv", value_name = "FILE")]
        programmes: PathBuf,
    },
}

pub fn run(cmd: SamplesCommand, library: &Library) -> Result<Outcome> {
    match cmd {
        SamplesCommand::Generate { rows, seed, out, organisations, programmes } => {
            if rows == 0 {
                return Err(Error::usage("--rows must be at least 1"));
            }
            let tables = Tables::load(&organisations, &programmes)?;
            let started = std::time::Instant::now();
            generate(&tables, library, rows, seed, &out)?;
            Ok(Outcome::ok(format!(
                "wrote {rows} record(s) to {} in {:.1}s\n",
                out.display(),
                started.elapsed().as_secs_f64()
            )))
        }
    }
}
