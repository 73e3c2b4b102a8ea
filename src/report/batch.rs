//! Writing a batch: each subject's PDF with its tables and charts, all or none,
//! subjects side by side.

use super::names::{batch_stems, UniqueNames};
use super::*;

/// Writes each subject's report (in parallel), telling the options' progress.
pub(super) fn write(inputs: &Inputs, opts: &Options, subjects: &[String]) -> Result<Summary> {
    let tell = |step: Progress| {
        if let Some(on) = &opts.progress {
            (on.0)(step)
        }
    };
    tell(Progress::Started { reports: subjects.len() });
    let (stems, renamed) = batch_stems(subjects);
    let results: Vec<(String, Written)> = subjects
        .par_iter()
        .zip(&stems)
        .map(|(s, stem)| {
            let written = write_subject(inputs, opts, s, stem);
            tell(Progress::Written);
            (s.clone(), written)
        })
        .collect();
    tell(Progress::Finished);
    let mut summary = Summary { renamed, ..Summary::default() };
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
    Ok(summary)
}

/// The extension of figure tables in `format`.
pub(super) fn table_ext(format: crate::output::TableFormat) -> &'static str {
    match format {
        crate::output::TableFormat::Json => "json",
        crate::output::TableFormat::Parquet => "parquet",
        crate::output::TableFormat::Table => "txt",
        crate::output::TableFormat::Csv => "csv",
        crate::output::TableFormat::Xlsx => "xlsx",
    }
}

/// Writes the public tables of a batch's protection beside its figures: `published`
/// (every cell its documents print, withheld or not) and `sums` (what ties them),
/// which `impact audit` reads.
pub(super) fn write_ledger(dir: &Path, protected: &protect::Protected, opts: &Options) -> Result<()> {
    let ext = table_ext(opts.figures_format);
    let cells = protected.ledger.cells_frame(&protected.protection)?;
    let sums = crate::privacy::ledger::Ledger::sums_frame(&protected.protection)?;
    for (name, frame) in [("published", cells), ("sums", sums)] {
        let path = dir.join(format!("{name}.{ext}"));
        opts.read_set.check(&path)?;
        write_file(opts, &path, &crate::output::render(&frame, opts.figures_format)?)?;
    }
    Ok(())
}

/// Writes one file of the batch: through a temporary file, unless the batch's folder
/// is moved into place whole (`Options::staged`).
pub(super) fn write_file(opts: &Options, path: &Path, bytes: &[u8]) -> Result<()> {
    if opts.staged {
        crate::output::write_staged(path, bytes)
    } else {
        crate::output::write_atomic(path, bytes)
    }
}

/// A subject's PDF path, pages, bytes and warnings; or why it failed.
pub(super) type Written = std::result::Result<(PathBuf, usize, u64, Vec<String>), String>;

/// Renders one subject's report and writes it with its tables and charts (all or none).
/// `stem` is the subject's file name in the batch (see `batch_stems`).
pub(super) fn write_subject(inputs: &Inputs, opts: &Options, subject: &str, stem: &str) -> Written {
    let (bytes, page_count, tables, charts, warnings, drawn) = match opts.format {
        Format::Pdf => {
            let Rendered { pdf, pages, tables, charts, warnings, drawn } =
                render(inputs, subject).map_err(|e| e.to_string())?;
            (pdf, pages, tables, charts, warnings, drawn)
        }
        Format::Html => {
            let page = super::render_html(inputs, subject).map_err(|e| e.to_string())?;
            (page.html.into_bytes(), 1, page.tables, page.charts, Vec::new(), Vec::new())
        }
    };
    let ext = opts.format.ext();
    let path = match (&opts.out_dir, opts.each) {
        (Some(dir), Some(_)) => dir.join(format!("{stem}.{ext}")),
        _ => opts.out.clone().unwrap_or_else(|| PathBuf::from(format!("report.{ext}"))),
    };
    // A subject's tables and charts go in a folder of its own (a report about
    // everything has one subject: its files go straight in the folder), so no two
    // subjects' names can meet: `A` + `01-02-hours` and `A-01` + `02-hours` would.
    let folder = |dir: &Path| if inputs.everything { dir.to_path_buf() } else { dir.join(stem) };
    // Everything this subject publishes is made first, then written: a subject
    // that fails leaves none of its files behind.
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    if let Some(dir) = &opts.figures_dir {
        let ext = table_ext(opts.figures_format);
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
    if let Some(dir) = &opts.pages_dir {
        let total = drawn.len();
        for (n, page) in drawn.iter().enumerate() {
            let svg = super::picture::page_svg(page, n + 1, total);
            files.push((folder(dir).join(format!("page-{:02}.svg", n + 1)), svg.into_bytes()));
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
        if let Err(e) = write_file(opts, file, content) {
            for done in written {
                let _ = std::fs::remove_file(done);
            }
            return Err(e.to_string());
        }
        written.push(file);
    }
    Ok((path, pages, size, warnings))
}
