//! The `impact` command line: clap definitions, one file per subcommand.

mod aggregate;
mod args;
mod commitments;
mod compare;
mod convert;
mod indicators;
mod init;
mod project;
mod release;
mod report;
mod samples;
mod serve;
mod template;
mod validate;
mod value;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use impactkit::error::Result;
use impactkit::indicator::Library;

#[derive(Debug, Parser)]
#[command(
    name = "impact",
    version,
    about = "Social impact measurement: validate outcome records, aggregate them against targets, report."
)]
pub struct Cli {
    /// Folder of indicator definitions (*.toml) [default: indicators/ in the working
    /// folder if there is one, else the standard library built into impact]
    #[arg(long, global = true, value_name = "DIR", help_heading = "Global options")]
    pub indicators: Option<PathBuf>,

    /// Folder of financial proxies (*.toml, [[proxy]] tables), e.g. your own licensed
    /// set [default: proxies/ beside the indicator folder]
    #[arg(long, global = true, value_name = "DIR", help_heading = "Global options")]
    pub proxies: Option<PathBuf>,

    /// Folder of your own indicator definitions (*.toml) added to the library: an id
    /// already in it is an error naming both files, unless the definition says
    /// `replaces = true`
    #[arg(long, global = true, value_name = "DIR", help_heading = "Global options")]
    pub add_indicators: Option<PathBuf>,

    /// The project file (impact.toml) or its folder [default: the nearest impact.toml
    /// in the working folder or above]
    #[arg(long, global = true, value_name = "PATH", help_heading = "Global options")]
    pub project: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per process: boxing the larger variants would gain nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a project folder: impact.toml (sources, tables, defaults), an example
    /// column map and a report spec to edit.
    Init(init::InitArgs),
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
    /// Board and funder reports (tagged PDF or HTML) from a report spec, one per subject in
    /// parallel with --each.
    Report(Box<report::ReportArgs>),
    /// Every document of a project's [[release]], protected together so that no
    /// withheld count can be worked out from all of them, audited, and written into
    /// its folder (nothing is written if the audit fails).
    Release(release::ReleaseArgs),
    /// Audit what a release published: for every withheld cell, what a reader can work
    /// out from every published figure and sum.
    Audit(release::AuditArgs),
    /// Read any source through its column map and write canonical records (CSV,
    /// JSON or Parquet): what impactkit reads, as it reads it.
    Convert(convert::ConvertArgs),
    /// Write the Excel return a funder sends to a programme's delivery partners: the
    /// records' columns with drop-down lists and checks, and how to fill it in.
    Template(template::TemplateArgs),
    /// A local web app over the project: sources and their problems, figures, reports,
    /// social value and commitments in a browser (nothing leaves this machine).
    Serve(serve::ServeArgs),
    /// Synthetic sample data.
    #[command(subcommand)]
    Samples(samples::SamplesCommand),
    /// Print tab completion for a shell, e.g. `impact completions bash >
    /// ~/.local/share/bash-completion/completions/impact`.
    Completions {
        /// bash, zsh, fish, powershell or elvish.
        #[arg(value_enum, ignore_case = true)]
        shell: clap_complete::Shell,
    },
}

impl Command {
    /// The files and folders the command is told to write.
    fn outputs(&self) -> Vec<&std::path::Path> {
        fn table(t: &args::TableOut) -> Vec<&std::path::Path> {
            t.out.as_deref().into_iter().collect()
        }
        match self {
            Command::Aggregate(a) => table(&a.output),
            Command::Value(a) => table(&a.output),
            Command::Commitments(a) => table(&a.output),
            Command::Compare(a) => table(&a.output),
            Command::Convert(a) => table(&a.output),
            Command::Template(a) => vec![a.out.as_path()],
            Command::Report(a) => a.out.as_deref().into_iter().collect(),
            Command::Release(_) | Command::Audit(_) | Command::Serve(_) => Vec::new(),
            Command::Samples(samples::SamplesCommand::Generate { out, .. }) => vec![out.as_path()],
            Command::Validate(_) | Command::Init(_) | Command::Indicators(_) | Command::Completions { .. } => {
                Vec::new()
            }
        }
    }
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

/// The format asked for, else the one `--out`'s extension implies, else a text table.
/// An `--out` whose extension names no format we write (`.xls`), or another format
/// than `--format` asks for, is refused: the file would not be what its name says.
fn table_format(
    format: Option<impactkit::output::TableFormat>,
    out: Option<&std::path::Path>,
) -> Result<impactkit::output::TableFormat> {
    use impactkit::output::TableFormat;
    let Some(path) = out else { return Ok(format.unwrap_or(TableFormat::Table)) };
    let implied = TableFormat::from_extension(path);
    match (format, implied, path.extension().and_then(|e| e.to_str())) {
        (_, None, Some(ext)) => Err(impactkit::error::Error::usage(format!(
            "cannot write a .{ext} file: --out takes .csv, .json, .parquet, .xlsx or .txt (a text table)"
        ))
        .with_hint(if ext.eq_ignore_ascii_case("xls") {
            "write .xlsx, the Excel workbook format of today"
        } else {
            "name the file for the format you want, e.g. figures.csv"
        })),
        (Some(asked), Some(named), _) if asked != named => Err(impactkit::error::Error::usage(format!(
            "--format {} and --out {} disagree",
            format!("{asked:?}").to_lowercase(),
            path.display()
        ))
        .with_hint("leave out --format (the extension decides), or name the file for the format")),
        (asked, named, _) => Ok(asked.or(named).unwrap_or(TableFormat::Table)),
    }
}

/// Send a result table to `--out` (written whole or not at all, with a one-line
/// summary) or to standard output. `header` goes before the table on standard output,
/// `context` after the summary's path, `note` after either.
fn emit(
    frame: &polars::prelude::DataFrame,
    format: impactkit::output::TableFormat,
    out: Option<&std::path::Path>,
    rows_word: &str,
    context: &str,
    header: &str,
    note: &str,
) -> Result<Outcome> {
    let bytes = impactkit::output::render(frame, format)?;
    match out {
        Some(path) => {
            impactkit::output::write_atomic(path, &bytes)?;
            let shown = impactkit::output::escape_controls(&path.display().to_string()).into_owned();
            Ok(Outcome::ok(format!("wrote {} {rows_word} to {shown}{context}\n{note}", frame.height())))
        }
        None if format == impactkit::output::TableFormat::Parquet => {
            Err(impactkit::error::Error::usage("Parquet is binary; give --out FILE.parquet"))
        }
        None if format == impactkit::output::TableFormat::Xlsx => {
            Err(impactkit::error::Error::usage("a workbook is binary; give --out FILE.xlsx"))
        }
        None => {
            if format == impactkit::output::TableFormat::Table {
                warn_if_wider_than_terminal(&bytes);
            }
            Ok(Outcome::ok([header.as_bytes(), &bytes, note.as_bytes()].concat()))
        }
    }
}

/// A text table wider than the terminal wraps into something unreadable (the impact
/// map is over 400 columns): say so on standard error, with what to do instead. The
/// width is `COLUMNS` when the shell exports it, else 120.
fn warn_if_wider_than_terminal(table: &[u8]) {
    let limit =
        std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()).filter(|c| *c > 0).unwrap_or(120);
    let widest = String::from_utf8_lossy(table).lines().map(|l| l.chars().count()).max().unwrap_or(0);
    if widest > limit {
        eprintln!(
            "note: the table is {widest} characters wide, wider than the terminal's {limit}: use --format csv (or --out FILE.csv) to open it in a spreadsheet"
        );
    }
}

pub fn run(mut cli: Cli) -> Result<Outcome> {
    if let Command::Init(args) = cli.command {
        return init::run(args);
    }
    if let Command::Serve(args) = cli.command {
        return serve::run(args, cli.project.as_deref());
    }
    // Completions and synthetic samples owe nothing to a project (and a broken
    // impact.toml must not stop them).
    let uses_project = !matches!(cli.command, Command::Completions { .. } | Command::Samples(_));
    if let Some(project) = uses_project.then(|| project::find(cli.project.as_deref())).transpose()?.flatten() {
        project::apply(&project, &mut cli)?;
        // No output replaces a file the project reads, or lands in its sources.
        let read = project.read_set();
        for out in cli.command.outputs() {
            read.check(out)?;
        }
        if let Command::Report(args) = &mut cli.command {
            args.read_set = read;
        }
    }
    let dir = library_dir(cli.indicators.as_deref());
    let (proxies, added) = (cli.proxies.as_deref(), cli.add_indicators.as_deref());
    let library = || load_library(&dir, proxies, added);
    match cli.command {
        Command::Indicators(cmd) => indicators::run(cmd, &dir, proxies, added),
        Command::Validate(args) => validate::run(args, &library()?),
        Command::Aggregate(args) => aggregate::run(args, &library()?),
        Command::Value(args) => value::run(*args, &library()?),
        Command::Commitments(args) => commitments::run(*args, &library()?),
        Command::Compare(args) => compare::run(*args, &library()?),
        Command::Convert(args) => convert::run(args, &library()?),
        Command::Template(args) => template::run(args, &library()?),
        Command::Report(args) => report::run(*args, &library()?),
        Command::Release(args) => release::run(args, &library()?),
        Command::Audit(args) => release::audit(args, &library()?),
        Command::Samples(cmd) => samples::run(cmd, &library()?),
        Command::Init(args) => init::run(args),
        Command::Serve(args) => serve::run(args, cli.project.as_deref()),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "impact", &mut out);
            Ok(Outcome::ok(out))
        }
    }
}

/// The library folder: the one given, else `indicators/` here, else the built-in one.
fn library_dir(given: Option<&std::path::Path>) -> PathBuf {
    match given {
        Some(dir) => dir.to_path_buf(),
        None if std::path::Path::new(impactkit::indicator::DEFAULT_DIR).is_dir() => {
            PathBuf::from(impactkit::indicator::DEFAULT_DIR)
        }
        None => impactkit::builtin::folder(impactkit::indicator::DEFAULT_DIR),
    }
}

/// The proxies folder: the one given (which must exist), else `proxies/` beside the
/// indicator folder (which may not).
fn proxies_dir(dir: &std::path::Path, given: Option<&std::path::Path>) -> Result<PathBuf> {
    match given {
        Some(p) if !p.is_dir() => Err(impactkit::error::Error::config(p, "no such folder of proxies")
            .with_hint("--proxies takes a folder of *.toml files holding [[proxy]] tables")),
        Some(p) => Ok(p.to_path_buf()),
        None => Ok(impactkit::indicator::proxies::beside(dir)),
    }
}

fn load_library(
    dir: &std::path::Path,
    proxies: Option<&std::path::Path>,
    added: Option<&std::path::Path>,
) -> Result<Library> {
    let proxies = proxies_dir(dir, proxies)?;
    match added {
        Some(extra) => Library::load_added(&[dir, extra], &proxies),
        None => Library::load_with_proxies(dir, &proxies),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
