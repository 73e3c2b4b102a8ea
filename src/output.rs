//! Writing results: text tables for people, CSV/JSON/Parquet for machines, and
//! every file written to a temporary path then renamed, so a failed run leaves
//! no partial output.

use std::io::Write as _;
use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Result};

/// How a table is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TableFormat {
    /// Aligned text for a terminal.
    Table,
    /// Comma-separated values.
    #[default]
    Csv,
    /// A JSON array of rows.
    Json,
    /// Apache Parquet.
    Parquet,
    /// An Excel workbook: typed numbers and dates, the heading row frozen, columns
    /// fitted, withheld cells shaded.
    Xlsx,
}

impl TableFormat {
    /// The format a path's extension implies, if any.
    pub fn from_extension(path: &Path) -> Option<TableFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(TableFormat::Csv),
            "json" => Some(TableFormat::Json),
            "parquet" | "pq" => Some(TableFormat::Parquet),
            "txt" => Some(TableFormat::Table),
            "xlsx" => Some(TableFormat::Xlsx),
            _ => None,
        }
    }
}

/// The table's bytes in `format`.
pub fn render(df: &DataFrame, format: TableFormat) -> Result<Vec<u8>> {
    let mut df = df.clone();
    let mut buf = Vec::new();
    // On a thread of another rayon pool (a report batch renders each subject on one),
    // the writers must not hand work to polars' pool: the waiting thread takes other
    // subjects' work onto its own stack while it waits, and a batch of thousands of
    // subjects then overflows it. A table written from there is small anyway.
    let serial = rayon::current_thread_index().is_some();
    match format {
        TableFormat::Table => buf = text_table(&df)?.into_bytes(),
        TableFormat::Csv => {
            df = neutralise_formulas(&df)?;
            let writer = CsvWriter::new(&mut buf);
            let mut writer = if serial { writer.n_threads(1) } else { writer };
            writer.finish(&mut df)?
        }
        TableFormat::Json => JsonWriter::new(&mut buf).with_json_format(JsonFormat::Json).finish(&mut df)?,
        TableFormat::Parquet => {
            ParquetWriter::new(&mut buf).set_parallel(!serial).finish(&mut df)?;
        }
        TableFormat::Xlsx => buf = xlsx(&df)?,
    }
    Ok(buf)
}

pub use crate::base::limits::EXCEL_CELL_CHARS;

/// Refuse a text longer than an Excel cell holds, naming what it is (`what`) and
/// what to do instead, rather than fail while writing the workbook.
pub fn fits_a_cell(text: &str, what: &str) -> Result<()> {
    // Bytes bound characters from above: most texts need no count.
    if text.len() <= EXCEL_CELL_CHARS || text.chars().count() <= EXCEL_CELL_CHARS {
        return Ok(());
    }
    Err(Error::usage(format!(
        "a {what} of {} characters is longer than an Excel cell holds ({EXCEL_CELL_CHARS}): \"{}…\"",
        text.chars().count(),
        escape_controls(&text.chars().take(40).collect::<String>())
    ))
    .with_hint("shorten it in the data, or write .csv, .json or .parquet, which have no such limit"))
}

/// One worksheet: a bold heading row, frozen; numbers as numbers, dates as dates,
/// text as text (never run as a formula); an empty cell on a row with a `withheld`
/// reason (`to_date_withheld` for a figure to date and its % of target) shaded grey,
/// so a withheld figure is never read as a blank or a zero. The
/// workbook's creation date is fixed, so the same table gives the same bytes.
fn xlsx(df: &DataFrame) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatPattern, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| Error::internal(format!("writing a workbook: {e}"));
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(err)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let sheet = book.add_worksheet();
    sheet.set_name("figures").map_err(err)?;
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let shaded = Format::new().set_pattern(FormatPattern::Solid).set_background_color(0xD9D9D9);
    let reasons = |name: &str| -> Result<Vec<bool>> {
        Ok(match df.column(name) {
            Ok(c) => c.cast(&DataType::String)?.str()?.iter().map(|w| w.is_some_and(|w| !w.is_empty())).collect(),
            Err(_) => vec![false; df.height()],
        })
    };
    // A figure to date (and its % of target) is withheld for the reason beside it.
    let (withheld, withheld_to_date) = (reasons("withheld")?, reasons("to_date_withheld")?);
    for (c, column) in df.columns().iter().enumerate() {
        let to_date = ["to_date", "pct_achieved_to_date"].contains(&column.name().as_str());
        let withheld = if to_date { &withheld_to_date } else { &withheld };
        let c =
            u16::try_from(c).map_err(|_| Error::usage("a table of more than 65,535 columns cannot be a worksheet"))?;
        sheet.write_string_with_format(0, c, column.name().as_str(), &bold).map_err(err)?;
        let numbers = column.dtype().is_primitive_numeric();
        let is_date = column.dtype() == &DataType::Date;
        let as_f64 = if numbers { Some(column.cast(&DataType::Float64)?) } else { None };
        let as_days = if is_date { Some(column.cast(&DataType::Int32)?) } else { None };
        let as_text = column.cast(&DataType::String)?;
        let text = as_text.str()?;
        for (r, hidden) in withheld.iter().enumerate() {
            let row = u32::try_from(r + 1)
                .map_err(|_| Error::usage("a table of over 1,048,575 rows cannot be a worksheet"))?;
            let number = match (&as_f64, &as_days) {
                (Some(f), _) => f.f64()?.get(r),
                (_, Some(d)) => d.i32()?.get(r).map(|days| f64::from(days) + 25_569.0),
                _ => None,
            };
            match (number, text.get(r)) {
                (Some(v), _) if is_date => sheet.write_number_with_format(row, c, v, &date).map(|_| ()),
                (Some(v), _) => sheet.write_number(row, c, v).map(|_| ()),
                (None, Some(t)) if !numbers && !is_date => {
                    fits_a_cell(t, &format!("`{}` value (row {})", column.name(), r + 2))?;
                    sheet.write_string(row, c, t).map(|_| ())
                }
                _ if *hidden => sheet.write_blank(row, c, &shaded).map(|_| ()),
                _ => Ok(()),
            }
            .map_err(err)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(err)?;
    sheet.autofit();
    book.save_to_buffer().map_err(err)
}

/// Text cells that a spreadsheet would run as a formula (starting `=`, `+`, `-`, `@`,
/// tab or carriage return) get a leading `'`, the usual convention for CSV exports
/// (OWASP "CSV injection"): an id like `=HYPERLINK(…)` from a partner's file is shown,
/// never run. Number columns are untouched.
pub fn neutralise_formulas(df: &DataFrame) -> Result<DataFrame> {
    let mut out = df.clone();
    for column in df.columns() {
        if column.dtype() != &DataType::String {
            continue;
        }
        let risky = |s: &str| s.starts_with(FORMULA_STARTS);
        let cells = column.str()?;
        if !cells.iter().flatten().any(risky) {
            continue;
        }
        let safe: Vec<Option<String>> =
            cells.iter().map(|v| v.map(|s| if risky(s) { format!("'{s}") } else { s.to_string() })).collect();
        out.with_column(Column::new(column.name().clone(), safe))?;
    }
    Ok(out)
}

/// What a spreadsheet runs as a formula when a cell starts with it.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A CSV table impactkit wrote, read back with every column as text (and
/// `restore_guarded` applied).
pub fn read_text_table(path: &Path) -> Result<DataFrame> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let sources = ScanSources::Buffers(std::sync::Arc::from([polars_buffer::Buffer::from(bytes)]));
    let mut df = LazyCsvReader::new_with_sources(sources)
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .finish()
        .and_then(|lf| lf.collect())
        .map_err(|e| Error::usage(format!("cannot read {}: {e}", path.display())))?;
    restore_guarded(&mut df)?;
    Ok(df)
}

/// `neutralise_formulas` undone, for CSV read back in: a text cell `'=x` (a `'`
/// before a formula's first character) is read as `=x`, so a file impactkit wrote
/// gives back the same ids. Other cells are left as they are.
pub fn restore_guarded(df: &mut DataFrame) -> Result<()> {
    let guarded = |s: &str| s.strip_prefix('\'').is_some_and(|rest| rest.starts_with(FORMULA_STARTS));
    let mut changed = Vec::new();
    for column in df.columns() {
        if column.dtype() != &DataType::String {
            continue;
        }
        let cells = column.str()?;
        if !cells.iter().flatten().any(guarded) {
            continue;
        }
        let restored: StringChunked = cells.iter().map(|v| v.map(|s| if guarded(s) { &s[1..] } else { s })).collect();
        changed.push(restored.with_name(column.name().clone()).into_column());
    }
    for column in changed {
        df.with_column(column)?;
    }
    Ok(())
}

pub use crate::base::text::escape_controls;

/// Refuse an output path that is one of the inputs (`aggregate data.csv --out
/// data.csv` would replace the data with its figures). Paths are compared after
/// resolving links, so `./data.csv` and a link to it count as the same file.
pub fn refuse_overwriting_inputs<'a>(out: &Path, inputs: impl IntoIterator<Item = &'a Path>) -> Result<()> {
    let Ok(target) = std::fs::canonicalize(out) else { return Ok(()) };
    for input in inputs {
        if std::fs::canonicalize(input).is_ok_and(|p| p == target) {
            return Err(Error::usage(format!(
                "--out {} is one of the inputs: writing it would destroy them",
                out.display()
            ))
            .with_hint("give another output file name"));
        }
    }
    Ok(())
}

/// Write `bytes` to `path` atomically: a temporary file beside it, then rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |file| file.write_all(bytes))
}

/// Write a file inside a folder that is moved into place whole once complete (a
/// release's): the folder's rename is what makes the output appear all at once, so
/// each file is written directly, without a temporary file of its own or waiting for
/// the disk (for 10,000 files of a release, seconds).
pub fn write_staged(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

/// Write through `fill` into a temporary file beside `path`, then rename it into
/// place. On any error the temporary file is removed and `path` is untouched.
pub fn write_atomic_with(path: &Path, fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    remove_stale_temporaries(dir);
    // Created exclusively (O_EXCL) under a random name: a link planted in a shared
    // folder is never followed, and two writers never share a temporary file. It is
    // removed if anything fails before the rename.
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    // Created as any new file is (read and write for all, less the user's umask: 0644
    // under the usual 022), not 0600 as temporary files are: a board pack on a shared
    // drive is for colleagues to open.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
    fill(tmp.as_file_mut()).and_then(|_| tmp.as_file().sync_all()).map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Our temporary files: `.impact-XXXXXX.tmp` beside the output.
const TEMP_PREFIX: &str = ".impact-";
const TEMP_SUFFIX: &str = ".tmp";

/// Temporary files of ours left by a process that was killed mid-write, a day or more
/// ago (a younger one may belong to a run still writing), are removed. Once per folder
/// per run: a batch writes thousands of files into one folder, and listing it before
/// each would make the batch quadratic.
fn remove_stale_temporaries(dir: &Path) {
    static SWEPT: std::sync::Mutex<Vec<std::path::PathBuf>> = std::sync::Mutex::new(Vec::new());
    {
        let Ok(mut swept) = SWEPT.lock() else { return };
        if swept.iter().any(|d| d == dir) {
            return;
        }
        swept.push(dir.to_path_buf());
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let day = std::time::Duration::from_secs(24 * 3600);
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !(name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)) {
            continue;
        }
        // symlink_metadata: a link with our name is not followed, only removed.
        let old = entry
            .path()
            .symlink_metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > day));
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// An aligned text table: numbers right-aligned with thousands separators.
pub fn text_table(df: &DataFrame) -> Result<String> {
    let columns = df.columns();
    let mut cells: Vec<Vec<String>> = Vec::with_capacity(columns.len());
    let mut numeric = Vec::with_capacity(columns.len());
    for c in columns {
        let is_num = c.dtype().is_primitive_numeric();
        numeric.push(is_num);
        let mut col_cells = vec![c.name().to_string()];
        for i in 0..df.height() {
            let v = c.get(i)?;
            col_cells.push(match v {
                AnyValue::Null => "–".to_string(),
                AnyValue::String(s) => escape_controls(s).into_owned(),
                AnyValue::StringOwned(s) => escape_controls(&s).into_owned(),
                other if is_num => other.extract::<f64>().map_or_else(|| other.to_string(), format_figure),
                other => other.to_string(),
            });
        }
        cells.push(col_cells);
    }
    let widths: Vec<usize> = cells.iter().map(|c| c.iter().map(|s| s.chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in 0..=df.height() {
        let line: Vec<String> = cells
            .iter()
            .zip(&widths)
            .zip(&numeric)
            .map(
                |((c, w), num)| {
                    if *num {
                        format!("{:>w$}", c[row], w = *w)
                    } else {
                        format!("{:<w$}", c[row], w = *w)
                    }
                },
            )
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
        if row == 0 {
            let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
            out.push_str(&rule.join("  "));
            out.push('\n');
        }
    }
    Ok(out)
}

/// 1234567.891 → "1,234,567.89"; whole numbers without decimals.
pub fn format_figure(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let rounded = (v * 100.0).round() / 100.0;
    let negative = rounded < 0.0;
    let abs = rounded.abs();
    let cents = ((abs - abs.trunc()) * 100.0).round() as u64;
    // The whole part's decimal digits, exact at any size (a cast to an integer type
    // would saturate at 18,446,744,073,709,551,615).
    let digits = format!("{:.0}", abs.trunc());
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if negative { "-" } else { "" };
    match cents {
        0 => format!("{sign}{grouped}"),
        c if c % 10 == 0 => format!("{sign}{grouped}.{}", c / 10),
        c => format!("{sign}{grouped}.{c:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_withheld_figure_to_date_is_a_grey_cell_not_a_blank() {
        // Row 2: the period's figure published, its figure to date withheld; row 3: the
        // other way round. Only the withheld cells are shaded (style s="…" on a blank).
        let df = df!(
            "value" => [Some(12.0), None],
            "withheld" => [None, Some("small")],
            "to_date" => [None, Some(40.0)],
            "to_date_withheld" => [Some("secondary"), None],
        )
        .unwrap();
        let bytes = xlsx(&df).unwrap();
        let mut book = ::zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut sheet = String::new();
        std::io::Read::read_to_string(&mut book.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut sheet).unwrap();
        let shaded = |cell: &str| sheet.contains(&format!("<c r=\"{cell}\" s="));
        assert!(shaded("C2"), "the withheld figure to date: {sheet}");
        assert!(shaded("A3"), "the withheld period: {sheet}");
        assert!(!shaded("A2") && !shaded("C3"), "published figures are not shaded: {sheet}");
    }

    #[test]
    fn figures_have_thousands_separators() {
        assert_eq!(format_figure(1234567.891), "1,234,567.89");
        assert_eq!(format_figure(1000.0), "1,000");
        assert_eq!(format_figure(12.5), "12.5");
        assert_eq!(format_figure(-1500.25), "-1,500.25");
        assert_eq!(format_figure(0.0), "0");
        assert_eq!(format_figure(999.999), "1,000");
        assert_eq!(format_figure(2e19), "20,000,000,000,000,000,000");
        assert_eq!(format_figure(-3.5e20), "-350,000,000,000,000,000,000");
    }

    #[test]
    fn writing_never_follows_a_link_and_stale_temporaries_go() {
        let dir = tempfile::tempdir().unwrap();
        // Another user's file, and a link to it planted where we write.
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, b"precious").unwrap();
        let out = dir.path().join("out.csv");
        std::os::unix::fs::symlink(&victim, &out).unwrap();
        write_atomic(&out, b"figures").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious", "the link was followed");
        assert_eq!(std::fs::read(&out).unwrap(), b"figures");
        // In a folder this run has not written to yet: a temporary file of ours from a
        // run killed two days ago is removed; a fresh one (a run still writing) and
        // other files are left alone.
        let folder = dir.path().join("later");
        std::fs::create_dir(&folder).unwrap();
        let stale = folder.join(".impact-old123.tmp");
        let fresh = folder.join(".impact-new456.tmp");
        for p in [&stale, &fresh] {
            std::fs::write(p, b"partial").unwrap();
        }
        let two_days = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 24 * 3600);
        std::fs::File::options().write(true).open(&stale).unwrap().set_modified(two_days).unwrap();
        write_atomic(&folder.join("other.csv"), b"x").unwrap();
        assert!(!stale.exists() && fresh.exists() && victim.exists());
    }

    #[test]
    fn formulas_are_shown_not_run_and_numbers_stay_numbers() {
        let df = df!("id" => ["=1+2", "ok", "@SUM(A1)", "-3", "\tx"], "value" => [-1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        let text = String::from_utf8(render(&df, TableFormat::Csv).unwrap()).unwrap();
        assert_eq!(text, "id,value\n'=1+2,-1.0\nok,2.0\n'@SUM(A1),3.0\n'-3,4.0\n'\tx,5.0\n");
    }

    #[test]
    fn a_guarded_cell_reads_back_as_written() {
        let df = df!("id" => ["=1+2", "ok", "@SUM(A1)", "-3", "'quoted", "O'Neil"], "n" => [1, 2, 3, 4, 5, 6]).unwrap();
        let mut back = neutralise_formulas(&df).unwrap();
        restore_guarded(&mut back).unwrap();
        assert_eq!(back, df);
    }

    #[test]
    fn atomic_write_leaves_nothing_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let err = write_atomic_with(&path, |f| {
            f.write_all(b"partial")?;
            Err(std::io::Error::other("boom"))
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no temp file or partial output left");
        write_atomic(&path, b"done").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"done");
    }
}
