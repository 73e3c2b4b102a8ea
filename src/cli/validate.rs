use clap::{Args, ValueEnum};

use super::args::DataArgs;
use super::Outcome;
use impactkit::error::{Error, Result};
use impactkit::indicator::Library;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// text: one line per problem and a summary; json: the whole report.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Treat an organisation, programme or area that no name table names as an error
    /// (it would be counted as one of its own beside the table's), not a warning.
    #[arg(long)]
    pub strict: bool,
}

pub fn run(args: ValidateArgs, library: &Library) -> Result<Outcome> {
    let sources = args.data.sources()?;
    let maps = args.data.maps(&sources, library)?;
    let input = impactkit::pipeline::Input {
        sources: maps.files(&sources),
        options: impactkit::data::CheckOptions { strict: args.strict, ..args.data.options()? },
        skip_invalid: false,
        extra_columns: &[],
    };
    let report = impactkit::pipeline::validate(&input, library)?;
    let report = &report;
    let stdout = match args.format {
        ReportFormat::Text => report.to_text().into_bytes(),
        ReportFormat::Json => {
            let mut s = serde_json::to_string_pretty(report).map_err(|e| Error::usage(e.to_string()))?;
            s.push('\n');
            s.into_bytes()
        }
    };
    Ok(Outcome { stdout, exit_code: i32::from(!report.is_ok()) })
}
