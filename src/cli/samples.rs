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
        /// Organisations table the records are drawn from [default: the sample
        /// organisations, built in]
        #[arg(long, value_name = "FILE")]
        organisations: Option<PathBuf>,
        /// Programmes table (themes, partners and groups per programme) [default: the
        /// sample programmes, built in]
        #[arg(long, value_name = "FILE")]
        programmes: Option<PathBuf>,
    },
}

pub fn run(cmd: SamplesCommand, library: &Library) -> Result<Outcome> {
    match cmd {
        SamplesCommand::Generate { rows, seed, out, organisations, programmes } => {
            if rows == 0 {
                return Err(Error::usage("--rows must be at least 1"));
            }
            // The built-in sample tables are read from a scratch copy (the table reader
            // reads files), so the command works in any folder.
            let scratch = tempfile::tempdir().map_err(|e| Error::io(std::path::Path::new("."), e))?;
            let table = |given: Option<PathBuf>, name: &str| -> Result<PathBuf> {
                if let Some(path) = given {
                    return Ok(path);
                }
                let (_, text) = impactkit::builtin::SAMPLE_TABLES
                    .iter()
                    .find(|(n, _)| *n == name)
                    .ok_or_else(|| Error::internal(format!("no built-in sample table {name}")))?;
                let path = scratch.path().join(name);
                std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
                Ok(path)
            };
            let tables =
                Tables::load(&table(organisations, "organisations.csv")?, &table(programmes, "programmes.csv")?)?;
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
