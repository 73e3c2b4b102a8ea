//! Ingest and validation: data files (CSV, Excel, Parquet, JSON) plus an optional
//! column map → checked records in the canonical schema.

pub(crate) mod colmap;
pub mod labels;
pub use crate::diagnostics;
pub mod mapping;
pub mod names;
pub(crate) mod parse;
pub mod people;
pub(crate) mod ragged;
pub mod read;
pub(crate) mod scan;
pub mod schema;
pub mod side;
pub mod sources;
pub mod tables;
pub mod validate;
pub(crate) mod views;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

pub use colmap::ColumnMap;
pub use diagnostics::{Check, Diagnostic, Report, Severity};
pub use people::ParticipantScope;
pub use scan::{Discard, Records};
pub use sources::{Maps, SourcePath};
pub use validate::CheckOptions;

/// The sheets of a return template (`impact template`), in order: the records, how to
/// fill them in, the drop-downs' choices. A workbook with exactly these is read as a
/// template: its first sheet alone, with no warning of the others, and a cell written
/// "Name (id)" by a drop-down read as the id.
pub const TEMPLATE_SHEETS: [&str; 3] = ["Return", "How to fill in", "Lists"];

use crate::error::{Error, Result};
use crate::indicator::Library;

/// Records from one or more files, typed, with the validation report.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Canonical columns (see `schema::FIELDS`) plus `__file` (index into `files`), `__row`,
    /// `__indicator` (the indicator's place in the library the records were checked
    /// against) and, from `load`, `__ok` (the record passed every check).
    pub records: DataFrame,
    /// What validation found.
    pub report: Report,
    /// The files read, in order; `__file` indexes this list.
    pub files: Vec<String>,
}

/// A data file and the column map that fits it (None: the canonical layout). Files
/// of one run may each have their own map: a partner's return beside a canonical CSV.
#[derive(Debug, Clone, Copy)]
pub struct DataFile<'a> {
    /// The file.
    pub path: &'a Path,
    /// Its column map.
    pub map: Option<&'a ColumnMap>,
}

impl<'a> DataFile<'a> {
    /// Every one of `paths`, read with the same map.
    pub fn all(paths: &'a [PathBuf], map: Option<&'a ColumnMap>) -> Vec<DataFile<'a>> {
        paths.iter().map(|path| DataFile { path, map }).collect()
    }
}

/// Read, map and check every file into one frame. Problems are in the report;
/// only unreadable files are errors.
pub fn load(paths: &[PathBuf], library: &Library, map: Option<&ColumnMap>, opts: &CheckOptions) -> Result<Dataset> {
    load_files(&DataFile::all(paths, map), library, opts)
}

/// `load`, each file with its own map.
pub fn load_files(files: &[DataFile], library: &Library, opts: &CheckOptions) -> Result<Dataset> {
    let mut collected = Collect::default();
    let scanned = scan::scan(files, library, opts, None, &mut collected)?;
    let mut records = match collected.frames.split_first() {
        None => empty_records()?,
        Some((first, rest)) => {
            let mut all = first.clone();
            for f in rest {
                all.vstack_mut(f)?;
            }
            all
        }
    };
    let mut report = scanned.report;
    if scanned.ids_may_repeat {
        let t = crate::timing::start();
        let repeats =
            check_duplicate_ids(&records, &scanned.files, &scanned.id_headings, opts.max_listed, &mut report)?;
        report.records_valid = report.records_valid.saturating_sub(repeats.iter().filter(|r| r.2).count() as u64);
        if !repeats.is_empty() {
            mark_not_ok(&mut records, &repeats)?;
        }
        crate::timing::lap(&t, "duplicate ids (exact)");
    }
    report.sort();
    Ok(Dataset { records, report, files: scanned.files })
}

/// Check the files, handing their batches to `sink` without keeping them, and
/// return the report: the same report `load` gives, in bounded memory. Only when
/// two record ids share a hash are the files read again, whole, to list the repeats.
pub fn checked(
    files: &[DataFile],
    library: &Library,
    opts: &CheckOptions,
    wanted: Option<&[&str]>,
    sink: &mut dyn Records,
) -> Result<Report> {
    let scanned = scan::scan(files, library, opts, wanted, sink)?;
    if scanned.ids_may_repeat {
        return Ok(load_files(files, library, opts)?.report);
    }
    let mut report = scanned.report;
    report.sort();
    Ok(report)
}

/// Batches kept in order, for `load`.
#[derive(Default)]
struct Collect {
    frames: Vec<DataFrame>,
}

impl Records for Collect {
    fn batch(&mut self, records: DataFrame) -> Result<()> {
        self.frames.push(records);
        Ok(())
    }
    fn restart(&mut self) {
        self.frames.clear();
    }
}

/// The records that passed every check, and those that did not (see `split_valid`).
/// Data with any error is refused with the full report, unless `skip_invalid`: then
/// the invalid records are left out (the caller says so, with the report).
pub fn keep_valid(data: Dataset, skip_invalid: bool) -> Result<(Dataset, DataFrame)> {
    if data.report.is_ok() || skip_invalid {
        split_valid(data)
    } else {
        Err(Error::Invalid { report: Box::new(data.report) })
    }
}

/// Split loaded data into the records that passed every check and those that did
/// not (kept so reports can count what was rejected, per subject).
pub fn split_valid(data: Dataset) -> Result<(Dataset, DataFrame)> {
    let ok = col(schema::OK);
    let rejected = data.records.clone().lazy().filter(ok.clone().not()).collect()?;
    let records = data.records.lazy().filter(ok).collect()?.drop(schema::OK)?;
    Ok((Dataset { records, report: data.report, files: data.files }, rejected))
}

/// Set `__ok` false for the given (file, row) places.
fn mark_not_ok(records: &mut DataFrame, places: &[(u32, i64, bool)]) -> Result<()> {
    let bad: std::collections::HashSet<(u32, i64)> = places.iter().map(|p| (p.0, p.1)).collect();
    let files = records.column(schema::FILE)?.u32()?;
    let rows = records.column(schema::ROW)?.i64()?;
    let ok = records.column(schema::OK)?.bool()?;
    let flags: BooleanChunked = files
        .iter()
        .zip(rows.iter())
        .zip(ok.iter())
        .map(|((f, r), ok)| Some(ok.unwrap_or(false) && !matches!((f, r), (Some(f), Some(r)) if bad.contains(&(f, r)))))
        .collect();
    records.with_column(flags.with_name(schema::OK.into()).into_column())?;
    Ok(())
}

fn empty_records() -> Result<DataFrame> {
    let mut cols: Vec<Column> = schema::FIELDS
        .iter()
        .map(|f| {
            let dtype = match f.kind {
                schema::Kind::Text => DataType::String,
                schema::Kind::Date => DataType::Date,
                schema::Kind::Number => DataType::Float64,
                schema::Kind::Decile => DataType::Int32,
            };
            Column::new_empty(f.name.into(), &dtype)
        })
        .collect();
    cols.push(Column::new_empty(schema::FILE.into(), &DataType::UInt32));
    cols.push(Column::new_empty(schema::ROW.into(), &DataType::Int64));
    cols.push(Column::new_empty(schema::OK.into(), &DataType::Boolean));
    cols.push(Column::new_empty(schema::INDICATOR_NUMBER.into(), &DataType::UInt32));
    Ok(DataFrame::new(0, cols)?)
}

fn col_name(name: &str) -> PlSmallStr {
    PlSmallStr::from(name)
}

/// A record_id seen more than once (in any file) is an error at every repeat.
/// Returns the repeats as (file, row, passed every other check).
fn check_duplicate_ids(
    records: &DataFrame,
    files: &[String],
    id_headings: &[String],
    max_listed: usize,
    report: &mut Report,
) -> Result<Vec<(u32, i64, bool)>> {
    if records.height() == 0 || records.column("record_id")?.null_count() == records.height() {
        return Ok(Vec::new());
    }
    let ids_all = records.column("record_id")?.str()?.clone();
    // Usually every id is different: polars' parallel distinct count shows it quickly.
    let filled = ids_all.len() - ids_all.null_count();
    let distinct = ids_all.n_unique()? - usize::from(ids_all.null_count() > 0);
    if distinct == filled {
        return Ok(Vec::new());
    }
    // Otherwise a pass on 64-bit hashes finds the few rows to compare as text.
    let hash = scan::id_hash;
    let mut seen_hashes: std::collections::HashSet<u64> = std::collections::HashSet::with_capacity(ids_all.len());
    let mut repeated: std::collections::HashSet<u64> = std::collections::HashSet::new();
    for id in ids_all.iter().flatten() {
        let h = hash(id);
        if !seen_hashes.insert(h) {
            repeated.insert(h);
        }
    }
    drop(seen_hashes);
    if repeated.is_empty() {
        return Ok(Vec::new());
    }
    let mask: BooleanChunked =
        ids_all.iter().map(|id| Some(id.is_some_and(|id| repeated.contains(&hash(id))))).collect();
    let candidates = records
        .select([col_name("record_id"), col_name(schema::FILE), col_name(schema::ROW), col_name(schema::OK)])?
        .filter(&mask)?;
    let dups = candidates.lazy().filter(col("record_id").is_duplicated()).collect()?;
    let mut seen: BTreeMap<&str, Vec<(u32, i64, bool)>> = BTreeMap::new();
    let ids = dups.column("record_id")?.str()?;
    let fs = dups.column(schema::FILE)?.u32()?;
    let rows = dups.column(schema::ROW)?.i64()?;
    let oks = dups.column(schema::OK)?.bool()?;
    for (((id, f), r), ok) in ids.iter().zip(fs.iter()).zip(rows.iter()).zip(oks.iter()) {
        if let (Some(id), Some(f), Some(r)) = (id, f, r) {
            seen.entry(id).or_default().push((f, r, ok.unwrap_or(false)));
        }
    }
    let mut listed = 0usize;
    let mut repeats = Vec::new();
    for (id, mut places) in seen {
        places.sort_unstable();
        let (f0, r0, _) = places[0];
        for &(f, r, ok) in &places[1..] {
            repeats.push((f, r, ok));
            if listed >= max_listed {
                report.count_more(Check::DuplicateRecordId, 1);
                continue;
            }
            listed += 1;
            report.push(Diagnostic {
                severity: Severity::Error,
                check: Check::DuplicateRecordId,
                file: files.get(f as usize).cloned().unwrap_or_default(),
                row: u64::try_from(r).ok(),
                column: id_headings.get(f as usize).cloned(),
                value: Some(id.to_string()),
                message: format!(
                    "record_id \"{id}\" already used at {}, row {r0}",
                    files.get(f0 as usize).map_or("?", String::as_str)
                ),
                hint: Some("each record needs its own id; remove the repeated row or give it a new id".into()),
            });
        }
    }
    Ok(repeats)
}
