//! One streaming pass over the data for any number of requests: the files are read,
//! mapped and checked once, batch by batch, and every batch is folded into each
//! request's cells (see `aggregate::fold`), so memory depends on the groups, not on
//! the records. The columns read are the ones the requests use. `aggregate`, `value`
//! and `commitments` are calls to it; a library user reaches the same path:
//!
//! ```
//! use impactkit::{pipeline, Dimension, Input, Library, Request};
//!
//! let library = Library::load(std::path::Path::new("indicators"))?;
//! let files = [std::path::PathBuf::from("samples/outcomes.csv")];
//! let by_organisation = Request { by: vec![Dimension::Field("organisation")], ..Request::default() };
//! let out = pipeline::run(&Input::files(&files), &library, &[by_organisation])?;
//! // One row per organisation and indicator: organisation, indicator, value, unit, records.
//! assert!(out.figures[0].height() > 12);
//! assert_eq!(out.report.records_valid, 20_000);
//! # Ok::<(), impactkit::Error>(())
//! ```

use std::path::PathBuf;

use chrono::NaiveDate;
use polars::prelude::*;
use rayon::prelude::*;

use crate::aggregate::{self, Dimension, Fold, Request};
use crate::data::{self, CheckOptions, ColumnMap, DataFile, Records, Report};
use crate::error::{Error, Result};
use crate::indicator::Library;

/// The data a pass reads: files, each with the column map that fits it, and the check
/// options.
pub struct Input<'a> {
    /// The files and their maps.
    pub sources: Vec<DataFile<'a>>,
    /// How strictly records are checked.
    pub options: CheckOptions,
    /// Leave invalid records out (the report still lists them) instead of refusing
    /// the data.
    pub skip_invalid: bool,
    /// Record columns to read beyond the ones the requests and the checks use (for
    /// the caller's sinks).
    pub extra_columns: &'a [&'static str],
}

impl<'a> Input<'a> {
    /// Files in the canonical layout, checked with the default options.
    pub fn files(paths: &'a [PathBuf]) -> Input<'a> {
        Input::mapped(paths, None)
    }

    /// Files read with one column map (None: the canonical layout), checked with the
    /// default options.
    pub fn mapped(paths: &'a [PathBuf], map: Option<&'a ColumnMap>) -> Input<'a> {
        Input {
            sources: DataFile::all(paths, map),
            options: CheckOptions::default(),
            skip_invalid: false,
            extra_columns: &[],
        }
    }
}

/// What a pass gives: each request's figures (in the requests' order), the
/// validation report, and the latest record date read (None for no records).
pub struct Output {
    /// Each request's figures, in the requests' order.
    pub figures: Vec<DataFrame>,
    /// What validation found.
    pub report: Report,
    /// The latest record date read (None for no records).
    pub latest: Option<NaiveDate>,
}

/// Read and check `input` once, folding every batch into each request. Data with any
/// error is refused with the whole report (`Error::Invalid`), as `validate` gives it.
pub fn run(input: &Input, library: &Library, requests: &[Request]) -> Result<Output> {
    run_with(input, library, requests, Vec::new())
}

/// `run`, also handing every checked batch to each of `sinks` (folds of other kinds,
/// such as `aggregate::PeopleFold`), whose results the caller takes from them after.
pub fn run_with(
    input: &Input,
    library: &Library,
    requests: &[Request],
    sinks: Vec<&mut (dyn Records + Send)>,
) -> Result<Output> {
    let mut pass = Pass::new(library, requests, sinks, input.skip_invalid)?;
    // The records are checked against `library` in this pass: the folds can take the
    // checks' indicator numbers.
    pass.folds.iter_mut().for_each(Fold::take_numbers_from_checks);
    pass.folds.iter_mut().for_each(|f| f.set_participants(input.options.participants));
    let mut columns = columns_used(requests);
    columns.extend(input.extra_columns.iter().filter(|c| !columns.contains(c)).collect::<Vec<_>>());
    // The folds run on their own thread, beside the reading and checking of the next batch.
    let report = data::scan::sink_on_own_thread(&mut pass, |sink| {
        data::checked(&input.sources, library, &input.options, Some(&columns), sink)
    })?;
    if !report.is_ok() && !input.skip_invalid {
        return Err(Error::Invalid { report: Box::new(report) });
    }
    // A repeated record id is known only once every id has been read, after both
    // records were folded: to leave them out, read the data again whole.
    if report.counts.get(&data::Check::DuplicateRecordId).is_some_and(|n| *n > 0) {
        let loaded = data::load_files(&input.sources, library, &input.options)?;
        pass.restart();
        pass.batch(loaded.records)?;
    }
    pass.finish(library, requests, report)
}

/// Every check `impact validate` makes, in one pass that keeps no records (any size
/// fits): the checks of each record, repeated record ids, and as warnings, category
/// labels that differ only in spelling and names no name table knows, sub-counts
/// above their wholes (the library's `within` rules, on organisation × programme ×
/// financial year), and follow-ups without their start.
pub fn validate(input: &Input, library: &Library) -> Result<Report> {
    use crate::aggregate::{consistency::WithinCheck, follow_ups};
    // Each file once (as the scan reads them), so a record's file number names it.
    let files = data::scan::once_each(&input.sources)?;
    let options = &input.options;
    // Names not in a table are listed for the first map with name tables.
    let map = files.iter().find_map(|f| f.map.filter(|m| !m.name_ids.is_empty()));
    // Only the checked columns are read, and those the warnings need.
    let mut columns = vec!["programme"];
    columns.extend(data::labels::CATEGORY_COLUMNS);
    // Area is read only to list names an area name table does not know.
    if files.iter().any(|f| f.map.is_some_and(|m| m.name_ids.contains_key("area"))) {
        columns.push("area");
    }
    let mut follow_ups = follow_ups::FollowUpCheck::new(library, options.participants);
    if follow_ups.is_some() {
        columns.push("participant");
    }
    let check = |sink: &mut dyn Records| data::checked(&files, library, options, Some(&columns), sink);
    let file_names: Vec<String> = files.iter().map(|f| f.path.display().to_string()).collect();
    let names = file_names.join(", ");
    let mut labels = data::labels::LabelCheck::with_names(map);
    let mut sinks = data::scan::Both(&mut labels, &mut follow_ups);
    let mut report = match WithinCheck::new(library) {
        Some(mut within) => {
            let mut report = data::scan::sink_on_own_thread(&mut data::scan::Both(&mut within, &mut sinks), check)?;
            within.finish(&mut report, &names, options.max_listed)?;
            report
        }
        None => data::scan::sink_on_own_thread(&mut sinks, check)?,
    };
    if let Some(follow_ups) = follow_ups {
        follow_ups::warn(&follow_ups.finish(), &file_names, &mut report, options.max_listed);
    }
    labels.finish(&mut report, &names, options.strict);
    Ok(report)
}

/// The same figures from records already in memory (checked, valid ones), for a
/// library user who holds them (`report::figures_from_records`).
pub fn from_records(records: &DataFrame, library: &Library, requests: &[Request]) -> Result<Output> {
    from_records_with(records, library, requests, Vec::new())
}

/// `from_records`, also handing the records to each of `sinks` (see `run_with`).
pub fn from_records_with(
    records: &DataFrame,
    library: &Library,
    requests: &[Request],
    sinks: Vec<&mut (dyn Records + Send)>,
) -> Result<Output> {
    let mut pass = Pass::new(library, requests, sinks, false)?;
    pass.batch(records.clone())?;
    pass.finish(library, requests, Report::default())
}

/// Every request's fold, and the caller's other sinks, fed the same batches.
struct Pass<'a, 's> {
    folds: Vec<Fold<'a>>,
    sinks: Vec<&'s mut (dyn Records + Send)>,
    latest: Option<NaiveDate>,
    /// Fold only the records that passed every check.
    skip_invalid: bool,
}

impl<'a, 's> Pass<'a, 's> {
    /// A fold per request (each checked first: an unknown indicator is refused before
    /// any data is read) and the caller's sinks.
    fn new(
        library: &'a Library,
        requests: &[Request],
        sinks: Vec<&'s mut (dyn Records + Send)>,
        skip_invalid: bool,
    ) -> Result<Pass<'a, 's>> {
        for request in requests {
            aggregate::check_request(library, request)?;
        }
        let folds = requests.iter().map(|r| Fold::for_request(library, r)).collect();
        Ok(Pass { folds, sinks, latest: None, skip_invalid })
    }

    fn finish(self, library: &Library, requests: &[Request], report: Report) -> Result<Output> {
        let t = crate::timing::start();
        let latest = self.latest;
        let cells = self.folds.into_iter().map(Fold::finish).collect::<Result<Vec<_>>>()?;
        crate::timing::lap(&t, "finish the folds");
        // Side by side: after the pass the cores are free, and one report's dozen
        // requests rolled up one after another were a tenth of its time.
        let figures: Result<Vec<DataFrame>> =
            cells.into_par_iter().zip(requests).map(|(c, r)| aggregate::figures(c, library, r)).collect();
        crate::timing::lap(&t, "roll up");
        Ok(Output { figures: figures?, report, latest })
    }
}

impl Records for Pass<'_, '_> {
    fn batch(&mut self, records: DataFrame) -> Result<()> {
        // The caller's sinks see every checked record, `__ok` saying which passed (a
        // report counts the rejected ones); the folds, only those that passed.
        for sink in self.sinks.iter_mut() {
            sink.batch(records.clone())?;
        }
        let records = match records.column(data::schema::OK) {
            Ok(ok) if self.skip_invalid => {
                let ok = ok.bool()?.clone();
                records.filter(&ok)?
            }
            _ => records,
        };
        let days = records.column("date")?.cast(&DataType::Date)?;
        let latest = days.date()?.physical().max().map(crate::data::parse::from_epoch_days);
        self.latest = self.latest.max(latest);
        match self.folds.as_mut_slice() {
            [one] => one.add(&records),
            many => {
                // Requests of the same units (a report's about its subject) share
                // one copy of the batch's records of those units, not one each.
                let mut units: Vec<aggregate::Units> = Vec::new();
                let slots: Vec<usize> = many
                    .iter()
                    .map(|f| {
                        let u = f.units();
                        units.iter().position(|v| *v == u).unwrap_or_else(|| {
                            units.push(u);
                            units.len() - 1
                        })
                    })
                    .collect();
                let kept = units
                    .par_iter()
                    .map(|u| aggregate::keep_units(&records, *u))
                    .collect::<Result<Vec<Option<DataFrame>>>>()?;
                many.par_iter_mut().zip(slots).try_for_each(|(f, slot)| f.add_with_kept(&records, kept[slot].as_ref()))
            }
        }
    }

    fn restart(&mut self) {
        self.latest = None;
        self.folds.iter_mut().for_each(Records::restart);
        self.sinks.iter_mut().for_each(|s| s.restart());
    }
}

/// Optional record columns the requests read (beyond the ones every check reads).
fn columns_used(requests: &[Request]) -> Vec<&'static str> {
    let mut used: Vec<&'static str> = Vec::new();
    for request in requests {
        let f = &request.filters;
        let fields = request.by.iter().filter_map(|d| match d {
            Dimension::Field(name) => Some(*name),
            Dimension::Period(_) => None,
        });
        let priority = f.priority.is_some();
        let filtered = [("area", !f.areas.is_empty()), ("beneficiary_group", !f.groups.is_empty() || priority)]
            .into_iter()
            .filter(|(_, used)| *used)
            .map(|(c, _)| c);
        for c in fields.chain(filtered) {
            if !used.contains(&c) {
                used.push(c);
            }
        }
    }
    used
}
