//! Readers, one per format. Each returns the file's table as headed in the file,
//! with a `__row` column holding the row number a person would look for.

use std::collections::HashMap;
use std::io::Read as _;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader as _};
use polars::prelude::*;

use super::colmap::ColumnMap;
use super::ragged;
use super::schema::{column_letter, normalise_heading, ROW};
use crate::diagnostics::{Check, Diagnostic, Severity};
use crate::error::{Error, Result};

mod csv_chunks;
mod csv_files;
mod excel;
mod json_files;
mod parquet_files;

use csv_files::*;
use excel::*;
use json_files::*;
use parquet_files::*;

pub use csv_files::{locate_csv_problem, sniff_delimiter};
pub use excel::{format_number, sheet_names, MAX_SHEET_CELLS};

/// One file's table before mapping.
#[derive(Debug, Clone)]
pub struct RawTable {
    /// The file read.
    pub path: PathBuf,
    /// Columns as headed in the file, plus `__row` (Int64).
    pub df: DataFrame,
    /// Heading → spreadsheet column letter, for messages (CSV and Excel).
    pub letters: HashMap<String, String>,
    /// File-level warnings found while reading (e.g. other sheets ignored).
    pub warnings: Vec<Diagnostic>,
    /// Id cells may be written "Name (id)", as a return template's drop-downs write
    /// them (see `data::TEMPLATE_SHEETS`).
    pub labelled: bool,
}

/// A data file's format, told by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-, tab- or semicolon-separated text.
    Csv,
    /// An Excel or OpenDocument workbook.
    Excel,
    /// Apache Parquet.
    Parquet,
    /// A JSON array of records, or one record per line.
    Json,
}

impl Format {
    /// The format of `path`, or an error naming the extensions understood.
    pub fn of(path: &Path) -> Result<Format> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "tsv" | "txt" => Ok(Format::Csv),
            "xlsx" | "xlsm" | "xls" | "ods" => Ok(Format::Excel),
            "parquet" | "pq" => Ok(Format::Parquet),
            "json" | "ndjson" | "jsonl" => Ok(Format::Json),
            _ => Err(Error::read(path, format!("cannot tell the format from the extension `.{ext}`"))
                .with_hint("name the file .csv, .xlsx, .parquet, .json or .ndjson")),
        }
    }
}

/// Where a file's rows come from: batches (CSV and Parquet, any size) or a table
/// read whole (Excel, JSON, and wide column maps).
// One per file read: a Stream is large, but boxing it would gain nothing.
#[allow(clippy::large_enum_variant)]
pub enum Source {
    /// Read in batches.
    Stream(Stream),
    /// Read whole.
    Whole(RawTable),
}

/// A file read in batches. `empty` has the file's columns and no rows, so its
/// headings can be checked before any row is read.
pub struct Stream {
    /// The file read.
    pub path: PathBuf,
    /// The file's columns with no rows.
    pub empty: RawTable,
    feed: Feed,
    /// Columns were left unread (see `open`).
    pub projected: bool,
    /// A CSV file's layout: when the reader saw a row with too few cells (or a blank
    /// line), the bytes are read again to tell which (see `ragged`).
    ragged: Option<ragged::Shape>,
    on_error: Box<dyn Fn(PolarsError) -> Error + Send + Sync>,
}

#[allow(clippy::large_enum_variant)] // one per stream
enum Feed {
    /// CSV, a block at a time, parsed on every core while the checks run.
    Csv(csv_chunks::CsvChunks),
    /// Parquet, a row group at a time (see `Stream::row_groups`). `columns`: the ones
    /// to read (None: all).
    RowGroups { columns: Option<Vec<String>> },
}

/// Open a data file. With `wanted` (canonical column names) and no map that renames
/// columns, a CSV or Parquet file is read for those columns only (a CSV's cells are
/// still counted in every row: see `csv_chunks`).
pub fn open(path: &Path, map: Option<&ColumnMap>, wanted: Option<&[&str]>) -> Result<Source> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.len() == 0 {
        return Err(Error::read(path, "the file is empty (0 bytes)")
            .with_hint("export the sheet again; a data file needs a heading row and data rows"));
    }
    let default_map = ColumnMap::default();
    // A wide sheet melts each row into several records, so it is checked whole.
    let whole = map.is_some_and(|m| !m.wide.is_empty());
    // Columns are read by canonical name: a map that renames them (or melts a wide
    // sheet) is read whole-width; one that only reads names as ids is not.
    let wanted = if map.is_some_and(|m| !m.columns.is_empty() || whole) { None } else { wanted };
    let map = map.unwrap_or(&default_map);
    let stream = match Format::of(path)? {
        Format::Csv => csv_stream(path, map, wanted)?,
        Format::Parquet => parquet_stream(path, wanted)?,
        Format::Excel => return read_excel(path, map).map(Source::Whole),
        Format::Json => return read_json(path).map(Source::Whole),
    };
    if whole {
        stream.into_table().map(Source::Whole)
    } else {
        Ok(Source::Stream(stream))
    }
}

/// Read a whole file as one table.
pub fn read_table(path: &Path, map: Option<&ColumnMap>) -> Result<RawTable> {
    match open(path, map, None)? {
        Source::Whole(t) => Ok(t),
        Source::Stream(s) => s.into_table(),
    }
}

impl Stream {
    /// Every batch, in one table.
    pub fn into_table(self) -> Result<RawTable> {
        let mut df = self.empty.df.clone();
        self.for_each(1 << 20, |batch| {
            df.vstack_mut(&batch)?;
            Ok(ControlFlow::Continue(()))
        })?;
        Ok(RawTable { path: self.path, df, letters: self.empty.letters, warnings: Vec::new(), labelled: false })
    }

    /// Hand the rows to `each` in file order, `batch_rows` at a time, while the next
    /// block or row group is read on a thread of its own. Stops at the first error from either side, or
    /// when `each` says to stop (`ControlFlow::Break`), which is not an error.
    pub fn for_each(
        &self,
        batch_rows: usize,
        mut each: impl FnMut(DataFrame) -> Result<ControlFlow<()>>,
    ) -> Result<()> {
        let chunks = match &self.feed {
            Feed::Csv(chunks) => chunks,
            Feed::RowGroups { columns } => return self.row_groups(columns, batch_rows, each),
        };
        let short = chunks.for_each(
            &self.path,
            |block| {
                for start in (0..block.height()).step_by(batch_rows.max(1)) {
                    if each(block.slice(start as i64, batch_rows))?.is_break() {
                        return Ok(ControlFlow::Break(()));
                    }
                }
                Ok(ControlFlow::Continue(()))
            },
            &*self.on_error,
        )?;
        match &self.ragged {
            Some(shape) if short => ragged::refuse_short_rows(&self.path, shape),
            _ => Ok(()),
        }
    }

    /// Parquet one row group at a time, the next decoded on a thread of its own while
    /// this one is checked (one ahead only: polars' streaming reader decodes up to 16
    /// ahead, 2.5 GB for 50M rows), and handed on in batches of `batch_rows`.
    fn row_groups(
        &self,
        columns: &Option<Vec<String>>,
        batch_rows: usize,
        mut each: impl FnMut(DataFrame) -> Result<ControlFlow<()>>,
    ) -> Result<()> {
        let open = || std::fs::File::open(&self.path).map_err(|e| Error::io(&self.path, e));
        let metadata = ParquetReader::new(open()?).get_metadata().map_err(|e| (self.on_error)(e))?.clone();
        let (send, receive) = std::sync::mpsc::sync_channel::<Result<DataFrame>>(0);
        std::thread::scope(|scope| {
            scope.spawn(move || {
                let mut offset = 0usize;
                let mut reading = crate::timing::Total::new();
                for group in &metadata.row_groups {
                    let rows = group.num_rows();
                    let mut read = || -> Result<DataFrame> {
                        let mut reader = ParquetReader::new(open()?)
                            .with_columns(columns.clone())
                            .with_slice(Some((offset, rows)))
                            // Polars would decode over row groups, as the file has more
                            // than threads, so one row group on one thread: split by column.
                            .read_parallel(ParallelStrategy::Columns);
                        reader.set_metadata(metadata.clone());
                        let mut df = reading.time(|| reader.finish()).map_err(|e| (self.on_error)(e))?;
                        let first = offset as i64 + 1;
                        df.with_column(Column::new(ROW.into(), (first..first + rows as i64).collect::<Vec<i64>>()))?;
                        Ok(df)
                    };
                    let df = read();
                    let failed = df.is_err();
                    // A closed channel means the taker stopped on an error of its own.
                    if send.send(df).is_err() || failed {
                        return;
                    }
                    offset += rows;
                }
                reading
                    .report(&format!("read Parquet row groups ({}, on their own thread)", metadata.row_groups.len()));
            });
            for df in receive {
                let df = df?;
                // Slices share the row group's memory; smaller batches let the fold of
                // one overlap the checks of the next sooner.
                for start in (0..df.height()).step_by(batch_rows.max(1)) {
                    // Returning drops the receiver, which stops the reading thread.
                    if each(df.slice(start as i64, batch_rows))?.is_break() {
                        return Ok(());
                    }
                }
            }
            Ok(())
        })
    }
}

fn empty_table(path: &Path, lf: &LazyFrame, letters: HashMap<String, String>) -> Result<RawTable> {
    let schema = lf.clone().collect_schema()?;
    let df = DataFrame::empty_with_schema(&schema);
    Ok(RawTable { path: path.to_path_buf(), df, letters, warnings: Vec::new(), labelled: false })
}

/// A heading impactkit uses itself (the row number it keeps beside each record) would
/// clash with it: refused by name.
fn refuse_reserved_headings<'a>(path: &Path, headings: impl IntoIterator<Item = &'a str>) -> Result<()> {
    match headings.into_iter().find(|h| *h == ROW) {
        Some(h) => {
            Err(Error::read(path, format!("a column is headed `{h}`, a name impactkit keeps for its own row numbers"))
                .with_hint("rename that column (or leave it out)"))
        }
        None => Ok(()),
    }
}

/// Text the CSV reader would misread, refused with what is really wrong: UTF-16 (as
/// Excel's "Unicode text" saves it) or lines ending in a lone carriage return (old
/// Mac files), which read as one enormous row.
fn refuse_unreadable_text(path: &Path) -> Result<()> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut head = Vec::new();
    (&mut file).take(64 * 1024).read_to_end(&mut head).map_err(|e| Error::io(path, e))?;
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Err(Error::read(path, "the file is UTF-16 text, not UTF-8")
            .with_hint("in Excel use Save As → \"CSV UTF-8\"; from other tools, export as UTF-8"));
    }
    if head.contains(&b'\r') && !head.contains(&b'\n') {
        return Err(Error::read(
            path,
            "lines end in a carriage return alone (an old Mac format), so the file reads as one row",
        )
        .with_hint("save it again with Windows (CR LF) or Unix (LF) line endings"));
    }
    Ok(())
}

/// The `n`th line (1-based) of a file, without BOM or line ending.
fn nth_line(path: &Path, n: u64) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut head = Vec::new();
    // Headings live near the top; 1 MiB is plenty even with a title block.
    (&mut file).take(1 << 20).read_to_end(&mut head).map_err(|e| Error::io(path, e))?;
    let text = String::from_utf8_lossy(&head);
    let text = text.trim_start_matches('\u{feff}');
    text.lines()
        .nth(usize::try_from(n - 1).unwrap_or(usize::MAX))
        .map(|l| l.trim_end_matches('\r').to_string())
        .ok_or_else(|| Error::read(path, format!("there is no row {n} to hold the headings")))
}

fn quoted_list(names: &[String]) -> String {
    names.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
}

// ---------------------------------------------------------------- JSON

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_is_sniffed_outside_quotes() {
        assert_eq!(sniff_delimiter("a,b,c"), b',');
        assert_eq!(sniff_delimiter("a;b;\"c,d,e\""), b';');
        assert_eq!(sniff_delimiter("a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter("single"), b',');
    }

    #[test]
    fn csv_problems_are_located() {
        let q = b"a,b,c\n1,\"x,3\n4,5,6\n";
        assert_eq!(locate_csv_problem(q, b',', 1).as_deref(), Some("a quote opened on row 2 is never closed"));
        let r = b"a,b,c\n1,2,3\n4,5,6,7\n";
        assert_eq!(locate_csv_problem(r, b',', 1).as_deref(), Some("row 3 has 4 cells but the heading row has 3"));
        let ok = b"a,b,c\r\n1,\"x,\"\"y\"\"\",3\r\n";
        assert_eq!(locate_csv_problem(ok, b',', 1), None);
        assert_eq!(first_non_utf8_row(b"a\nb\n\xa3c\n"), Some(3));
    }

    #[test]
    fn whole_numbers_print_plainly() {
        assert_eq!(format_number(1200.0), "1200");
        assert_eq!(format_number(1200.5), "1200.5");
    }
}
