//! The report builder: a spec and the data → one PDF, or one PDF per subject
//! (organisation or programme) in parallel, from figures aggregated once.

pub(crate) mod blocks;
pub(crate) mod chart;
pub(crate) mod content;
pub(crate) mod deflate;
pub(crate) mod draw;
pub(crate) mod embed;
pub mod figures;
pub(crate) mod fonts;
pub mod format;
pub(crate) mod hash;
pub(crate) mod layout;
pub mod need;
pub(crate) mod pdf;
pub mod protect;
pub mod row;
pub(crate) mod sections;
pub mod spec;
pub mod terms;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::aggregate::{Filters, Targets, Unit};
use crate::commitments;
use crate::data::{self, CheckOptions};
use crate::error::{Error, Result};
use crate::indicator::Library;
use crate::value::{self, Assumptions, GroupValue};
pub use spec::{Spec, SubjectKind};

/// What a batch of reports reads and writes.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The report spec.
    pub spec: PathBuf,
    /// Data files, each with its column map.
    pub data: Vec<data::SourcePath>,
    /// Name tables (column, table) that read names in every data file as ids (a
    /// project's tables), where a file's map has none for the column.
    pub read_names: Vec<(String, PathBuf)>,
    /// Targets table.
    pub targets: Option<PathBuf>,
    /// Name tables (id/code, name): organisations, programmes, areas.
    pub names: Vec<PathBuf>,
    /// Programmes table with `investment` (and `start`, `end`): SROI investment.
    pub programmes: Option<PathBuf>,
    /// Assumptions file for social value sections.
    pub assumptions: Option<PathBuf>,
    /// Commitments table for the commitments section.
    pub commitments: Option<PathBuf>,
    /// The year whose prices values are stated in, in place of the assumptions'.
    pub report_year: Option<i32>,
    /// One report about this subject (an organisation or programme id).
    pub subject: Option<String>,
    /// One report per subject of this kind.
    pub each: Option<SubjectKind>,
    /// The PDF of one report.
    pub out: Option<PathBuf>,
    /// The folder for one report per subject.
    pub out_dir: Option<PathBuf>,
    /// Also write every chart as SVG here.
    pub charts_dir: Option<PathBuf>,
    /// Also write the table behind every section and chart here.
    pub figures_dir: Option<PathBuf>,
    /// The format of the tables in `figures_dir`.
    pub figures_format: crate::output::TableFormat,
    /// The date printed and stored in the PDF (default: the period's last day).
    pub date: Option<chrono::NaiveDate>,
    /// Leave out invalid records (counted as rejected) instead of refusing the data.
    pub skip_invalid: bool,
    /// Withhold counts of people under this in every figure (None: publish all).
    pub suppress_below: Option<u32>,
    /// How strictly records are checked.
    pub check: CheckOptions,
    /// Told as a batch starts, as each report is written and as it ends (the library
    /// does not print; the command line draws a progress bar from these).
    pub progress: Option<OnProgress>,
    /// Files the batch reads (a project's), which none of its files may replace.
    pub read_set: crate::project::ReadSet,
}

/// A step of a batch of reports, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The batch starts; this many reports will be made.
    Started {
        /// Reports to make.
        reports: usize,
    },
    /// One more report was written (or failed).
    Written,
    /// Every report is done.
    Finished,
}

/// Receives a batch's [`Progress`]; called from several threads.
#[derive(Clone)]
pub struct OnProgress(pub std::sync::Arc<dyn Fn(Progress) + Send + Sync>);

impl std::fmt::Debug for OnProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OnProgress")
    }
}

impl Options {
    /// Every input file but the library: spec, data, maps, tables, assumptions.
    fn input_files(&self) -> impl Iterator<Item = &PathBuf> {
        let mut maps: Vec<&PathBuf> = Vec::new();
        for m in self.data.iter().filter_map(|s| s.map.as_ref()) {
            if !maps.contains(&m) {
                maps.push(m);
            }
        }
        // Name tables that read records but name nothing in the report (a library
        // user's; a project's are also its display tables).
        let reading = self.read_names.iter().map(|(_, t)| t).filter(|t| !self.names.contains(t));
        std::iter::once(&self.spec)
            .chain(self.data.iter().map(|s| &s.path))
            .chain(maps)
            .chain(&self.targets)
            .chain(&self.names)
            .chain(&self.programmes)
            .chain(&self.assumptions)
            .chain(&self.commitments)
            .chain(reading)
    }
}

/// What a batch wrote.
#[derive(Debug, Default)]
pub struct Summary {
    /// PDFs written.
    pub written: Vec<PathBuf>,
    /// Subjects whose report failed, with the reason.
    pub failed: Vec<(String, String)>,
    /// Pages written in all.
    pub pages: usize,
    /// Bytes of PDF written in all.
    pub bytes: u64,
    /// Seconds the batch took.
    pub seconds: f64,
    /// Records rejected by validation.
    pub rejected: u64,
    /// With `skip_invalid`, the problems of the records left out (None when all were valid).
    pub skipped: Option<crate::diagnostics::Report>,
    /// What readers of the PDFs would miss (text the typeface cannot draw), each once.
    pub warnings: Vec<String>,
    /// Subjects whose file names were made unique (their ids differ from another's
    /// only in case), with the name used.
    pub renamed: Vec<(String, String)>,
}

/// Reads the inputs, computes the figures once and writes every report of the batch (in parallel).
pub fn run(opts: &Options, library: &Library) -> Result<Summary> {
    let started = Instant::now();
    let (spec, window) = settle_spec(opts, library)?;
    let kind = spec.subject;
    let made = compute(opts, &spec, &window, library)?;
    let figures = &made.figures;
    let subjects: Vec<String> = match (&opts.subject, opts.each) {
        (Some(s), None) => vec![s.clone()],
        _ => figures.subjects.clone(),
    };
    let inputs = Inputs {
        spec: &spec,
        window: &window,
        library,
        figures,
        names: &made.names,
        values: &made.values,
        assumptions: &made.assumptions,
        commitments: &made.commitments,
        comparisons: &made.comparisons,
        date: opts.date,
        fingerprint: &made.fingerprint,
        everything: kind == SubjectKind::All && opts.subject.is_none(),
    };

    let tell = |step: Progress| {
        if let Some(on) = &opts.progress {
            (on.0)(step)
        }
    };
    tell(Progress::Started { reports: subjects.len() });
    let (stems, renamed) = batch_stems(&subjects);
    let results: Vec<(String, Written)> = subjects
        .par_iter()
        .zip(&stems)
        .map(|(s, stem)| {
            let written = write_subject(&inputs, opts, s, stem);
            tell(Progress::Written);
            (s.clone(), written)
        })
        .collect();
    tell(Progress::Finished);
    let mut summary =
        Summary { rejected: figures.rejected_total, skipped: made.skipped, renamed, ..Summary::default() };
    for (subject, r) in results {
        match r {
            Ok((path, pages, bytes, warnings)) => {
                summary.written.push(path);
                summary.pages += pages;
                summary.bytes += bytes;
                for w in warnings {
                    if !summary.warnings.contains(&w) {
                        summary.warnings.push(w);
                    }
                }
            }
            Err(e) => summary.failed.push((subject, e)),
        }
    }
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// The spec, with `--each` applied, and its period: refused when the options do not
/// fit it (one report or many, where to write them).
fn settle_spec(opts: &Options, library: &Library) -> Result<(Spec, spec::Window)> {
    if let Some(out) = &opts.out {
        refuse_other_than_pdf(out)?;
    }
    let mut spec = Spec::load(&opts.spec, library)?;
    check_subject_choice(&spec, opts)?;
    if let Some(out) = &opts.out {
        crate::output::refuse_overwriting_inputs(out, opts.input_files().map(PathBuf::as_path))?;
    }
    if let Some(kind) = opts.each {
        if kind == SubjectKind::All {
            return Err(Error::usage("--each takes organisation or programme"));
        }
        spec.subject = kind;
    }
    let kind = spec.subject;
    let window = spec.window()?;
    match (&opts.out, &opts.out_dir, opts.each) {
        (_, None, Some(_)) => return Err(Error::usage("--each writes one PDF per subject: give --out-dir DIR")),
        (None, _, None) => return Err(Error::usage("give --out report.pdf")),
        _ => {}
    }
    if opts.each.is_none() && opts.subject.is_none() && kind != SubjectKind::All {
        let what = kind.column().unwrap_or("subject");
        return Err(Error::usage(format!("{} is a report about one {what}", opts.spec.display())).with_hint(format!(
            "give --subject ID for one report, or --each {what} --out-dir DIR for one per {what}"
        )));
    }

    Ok((spec, window))
}

/// What a batch computes once from its inputs, for every report.
struct Computed {
    figures: figures::Figures,
    names: HashMap<String, String>,
    values: HashMap<String, GroupValue>,
    assumptions: Assumptions,
    commitments: Vec<commitments::Progress>,
    comparisons: HashMap<(Unit, spec::Per), Vec<crate::compare::Row>>,
    fingerprint: String,
    /// With `skip_invalid`, the problems of the records left out.
    skipped: Option<crate::diagnostics::Report>,
}

/// Every subject's figures from records in memory (the valid ones, and optionally the
/// rejected ones for the data-quality counts): what a report run gets from its pass.
pub fn figures_from_records(
    spec: &Spec,
    window: &spec::Window,
    records: &polars::prelude::DataFrame,
    rejected: Option<&polars::prelude::DataFrame>,
    library: &Library,
    targets: Option<&Targets>,
    suppress_below: Option<u32>,
) -> Result<figures::Figures> {
    use crate::data::Records;
    let mut requests = Vec::new();
    let plan = figures::Plan::new(&spec_needs(spec, library), spec.subject, window, None, false, &mut requests);
    let mut quality = figures::QualitySink::new(spec.subject.column(), None, window);
    if let Some(rejected) = rejected {
        quality.batch(rejected.clone())?;
    }
    let out = crate::pipeline::from_records_with(records, library, &requests, vec![&mut quality])?;
    plan.assemble(&out.figures, quality, spec.subject, window, library, targets, suppress_below)
}

/// What a spec's sections read, with the library's valued indicators (and the people
/// their quantities rest on: printed beside a value, so protected with the rest).
fn spec_needs(spec: &Spec, library: &Library) -> need::Needs {
    let valued: Vec<String> = library
        .iter()
        .filter(|i| i.proxy.is_some())
        .flat_map(|i| std::iter::once(i.id.clone()).chain(i.people.clone()))
        .collect();
    spec.needs(&valued)
}

/// Reads the data in one streaming pass and the tables beside it, and computes every
/// subject's figures, social values, peer comparisons and commitments.
fn compute(opts: &Options, spec: &Spec, window: &spec::Window, library: &Library) -> Result<Computed> {
    let kind = spec.subject;
    let needs = spec_needs(spec, library);
    let maps = data::Maps::load_with_names(&opts.data, &opts.read_names, library)?;
    // One report about one subject needs no other subject's records, unless a section
    // compares it with its peers: every figure of a report is grouped by its subject
    // (and protected per subject), so the subject's records alone give the same PDF,
    // without aggregating everyone (0.9 s of 1.1 s for one pack from 1,000).
    let only_subject = match (&opts.subject, opts.each, kind.column()) {
        (Some(subject), None, Some(column)) if !needs.compares_peers => Some((column, subject.as_str())),
        _ => None,
    };
    let commitment_list = if needs.commitments {
        let path = opts.commitments.as_deref().ok_or_else(|| {
            Error::usage(format!("{} has a commitments section", opts.spec.display()))
                .with_hint("give --commitments FILE (e.g. samples/commitments.csv)")
        })?;
        Some(commitments::load(path, library)?)
    } else {
        None
    };

    // Everything the report reads from the data, in one streaming pass of the
    // pipeline: the sections' figures, the social value's quantities, the peer
    // comparisons, the commitments' deliveries and the data-quality counts.
    let timer = crate::timing::start();
    let mut requests = Vec::new();
    let figure_plan = figures::Plan::new(&needs, kind, window, only_subject, only_subject.is_some(), &mut requests);
    let value_by = match spec.subject {
        SubjectKind::Organisation => Unit::Organisation,
        SubjectKind::Programme | SubjectKind::All => Unit::Programme,
    };
    let period = Filters { from: Some(window.from), to: Some(window.to), ..Filters::default() };
    let value_at = (needs.value && library.iter().any(|i| i.proxy.is_some())).then_some(requests.len());
    if value_at.is_some() {
        requests.push(value::request(library, value_by, figures::subject_filter(period.clone(), only_subject))?);
    }
    let peer_options = peer_options(&needs, window);
    let mut peer_people = Vec::new();
    let peers_at = requests.len();
    for (_, options) in &peer_options {
        let (asked, mut people) = crate::compare::requests(library, options)?;
        people.participants = opts.check.participants;
        requests.extend(asked);
        peer_people.push(people);
    }
    let commitments_at = requests.len();
    if let Some(list) = &commitment_list {
        requests.extend(commitments::requests(list, Some(window.to)));
    }
    // Follow-ups without their start are counted where a data-quality section says so.
    let follow_ups = spec
        .sections
        .iter()
        .any(|s| matches!(s, spec::Section::DataQuality { .. }))
        .then(|| crate::aggregate::follow_ups::FollowUpCheck::new(library, opts.check.participants))
        .flatten();
    let mut quality =
        figures::QualitySink::new(kind.column(), only_subject.map(|(_, s)| s), window).with_follow_ups(follow_ups);
    let mut sinks: Vec<&mut (dyn data::Records + Send)> = vec![&mut quality];
    sinks.extend(peer_people.iter_mut().map(|p| p as &mut (dyn data::Records + Send)));
    let input = crate::pipeline::Input {
        sources: maps.files(&opts.data),
        options: opts.check.clone(),
        skip_invalid: opts.skip_invalid,
        extra_columns: &figures::QUALITY_FIELDS,
    };
    let out = crate::pipeline::run_with(&input, library, &requests, sinks)?;
    // With --skip-invalid the problems go back to the caller to print (the library
    // does not print).
    let skipped = (!out.report.is_ok()).then(|| out.report.clone());
    crate::timing::lap(&timer, "read, check and fold");
    let targets = opts.targets.as_deref().map(|p| Targets::load(p, library)).transpose()?;
    let names = load_names(&opts.names)?;
    let mut assumptions = match &opts.assumptions {
        Some(p) => Assumptions::load(p, library)?,
        None => Assumptions::default(),
    };
    assumptions.report_year = opts.report_year.or(assumptions.report_year).or(spec.report_year);
    // `--subject` must name someone in the data, checked on every valid record.
    if let (Some(subject), None, Some(column)) = (&opts.subject, opts.each, kind.column()) {
        refuse_unknown_subject(&quality, column, subject)?;
    }
    let investments = value::gather_investments(opts.programmes.as_deref(), &assumptions)?;
    let values = match value_at {
        Some(at) => {
            let window_dates = (Some(window.from), Some(window.to));
            let groups =
                value::from_figures(&out.figures[at], library, &assumptions, value_by, window_dates, &investments)?;
            social_values(spec, groups, &assumptions)
        }
        None => HashMap::new(),
    };
    let mut comparisons = HashMap::new();
    for (k, ((key, options), people)) in peer_options.into_iter().zip(peer_people).enumerate() {
        let figures = &out.figures[peers_at + 3 * k..peers_at + 3 * k + 3];
        comparisons.insert(key, crate::compare::from_figures(figures, people, library, &investments, &options)?);
    }
    let progress = match &commitment_list {
        Some(list) => {
            commitments::from_figures(list, &out.figures[commitments_at..], library, &assumptions, window.to)?
        }
        None => Vec::new(),
    };
    let input_hash = hash_inputs(opts, library_files(library)?)?;
    crate::timing::lap(&timer, "social values, peers and commitments");
    // Every subject's figures (or the one's) from the pass.
    let mut figures = figure_plan.assemble(
        &out.figures[..figure_plan.requests()],
        quality,
        kind,
        window,
        library,
        targets.as_ref(),
        opts.suppress_below,
    )?;
    figures.participants = opts.check.participants;
    crate::timing::lap(&timer, "figures");
    Ok(Computed {
        figures,
        names,
        values,
        assumptions,
        commitments: progress,
        comparisons,
        fingerprint: input_hash,
        skipped,
    })
}

/// A subject's PDF path, pages, bytes and warnings; or why it failed.
type Written = std::result::Result<(PathBuf, usize, u64, Vec<String>), String>;

/// Renders one subject's report and writes it with its tables and charts (all or none).
/// `stem` is the subject's file name in the batch (see `batch_stems`).
fn write_subject(inputs: &Inputs, opts: &Options, subject: &str, stem: &str) -> Written {
    let Rendered { pdf: bytes, pages: page_count, tables, charts, warnings } =
        render(inputs, subject).map_err(|e| e.to_string())?;
    let path = match (&opts.out_dir, opts.each) {
        (Some(dir), Some(_)) => dir.join(format!("{stem}.pdf")),
        _ => opts.out.clone().unwrap_or_else(|| PathBuf::from("report.pdf")),
    };
    // A subject's tables and charts go in a folder of its own (a report about
    // everything has one subject: its files go straight in the folder), so no two
    // subjects' names can meet: `A` + `01-02-hours` and `A-01` + `02-hours` would.
    let folder = |dir: &Path| if inputs.everything { dir.to_path_buf() } else { dir.join(stem) };
    // Everything this subject publishes is made first, then written: a subject
    // that fails leaves none of its files behind.
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    if let Some(dir) = &opts.figures_dir {
        let ext = match opts.figures_format {
            crate::output::TableFormat::Json => "json",
            crate::output::TableFormat::Parquet => "parquet",
            crate::output::TableFormat::Table => "txt",
            crate::output::TableFormat::Csv => "csv",
            crate::output::TableFormat::Xlsx => "xlsx",
        };
        let mut names = UniqueNames::default();
        let chart_tables =
            charts.iter().map(|c| sections::chart_frame(&c.data).map(|f| (format!("{}-chart", c.slug), f)));
        for item in chart_tables.chain(tables.iter().map(|(n, f)| Ok((n.clone(), f.clone())))) {
            let (name, frame) = item.map_err(|e| e.to_string())?;
            let bytes = crate::output::render(&frame, opts.figures_format).map_err(|e| e.to_string())?;
            files.push((folder(dir).join(format!("{}.{ext}", names.claim(&name))), bytes));
        }
    }
    if let Some(dir) = &opts.charts_dir {
        let mut names = UniqueNames::default();
        for c in &charts {
            let svg = chart::draw_svg(&c.data, c.width, c.height).map_err(|e| e.to_string())?;
            files.push((folder(dir).join(format!("{}.svg", names.claim(&c.slug))), svg.into_bytes()));
        }
    }
    let pages = page_count;
    let size = bytes.len() as u64;
    files.push((path.clone(), bytes));
    for (file, _) in &files {
        opts.read_set.check(file).map_err(|e| e.to_string())?;
    }
    let mut written: Vec<&PathBuf> = Vec::new();
    for (file, content) in &files {
        if let Err(e) = crate::output::write_atomic(file, content) {
            for done in written {
                let _ = std::fs::remove_file(done);
            }
            return Err(e.to_string());
        }
        written.push(file);
    }
    Ok((path, pages, size, warnings))
}

/// Everything a batch of reports computed once, that each subject's report reads.
pub struct Inputs<'a> {
    /// The report spec.
    pub spec: &'a Spec,
    /// The period, resolved.
    pub window: &'a spec::Window,
    /// The indicator library.
    pub library: &'a Library,
    /// Every subject's figures.
    pub figures: &'a figures::Figures,
    /// Id → display name (organisations, programmes, areas).
    pub names: &'a HashMap<String, String>,
    /// Each subject's social value (`figures::ALL` for a report about everything).
    pub values: &'a HashMap<String, GroupValue>,
    /// Valuation assumptions, for the methodology appendix.
    pub assumptions: &'a Assumptions,
    /// Every commitment's progress; each report takes its subject's.
    pub commitments: &'a [commitments::Progress],
    /// Peer comparisons for ranking sections, by indicator and per.
    pub comparisons: &'a HashMap<(Unit, spec::Per), Vec<crate::compare::Row>>,
    /// The date printed (None: the subject's latest record in the period).
    pub date: Option<chrono::NaiveDate>,
    /// A fingerprint of the inputs, printed in the footer and kept in the PDF's id.
    pub fingerprint: &'a str,
    /// One report about everything (a spec whose subject is `all`, no `--subject`).
    pub everything: bool,
}

/// One subject's report, made but not written.
pub struct Rendered {
    /// The PDF's bytes.
    pub pdf: Vec<u8>,
    /// Its page count.
    pub pages: usize,
    /// The table behind each section (for `--figures-dir`).
    pub tables: Vec<(String, polars::prelude::DataFrame)>,
    /// The charts drawn (for `--charts-dir` and their tables).
    pub charts: Vec<layout::ChartOut>,
    /// What a reader of the PDF would miss: text the typeface cannot draw.
    pub warnings: Vec<String>,
}

/// One subject's report as PDF bytes, from the batch's inputs.
pub fn render(inputs: &Inputs, subject: &str) -> Result<Rendered> {
    let kind = inputs.spec.subject;
    let key = if inputs.everything { figures::ALL } else { subject };
    let subject_name = if inputs.everything {
        "All organisations".to_string()
    } else {
        inputs.names.get(subject).cloned().unwrap_or_else(|| subject.to_string())
    };
    let mine: Vec<commitments::Progress> = inputs
        .commitments
        .iter()
        .filter(|p| match kind {
            SubjectKind::All => true,
            SubjectKind::Organisation => p.commitment.supplier == subject,
            SubjectKind::Programme => p.commitment.programme.as_deref() == Some(subject),
        })
        .cloned()
        .collect();
    // The date a report states is when its data end: the subject's latest record in
    // the period, not the period's last day (data to June say so in a March report).
    let last = inputs.figures.quality(key).last.and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
    let fingerprint = inputs.fingerprint;
    let (date, footer) = match (inputs.date, last) {
        (Some(d), _) => (d, format!("Produced {} · inputs fingerprint {fingerprint}", d.format("%-d %B %Y"))),
        (None, Some(l)) => (l, format!("Latest record {} · inputs fingerprint {fingerprint}", l.format("%-d %B %Y"))),
        (None, None) => (inputs.window.to, format!("No records in the period · inputs fingerprint {fingerprint}")),
    };
    let about = inputs.spec.about();
    let ctx = sections::Context {
        about: &about,
        window: inputs.window,
        library: inputs.library,
        figures: inputs.figures,
        subject: key,
        subject_name: subject_name.clone(),
        names: inputs.names,
        footer,
        value: inputs.values.get(key),
        assumptions: inputs.assumptions,
        commitments: &mine,
        comparisons: inputs.comparisons,
    };
    let (document, tables) = sections::document(&ctx, &inputs.spec.sections)?;
    let built = layout::build(&document)?;
    let warnings = undrawable_texts(&built.pages);
    let meta = pdf::DocMeta {
        title: format!("{} — {}", inputs.spec.title, subject_name),
        subject: format!("{} · {}", inputs.spec.audience, inputs.window.label),
        author: inputs.spec.author.clone().unwrap_or_else(|| "impactkit".into()),
        keywords: inputs.spec.indicators.clone(),
        date,
        id: format!("{fingerprint}/{subject}"),
    };
    let pdf = pdf::write_pdf(&built.pages, &meta)?;
    Ok(Rendered { pdf, pages: built.pages.len(), tables, charts: built.charts, warnings })
}

/// A warning when text on the pages has characters the report's typeface cannot
/// draw (they print as empty boxes): the characters, in the order met, and the first
/// text that has them.
fn undrawable_texts(pages: &[Vec<draw::Cmd>]) -> Vec<String> {
    let mut missing: Vec<char> = Vec::new();
    let (mut first, mut texts) = (None, 0);
    for cmd in pages.iter().flatten() {
        let draw::Cmd::Text { text, .. } = cmd else { continue };
        let mut any = false;
        for c in fonts::undrawable(text) {
            any = true;
            if !missing.contains(&c) {
                missing.push(c);
            }
        }
        if any {
            texts += 1;
            first.get_or_insert(text.as_str());
        }
    }
    let Some(first) = first else { return Vec::new() };
    let missing: String = missing.into_iter().collect();
    let shown: String = first.chars().take(60).collect();
    vec![format!(
        "the report's typeface cannot draw {} (in \"{}\"{}): {} as empty boxes",
        crate::output::escape_controls(&missing),
        crate::output::escape_controls(&shown),
        match texts {
            1 => String::new(),
            n => format!(" and {} other text{}", n - 1, if n == 2 { "" } else { "s" }),
        },
        if missing.chars().count() == 1 { "it prints" } else { "they print" }
    )]
}

/// A report is a PDF: an `--out` named for another kind of file (`pack.html`,
/// `pack.docx`) is refused before any work, so a file is never other than its name says.
fn refuse_other_than_pdf(out: &Path) -> Result<()> {
    match out.extension().and_then(|e| e.to_str()) {
        Some(ext) if ext.eq_ignore_ascii_case("pdf") => Ok(()),
        other => Err(Error::usage(format!(
            "cannot write {}: a report is written as a PDF",
            crate::output::escape_controls(&out.display().to_string())
        ))
        .with_hint(match other {
            Some(_) => "name the file .pdf",
            None => "name the file .pdf (e.g. --out board.pdf)",
        })),
    }
}

/// `--subject` naming no one in the data: an error with the nearest id.
fn refuse_unknown_subject(quality: &figures::QualitySink, column: &str, subject: &str) -> Result<()> {
    if quality.knows(subject) {
        return Ok(());
    }
    let err = Error::usage(format!("no records for {column} `{subject}`"));
    Err(match crate::base::suggest::nearest(subject, quality.subjects().filter(|id| !id.is_empty())) {
        Some(n) => err.with_hint(format!("did you mean `{n}`?")),
        None => err,
    })
}

/// Refuse a subject choice the spec cannot honour, rather than print a report whose
/// cover names one subject over a body about another (or about everyone).
fn check_subject_choice(spec: &Spec, opts: &Options) -> Result<()> {
    let name = opts.spec.display();
    if spec.needs(&[]).compares_peers && (opts.each.is_some() || opts.subject.is_some()) {
        return Err(Error::usage(format!(
            "{name} compares organisations or programmes with each other: it is one report about all of them"
        ))
        .with_hint("leave out --each and --subject, and give --out FILE"));
    }
    if spec.subject == SubjectKind::All && opts.each.is_none() && opts.subject.is_some() {
        return Err(Error::usage(format!(
            "{name} is one report about everything (subject = \"all\"): --subject has nothing to choose"
        ))
        .with_hint(
            "leave out --subject, or use --each organisation (or programme) --out-dir DIR for one report per subject",
        ));
    }
    Ok(())
}

/// A subject id as a file name: letters, digits, - and _ kept; anything else becomes _.
/// Letters, digits, `_` and (not first) `-` and `.` are kept; every other byte is
/// written `%XX`, so different ids always give different names (`A/B`, `A_B` and
/// `A.B` stay apart) and the id can be read back. A leading `-` is encoded too, so no
/// tool reading the folder takes the file for an option. A name longer than the file
/// system allows ends in a hash of the whole id instead (still unique).
///
/// Names Windows keeps for devices (`CON`, `nul`, `COM1`, `LPT9.txt`, …) have their
/// first letter encoded, and a last `.` is encoded (Windows drops it), so every name
/// opens on Windows, macOS and Linux alike.
pub fn file_stem(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let device = is_device_name(id);
    let mut s = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let last = i + 1 == chars.len();
        let kept = c.is_alphanumeric() || c == '_' || (i > 0 && c == '-') || (i > 0 && !last && c == '.');
        if kept && !(device && i == 0) {
            s.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                s.push_str(&format!("%{b:02X}"));
            }
        }
    }
    if s.is_empty() {
        return "%".into();
    }
    // Room for "-NN-section-slug.ext" after the stem within a 255-byte name.
    const MAX_STEM: usize = 150;
    if s.len() > MAX_STEM {
        let mut cut = 120;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        return format!("{}~{:016x}", &s[..cut], xxhash_rust::xxh3::xxh3_64(id.as_bytes()));
    }
    s
}

/// Names within one folder, made unique ignoring case (two small multiples of peers
/// `acme` and `ACME`, or of long ids alike in their first 40 characters, share a
/// slug): a repeat gets `~2`, `~3`, … in the order claimed.
#[derive(Default)]
struct UniqueNames(std::collections::HashMap<String, usize>);

impl UniqueNames {
    fn claim(&mut self, name: &str) -> String {
        let seen = self.0.entry(name.to_lowercase()).or_insert(0);
        *seen += 1;
        match *seen {
            1 => name.to_string(),
            n => format!("{name}~{n}"),
        }
    }
}

/// Each subject's file name in a batch, in the subjects' order: its `file_stem`,
/// unless another subject's differs from it only in case (`acme` and `ACME` are one
/// file on Windows and macOS): then every one but the first in byte order ends in
/// `~` and a hash of its id. The renamed are listed, (subject, name), for the caller
/// to report.
fn batch_stems(subjects: &[String]) -> (Vec<String>, Vec<(String, String)>) {
    let stems: Vec<String> = subjects.iter().map(|s| file_stem(s)).collect();
    let mut first: HashMap<String, &str> = HashMap::new();
    for (subject, stem) in subjects.iter().zip(&stems) {
        let claimant = first.entry(stem.to_lowercase()).or_insert(subject);
        if subject.as_str() < *claimant {
            *claimant = subject;
        }
    }
    let mut renamed = Vec::new();
    let stems = subjects
        .iter()
        .zip(stems)
        .map(|(subject, stem)| {
            if first.get(&stem.to_lowercase()).is_some_and(|c| *c == subject.as_str()) {
                return stem;
            }
            let unique = format!("{stem}~{:08x}", xxhash_rust::xxh3::xxh3_64(subject.as_bytes()) as u32);
            renamed.push((subject.clone(), unique.clone()));
            unique
        })
        .collect();
    (stems, renamed)
}

/// Whether a name is one Windows keeps for a device, alone or before an extension:
/// CON, PRN, AUX, NUL, COM0–9 and LPT0–9 (also with ¹ ² ³), in any case.
fn is_device_name(id: &str) -> bool {
    let base = id.split('.').next().unwrap_or("").trim_end().to_uppercase();
    match base.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$" => true,
        _ => {
            let (head, tail) = base.split_at(base.char_indices().nth(3).map_or(base.len(), |(i, _)| i));
            matches!(head, "COM" | "LPT")
                && tail.chars().count() == 1
                && tail.chars().all(|c| c.is_ascii_digit() || matches!(c, '¹' | '²' | '³'))
        }
    }
}

/// id → name from tables with an `id` (or `code`) column and a `name` column.
fn load_names(paths: &[PathBuf]) -> Result<HashMap<String, String>> {
    let mut names = HashMap::new();
    for path in paths {
        for r in data::names::read_names(path)? {
            if let Some(name) = r.name {
                names.insert(r.id, name);
            }
        }
    }
    Ok(names)
}

fn library_files(library: &Library) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = library
        .ids()
        .flat_map(|id| [library.source_of(id), library.proxy_source_of(id)])
        .flatten()
        .map(Path::to_path_buf)
        .collect();
    files.sort();
    files.dedup();
    Ok(files)
}

/// Fingerprint of every input file (spec, data, map, targets, names, library).
fn hash_inputs(opts: &Options, library: Vec<PathBuf>) -> Result<String> {
    let mut h = hash::InputHash::default();
    let files = opts.input_files().chain(&library);
    for f in files {
        h.add_file(f).map_err(|e| Error::io(f, e))?;
    }
    // The sheet a workbook is read from is an input too.
    for sheet in opts.data.iter().filter_map(|s| s.sheet.as_ref()) {
        h.add_bytes(sheet.as_bytes());
    }
    Ok(h.short())
}

/// The social value of each subject (or of everything together, all programmes'
/// outcomes against all their investment).
fn social_values(spec: &Spec, groups: Vec<GroupValue>, assumptions: &Assumptions) -> HashMap<String, GroupValue> {
    if spec.subject != SubjectKind::All {
        return groups.into_iter().map(|g| (g.group.clone(), g)).collect();
    }
    let investment = groups.iter().map(|g| g.investment).try_fold(0.0, |acc, i| i.map(|i| acc + i));
    let merged = GroupValue {
        group: figures::ALL.to_string(),
        lines: groups.iter().flat_map(|g| g.lines.clone()).collect(),
        investment: investment.filter(|_| !groups.is_empty()),
        rate: assumptions.discount_rate,
        past_years: assumptions.appraisal.past_years(),
    };
    HashMap::from([(figures::ALL.to_string(), merged)])
}

/// The peer comparisons ranking and cost-per-outcome sections read, one per (by, per).
fn peer_options(needs: &need::Needs, window: &spec::Window) -> Vec<((Unit, spec::Per), crate::compare::Options)> {
    needs
        .peer_comparisons()
        .into_iter()
        .map(|((by, per), ids)| {
            let options = crate::compare::Options {
                by,
                per,
                indicators: ids,
                filters: Filters { from: Some(window.from), to: Some(window.to), ..Filters::default() },
                min_records: 30,
                priority_groups: crate::compare::DEFAULT_PRIORITY_GROUPS.iter().map(|s| s.to_string()).collect(),
                priority_simd: 2,
            };
            ((by, per), options)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{batch_stems, file_stem};

    #[test]
    fn ids_that_differ_only_in_case_get_names_that_differ_ignoring_case() {
        let subjects: Vec<String> = ["acme", "ACME", "Other", "AcMe"].iter().map(|s| s.to_string()).collect();
        let (stems, renamed) = batch_stems(&subjects);
        assert_eq!(stems[1], "ACME", "the first in byte order keeps its name");
        assert_eq!(stems[2], "Other");
        let folded: std::collections::HashSet<String> = stems.iter().map(|s| s.to_lowercase()).collect();
        assert_eq!(folded.len(), 4, "{stems:?}");
        assert_eq!(renamed.len(), 2);
        assert!(renamed.iter().all(|(s, n)| n.starts_with(s.as_str()) && n.contains('~')));
    }

    #[test]
    fn subject_file_names_are_unique_and_safe() {
        assert_eq!(file_stem("ORG01"), "ORG01");
        assert_eq!(file_stem("EMP-FWD"), "EMP-FWD");
        let names = [file_stem("A/B"), file_stem("A_B"), file_stem("A.B"), file_stem("A B")];
        assert_eq!(names, ["A%2FB", "A_B", "A.B", "A%20B"]);
        assert_eq!(file_stem("-rf"), "%2Drf");
        assert_eq!(file_stem(".."), "%2E%2E");
        assert_eq!(file_stem("A."), "A%2E");
        assert_eq!(file_stem("a.b"), "a.b");
        for device in ["CON", "nul", "Com1", "LPT9", "aux.txt", "PRN"] {
            assert!(file_stem(device).starts_with('%'), "{device}: {}", file_stem(device));
        }
        assert_eq!(file_stem("CONTACT"), "CONTACT");
        assert_eq!(file_stem("COM10"), "COM10");
        assert_eq!(file_stem("Fàilte"), "Fàilte");
        let long_a = file_stem(&"x".repeat(300));
        let long_b = file_stem(&format!("{}y", "x".repeat(299)));
        assert!(long_a.len() <= 150 && long_a != long_b, "{long_a} {long_b}");
    }
}
