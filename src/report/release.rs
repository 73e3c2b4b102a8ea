//! A release: documents published together (a funder's programme reports with its
//! partners' board packs, a register and a comparison), made from the same data and
//! protected as one, so that no withheld count can be worked out from all of them
//! together. Every document is made in memory, the counts of people they all print
//! are protected jointly (`protect`), the result is written into a folder beside the
//! release's, audited from its own public tables, and only then moved into place.

use std::path::{Path, PathBuf};

use super::*;
use crate::privacy::audit::{self, Finding};
use crate::privacy::ledger;

/// One document of a release, or one per subject.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The report spec.
    pub spec: PathBuf,
    /// One document per organisation or programme.
    pub each: Option<SubjectKind>,
    /// The one subject of the document.
    pub subject: Option<String>,
}

/// A release's documents made ready: their figures read and protected together.
pub struct Release<'l> {
    batches: Vec<(Document, Prepared<'l>)>,
    protected: Option<protect::Protected>,
}

/// What `write` made.
#[derive(Debug, Default)]
pub struct Written {
    /// Documents written.
    pub documents: usize,
    /// Pages in all.
    pub pages: usize,
    /// Bytes of PDF in all.
    pub bytes: u64,
    /// Cells the documents publish (counts of people), and how many are withheld.
    pub cells: usize,
    /// Withheld cells.
    pub withheld: usize,
    /// Sums tying the cells.
    pub sums: usize,
    /// Text the typeface cannot draw, each once.
    pub warnings: Vec<String>,
    /// Seconds it took.
    pub seconds: f64,
}

/// Reads the data once per document and protects every document's figures together
/// (`base` gives the data, tables and threshold; each document its spec and subjects).
pub fn prepare<'l>(name: &str, base: &Options, documents: &[Document], library: &'l Library) -> Result<Release<'l>> {
    let mut batches = Vec::with_capacity(documents.len());
    for doc in documents {
        let opts = document_options(base, doc, None);
        let (spec, window) = prepare::load_spec(&opts, library)?;
        let mut batch = Prepared::unprotected(&opts, library, spec, window)?;
        batch.made.figures.release = Some(name.to_string());
        batches.push((doc.clone(), batch));
    }
    let protected = match base.suppress_below {
        Some(t) => {
            let mut refs: Vec<&mut Prepared> = batches.iter_mut().map(|(_, p)| p).collect();
            Some(protect_together(&mut refs, library, t)?)
        }
        None => None,
    };
    Ok(Release { batches, protected })
}

/// A document's options: the base's inputs with its spec and subjects, writing into
/// `dir` (its PDFs in `dir/SPEC/`, or `dir/SPEC.pdf`; its tables in `dir/figures/SPEC/`).
fn document_options(base: &Options, doc: &Document, dir: Option<&Path>) -> Options {
    let name = prepare::spec_name(&doc.spec.to_string_lossy());
    let mut opts = Options {
        spec: doc.spec.clone(),
        subject: doc.subject.clone(),
        each: doc.each,
        out: None,
        out_dir: None,
        charts_dir: None,
        pages_dir: None,
        figures_dir: None,
        figures_format: crate::output::TableFormat::Csv,
        staged: dir.is_some(),
        ..base.clone()
    };
    if let Some(dir) = dir {
        match (doc.each, &doc.subject) {
            (Some(_), _) => opts.out_dir = Some(dir.join(&name)),
            (None, Some(subject)) => opts.out = Some(dir.join(format!("{name}-{}.pdf", file_stem(subject)))),
            (None, None) => opts.out = Some(dir.join(format!("{name}.pdf"))),
        }
        opts.figures_dir = Some(dir.join("figures").join(&name));
    }
    opts
}

impl<'l> Release<'l> {
    /// The batch of one document (by its spec and what its documents are about), for a
    /// report made alone that must withhold what the release withholds.
    pub fn take(mut self, spec: &Path, subject: SubjectKind) -> Option<Prepared<'l>> {
        let at = self.batches.iter().position(|(d, p)| same_file(&d.spec, spec) && p.spec.subject == subject)?;
        Some(self.batches.swap_remove(at).1)
    }

    /// Writes every document into `out_dir` (replacing what was there), with the
    /// tables behind them and the release's tables of published cells and sums in
    /// `out_dir/figures/`; audited first (with a threshold), and nothing is written
    /// when a document fails or the audit finds a withheld count a reader could work
    /// out. `base` gives the date, progress and files that may not be replaced.
    pub fn write(self, base: &Options, out_dir: &Path) -> Result<Written> {
        let started = Instant::now();
        let staging = staging_dir(out_dir)?;
        let result = self.write_into(base, &staging);
        let written = match result {
            Ok(w) => w,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&staging);
                return Err(e);
            }
        };
        swap_into_place(&staging, out_dir)?;
        Ok(Written { seconds: started.elapsed().as_secs_f64(), ..written })
    }

    fn write_into(self, base: &Options, dir: &Path) -> Result<Written> {
        let timer = crate::timing::start();
        let mut written = Written::default();
        for (doc, prepared) in self.batches {
            let opts = document_options(base, &doc, Some(dir));
            let summary = prepared.write_all(&opts)?;
            if let Some((subject, why)) = summary.failed.first() {
                return Err(Error::usage(format!(
                    "the release's {} document for {} failed: {why}",
                    prepare::spec_name(&doc.spec.to_string_lossy()),
                    crate::output::escape_controls(subject)
                )));
            }
            written.documents += summary.written.len();
            written.pages += summary.pages;
            written.bytes += summary.bytes;
            for w in summary.warnings {
                if !written.warnings.contains(&w) {
                    written.warnings.push(w);
                }
            }
        }
        crate::timing::lap(&timer, "release: documents written");
        let Some(protected) = &self.protected else { return Ok(written) };
        let figures = dir.join("figures");
        // As a batch writes them beside its figures: CSV, into the staging folder.
        let csv = Options { figures_format: crate::output::TableFormat::Csv, staged: true, ..base.clone() };
        batch::write_ledger(&figures, protected, &csv)?;
        crate::timing::lap(&timer, "release: tables of cells and sums written");
        // The audit reads what was written, as a reader would: the tables read back are
        // what the protection audited (else they are audited afresh).
        let threshold = base.suppress_below.unwrap_or(crate::privacy::DEFAULT_THRESHOLD);
        let p = &protected.protection;
        let audited_in_memory =
            p.audit.as_ref().map(|f| (protected.ledger.problem(&p.withheld, &p.sums, threshold), f));
        let audited = audit_folder_as(&figures, threshold, audited_in_memory)?;
        crate::timing::lap(&timer, "release: audited from its tables");
        let pinned: Vec<&Finding> = audited.findings.iter().filter(|f| f.pinned()).collect();
        if !pinned.is_empty() {
            return Err(Error::usage(format!(
                "the release's audit failed: {} withheld count(s) can be worked out from what it publishes: {}",
                pinned.len(),
                pinned.iter().take(5).map(|f| audited.describe(f.cell)).collect::<Vec<_>>().join("; ")
            ))
            .with_hint("nothing was written; please report this with the data's shape"));
        }
        written.cells = protected.ledger.len();
        written.withheld = protected.protection.withheld.iter().filter(|w| w.is_withheld()).count();
        written.sums = protected.protection.sums.len();
        Ok(written)
    }
}

/// A release's public tables read back and audited.
pub struct Audited {
    /// Every withheld cell's interval.
    pub findings: Vec<Finding>,
    /// The table of cells, to describe them.
    pub cells: polars::prelude::DataFrame,
    /// How many sums tie them.
    pub sums: usize,
}

impl Audited {
    /// A cell in words: indicator, fields and days.
    pub fn describe(&self, cell: usize) -> String {
        let text = |name: &str| {
            self.cells
                .column(name)
                .ok()
                .and_then(|c| c.cast(&polars::prelude::DataType::String).ok())
                .and_then(|c| c.str().ok().and_then(|s| s.get(cell).map(str::to_string)))
                .unwrap_or_default()
        };
        let fixed = ["cell", "indicator", "from", "to", "value", "withheld", "documents"];
        let fields: Vec<String> = self
            .cells
            .get_column_names()
            .into_iter()
            .map(|n| n.as_str())
            .filter(|n| !fixed.contains(n))
            .filter_map(|n| Some(text(n)).filter(|v| !v.is_empty()).map(|v| format!("{n} {v}")))
            .collect();
        let from = text("from");
        let days = if from.is_empty() { format!("to {}", text("to")) } else { format!("{from} to {}", text("to")) };
        let mut out = text("indicator");
        for f in fields {
            out.push_str(&format!(", {f}"));
        }
        format!("{out}, {days}")
    }

    /// Cells a reader can work out.
    pub fn pinned(&self) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.pinned()).collect()
    }
}

/// Audits the public tables in `dir` (`published.csv` and `sums.csv`, as a release or
/// a report's `--figures-dir` writes them) at `threshold`.
pub fn audit_folder(dir: &Path, threshold: u32) -> Result<Audited> {
    audit_folder_as(dir, threshold, None)
}

/// `audit_folder`, taking the findings of `known` (an audit of the same problem) when
/// the tables read back are that problem.
fn audit_folder_as(dir: &Path, threshold: u32, known: Option<(audit::Problem, &Vec<Finding>)>) -> Result<Audited> {
    let read = |name: &str| -> Result<polars::prelude::DataFrame> {
        let path = dir.join(name);
        if !path.is_file() {
            return Err(Error::usage(format!("no {} to audit", path.display())).with_hint(
                "audit the folder a release wrote its figures in (impact release writes OUT_DIR/figures/published.csv)",
            ));
        }
        crate::output::read_text_table(&path)
    };
    let (cells, sums) = (read("published.csv")?, read("sums.csv")?);
    let problem = ledger::problem_from_frames(&cells, &sums, threshold)
        .map_err(|e| Error::usage(format!("cannot audit {}: {e}", dir.display())))?;
    let findings = match known {
        Some((same, findings)) if same == problem => findings.clone(),
        _ => audit::audit(&problem).map_err(|e| Error::usage(format!("cannot audit {}: {e}", dir.display())))?,
    };
    Ok(Audited { findings, cells, sums: problem.sums.len() })
}

/// A folder beside `out_dir` to write the release into, empty.
fn staging_dir(out_dir: &Path) -> Result<PathBuf> {
    let parent = out_dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let name = out_dir.file_name().map_or("release".into(), |n| n.to_string_lossy().to_string());
    let staging = parent.join(format!(".{name}.writing-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    }
    std::fs::create_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    Ok(staging)
}

/// Replaces `out_dir` by `staging`: the old folder is moved aside first and removed
/// once the new one is in place.
fn swap_into_place(staging: &Path, out_dir: &Path) -> Result<()> {
    let old = staging.with_extension("old");
    if out_dir.exists() {
        std::fs::rename(out_dir, &old).map_err(|e| Error::io(out_dir, e))?;
    }
    if let Err(e) = std::fs::rename(staging, out_dir) {
        if old.exists() {
            let _ = std::fs::rename(&old, out_dir);
        }
        return Err(Error::io(out_dir, e));
    }
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    }
    Ok(())
}

/// Two paths naming one file.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
