//! Library consistency rules checked on the data: a sub-count (`within`) can not
//! exceed its whole for the same organisation, programme and financial year (jobs for
//! long-term unemployed people are some of the jobs created). A breach is a warning,
//! not an error: each record may be right and the set incomplete (job starts missing).
//! A group that records the part but not the whole at all is not warned of.

use std::collections::HashMap;

use polars::prelude::*;

use super::{figures, Dimension, Filters, Fold, Grain, Request};
use crate::data::Records;
use crate::diagnostics::{Check, Diagnostic, Report, Severity};
use crate::error::Result;
use crate::indicator::Library;

/// The groups the rules are checked in.
const GROUPS: [Dimension; 3] =
    [Dimension::Field("organisation"), Dimension::Field("programme"), Dimension::Period(Grain::FinancialYear)];

/// Folds the records by `GROUPS`, to check the `within` rules at the end.
pub struct WithinCheck<'a> {
    library: &'a Library,
    request: Request,
    fold: Fold<'a>,
}

impl<'a> WithinCheck<'a> {
    /// None when the library has no `within` rule (nothing to fold). Only the parts
    /// and wholes of the rules are folded.
    pub fn new(library: &'a Library) -> Option<WithinCheck<'a>> {
        let mut ids: Vec<String> = library
            .iter()
            .filter_map(|i| i.within.as_ref().map(|whole| [i.id.clone(), whole.clone()]))
            .flatten()
            .collect();
        if ids.is_empty() {
            return None;
        }
        ids.sort();
        ids.dedup();
        let request = Request {
            by: GROUPS.to_vec(),
            filters: Filters { indicators: ids, ..Filters::default() },
            ..Request::default()
        };
        let fold = Fold::new(library, &request.by, &request.filters);
        Some(WithinCheck { library, request, fold })
    }

    /// Add a warning to `report` for each group whose part exceeds its whole (listing
    /// at most `max_listed`; the rest are counted). `files` names the data read.
    pub fn finish(self, report: &mut Report, files: &str, max_listed: usize) -> Result<()> {
        let df = figures(self.fold.finish()?, self.library, &self.request)?;
        let text = |name: &str| -> Result<Vec<String>> {
            Ok(df.column(name)?.cast(&DataType::String)?.str()?.iter().map(|v| v.unwrap_or("").to_string()).collect())
        };
        let (orgs, progs, years, ids) =
            (text("organisation")?, text("programme")?, text("financial_year")?, text("indicator")?);
        let values: Vec<Option<f64>> = df.column("value")?.cast(&DataType::Float64)?.f64()?.iter().collect();
        let value_of: HashMap<(&str, &str, &str, &str), f64> = (0..df.height())
            .filter_map(|i| {
                Some(((orgs[i].as_str(), progs[i].as_str(), years[i].as_str(), ids[i].as_str()), values[i]?))
            })
            .collect();
        let mut listed = 0;
        for i in 0..df.height() {
            let Some(part) = self.library.get(&ids[i]) else { continue };
            let (Some(whole), Some(v)) = (part.within.as_deref(), values[i]) else { continue };
            // A group that records the part but not its whole is incomplete, not
            // inconsistent (a return giving local spend without all spend): no warning.
            let Some(total) = value_of.get(&(orgs[i].as_str(), progs[i].as_str(), years[i].as_str(), whole)).copied()
            else {
                continue;
            };
            if v <= total + 1e-9 {
                continue;
            }
            if listed >= max_listed {
                report.count_more(Check::PartExceedsWhole, 1);
                continue;
            }
            listed += 1;
            let group = format!("organisation {}, programme {}, {}", orgs[i], progs[i], years[i]);
            report.push(Diagnostic {
                severity: Severity::Warning,
                check: Check::PartExceedsWhole,
                file: files.to_string(),
                row: None,
                column: None,
                value: Some(format!("{} {} > {} {}", part.id, number(v), whole, number(total))),
                message: format!(
                    "{group}: {} ({}) is more than {whole} ({}), which it is part of",
                    part.id,
                    number(v),
                    number(total)
                ),
                hint: Some(format!(
                    "every {} record should also be a {whole} record: look for {whole} records missing from this group, or {} records given twice",
                    part.id, part.id
                )),
            });
        }
        Ok(())
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

impl Records for WithinCheck<'_> {
    fn batch(&mut self, records: DataFrame) -> Result<()> {
        self.fold.add(&records)
    }
    fn restart(&mut self) {
        self.fold.restart();
    }
}
