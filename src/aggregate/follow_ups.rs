//! Follow-ups without their start: a record of a cohort's outcome (a job sustained at
//! 26 weeks, an apprenticeship completed) for a participant with no starting event in
//! the window before it. Each may be right and the set incomplete (the job start not
//! recorded), so it is a warning, naming the record; the data-quality section counts
//! them. Only outcomes that are follow-ups are checked: an outcome that starts a cohort
//! itself (a job start, the outcome of support and the start of sustainment) is an
//! event in its own right and needs no earlier one.

use std::collections::HashMap;

use polars::prelude::*;

use crate::data::{ParticipantScope, Records};
use crate::diagnostics::{Check, Diagnostic, Report, Severity};
use crate::error::Result;
use crate::indicator::Library;

/// One follow-up rule: the start's and the follow-up's ids and the window in days.
#[derive(Debug, Clone)]
struct Rule {
    event: String,
    outcome: String,
    window: i32,
}

/// Why a follow-up has no start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orphan {
    /// The participant has no starting event at all.
    NoStart,
    /// Every starting event of the participant comes after the follow-up.
    BeforeStart,
    /// The participant's latest start before it is more than the window earlier.
    OutsideWindow,
}

/// A follow-up record with no start in the window before it.
#[derive(Debug, Clone)]
pub struct Unstarted {
    /// The record's file (an index into the files read).
    pub file: u32,
    /// The record's row as a spreadsheet shows it.
    pub row: i64,
    /// The record's organisation (for counts per subject).
    pub organisation: String,
    /// The record's programme, if it names one.
    pub programme: Option<String>,
    /// The record's day (days since 1970).
    pub day: i32,
    /// The follow-up's indicator id.
    pub outcome: String,
    /// The start's indicator id.
    pub event: String,
    /// The window in days the follow-up must come within.
    pub window: i32,
    /// Why the follow-up has no start.
    pub why: Orphan,
}

/// Gathers starts and follow-ups as batches pass, and matches them at the end.
pub struct FollowUpCheck {
    rules: Vec<Rule>,
    /// Indicator id → (rules it starts, rules it follows up).
    roles: HashMap<String, (Vec<usize>, Vec<usize>)>,
    scope: ParticipantScope,
    /// Per rule: (person, day) of each start.
    starts: Vec<Vec<(u64, i32)>>,
    /// Per rule: each follow-up's person and day, and the record it came from.
    follow_ups: Vec<Vec<((u64, i32), usize)>>,
    /// The follow-up records' places: file, row, organisation, programme.
    places: Vec<(u32, i64, String, Option<String>)>,
}

impl FollowUpCheck {
    /// None when the library has no follow-up (a cohort outcome that starts no cohort).
    pub fn new(library: &Library, scope: ParticipantScope) -> Option<FollowUpCheck> {
        let starts_a_cohort = |id: &str| library.iter().any(|i| i.cohort.as_deref() == Some(id));
        let rules: Vec<Rule> = library
            .iter()
            .filter_map(|i| {
                let (event, outcome, days) = (i.cohort.clone()?, i.outcome.clone()?, i.within_days?);
                (!starts_a_cohort(&outcome)).then_some(Rule { event, outcome, window: days as i32 })
            })
            .collect();
        if rules.is_empty() {
            return None;
        }
        let mut roles: HashMap<String, (Vec<usize>, Vec<usize>)> = HashMap::new();
        for (n, rule) in rules.iter().enumerate() {
            roles.entry(rule.event.clone()).or_default().0.push(n);
            roles.entry(rule.outcome.clone()).or_default().1.push(n);
        }
        Some(FollowUpCheck {
            starts: vec![Vec::new(); rules.len()],
            follow_ups: vec![Vec::new(); rules.len()],
            rules,
            roles,
            scope,
            places: Vec::new(),
        })
    }

    /// The follow-ups with no start in the window before them, in file and row order.
    pub fn finish(mut self) -> Vec<Unstarted> {
        let mut out = Vec::new();
        for (n, rule) in self.rules.iter().enumerate() {
            let starts = &mut self.starts[n];
            starts.sort_unstable();
            for &((person, day), at) in &self.follow_ups[n] {
                // The person's starts, and the latest one on or before the day.
                let first = starts.partition_point(|s| s.0 < person);
                let end = starts.partition_point(|s| s.0 <= person);
                let mine = &starts[first..end];
                let on_or_before = mine.partition_point(|s| s.1 <= day);
                let why = match on_or_before.checked_sub(1).map(|i| mine[i].1) {
                    Some(start) if day - start <= rule.window => continue,
                    Some(_) => Orphan::OutsideWindow,
                    None if mine.is_empty() => Orphan::NoStart,
                    None => Orphan::BeforeStart,
                };
                let (file, row, organisation, programme) = self.places[at].clone();
                out.push(Unstarted {
                    file,
                    row,
                    organisation,
                    programme,
                    day,
                    outcome: rule.outcome.clone(),
                    event: rule.event.clone(),
                    window: rule.window,
                    why,
                });
            }
        }
        out.sort_by_key(|u| (u.file, u.row));
        out
    }

    fn add(&mut self, records: &DataFrame) -> Result<()> {
        let text = |name: &str| -> Result<StringChunked> {
            Ok(match records.column(name) {
                Ok(c) => c.cast(&DataType::String)?.str()?.clone(),
                Err(_) => StringChunked::full_null(name.into(), records.height()),
            })
        };
        let (indicator, participant) = (text("indicator")?, text("participant")?);
        let (organisation, programme) = (text("organisation")?, text("programme")?);
        let date = records.column("date")?.cast(&DataType::Date)?;
        let date = date.date()?.physical().clone();
        let ok: Vec<bool> = match records.column(crate::data::schema::OK) {
            Ok(c) => c.bool()?.iter().map(|v| v.unwrap_or(false)).collect(),
            Err(_) => vec![true; records.height()],
        };
        let file = records.column(crate::data::schema::FILE).ok().map(|c| c.cast(&DataType::UInt32)).transpose()?;
        let row = records.column(crate::data::schema::ROW).ok().map(|c| c.cast(&DataType::Int64)).transpose()?;
        for (i, ok) in ok.into_iter().enumerate() {
            let Some(roles) = indicator.get(i).and_then(|id| self.roles.get(id.trim())) else { continue };
            let (Some(p), Some(day), true) = (participant.get(i), date.get(i), ok) else { continue };
            let (org, prog) = (organisation.get(i), programme.get(i));
            let person = self.scope.person64(org, prog, p);
            for &n in &roles.0 {
                self.starts[n].push((person, day));
            }
            if roles.1.is_empty() {
                continue;
            }
            let at = self.places.len();
            self.places.push((
                file.as_ref().and_then(|c| c.u32().ok()?.get(i)).unwrap_or(0),
                row.as_ref().and_then(|c| c.i64().ok()?.get(i)).unwrap_or(0),
                org.unwrap_or_default().to_string(),
                prog.map(str::to_string),
            ));
            for &n in &roles.1 {
                self.follow_ups[n].push(((person, day), at));
            }
        }
        Ok(())
    }
}

impl Records for FollowUpCheck {
    fn batch(&mut self, records: DataFrame) -> Result<()> {
        self.add(&records)
    }
    fn restart(&mut self) {
        self.starts.iter_mut().for_each(Vec::clear);
        self.follow_ups.iter_mut().for_each(Vec::clear);
        self.places.clear();
    }
}

/// A warning per follow-up without its start (listing at most `max_listed`; the rest
/// are counted), naming the file and row. `files` are the files read, in order.
pub fn warn(unstarted: &[Unstarted], files: &[String], report: &mut Report, max_listed: usize) {
    for (k, u) in unstarted.iter().enumerate() {
        if k >= max_listed {
            report.count_more(Check::FollowUpWithoutStart, (unstarted.len() - k) as u64);
            break;
        }
        let what = match u.why {
            Orphan::NoStart => format!("no {} record for this participant", u.event),
            Orphan::BeforeStart => format!("it is dated before the participant's {} record", u.event),
            Orphan::OutsideWindow => {
                format!("the participant's latest {} record is more than {} days before it", u.event, u.window)
            }
        };
        report.push(Diagnostic {
            severity: Severity::Warning,
            check: Check::FollowUpWithoutStart,
            file: files.get(u.file as usize).cloned().unwrap_or_default(),
            row: Some(u.row as u64),
            column: None,
            value: Some(u.outcome.clone()),
            message: format!("{} follows up a {} within {} days, but {what}", u.outcome, u.event, u.window),
            hint: Some(format!(
                "record the {} it follows (with the same participant id and organisation), or correct the date or participant id",
                u.event
            )),
        });
    }
}
