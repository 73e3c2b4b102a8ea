//! The `impact` command line: clap definitions, one file per subcommand.

mod aggregate;
mod commitments;
mod compare;
mod indicators;
mod report;
mod samples;
mod validate;
mod value;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::error::Result;
use crate::indicator::Library;

#[derive(Debug, Parser)]
#[command(name = "impact", version, about = "Social impact measurement: validate outcome records, aggregate them against targets, report.")]
pub struct Cli {
    /// Folder of indicator definitions (*.toml).
    #[arg(long, global = true, default_value = crate::indicator::DEFAULT_DIR, value_name = "DIR")]
    pub indicators: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, show and check the indicator library.
    #[command(subcommand)]
    Indicators(indicators::IndicatorsCommand),
    /// Check data files and report every problem with file, row and column.
    Validate(validate::ValidateArgs),
    /// Aggregate outcome records by organisation, programme, place, group and period.
    Aggregate(aggregate::AggregateArgs),
    /// Social value and SROI: proxies, deadweight, attribution, displacement, drop-off, discounting.
    Value(Box<value::ValueArgs>),
    /// Community Benefit Clauses: committed vs delivered per contract, status, social value.
    Commitments(Box<commitments::CommitmentsArgs>),
    /// Compare programmes or organisations per £10k invested and per participant.
    Compare(Box<compare::CompareArgs>),
    /// Board and funder PDFs from a report spec, one per subject in parallel with --each.
    Report(Box<report::ReportArgs>),
    /// Synthetic sample data.
    #[command(subcommand)]
    Samples(samples::SamplesCommand),
}

/// What a command produced: text for stdout and whether the run succeeded.
pub struct Outcome {
    pub stdout: Vec<u8>,
    /// Non-zero when the command found problems (e.g. validation errors).
    pub exit_code: i32,
}

impl Outcome {
    fn ok(stdout: impl Into<Vec<u8>>) -> Outcome {
        Outcome { stdout: stdout.into(), exit_code: 0 }
    }
}

pub fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Indicators(cmd) => indicators::run(cmd, &cli.indicators),
        Command::Validate(args) => validate::run(args, &load_library(&cli.indicators)?),
        Command::Aggregate(args) => aggregate::run(args, &load_library(&cli.indicators)?),
        Command::Value(args) => value::run(*args, &load_library(&cli.indicators)?),
        Command::Commitments(args) => commitments::run(*args, &load_library(&cli.indicators)?),
        Command::Compare(args) => compare::run(*args, &load_library(&cli.indicators)?),
        Command::Report(args) => report::run(*args, &load_library(&cli.indicators)?),
        Command::Samples(cmd) => samples::run(cmd, &load_library(&cli.indicators)?),
    }
}

fn load_library(dir: &std::path::Path) -> Result<Library> {
    Library::load(dir)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
