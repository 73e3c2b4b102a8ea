use std::path::PathBuf;

use clap::Args;

use super::args::{parse_day, PrivacyArgs, UnitArg};
use super::Outcome;
use impactkit::data::CheckOptions;
use impactkit::error::{Error, Result};
use impactkit::indicator::Library;
use impactkit::report::{self, SubjectKind};

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Report spec (TOML), e.g. reports/board.toml, or the name of a built-in one:
    /// board, funder, cbc, compare.
    // Optional to clap: `--data a.csv spec.toml` hands the spec to --data, which takes
    // several files; `run` takes it back from there (see `spec_and_data`).
    #[arg(value_name = "SPEC", hide_possible_values = true, value_parser = super::args::Offering(impactkit::builtin::spec_names))]
    pub spec: Option<String>,
    /// Outcome record files [default: the project's [[source]] files].
    #[arg(long, num_args = 1.., value_name = "DATA")]
    pub data: Vec<PathBuf>,
    /// Column map for the data files.
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// Targets and baselines table.
    #[arg(long, value_name = "FILE")]
    pub targets: Option<PathBuf>,
    /// Organisations table (id, name): names on covers and charts.
    #[arg(long, value_name = "FILE")]
    pub organisations: Option<PathBuf>,
    /// Programmes table (id, name).
    #[arg(long, value_name = "FILE")]
    pub programmes: Option<PathBuf>,
    /// Areas table (code, name).
    #[arg(long, value_name = "FILE")]
    pub areas: Option<PathBuf>,
    /// Assumptions for social value sections (discount rate, overrides, sensitivity).
    #[arg(long, value_name = "FILE")]
    pub assumptions: Option<PathBuf>,
    /// State every value in this year's prices (the assumptions' report_year), brought
    /// there with HM Treasury's GDP deflators
    #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(1990..=2100))]
    pub report_year: Option<i32>,
    /// Community Benefit Clause commitments, for a commitments section.
    #[arg(long, value_name = "FILE")]
    pub commitments: Option<PathBuf>,
    /// The organisation or programme one report is about.
    #[arg(long, value_name = "ID")]
    pub subject: Option<String>,
    /// One PDF per organisation or programme, rendered in parallel (into --out-dir, or a
    /// project's out_dir).
    #[arg(long, value_enum)]
    pub each: Option<UnitArg>,
    /// The file to write (one report): .pdf, or .html for an HTML page.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write each report as a tagged PDF or a self-contained HTML page [default: as
    /// --out's name says, else pdf]
    #[arg(long, value_enum)]
    pub format: Option<DocFormat>,
    /// Where --each writes its PDFs (one per subject, named by id) [default: a project's
    /// out_dir]
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Also write every chart as SVG here.
    #[arg(long, value_name = "DIR")]
    pub charts_dir: Option<PathBuf>,
    /// Also write each PDF page as an SVG picture here (page-01.svg, …; a folder per
    /// subject with --each), to preview a report.
    #[arg(long, value_name = "DIR")]
    pub pages_dir: Option<PathBuf>,
    /// Also write the table behind every section and chart here, for analysts.
    #[arg(long, value_name = "DIR")]
    pub figures_dir: Option<PathBuf>,
    /// Format of --figures-dir tables.
    #[arg(long, value_enum, default_value_t = super::args::Format::Csv)]
    pub figures_format: super::args::Format,
    /// Date printed on the report and stored in the PDF (default: the period's last day,
    /// so the same inputs give byte-identical PDFs).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
    /// Leave out invalid records (reported, and counted as rejected) instead of refusing the data.
    #[arg(long)]
    pub skip_invalid: bool,
    #[command(flatten)]
    pub privacy: PrivacyArgs,
    /// Treat dates after this day as in the future (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
    /// Who a participant id names: a person within its organisation, within its
    /// programme, or everywhere [default: organisation, or the project's participant_ids]
    #[arg(long, value_enum, value_name = "SCOPE")]
    pub participant_ids: Option<super::args::ParticipantIds>,
    /// The project's sources, each with its own map: read when --data is not given.
    #[arg(skip)]
    pub project: Vec<impactkit::data::SourcePath>,
    /// The project's report specs folder, where a spec named like `board` is looked
    /// for before the built-in ones.
    #[arg(skip)]
    pub project_specs: Option<PathBuf>,
    /// The project's name tables (column, table): names in any file read as ids.
    #[arg(skip)]
    pub read_names: Vec<(String, PathBuf)>,
    /// What the project reads, which no file of the batch may replace.
    #[arg(skip)]
    pub read_set: impactkit::project::ReadSet,
    /// The project, whose releases a report of one of their specs is made with.
    #[arg(skip)]
    pub in_project: Option<impactkit::project::Project>,
}

/// The spec and the data files: a spec written after `--data`'s files was taken in
/// as one of them; a last `--data` value ending in .toml is the spec.
fn spec_and_data(
    spec: Option<PathBuf>,
    mut data: Vec<PathBuf>,
    project_specs: Option<&std::path::Path>,
) -> Result<(PathBuf, Vec<PathBuf>)> {
    if let Some(spec) = spec {
        return Ok((resolve_spec(&spec, project_specs)?, data));
    }
    let is_spec = |p: &PathBuf| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    match data.last() {
        Some(last) if is_spec(last) && data.len() > 1 => {
            let spec = data.pop().unwrap_or_default();
            Ok((spec, data))
        }
        _ => {
            Err(Error::usage("no report spec given").with_hint("name a spec such as reports/board.toml before --data"))
        }
    }
}

/// The spec file a name stands for: in a project, its own `reports/NAME.toml`; else a
/// built-in spec (`board`, or `reports/board.toml` from another folder); else the file.
pub fn resolve_spec(spec: &std::path::Path, project_specs: Option<&std::path::Path>) -> Result<PathBuf> {
    if let Some(own) = project_specs.and_then(|dir| project_spec(dir, spec)) {
        return Ok(own);
    }
    if let Some(built_in) = impactkit::builtin::spec(spec) {
        return Ok(built_in);
    }
    if !spec.exists() {
        return Err(Error::usage(format!("no report spec {}", spec.display())).with_hint(format!(
            "give a spec file, or a built-in spec: {}",
            impactkit::builtin::spec_names().join(", ")
        )));
    }
    Ok(spec.to_path_buf())
}

/// A project's spec named like `board` or `board.toml`: `DIR/board.toml`, if the name
/// is not a file here and the project has it.
fn project_spec(dir: &std::path::Path, name: &std::path::Path) -> Option<PathBuf> {
    if name.exists() || name.parent().is_some_and(|p| !p.as_os_str().is_empty()) {
        return None;
    }
    let path = dir.join(format!("{}.toml", name.file_stem()?.to_str()?));
    path.is_file().then_some(path)
}

pub fn run(args: ReportArgs, library: &Library) -> Result<Outcome> {
    let (spec, data) = spec_and_data(args.spec.map(PathBuf::from), args.data, args.project_specs.as_deref())?;
    let data = super::args::choose_sources(
        &data,
        args.map.as_deref(),
        &args.project,
        "--data files",
        "name the files with --data too, or give each [[source]] in impact.toml its map",
    )?;
    let mut check = CheckOptions {
        participants: args.participant_ids.map(Into::into).unwrap_or_default(),
        ..CheckOptions::default()
    };
    if let Some(t) = &args.today {
        check.today = parse_day(t, "--today")?;
    }
    // One report with an output folder but no file (a project's out_dir): named by
    // the spec and the subject.
    let format = match (args.format, &args.out) {
        (Some(DocFormat::Pdf), _) => report::Format::Pdf,
        (Some(DocFormat::Html), _) => report::Format::Html,
        (None, Some(out)) => report::Format::of(out),
        (None, None) => report::Format::Pdf,
    };
    let ext = format.ext();
    let out = match (&args.out, &args.out_dir, args.each) {
        (None, Some(dir), None) => {
            let stem = spec.file_stem().map_or("report".into(), |s| s.to_string_lossy().to_string());
            Some(dir.join(match &args.subject {
                Some(subject) => format!("{stem}-{}.{ext}", report::file_stem(subject)),
                None => format!("{stem}.{ext}"),
            }))
        }
        _ => args.out,
    };
    let opts = report::Options {
        spec,
        data,
        read_names: args.read_names,
        targets: args.targets,
        names: [args.organisations, args.programmes.clone(), args.areas].into_iter().flatten().collect(),
        programmes: args.programmes,
        assumptions: args.assumptions,
        report_year: args.report_year,
        commitments: args.commitments,
        subject: args.subject,
        each: args.each.map(|e| match e {
            UnitArg::Organisation => SubjectKind::Organisation,
            UnitArg::Programme => SubjectKind::Programme,
        }),
        out,
        out_dir: args.out_dir,
        charts_dir: args.charts_dir,
        pages_dir: args.pages_dir,
        figures_dir: args.figures_dir,
        figures_format: args.figures_format.into(),
        date: args.date.as_deref().map(|d| parse_day(d, "--date")).transpose()?,
        skip_invalid: args.skip_invalid,
        suppress_below: args.privacy.threshold(),
        check,
        progress: Some(progress_bar()),
        read_set: args.read_set,
        staged: false,
        format,
    };
    // A spec a release of the project publishes is made with the release's documents,
    // so it withholds what they withhold.
    let releases = args.in_project.as_ref().map_or(&[][..], |p| p.releases.as_slice());
    for r in releases {
        let project = args.in_project.as_ref().ok_or_else(|| Error::internal("a release without its project"))?;
        let documents = super::release::documents(project, r)?;
        if let Some(summary) = report::run_in_release(&opts, &r.name, &documents, library)? {
            eprintln!(
                "note: made with the documents of release {}, so it withholds what they withhold",
                impactkit::output::escape_controls(&r.name)
            );
            return finish(summary, format);
        }
    }
    finish(report::run(&opts, library)?, format)
}

/// What a report is written as (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DocFormat {
    /// A tagged PDF (PDF/UA-1).
    Pdf,
    /// One self-contained HTML page.
    Html,
}

/// What a batch wrote, said on standard output; exit 1 when a subject failed.
fn finish(summary: report::Summary, format: report::Format) -> Result<Outcome> {
    if let Some(problems) = &summary.skipped {
        eprint!("{}", problems.to_text());
        eprintln!(
            "warning: --skip-invalid: {} invalid record(s) left out and counted as rejected",
            problems.records_read - problems.records_valid
        );
    }
    let mut out = String::new();
    use impactkit::output::escape_controls as shown;
    for (subject, err) in &summary.failed {
        out.push_str(&format!("failed: {}: {}\n", shown(subject), shown(err)));
    }
    // A batch can repeat one warning for many subjects: the first ten, then a count.
    for warning in summary.warnings.iter().take(10) {
        eprintln!("warning: {warning}");
    }
    if summary.warnings.len() > 10 {
        eprintln!("warning: … and {} more report(s) with text the typeface cannot draw", summary.warnings.len() - 10);
    }
    for (subject, name) in &summary.renamed {
        eprintln!(
            "note: subject {} differs from another only in case (one file on Windows and macOS): its files are named {name}",
            shown(subject)
        );
    }
    let kb = summary.bytes as f64 / 1024.0 / summary.written.len().max(1) as f64;
    match summary.written.as_slice() {
        [one] if format == report::Format::Html => {
            out.push_str(&format!("wrote {} ({:.0} KB) in {:.1}s\n", one.display(), kb, summary.seconds))
        }
        many if format == report::Format::Html => out.push_str(&format!(
            "wrote {} HTML page(s), {:.0} KB each on average, in {:.1}s{}\n",
            many.len(),
            kb,
            summary.seconds,
            if summary.failed.is_empty() { String::new() } else { format!("; {} failed", summary.failed.len()) }
        )),
        [one] => out.push_str(&format!(
            "wrote {} ({} pages, {:.0} KB) in {:.1}s\n",
            one.display(),
            summary.pages,
            kb,
            summary.seconds
        )),
        many => out.push_str(&format!(
            "wrote {} PDF(s), {} pages, {:.0} KB each on average, in {:.1}s{}\n",
            many.len(),
            summary.pages,
            kb,
            summary.seconds,
            if summary.failed.is_empty() { String::new() } else { format!("; {} failed", summary.failed.len()) }
        )),
    }
    if summary.written.is_empty() && summary.failed.is_empty() {
        return Err(Error::usage("no subjects had records in the period; nothing was written"));
    }
    Ok(Outcome { stdout: out.into_bytes(), exit_code: i32::from(!summary.failed.is_empty()) })
}

/// A progress bar on standard error for a batch of more than one report, drawn only
/// when standard error is a terminal.
fn progress_bar() -> report::OnProgress {
    use std::io::IsTerminal;
    use std::sync::{Arc, OnceLock};
    let bar: OnceLock<Option<indicatif::ProgressBar>> = OnceLock::new();
    report::OnProgress(Arc::new(move |step| match step {
        report::Progress::Started { reports } => {
            let _ = bar.set((reports > 1 && std::io::stderr().is_terminal()).then(|| {
                let b = indicatif::ProgressBar::new(reports as u64);
                if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} reports {elapsed}") {
                    b.set_style(style);
                }
                b
            }));
        }
        report::Progress::Written => {
            if let Some(Some(b)) = bar.get() {
                b.inc(1);
            }
        }
        report::Progress::Finished => {
            if let Some(Some(b)) = bar.get() {
                b.finish_and_clear();
            }
        }
    }))
}
