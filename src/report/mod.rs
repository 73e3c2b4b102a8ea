//! The report builder: a spec and the data → one PDF, or one PDF per subject
//! (organisation or programme) in parallel, from figures aggregated once.

mod batch;
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
pub(crate) mod html;
pub(crate) mod layout;
mod names;
pub mod need;
pub(crate) mod pdf;
pub(crate) mod picture;
mod prepare;
pub mod protect;
pub mod release;
mod render;
pub mod row;
pub(crate) mod sections;
pub mod spec;
pub(crate) mod structure;
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
    /// Also write every page of each PDF as an SVG picture here (a preview).
    pub pages_dir: Option<PathBuf>,
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
    /// The outputs go into a folder that is moved into place whole when complete (a
    /// release's): each file is written directly (`output::write_staged`).
    pub staged: bool,
    /// What each report is written as.
    pub format: Format,
}

/// Figures as a chart drawn by the reports' chart code, as inline SVG named `title`
/// and described in words (the web app's figures page). Each series is a name and a
/// value per category (None: no figure); `withheld` marks (series, category, mark);
/// `lines` draws lines over ordered categories (periods), else bars side by side;
/// `target`, a value per category, is drawn beside them as the reports draw targets.
pub fn chart_svg(
    title: &str,
    categories: Vec<String>,
    series: Vec<(String, Vec<Option<f64>>)>,
    unit: &str,
    withheld: Vec<(usize, usize, String)>,
    lines: bool,
    target: Option<Vec<Option<f64>>>,
) -> Result<String> {
    let mut series: Vec<chart::Series> =
        series.into_iter().map(|(name, values)| chart::Series { name, values, outline: false }).collect();
    if let Some(values) = target {
        series.push(chart::Series { name: "Target".into(), values, outline: true });
    }
    let data = chart::ChartData {
        kind: if lines { chart::ChartKind::Lines } else { chart::ChartKind::Grouped },
        categories,
        series,
        unit: if matches!(unit, "GBP" | "%") { unit.to_string() } else { String::new() },
        axis: format::unit_word(unit).to_string(),
        withheld,
        ..Default::default()
    };
    html::inline_svg(&data, 640.0, 280.0, title, ("figures-chart-title", "figures-chart-desc"))
}

/// What a report is written as.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// A tagged PDF (PDF/UA-1).
    #[default]
    Pdf,
    /// One self-contained HTML page.
    Html,
}

impl Format {
    /// The file name extension.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Html => "html",
        }
    }

    /// The format a file's name says (`.html`/`.htm`: HTML), else a PDF.
    pub fn of(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm") => Format::Html,
            _ => Format::Pdf,
        }
    }
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

pub use names::file_stem;
pub use prepare::figures_from_records;
pub use render::{render, render_html, Inputs, Rendered, RenderedHtml};

/// A batch of reports made ready: the spec settled, and every figure its documents need
/// read from the data in one pass (with the tables beside it), for every subject. Each
/// subject's document is then made in memory with `render`, or all are written with
/// `write_all`, as `impact report` does:
///
/// ```
/// use std::path::{Path, PathBuf};
/// use impactkit::{data::SourcePath, indicator::Library, report};
///
/// let library = Library::load(Path::new("indicators"))?;
/// let options = report::Options {
///     spec: PathBuf::from("reports/board.toml"),
///     data: SourcePath::all(&[PathBuf::from("samples/outcomes.csv")], None),
///     names: vec![PathBuf::from("samples/organisations.csv")],
///     targets: Some(PathBuf::from("samples/targets.csv")),
///     suppress_below: Some(5),
///     ..report::Options::default()
/// };
/// let batch = report::prepare(&options, &library)?;
/// assert_eq!(batch.subjects().len(), 12);
/// let pack = batch.render("ORG02")?;
/// assert!(pack.pdf.starts_with(b"%PDF") && pack.pages > 1);
/// # Ok::<(), impactkit::Error>(())
/// ```
pub struct Prepared<'l> {
    spec: Spec,
    window: spec::Window,
    library: &'l Library,
    made: prepare::Computed,
    subjects: Vec<String>,
    everything: bool,
    date: Option<chrono::NaiveDate>,
    /// The protection of the batch's documents (with a threshold), when they are a
    /// release of their own.
    protected: Option<protect::Protected>,
    /// The spec's name (its file's stem), as a release's tables name its documents.
    name: String,
}

/// Protects several batches' documents as one release (see `protect`), auditing the
/// result.
fn protect_together(batches: &mut [&mut Prepared], library: &Library, threshold: u32) -> Result<protect::Protected> {
    let mut documents: Vec<protect::Document> = batches
        .iter_mut()
        .map(|p| {
            let Prepared { spec, window, made, name, .. } = &mut **p;
            protect::Document {
                name: name.clone(),
                subject: spec.subject,
                window: &*window,
                figures: &mut made.figures,
                comparisons: &made.comparisons,
                commitments: &made.commitments,
            }
        })
        .collect();
    protect::protect(&mut documents, library, threshold, true)
}

/// Reads a batch's inputs and computes every figure its reports need (see `Prepared`).
/// Unlike `run`, it names no output: with neither `subject` nor `each`, a spec about
/// one organisation or programme is made ready for each of them.
pub fn prepare<'l>(opts: &Options, library: &'l Library) -> Result<Prepared<'l>> {
    let (spec, window) = prepare::load_spec(opts, library)?;
    Prepared::new(opts, library, spec, window)
}

/// Reads the inputs, computes the figures once and writes every report of the batch
/// (in parallel): `prepare`, after the options' outputs are checked, then `write_all`.
pub fn run(opts: &Options, library: &Library) -> Result<Summary> {
    let started = Instant::now();
    let (spec, window) = prepare::settle_spec(opts, library)?;
    let mut summary = Prepared::new(opts, library, spec, window)?.write_all(opts)?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// `run`, for a spec that a release also publishes: every document of the release is
/// made ready and protected together, and this command's reports are written from its
/// batch, so they withhold exactly what the release withholds (a later document never
/// undoes a release). None when no document of `documents` is this spec about the same
/// kind of subject (then use `run`).
pub fn run_in_release(
    opts: &Options,
    name: &str,
    documents: &[release::Document],
    library: &Library,
) -> Result<Option<Summary>> {
    let started = Instant::now();
    let (spec, _) = prepare::settle_spec(opts, library)?;
    let kind = spec.subject;
    if !documents.iter().any(|d| release::same_file(&d.spec, &opts.spec)) {
        return Ok(None);
    }
    let Some(mut batch) = release::prepare(name, opts, documents, library)?.take(&opts.spec, kind) else {
        return Ok(None);
    };
    if let (Some(subject), None) = (&opts.subject, opts.each) {
        if !batch.made.figures.subjects.contains(subject) {
            let column = kind.column().unwrap_or("subject");
            let err = Error::usage(format!("no records for {column} `{subject}`"));
            return Err(
                match crate::base::suggest::nearest(subject, batch.made.figures.subjects.iter().map(String::as_str)) {
                    Some(n) => err.with_hint(format!("did you mean `{n}`?")),
                    None => err,
                },
            );
        }
        batch.subjects = vec![subject.clone()];
    }
    batch.everything = kind == SubjectKind::All && opts.subject.is_none();
    batch.date = opts.date;
    let mut summary = batch.write_all(opts)?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(Some(summary))
}

impl<'l> Prepared<'l> {
    fn new(opts: &Options, library: &'l Library, spec: Spec, window: spec::Window) -> Result<Prepared<'l>> {
        let mut prepared = Prepared::unprotected(opts, library, spec, window)?;
        if let Some(t) = opts.suppress_below {
            prepared.protected = Some(protect_together(&mut [&mut prepared], library, t)?);
        }
        Ok(prepared)
    }

    /// The batch's figures, not yet protected (see `protect_together`).
    fn unprotected(opts: &Options, library: &'l Library, spec: Spec, window: spec::Window) -> Result<Prepared<'l>> {
        let made = prepare::compute(opts, &spec, &window, library)?;
        let subjects: Vec<String> = match (&opts.subject, opts.each) {
            (Some(s), None) => vec![s.clone()],
            _ => made.figures.subjects.clone(),
        };
        let everything = spec.subject == SubjectKind::All && opts.subject.is_none();
        let name = prepare::spec_name(&opts.spec.to_string_lossy());
        Ok(Prepared { spec, window, library, made, subjects, everything, date: opts.date, protected: None, name })
    }

    /// The subjects there are reports of, sorted (one, `(all)`, for a report about
    /// everything).
    pub fn subjects(&self) -> &[String] {
        &self.subjects
    }

    /// What every report of the batch is made from.
    pub fn inputs(&self) -> Inputs<'_> {
        let made = &self.made;
        Inputs {
            spec: &self.spec,
            window: &self.window,
            library: self.library,
            figures: &made.figures,
            names: &made.names,
            values: &made.values,
            assumptions: &made.assumptions,
            commitments: &made.commitments,
            comparisons: &made.comparisons,
            date: self.date,
            fingerprint: &made.fingerprint,
            everything: self.everything,
        }
    }

    /// One subject's report in memory: the PDF's bytes, the tables behind its sections
    /// and its charts.
    pub fn render(&self, subject: &str) -> Result<Rendered> {
        render(&self.inputs(), subject)
    }

    /// Writes every subject's report (with `--figures-dir` and `--charts-dir` files
    /// as the options say), side by side; a subject that fails leaves no file and the
    /// others are written.
    pub fn write_all(self, opts: &Options) -> Result<Summary> {
        let started = Instant::now();
        let mut summary = batch::write(&self.inputs(), opts, &self.subjects)?;
        // The batch's public tables of cells and sums, beside the documents written
        // (none, when none was).
        if let (Some(dir), Some(protected), false) = (&opts.figures_dir, &self.protected, summary.written.is_empty()) {
            if let Err(e) = batch::write_ledger(dir, protected, opts) {
                summary.failed.push(("the tables of published cells and sums".into(), e.to_string()));
            }
        }
        summary.rejected = self.made.figures.rejected_total;
        summary.skipped = self.made.skipped;
        summary.seconds = started.elapsed().as_secs_f64();
        Ok(summary)
    }
}
