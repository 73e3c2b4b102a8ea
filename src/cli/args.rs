//! Arguments shared by several commands, each defined and documented once.

use std::path::PathBuf;

use clap::Args;

use impactkit::data::{self, CheckOptions};
use impactkit::error::{Error, Result};
use impactkit::indicator::Library;
use impactkit::output::TableFormat;

/// Options shared by every command that reads outcome records.
#[derive(Debug, Args)]
pub struct DataArgs {
    /// Outcome record files: .csv, .xlsx, .parquet, .json or .ndjson [default: the
    /// project's [[source]] files, in a folder with an impact.toml]
    #[arg(value_name = "DATA")]
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
    /// Who a participant id names: a person within its organisation (ids numbered by
    /// each partner), within its programme, or everywhere (shared ids) [default:
    /// organisation, or the project's participant_ids]
    #[arg(long, value_enum, value_name = "SCOPE")]
    pub participant_ids: Option<ParticipantIds>,
    /// The project's sources, each with its own map: read when no file is given.
    #[arg(skip)]
    pub project: Vec<data::SourcePath>,
    /// The project's name tables (column, table): names in any file read as ids.
    #[arg(skip)]
    pub names: Vec<(String, PathBuf)>,
}

impl DataArgs {
    /// The files to read, each with its map: those given (with --map), else the project's.
    /// The files' maps, with the project's name tables.
    pub fn maps(&self, sources: &[data::SourcePath], library: &Library) -> Result<data::Maps> {
        data::Maps::load_with_names(sources, &self.names, library)
    }

    pub fn sources(&self) -> Result<Vec<data::SourcePath>> {
        choose_sources(
            &self.data,
            self.map.as_deref(),
            &self.project,
            "data files named on the command line",
            "name the files too, or give each [[source]] in impact.toml its map = \"…\"",
        )
    }

    /// Refuse `--out` naming a data file or a map.
    pub fn refuse_out_over_inputs(
        &self,
        out: Option<&std::path::Path>,
        others: &[Option<&std::path::Path>],
    ) -> Result<()> {
        let Some(out) = out else { return Ok(()) };
        let sources = self.sources()?;
        let inputs = sources
            .iter()
            .flat_map(|s| std::iter::once(s.path.as_path()).chain(s.map.as_deref()))
            .chain(others.iter().flatten().copied());
        impactkit::output::refuse_overwriting_inputs(out, inputs)
    }

    /// One streaming pass over the data for `requests` (and `sinks`, see
    /// `pipeline::run_with`). With `skip_invalid` the problems are printed and the
    /// invalid records left out.
    pub fn pass(
        &self,
        library: &Library,
        requests: &[impactkit::aggregate::Request],
        sinks: Vec<&mut (dyn data::Records + Send)>,
        skip_invalid: bool,
    ) -> Result<impactkit::pipeline::Output> {
        let sources = self.sources()?;
        let maps = self.maps(&sources, library)?;
        let input = impactkit::pipeline::Input {
            sources: maps.files(&sources),
            options: self.options()?,
            skip_invalid,
            extra_columns: &[],
        };
        let out = impactkit::pipeline::run_with(&input, library, requests, sinks)?;
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
        let mut opts = CheckOptions {
            max_listed: self.max_problems,
            participants: self.participant_ids.map(Into::into).unwrap_or_default(),
            ..CheckOptions::default()
        };
        if let Some(t) = &self.today {
            opts.today = parse_day(t, "--today")?;
        }
        Ok(opts)
    }
}

/// The files a command reads, each with its map: those `named` (read with `map`),
/// else the project's sources. `--map` alone cannot apply to a project's sources,
/// which name their own maps: refused, saying how the command's files are given
/// (`named_as`) and what to do (`hint`).
pub fn choose_sources(
    named: &[PathBuf],
    map: Option<&std::path::Path>,
    project: &[data::SourcePath],
    named_as: &str,
    hint: &str,
) -> Result<Vec<data::SourcePath>> {
    match map {
        Some(map) if named.is_empty() && !project.is_empty() => {
            Err(Error::usage(format!("--map {} goes with {named_as}", map.display())).with_hint(hint))
        }
        _ if named.is_empty() && !project.is_empty() => Ok(project.to_vec()),
        _ => Ok(data::SourcePath::all(named, map)),
    }
}

/// Small-number suppression for outputs that get published.
#[derive(Debug, Args)]
pub struct PrivacyArgs {
    /// Withhold counts of people under N, 2 or more (and any cell that would reveal
    /// them). A threshold of 1 would withhold nothing: use --no-suppress for that
    /// [default: 5, or the project's suppress_below]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..))]
    pub suppress_below: Option<u32>,
    /// Publish every count, however small (internal use only).
    #[arg(long, conflicts_with = "suppress_below")]
    pub no_suppress: bool,
}

impl PrivacyArgs {
    /// The threshold in force (None: publish everything).
    pub fn threshold(&self) -> Option<u32> {
        (!self.no_suppress).then_some(self.suppress_below.unwrap_or(impactkit::privacy::DEFAULT_THRESHOLD))
    }

    /// The project's defaults, where no flag was given. When they change what is
    /// withheld from the built-in default, a note on standard error names the project
    /// file: a setting in a folder above must never switch protection off unseen.
    pub fn default_to(&mut self, defaults: &impactkit::project::Defaults, project_file: &std::path::Path) {
        if self.suppress_below.is_some() || self.no_suppress {
            return;
        }
        self.suppress_below = defaults.suppress_below;
        self.no_suppress = defaults.no_suppress;
        let shown = impactkit::output::escape_controls(&project_file.display().to_string()).into_owned();
        if self.no_suppress {
            eprintln!(
                "note: {shown} says no_suppress = true: every count is published, however small (internal use only)"
            );
        } else if let Some(n) = self.suppress_below.filter(|n| *n != impactkit::privacy::DEFAULT_THRESHOLD) {
            eprintln!("note: {shown} says suppress_below = {n}: counts of people under {n} are withheld");
        }
    }
}

/// A text argument with words to offer: shell completion offers them, and help lists
/// them, but any text is taken (the command checks it, with a hint of the nearest).
#[derive(Clone)]
pub struct Offering(pub fn() -> Vec<&'static str>);

impl clap::builder::TypedValueParser for Offering {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> std::result::Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new((self.0)().into_iter().map(clap::builder::PossibleValue::new)))
    }
}

/// The dimensions `--by` takes, for completion.
pub fn dimensions() -> Vec<&'static str> {
    let grains = impactkit::aggregate::Grain::ALL.iter().map(|g| g.name());
    impactkit::aggregate::RECORD_DIMS.iter().copied().chain(grains).collect()
}

pub fn parse_day(text: &str, flag: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| Error::usage(format!("{flag} {text}: expected a date as YYYY-MM-DD")))
}

/// `--from` and `--to`: the period of outcomes a command reads.
#[derive(Debug, Args)]
pub struct Period {
    /// First day to include (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day to include (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
}

impl Period {
    /// The two days, each optional; a `--from` after the `--to` is refused.
    pub fn days(&self) -> Result<(Option<chrono::NaiveDate>, Option<chrono::NaiveDate>)> {
        let from = self.from.as_deref().map(|d| parse_day(d, "--from")).transpose()?;
        let to = self.to.as_deref().map(|d| parse_day(d, "--to")).transpose()?;
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(Error::usage(format!("--from {f} is after --to {t}")));
            }
        }
        Ok((from, to))
    }
}

/// Who a participant id names, as the command line says it (`--participant-ids`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ParticipantIds {
    Organisation,
    Programme,
    Shared,
}

impl From<ParticipantIds> for data::ParticipantScope {
    fn from(p: ParticipantIds) -> data::ParticipantScope {
        match p {
            ParticipantIds::Organisation => data::ParticipantScope::Organisation,
            ParticipantIds::Programme => data::ParticipantScope::Programme,
            ParticipantIds::Shared => data::ParticipantScope::Shared,
        }
    }
}

impl From<data::ParticipantScope> for ParticipantIds {
    fn from(p: data::ParticipantScope) -> ParticipantIds {
        match p {
            data::ParticipantScope::Organisation => ParticipantIds::Organisation,
            data::ParticipantScope::Programme => ParticipantIds::Programme,
            data::ParticipantScope::Shared => ParticipantIds::Shared,
        }
    }
}

/// "organisation" or "programme" as the command line names it (`--by`, `--each`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum UnitArg {
    Organisation,
    Programme,
}

impl From<UnitArg> for impactkit::aggregate::Unit {
    fn from(u: UnitArg) -> impactkit::aggregate::Unit {
        match u {
            UnitArg::Organisation => impactkit::aggregate::Unit::Organisation,
            UnitArg::Programme => impactkit::aggregate::Unit::Programme,
        }
    }
}

/// A table format as the command line names it (the library's `TableFormat` knows
/// nothing of clap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
    Parquet,
    Xlsx,
}

impl From<Format> for TableFormat {
    fn from(f: Format) -> TableFormat {
        match f {
            Format::Table => TableFormat::Table,
            Format::Csv => TableFormat::Csv,
            Format::Json => TableFormat::Json,
            Format::Parquet => TableFormat::Parquet,
            Format::Xlsx => TableFormat::Xlsx,
        }
    }
}

/// `--format` and `--out` of a command that writes a table.
#[derive(Debug, Args)]
pub struct TableOut {
    /// Output format (default: from --out's extension, else table).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write here instead of standard output (written whole or not at all).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

impl TableOut {
    /// The format to write: checked before any data is read, so a file name no format
    /// fits is refused at once.
    pub fn format(&self) -> Result<TableFormat> {
        super::table_format(self.format.map(TableFormat::from), self.out.as_deref())
    }
}
