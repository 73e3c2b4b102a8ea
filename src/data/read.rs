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

/// One file's table before mapping.
#[derive(Debug, Clone)]
pub struct RawTable {
    pub path: PathBuf,
    /// Columns as headed in the file, plus `__row` (Int64).
    pub df: DataFrame,
    /// Heading → spreadsheet column letter, for messages (CSV and Excel).
    pub letters: HashMap<String, String>,
    /// File-level warnings found while reading (e.g. other sheets ignored).
    pub warnings: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Excel,
    Parquet,
    Json,
}

impl Format {
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
    Stream(Stream),
    Whole(RawTable),
}

/// A file read in batches. `empty` has the file's columns and no rows, so its
/// headings can be checked before any row is read.
pub struct Stream {
    pub path: PathBuf,
    pub empty: RawTable,
    feed: Feed,
    /// Columns were left unread (see `open`).
    pub projected: bool,
    /// A CSV file's layout and last heading: a short row shows only as an empty last
    /// cell, and then the bytes are read again to tell (see `ragged`).
    ragged: Option<(ragged::Shape, String)>,
    on_error: Box<dyn Fn(PolarsError) -> Error + Send + Sync>,
}

#[allow(clippy::large_enum_variant)] // one per stream
enum Feed {
    /// polars' streaming engine (CSV: parsing is spread over every core while the
    /// checks run).
    Lazy(LazyFrame),
    /// Parquet, a row group at a time (see `Stream::row_groups`). `columns`: the ones
    /// to read (None: all).
    RowGroups { columns: Option<Vec<String>> },
}

/// Open a data file. With `wanted` (canonical column names) and no column map, a
/// Parquet file is read for those columns only. CSV is always read whole-width:
/// polars' CSV reader, when told to skip columns, also stops noticing a row with more
/// cells than headings, which must be refused.
pub fn open(path: &Path, map: Option<&ColumnMap>, wanted: Option<&[&str]>) -> Result<Source> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.len() == 0 {
        return Err(Error::read(path, "the file is empty (0 bytes)")
            .with_hint("export the sheet again; a data file needs a heading row and data rows"));
    }
    let default_map = ColumnMap::default();
    // A wide sheet melts each row into several records, so it is checked whole.
    let whole = map.is_some_and(|m| !m.wide.is_empty());
    let wanted = if map.is_some() { None } else { wanted };
    let map = map.unwrap_or(&default_map);
    let stream = match Format::of(path)? {
        Format::Csv => csv_stream(path, map)?,
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
        Ok(RawTable { path: self.path, df, letters: self.empty.letters, warnings: Vec::new() })
    }

    /// Hand the rows to `each` in file order, `batch_rows` at a time, while polars
    /// reads ahead on its own threads. Stops at the first error from either side, or
    /// when `each` says to stop (`ControlFlow::Break`), which is not an error.
    pub fn for_each(
        &self,
        batch_rows: usize,
        mut each: impl FnMut(DataFrame) -> Result<ControlFlow<()>>,
    ) -> Result<()> {
        let lf = match &self.feed {
            Feed::Lazy(lf) => lf,
            Feed::RowGroups { columns } => return self.row_groups(columns, batch_rows, each),
        };
        let mut last_cell_empty = false;
        let mut each = |batch: DataFrame| {
            if let Some((_, last)) = &self.ragged {
                last_cell_empty |= batch.column(last).is_ok_and(|c| c.null_count() > 0);
            }
            each(batch)
        };
        let (send, receive) = std::sync::mpsc::sync_channel::<DataFrame>(1);
        let sink = PlanCallback::new(move |df: DataFrame| Ok(send.send(df).is_err()));
        let query = lf
            .clone()
            .sink_batches(sink, true, std::num::NonZeroUsize::new(batch_rows))
            .map_err(|e| (self.on_error)(e))?;
        std::thread::scope(|scope| {
            let reader = scope.spawn(move || query.collect_with_engine(Engine::Streaming).map(|_| ()));
            let mut result = Ok(());
            for batch in receive.iter() {
                match each(batch) {
                    Ok(ControlFlow::Continue(())) => {}
                    Ok(ControlFlow::Break(())) => break, // dropping the receiver stops the reader
                    Err(e) => {
                        result = Err(e);
                        break;
                    }
                }
            }
            drop(receive);
            let read = match reader.join() {
                Ok(r) => r.map_err(|e| (self.on_error)(e)),
                Err(_) => Err(Error::read(&self.path, "the reader stopped unexpectedly")),
            };
            result.and(read)
        })?;
        match &self.ragged {
            Some((shape, _)) if last_cell_empty => ragged::refuse_short_rows(&self.path, shape),
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

fn csv_stream(path: &Path, map: &ColumnMap) -> Result<Stream> {
    refuse_unreadable_text(path)?;
    let header_row = map.header_row();
    let heading_line = nth_line(path, header_row)?;
    let separator = map.delimiter().unwrap_or_else(|| sniff_delimiter(&heading_line));
    refuse_reserved_headings(path, heading_line.split(separator as char).map(|h| h.trim().trim_matches('"')))?;
    let on_error = {
        let path = path.to_path_buf();
        move |e: PolarsError| csv_error(&path, separator, header_row, e)
    };
    let pl_path = PlRefPath::try_from_path(path)?;
    let mut lf = LazyCsvReader::new(pl_path)
        .with_has_header(true)
        .with_separator(separator)
        .with_skip_rows(usize::try_from(header_row - 1).unwrap_or(0))
        .with_infer_schema_length(Some(0)) // every column as text; we parse and report ourselves
        .with_row_index(Some(RowIndex { name: ROW.into(), offset: 0 }))
        .finish()
        .map_err(&on_error)?;
    let schema = lf.collect_schema().map_err(&on_error)?;
    let names: Vec<String> = schema.iter_names().filter(|n| n.as_str() != ROW).map(|n| n.to_string()).collect();
    let note_prefixes: Vec<String> =
        map.source.skip_rows_starting_with.iter().map(|p| p.trim().to_lowercase()).collect();
    let letters = names.iter().enumerate().map(|(i, n)| (n.clone(), column_letter(i))).collect();
    // Row index counts data rows from 0; the first data row sits just under the headings.
    let first_data_row = (header_row + 1) as i64;
    let lf = lf.with_column((col(ROW).cast(DataType::Int64) + lit(first_data_row)).alias(ROW));
    let empty = empty_table(path, &lf, letters)?;
    let shape = ragged::Shape { separator, header_row, headings: names.len(), note_prefixes };
    let ragged = names.last().map(|last| (shape, last.clone()));
    Ok(Stream {
        path: path.to_path_buf(),
        empty,
        feed: Feed::Lazy(lf),
        projected: false,
        ragged,
        on_error: Box::new(on_error),
    })
}

fn parquet_stream(path: &Path, wanted: Option<&[&str]>) -> Result<Stream> {
    let on_error = {
        let path = path.to_path_buf();
        move |e: PolarsError| {
            Error::read(&path, format!("not a readable Parquet file: {}", first_line(&e.to_string())))
                .with_hint("the file may be truncated or not Parquet; write it again")
        }
    };
    refuse_unsupported_arrow_types(path, &on_error)?;
    let pl_path = PlRefPath::try_from_path(path)?;
    let mut lf = LazyFrame::scan_parquet(pl_path, ScanArgsParquet::default()).map_err(&on_error)?;
    let schema = lf.collect_schema().map_err(&on_error)?;
    let names: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    refuse_reserved_headings(path, names.iter().map(String::as_str))?;
    let lf = lf.with_row_index(ROW, Some(1)).with_column(col(ROW).cast(DataType::Int64));
    let empty = empty_table(path, &lf, HashMap::new())?;
    let columns = wanted
        .map(|w| names.iter().filter(|n| w.contains(&normalise_heading(n).as_str())).cloned().collect::<Vec<String>>());
    let projected = columns.as_ref().is_some_and(|c| c.len() < names.len());
    Ok(Stream {
        path: path.to_path_buf(),
        empty,
        feed: Feed::RowGroups { columns },
        projected,
        ragged: None,
        on_error: Box::new(on_error),
    })
}

/// A Parquet column of a type the engine cannot hold (half floats, 128-bit integers,
/// intervals, unions, fixed-size lists, decimals over 38 digits, unknown time zones)
/// would stop it with a panic, not an error: refuse it by name first. Durations have
/// no text or number form a record could use.
fn refuse_unsupported_arrow_types(path: &Path, on_error: &dyn Fn(PolarsError) -> Error) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let schema = ParquetReader::new(file).schema().map_err(on_error)?;
    for (name, field) in schema.iter() {
        let metadata = field.metadata.as_deref();
        if matches!(field.dtype, ArrowDataType::Dictionary(..))
            && metadata.is_some_and(|m| !polars_categories_are_sound(m))
        {
            return Err(Error::read(
                path,
                format!("column \"{name}\" is a dictionary column whose category list is malformed"),
            )
            .with_hint("write the file again from the program that made it, or write that column as text"));
        }
        if let Some(kind) = unsupported_arrow_type(&field.dtype) {
            return Err(Error::read(path, format!("column \"{name}\" holds {kind}, which impactkit cannot read"))
                .with_hint("write that column as text, a whole or decimal number (up to 38 digits), or a date"));
        }
    }
    Ok(())
}

/// polars writes an enum's or categorical's category list into the file's metadata,
/// and on reading takes it apart with `unwrap`: a malformed list (from a damaged or
/// hostile file) would be a panic. The same steps, checked (polars-core's
/// `DataType::from_arrow`, 0.55).
fn polars_categories_are_sound(metadata: &std::collections::BTreeMap<PlSmallStr, PlSmallStr>) -> bool {
    fn take(text: &str) -> Option<(&str, &str)> {
        let (len, rest) = text.split_once(';')?;
        let len: usize = len.parse().ok()?;
        (len <= rest.len() && rest.is_char_boundary(len)).then(|| rest.split_at(len))
    }
    let enum_values = metadata.get("_PL_ENUM_VALUES2").or_else(|| metadata.get("_PL_ENUM_VALUES"));
    if let Some(values) = enum_values {
        let (mut rest, mut seen) = (values.as_str(), std::collections::HashSet::new());
        while !rest.is_empty() {
            let Some((category, after)) = take(rest) else { return false };
            if !seen.insert(category) {
                return false;
            }
            rest = after;
        }
        return true;
    }
    if let Some(categorical) = metadata.get("_PL_CATEGORICAL2") {
        let sound = || -> Option<()> {
            let (_name, rest) = take(categorical.as_str())?;
            let (_namespace, rest) = take(rest)?;
            let (physical, _) = rest.split_once(';')?;
            matches!(physical, "u8" | "u16" | "u32").then_some(())
        };
        return sound().is_some();
    }
    true
}

/// What is wrong with a column type, in words, or None when the engine can hold it
/// (nested types included: the checks refuse those by name later).
fn unsupported_arrow_type(dtype: &ArrowDataType) -> Option<String> {
    use ArrowDataType as A;
    match dtype {
        A::Null
        | A::Boolean
        | A::Int8
        | A::Int16
        | A::Int32
        | A::Int64
        | A::UInt8
        | A::UInt16
        | A::UInt32
        | A::UInt64 => None,
        A::Float32 | A::Float64 | A::Utf8 | A::LargeUtf8 | A::Utf8View | A::Binary | A::LargeBinary | A::BinaryView => {
            None
        }
        A::FixedSizeBinary(_) | A::Date32 | A::Date64 | A::Time32(_) | A::Time64(_) => None,
        A::Timestamp(_, zone) => {
            TimeZone::opt_try_new(zone.clone()).err().map(|_| format!("timestamps in the unknown time zone {zone:?}"))
        }
        A::Decimal(precision, _)
        | A::Decimal32(precision, _)
        | A::Decimal64(precision, _)
        | A::Decimal256(precision, _) => {
            (*precision == 0 || *precision > 38).then(|| format!("decimal numbers of {precision} digits"))
        }
        A::Dictionary(_, values, _) => unsupported_arrow_type(values),
        A::List(inner) | A::LargeList(inner) | A::Map(inner, _) => unsupported_arrow_type(&inner.dtype),
        A::Struct(fields) => fields.iter().find_map(|f| unsupported_arrow_type(&f.dtype)),
        A::Duration(_) => Some("durations".into()),
        A::Float16 => Some("half-precision (16-bit) floats".into()),
        A::Int128 | A::UInt128 => Some("128-bit integers".into()),
        A::Interval(_) => Some("intervals".into()),
        A::FixedSizeList(_, _) => Some("fixed-size lists".into()),
        other => Some(format!("values of type {other:?}")),
    }
}

fn empty_table(path: &Path, lf: &LazyFrame, letters: HashMap<String, String>) -> Result<RawTable> {
    let schema = lf.clone().collect_schema()?;
    let df = DataFrame::empty_with_schema(&schema);
    Ok(RawTable { path: path.to_path_buf(), df, letters, warnings: Vec::new() })
}

fn csv_error(path: &Path, separator: u8, header_row: u64, e: PolarsError) -> Error {
    let text = e.to_string();
    if text.contains("utf-8") || text.contains("utf8") || text.contains("invalid utf") {
        let place = std::fs::read(path)
            .ok()
            .and_then(|b| first_non_utf8_row(&b))
            .map(|r| format!("row {r}: "))
            .unwrap_or_default();
        return Error::read(path, format!("{place}the file is not UTF-8 text"))
            .with_hint("in Excel use Save As → \"CSV UTF-8\"; from other tools, export as UTF-8");
    }
    // The engine's messages do not say where; find the row ourselves.
    match std::fs::read(path).ok().and_then(|b| locate_csv_problem(&b, separator, header_row)) {
        Some(problem) => {
            Error::read(path, problem).with_hint("fix that row in a spreadsheet program, or export the sheet again")
        }
        None => {
            Error::read(path, format!("not readable as CSV (separator `{}`): {}", separator as char, first_line(&text)))
                .with_hint("check for an unclosed quote or a row with more cells than the heading row")
        }
    }
}

/// The spreadsheet row holding the first byte that is not UTF-8.
fn first_non_utf8_row(bytes: &[u8]) -> Option<u64> {
    let e = std::str::from_utf8(bytes).err()?;
    Some(bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() as u64 + 1)
}

/// Walk the CSV (quote-aware) and describe the first structural problem: a row with
/// more cells than the heading row, or a quote that is never closed.
pub fn locate_csv_problem(bytes: &[u8], separator: u8, header_row: u64) -> Option<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut line = 1u64;
    let mut record_start = 1u64;
    let mut quoted = false;
    let mut cells = 1usize;
    let mut expected: Option<usize> = None;
    let mut blank = true;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' if quoted && bytes.get(i + 1) == Some(&b'"') => i += 1, // escaped quote
            b'"' => quoted = !quoted,
            b'\n' => {
                line += 1;
                if !quoted {
                    if record_start >= header_row && !blank {
                        match expected {
                            None => expected = Some(cells),
                            Some(n) if cells > n => {
                                return Some(format!(
                                    "row {record_start} has {cells} cells but the heading row has {n}"
                                ));
                            }
                            _ => {}
                        }
                    }
                    record_start = line;
                    cells = 1;
                    blank = true;
                }
            }
            b'\r' => {}
            c if c == separator && !quoted => {
                cells += 1;
                blank = false;
            }
            _ => blank = false,
        }
        i += 1;
    }
    if quoted {
        return Some(format!("a quote opened on row {record_start} is never closed"));
    }
    match expected {
        Some(n) if !blank && cells > n && record_start > header_row => {
            Some(format!("row {record_start} has {cells} cells but the heading row has {n}"))
        }
        _ => None,
    }
}

/// The most cells a sheet's used range may span (rows × columns): 20 million is a
/// full sheet (1,048,576 rows) of 19 columns, or 40 columns of 500k rows. A workbook
/// is held in memory whole, about 120 bytes a cell (2.4 GB at the limit, measured);
/// bigger tables belong in CSV or Parquet, which are read in batches.
pub const MAX_SHEET_CELLS: u64 = 20_000_000;

/// A formula cell saved without its result (written by a program that does not
/// calculate, or saved with calculation off): its value is unknown, not empty.
#[derive(Debug, Clone)]
struct UnsavedFormula {
    row: u32,
    column: u32,
    formula: String,
}

/// The sheet's filled cells, read one by one; refused, before anything is allocated
/// for it, when they span more than `MAX_SHEET_CELLS` or number more than that. Also
/// the first formula cell with no saved value, if any.
fn bounded_xlsx_range<R: std::io::Read + std::io::Seek>(
    xlsx: &mut calamine::Xlsx<R>,
    sheet: &str,
) -> std::result::Result<(calamine::Range<Data>, Vec<UnsavedFormula>), String> {
    let cannot = |e: calamine::XlsxError| format!("sheet \"{sheet}\" cannot be read: {e}");
    let mut reader = xlsx.worksheet_cells_reader(sheet).map_err(cannot)?;
    let mut cells = Vec::new();
    let mut unsaved = Vec::new();
    let (mut top, mut bottom, mut left, mut right) = (u32::MAX, 0u32, u32::MAX, 0u32);
    while let Some(cell) = reader.next_cell_with_formula().map_err(cannot)? {
        let (r, c) = cell.pos;
        if matches!(cell.value, calamine::DataRef::Empty) {
            if let Some(formula) = cell.formula.filter(|f| !f.trim().is_empty()) {
                unsaved.push(UnsavedFormula { row: r, column: c, formula });
            }
            continue;
        }
        (top, bottom, left, right) = (top.min(r), bottom.max(r), left.min(c), right.max(c));
        let span = (u64::from(bottom - top) + 1) * (u64::from(right - left) + 1);
        if span > MAX_SHEET_CELLS || cells.len() as u64 >= MAX_SHEET_CELLS {
            return Err(format!(
                "sheet \"{sheet}\" has cells from {}{} to {}{}, a range of {span} cells, more than the {} million that can be read",
                column_letter(left as usize),
                top + 1,
                column_letter(right as usize),
                bottom + 1,
                MAX_SHEET_CELLS / 1_000_000
            ));
        }
        cells.push(calamine::Cell::new((r, c), calamine::Data::from(cell.value)));
    }
    Ok((calamine::Range::from_sparse(cells), unsaved))
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

/// The most frequent of , ; tab | outside quotes in the heading row.
pub fn sniff_delimiter(line: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0), (b'|', 0)];
    let mut quoted = false;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (d, n) in counts.iter_mut() {
                if *d == b {
                    *n += 1;
                }
            }
        }
    }
    counts.iter().max_by_key(|(_, n)| *n).filter(|(_, n)| *n > 0).map_or(b',', |(d, _)| *d)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

// ---------------------------------------------------------------- Excel

fn read_excel(path: &Path, map: &ColumnMap) -> Result<RawTable> {
    let mut book = calamine::open_workbook_auto(path).map_err(|e| {
        Error::read(path, format!("not a readable workbook: {e}"))
            .with_hint("open it in Excel and save it again as .xlsx")
    })?;
    let sheets = book.sheet_names().to_vec();
    let Some(first) = sheets.first().cloned() else {
        return Err(Error::read(path, "the workbook has no sheets"));
    };
    let sheet = match &map.source.sheet {
        Some(wanted) => sheets.iter().find(|s| s.eq_ignore_ascii_case(wanted)).cloned().ok_or_else(|| {
            Error::read(path, format!("no sheet named \"{wanted}\""))
                .with_hint(format!("the sheets are: {}", quoted_list(&sheets)))
        })?,
        None => first,
    };
    let mut warnings = Vec::new();
    if map.source.sheet.is_none() && sheets.len() > 1 {
        warnings.push(Diagnostic {
            severity: Severity::Warning,
            check: Check::OtherSheets,
            file: path.display().to_string(),
            row: None,
            column: None,
            value: None,
            message: format!("the workbook has {} sheets; reading the first, \"{sheet}\"", sheets.len()),
            hint: Some(format!(
                "set `sheet` under [source] in a column map to choose one of: {}",
                quoted_list(&sheets)
            )),
        });
    }
    let (range, unsaved) = match &mut book {
        // .xlsx is read cell by cell, so a sheet whose cells span more than a table
        // can hold (one stray cell at XFD1048576) is refused, not allocated.
        calamine::Sheets::Xlsx(xlsx) => bounded_xlsx_range(xlsx, &sheet).map_err(|e| Error::read(path, e))?,
        // .xls and .ods are read whole by the workbook reader: .xls holds at most
        // 65,536 × 256 cells, and calamine stops an .ods at 100 million.
        _ => (
            book.worksheet_range(&sheet)
                .map_err(|e| Error::read(path, format!("sheet \"{sheet}\" cannot be read: {e}")))?,
            Vec::new(),
        ),
    };
    let cells = range.height() as u64 * range.width() as u64;
    if cells > MAX_SHEET_CELLS {
        return Err(Error::read(
            path,
            format!(
                "sheet \"{sheet}\" spans {cells} cells, more than the {} million that can be read",
                MAX_SHEET_CELLS / 1_000_000
            ),
        ));
    }
    let header_abs = map.header_row() - 1; // 0-based sheet row of the headings
    let (top, left) = range.start().map_or((0, 0), |(r, c)| (r as u64, c as usize));
    refuse_formula_trouble(path, &range, &unsaved, (top, left), header_abs)?;
    if range.is_empty() || header_abs < top || header_abs >= top + range.height() as u64 {
        return Err(Error::read(path, format!("sheet \"{sheet}\" has no heading row at row {}", header_abs + 1))
            .with_hint("set `header_row` under [source] in a column map to the row holding the headings"));
    }
    let header_rel = (header_abs - top) as usize;
    let width = range.width();
    let mut headings: Vec<String> = Vec::with_capacity(width);
    let mut letters = HashMap::new();
    for c in 0..width {
        let letter = column_letter(left + c);
        let mut name = range.get((header_rel, c)).and_then(cell_text).unwrap_or_default().trim().to_string();
        if name.is_empty() {
            // Merged or blank heading cells: name them by letter so messages can still point at them.
            name = format!("column {letter}");
        }
        while headings.contains(&name) {
            name = format!("{name} ({letter})");
        }
        letters.insert(name.clone(), letter);
        headings.push(name);
    }
    let mut columns: Vec<Vec<Option<String>>> = vec![Vec::new(); width];
    let mut rows: Vec<i64> = Vec::new();
    for r in header_rel + 1..range.height() {
        let cells: Vec<Option<String>> = (0..width).map(|c| range.get((r, c)).and_then(cell_text)).collect();
        if cells.iter().all(Option::is_none) {
            continue; // blank spreadsheet rows carry no outcome
        }
        for (column, cell) in columns.iter_mut().zip(cells) {
            column.push(cell);
        }
        rows.push((top + r as u64 + 1) as i64);
    }
    let mut cols: Vec<Column> =
        headings.iter().zip(columns).map(|(name, values)| Column::new(name.as_str().into(), values)).collect();
    cols.push(Column::new(ROW.into(), rows));
    let df = DataFrame::new_infer_height(cols)?;
    Ok(RawTable { path: path.to_path_buf(), df, letters, warnings })
}

/// Formula cells in the table (at or below the heading row) that hold no value a
/// record could use: an error (`#NAME?`, `#DIV/0!`: the formula failed) or no saved
/// result at all. Read as text they would become an organisation called `#NAME?` or
/// a blank; the workbook must be put right instead.
fn refuse_formula_trouble(
    path: &Path,
    range: &calamine::Range<Data>,
    unsaved: &[UnsavedFormula],
    (top, left): (u64, usize),
    header_abs: u64,
) -> Result<()> {
    const LISTED: usize = 5;
    let at = |row: u64, column: usize| format!("{}{}", column_letter(column), row + 1);
    let errors: Vec<String> = range
        .used_cells()
        .filter(|(r, _, _)| top + *r as u64 >= header_abs)
        .filter_map(|(r, c, cell)| match cell {
            Data::Error(e) => Some(format!("{} {e}", at(top + r as u64, left + c))),
            _ => None,
        })
        .collect();
    if !errors.is_empty() {
        let more = errors.len().saturating_sub(LISTED);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        let message = match errors.as_slice() {
            [one] => format!("cell {one} holds a formula's error, not a value"),
            many => format!(
                "{} cells hold a formula's error, not a value: {}{more}",
                many.len(),
                many.iter().take(LISTED).cloned().collect::<Vec<_>>().join(", ")
            ),
        };
        return Err(Error::read(path, message)
            .with_hint("correct the formulas in the workbook (or clear those cells) and save it again"));
    }
    let unsaved: Vec<&UnsavedFormula> = unsaved.iter().filter(|f| u64::from(f.row) >= header_abs).collect();
    if let Some(f) = unsaved.first() {
        let others = if unsaved.len() > 1 {
            format!(" (and {} more formula cells like it)", unsaved.len() - 1)
        } else {
            String::new()
        };
        return Err(Error::read(
            path,
            format!(
                "cell {} holds the formula ={} with no saved result, so its value is unknown{others}",
                at(u64::from(f.row), f.column as usize),
                super::validate::clip(&f.formula)
            ),
        )
        .with_hint(
            "open the workbook in Excel (or LibreOffice), let it calculate, and save it; or paste the column as values",
        ));
    }
    Ok(())
}

/// A cell as text; dates become ISO dates so they parse whatever the map's date format.
fn cell_text(cell: &Data) -> Option<String> {
    let text = match cell {
        Data::Empty => return None,
        Data::String(s) => s.clone(),
        Data::Float(f) => format_number(*f),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        // Excel's dates run from serial 1 (1900-01-01) to 2958465 (9999-12-31); any
        // other serial in a date-styled cell is shown as the number it is (the date
        // conversion would panic on some), and refused where a date is wanted.
        Data::DateTime(d) if (0.0..2_958_466.0).contains(&d.as_f64()) => match d.as_datetime() {
            Some(dt) => dt.date().format("%Y-%m-%d").to_string(),
            None => format_number(d.as_f64()),
        },
        Data::DateTime(d) => format_number(d.as_f64()),
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(), // as Excel shows it: #DIV/0!, #N/A, #NAME?
    };
    if text.trim().is_empty() {
        None
    } else {
        Some(text)
    }
}

/// Whole floats print without ".0" (Excel stores every number as a float).
pub fn format_number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

fn quoted_list(names: &[String]) -> String {
    names.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
}

// ---------------------------------------------------------------- JSON

fn read_json(path: &Path) -> Result<RawTable> {
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidData => Error::read(path, "the file is not UTF-8 text"),
        _ => Error::io(path, e),
    })?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    // (record number or line, object)
    let mut records: Vec<(i64, serde_json::Map<String, serde_json::Value>)> = Vec::new();
    let not_object = |n: i64, what: &str| {
        Error::read(path, format!("{what} {n} is not an object"))
            .with_hint("each record is an object such as {\"organisation\": \"…\", \"indicator\": \"…\", …}")
    };
    if trimmed.starts_with('[') {
        let values: Vec<JsonRecord> = serde_json::from_str(trimmed).map_err(|e| json_error(path, e.line(), &e))?;
        for (i, v) in values.into_iter().enumerate() {
            let n = i as i64 + 1;
            match v {
                JsonRecord::Object(o) => records.push((n, o)),
                JsonRecord::Other => return Err(not_object(n, "record")),
            }
        }
    } else {
        for (i, line) in text.lines().enumerate() {
            let n = i as i64 + 1;
            let line = line.trim().trim_start_matches('\u{feff}');
            if line.is_empty() {
                continue;
            }
            match serde_json::from_str(line) {
                Ok(JsonRecord::Object(o)) => records.push((n, o)),
                Ok(JsonRecord::Other) => return Err(not_object(n, "line")),
                Err(e) => return Err(json_error(path, n as usize, &e)),
            }
        }
    }
    let mut headings: Vec<String> = Vec::new();
    for (_, r) in &records {
        for k in r.keys() {
            if !headings.contains(k) {
                headings.push(k.clone());
            }
        }
    }
    refuse_reserved_headings(path, headings.iter().map(String::as_str))?;
    let mut cols: Vec<Column> = headings
        .iter()
        .map(|h| {
            let values: Vec<Option<String>> = records.iter().map(|(_, r)| r.get(h).and_then(json_text)).collect();
            Column::new(h.as_str().into(), values)
        })
        .collect();
    cols.push(Column::new(ROW.into(), records.iter().map(|(n, _)| *n).collect::<Vec<i64>>()));
    let df = DataFrame::new_infer_height(cols)?;
    Ok(RawTable { path: path.to_path_buf(), df, letters: HashMap::new(), warnings: Vec::new() })
}

/// serde_json's message without its own " at line X column Y" (we say where ourselves).
/// A JSON problem at a line: not JSON at all, or a record that gives a key twice.
fn json_error(path: &Path, line: usize, e: &serde_json::Error) -> Error {
    let what = if e.is_data() { "" } else { "not valid JSON: " };
    Error::read(path, format!("line {line}, column {}: {what}{}", e.column(), json_reason(e)))
}

/// One top-level JSON value: a record (an object whose keys are all different), or
/// anything else. A key given twice is an error: which value is meant is a guess
/// (serde_json's own map keeps the last without a word).
enum JsonRecord {
    Object(serde_json::Map<String, serde_json::Value>),
    Other,
}

impl<'de> serde::Deserialize<'de> for JsonRecord {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = JsonRecord;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<JsonRecord, A::Error> {
                let mut out = serde_json::Map::new();
                while let Some((key, value)) = map.next_entry::<String, serde_json::Value>()? {
                    if out.contains_key(&key) {
                        return Err(serde::de::Error::custom(format!(
                            "the key \"{key}\" is given twice in one record"
                        )));
                    }
                    out.insert(key, value);
                }
                Ok(JsonRecord::Object(out))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<JsonRecord, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(JsonRecord::Other)
            }
            fn visit_bool<E>(self, _: bool) -> std::result::Result<JsonRecord, E> {
                Ok(JsonRecord::Other)
            }
            fn visit_i64<E>(self, _: i64) -> std::result::Result<JsonRecord, E> {
                Ok(JsonRecord::Other)
            }
            fn visit_u64<E>(self, _: u64) -> std::result::Result<JsonRecord, E> {
                Ok(JsonRecord::Other)
            }
            fn visit_f64<E>(self, _: f64) -> std::result::Result<JsonRecord, E> {
                Ok(JsonRecord::Other)
            }
            fn visit_str<E>(self, _: &str) -> std::result::Result<JsonRecord, E> {
                Ok(JsonRecord::Other)
            }
            fn visit_unit<E>(self) -> std::result::Result<JsonRecord, E> {
                Ok(JsonRecord::Other)
            }
        }
        d.deserialize_any(Visit)
    }
}

fn json_reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

fn json_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}

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
