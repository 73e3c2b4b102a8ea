use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::Outcome;
use crate::data::{self, CheckOptions, ColumnMap};
use crate::error::{Error, Result};
use crate::indicator::Library;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
}

/// Options shared by every command that reads outcome records.
#[derive(Debug, Args)]
pub struct DataArgs {
    /// Outcome record files: .csv, .xlsx, .parquet, .json or .ndjson.
    #[arg(required = true, value_name = "DATA")]
    pub data: Vec<PathBuf>,
    /// Column map (TOML) for files that use their own headings or a wide layout.
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// List at most this many problems of each kind per file (all are counted).
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub max_problems: usize,
    /// Treat dates after this day as in the future (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
}

impl DataArgs {
    /// Refuse `--out` naming a data file or the map.
    pub fn refuse_out_over_inputs(
        &self,
        out: Option<&std::path::Path>,
        others: &[Option<&std::path::Path>],
    ) -> Result<()> {
        let Some(out) = out else { return Ok(()) };
        let inputs =
            self.data.iter().map(PathBuf::as_path).chain(self.map.as_deref()).chain(others.iter().flatten().copied());
        crate::output::refuse_overwriting_inputs(out, inputs)
    }

    pub fn map(&self, library: &Library) -> Result<Option<ColumnMap>> {
        self.map.as_deref().map(|p| ColumnMap::load(p, library)).transpose()
    }

    /// One streaming pass over the data for `requests` (and `sinks`, see
    /// `pipeline::run_with`). With `skip_invalid` the problems are printed and the
    /// invalid records left out.
    pub fn pass(
        &self,
        library: &Library,
        requests: &[crate::aggregate::Request],
        sinks: Vec<&mut (dyn data::Records + Send)>,
        skip_invalid: bool,
    ) -> Result<crate::pipeline::Output> {
        let map = self.map(library)?;
        let input = crate::pipeline::Input {
            paths: &self.data,
            map: map.as_ref(),
            options: self.options()?,
            skip_invalid,
            extra_columns: &[],
        };
        let out = crate::pipeline::run_with(&input, library, requests, sinks)?;
        if !out.report.is_ok() {
            eprint!("{}", out.report.to_text());
            eprintln!(
                "warning: --skip-invalid: {} invalid record(s) left out",
                out.report.records_read - out.report.records_valid
            );
        }
        Ok(out)
    }

    pub fn options(&self) -> Result<CheckOptions> {
        let mut opts = CheckOptions { max_listed: self.max_problems, ..CheckOptions::default() };
        if let Some(t) = &self.today {
            opts.today = parse_day(t, "--today")?;
        }
        Ok(opts)
    }
}

/// Small-number suppression for outputs that get published.
#[derive(Debug, Args)]
pub struct PrivacyArgs {
    /// Withhold counts of people under N, 2 or more (and any cell that would reveal
    /// them). A threshold of 1 would withhold nothing: use --no-suppress for that.
    #[arg(long, default_value_t = crate::privacy::DEFAULT_THRESHOLD, value_name = "N",
          value_parser = clap::value_parser!(u32).range(2..))]
    pub suppress_below: u32,
    /// Publish every count, however small (internal use only).
    #[arg(long)]
    pub no_suppress: bool,
}

impl PrivacyArgs {
    pub fn threshold(&self) -> Option<u32> {
        (!self.no_suppress).then_some(self.suppress_below)
    }
}

pub fn parse_day(text: &str, flag: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| Error::usage(format!("{flag} {text}: expected a date as YYYY-MM-DD")))
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// text: one line per problem and a summary; json: the whole report.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

pub fn run(args: ValidateArgs, library: &Library) -> Result<Outcome> {
    let map = args.data.map(library)?;
    // Only the checked columns are read, and records are not kept: any size fits.
    // Where the library has `within` rules, records are folded by organisation,
    // programme and financial year to check them.
    let options = args.data.options()?;
    let check = |sink: &mut dyn data::Records| {
        data::checked(&args.data.data, library, map.as_ref(), &options, Some(&["programme"]), sink)
    };
    let report = &match crate::aggregate::consistency::WithinCheck::new(library) {
        Some(mut within) => {
            let mut report = data::scan::sink_on_own_thread(&mut within, check)?;
            let files: Vec<String> = args.data.data.iter().map(|p| p.display().to_string()).collect();
            within.finish(&mut report, &files.join(", "), options.max_listed)?;
            report
        }
        None => check(&mut data::Discard)?,
    };
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
