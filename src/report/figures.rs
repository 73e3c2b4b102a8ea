//! Every figure a batch of reports needs, computed once for all subjects (one
//! aggregation per distinct grouping), then split by subject.

use std::collections::HashMap;

use polars::prelude::*;

use super::need::{dimension, Need, Needs, SpanKey};
pub use super::row::Row;
use super::terms::{SubjectKind, Window};
use crate::aggregate::{Dimension, Filters, Grain, Request, Targets};
use crate::error::Result;
use crate::indicator::Library;
use crate::privacy::Withheld;

/// The subject key used when a report covers everything.
pub const ALL: &str = "(all)";

/// The quality key of rejected records that name no subject.
const UNATTRIBUTED: &str = "";

/// Data-quality figures for one subject within the period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Quality {
    /// Records in the period.
    pub records: u64,
    /// Records rejected by validation in the period.
    pub rejected: u64,
    /// (field, share of records with it filled, 0–1)
    pub completeness: Vec<(String, f64)>,
    /// The first record date in the period.
    pub first: Option<String>,
    /// The last record date in the period.
    pub last: Option<String>,
    /// Follow-up records in the period (a job sustained) with no start (a job start)
    /// for the participant in the window before them (see `aggregate::follow_ups`).
    pub unstarted_follow_ups: u64,
}

/// Every figure a batch of reports needs, by need and subject, with data quality.
pub struct Figures {
    tables: HashMap<Need, HashMap<String, Vec<Row>>>,
    quality: HashMap<String, Quality>,
    /// The subjects the figures are about, sorted.
    pub subjects: Vec<String>,
    /// Records rejected by validation in the whole run, whatever their subject or date.
    pub rejected_total: u64,
    /// The small-number threshold in force, for "<5" in place of withheld figures.
    pub suppress_below: Option<u32>,
    /// Who a participant id named when the figures were made (the methodology says).
    pub participants: crate::data::ParticipantScope,
    /// The second key of each two-key need over every subject, when these figures were
    /// made from one subject's records (see `everyone_second_keys`).
    everyone: Option<HashMap<Need, Vec<String>>>,
    /// `batch_keys` as worked out once per need and position: every report of a batch
    /// asks, and each answer reads every subject's rows (for 1,000 packs, a third of
    /// the rendering time when worked out per report).
    batch_keys: std::sync::Mutex<HashMap<(Need, usize), Vec<String>>>,
    /// Why each peer's counts are withheld, by comparison (see `protect`).
    peers_withheld: HashMap<(crate::aggregate::Unit, crate::compare::Per), crate::compare::Withholding>,
    /// Withheld deliveries of commitments, by (contract, indicator) (see `protect`).
    pub commitments_withheld: std::collections::BTreeMap<(String, String), Withheld>,
    /// The release these figures were protected with, when it is a project's.
    pub release: Option<String>,
}

/// Fields whose completeness the data-quality section shows.
pub const QUALITY_FIELDS: [&str; 6] =
    ["participant", "beneficiary_group", "area", "simd_decile", "age_band", "evidence"];

impl Figures {
    /// The figures of a need for one subject (empty if none).
    pub fn rows(&self, need: &Need, subject: &str) -> &[Row] {
        self.tables.get(need).and_then(|t| t.get(subject)).map_or(&[], Vec::as_slice)
    }

    /// Whether any table gives the subject a figure, a mark or a cohort's pending people
    /// for the indicator (a rate is shown by its parts' rows too).
    pub fn shows(&self, subject: &str, indicator: &str) -> bool {
        let parts = |id: &str| id.strip_prefix(indicator).is_some_and(|rest| rest.starts_with('.'));
        self.tables.values().filter_map(|t| t.get(subject)).flatten().any(|r| {
            (r.indicator == indicator && (r.value.is_some() || r.withheld.is_withheld()))
                || (parts(&r.indicator) && (r.value.is_some_and(|v| v > 0.0) || r.withheld.is_withheld()))
        })
    }

    /// Every table, by need and subject, in a fixed order.
    pub(crate) fn sorted_tables(&self) -> Vec<(&Need, &str, &[Row])> {
        let mut out: Vec<(&Need, &str, &[Row])> = self
            .tables
            .iter()
            .flat_map(|(need, t)| t.iter().map(move |(s, rows)| (need, s.as_str(), rows.as_slice())))
            .collect();
        out.sort_by(|a, b| a.0.cmp(b.0).then(a.1.cmp(b.1)));
        out
    }

    /// One row of one subject's table.
    pub(crate) fn row_mut(&mut self, need: &Need, subject: &str, row: usize) -> Option<&mut Row> {
        self.tables.get_mut(need)?.get_mut(subject)?.get_mut(row)
    }

    /// Every table's rows, one table at a time.
    pub(crate) fn for_each_rows(&mut self, mut f: impl FnMut(&mut Vec<Row>)) {
        for table in self.tables.values_mut() {
            for rows in table.values_mut() {
                f(rows);
            }
        }
    }

    /// Records why a peer's count is withheld in a comparison.
    pub(crate) fn withhold_peer(
        &mut self,
        by: crate::aggregate::Unit,
        per: crate::compare::Per,
        group: &str,
        count: crate::compare::Count,
        why: Withheld,
    ) {
        self.peers_withheld.entry((by, per)).or_default().set(group, count, why);
    }

    /// Why each peer's counts are withheld in a comparison.
    pub fn peers_withheld(&self, by: crate::aggregate::Unit, per: crate::compare::Per) -> crate::compare::Withholding {
        self.peers_withheld.get(&(by, per)).cloned().unwrap_or_default()
    }

    /// Every value of a need's key at `position`, over all subjects of the batch,
    /// sorted: so a category takes the same place (and colour) in every report.
    pub fn batch_keys(&self, need: &Need, position: usize) -> Vec<String> {
        if let Some(keys) = self.everyone.as_ref().and_then(|e| e.get(need)).filter(|_| position == 1) {
            return keys.clone();
        }
        let key = (need.clone(), position);
        if let Some(keys) = self.batch_keys.lock().ok().and_then(|known| known.get(&key).cloned()) {
            return keys;
        }
        let keys = self.all_keys(need, position);
        if let Ok(mut known) = self.batch_keys.lock() {
            known.insert(key, keys.clone());
        }
        keys
    }

    fn all_keys(&self, need: &Need, position: usize) -> Vec<String> {
        let mut keys: Vec<String> = self
            .tables
            .get(need)
            .into_iter()
            .flat_map(|t| t.values().flatten())
            .filter_map(|r| r.keys.get(position).cloned())
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    /// The data-quality figures of one subject.
    pub fn quality(&self, subject: &str) -> Quality {
        self.quality.get(subject).cloned().unwrap_or_default()
    }

    /// Rejected records in the period that name no subject, so belong to no report.
    pub fn rejected_unattributed(&self) -> u64 {
        self.quality.get(UNATTRIBUTED).map_or(0, |q| q.rejected)
    }
}

/// The figure requests of a batch of reports (one per need, grouped by the subject's
/// column and the need's dimensions, for every subject at once), read in one pass of
/// the pipeline with the other sections' requests. For one subject's report alone
/// (`only`: its column and id) the requests read its records only; with `everyone`,
/// also each two-key need over all subjects, so its charts colour groups as a batch
/// report would.
pub struct Plan {
    needs: Vec<(Need, Vec<Dimension>)>,
    second_keys: Vec<Need>,
}

impl Plan {
    /// The requests for a spec's needs over `window`, for reports about `subject`s.
    pub fn new(
        spec_needs: &Needs,
        subject: SubjectKind,
        window: &Window,
        only: Option<(&str, &str)>,
        everyone: bool,
        requests: &mut Vec<Request>,
    ) -> Plan {
        let subject_col = subject.column();
        let (mut needs, mut second_keys) = (Vec::new(), Vec::new());
        let all_needs = spec_needs.groupings(window);
        for (need, ids) in &all_needs {
            let mut by: Vec<Dimension> = subject_col.map(Dimension::Field).into_iter().collect();
            // A section grouped by the subject's own column (a table by organisation in an
            // organisation's report) has one group: the subject column already gives it.
            by.extend(need.dims.iter().filter(|d| Some(d.as_str()) != subject_col).map(|d| dimension(d)));
            // Figures come unsuppressed; each subject's report is then protected as a whole.
            let filters = subject_filter(need_filters(need, ids, window), only);
            requests.push(Request { by: by.clone(), filters, ..Request::default() });
            needs.push((need.clone(), by));
        }
        if everyone {
            for (need, ids) in all_needs.into_iter().filter(|(n, _)| n.dims.len() >= 2) {
                let by: Vec<Dimension> = need.dims.iter().map(|d| dimension(d)).collect();
                requests.push(Request { by, filters: need_filters(&need, &ids, window), ..Request::default() });
                second_keys.push(need);
            }
        }
        Plan { needs, second_keys }
    }

    /// How many requests `new` added.
    pub fn requests(&self) -> usize {
        self.needs.len() + self.second_keys.len()
    }

    /// The figures of every subject from the figures of this plan's requests (in the
    /// order `new` added them) and the data-quality counts.
    #[allow(clippy::too_many_arguments)]
    pub fn assemble(
        &self,
        figures: &[DataFrame],
        quality: QualitySink,
        subject: SubjectKind,
        library: &Library,
        targets: Option<&Targets>,
        suppress_below: Option<u32>,
    ) -> Result<Figures> {
        let subject_col = subject.column();
        let mut tables = HashMap::new();
        for ((need, by), df) in self.needs.iter().zip(figures) {
            let df = match targets {
                Some(t) => t.join(df, by, library)?,
                None => df.clone(),
            };
            tables.insert(need.clone(), split_rows(&df, subject_col, &need.dims)?);
        }
        let everyone = if self.second_keys.is_empty() {
            None
        } else {
            let mut out = HashMap::new();
            for (need, df) in self.second_keys.iter().zip(&figures[self.needs.len()..]) {
                let name = Grain::parse(&need.dims[1]).map_or(need.dims[1].as_str(), |g| g.name());
                let mut keys: Vec<String> = df
                    .column(name)?
                    .cast(&DataType::String)?
                    .str()?
                    .iter()
                    .map(|v| v.unwrap_or_default().to_string())
                    .collect();
                keys.sort();
                keys.dedup();
                out.insert(need.clone(), keys);
            }
            Some(out)
        };
        let (quality, subjects, rejected_total) = quality.finish();
        Ok(Figures {
            tables,
            quality,
            subjects,
            rejected_total,
            suppress_below,
            participants: crate::data::ParticipantScope::default(),
            everyone,
            batch_keys: Default::default(),
            peers_withheld: HashMap::new(),
            commitments_withheld: Default::default(),
            release: None,
        })
    }
}

fn need_filters(need: &Need, ids: &[String], window: &Window) -> Filters {
    Filters {
        from: (need.span == SpanKey::Period).then_some(window.from),
        to: Some(window.to),
        indicators: ids.to_vec(),
        ..Filters::default()
    }
}

/// `filters` narrowed to one subject's records (its column and id), when given.
pub fn subject_filter(mut filters: Filters, only: Option<(&str, &str)>) -> Filters {
    match only {
        Some(("organisation", id)) => filters.organisations = vec![id.to_string()],
        Some(("programme", id)) => filters.programmes = vec![id.to_string()],
        _ => {}
    }
    filters
}

/// Data-quality counts per subject, folded from every checked batch (the records
/// that failed a check included, which are counted as rejected).
pub struct QualitySink {
    subject_col: Option<&'static str>,
    /// One subject's report alone: quality is kept for it only.
    only: Option<String>,
    from: i32,
    to: i32,
    stats: HashMap<String, Stats>,
    rejected: HashMap<String, u64>,
    rejected_total: u64,
    /// Every subject with a valid record, whatever its date.
    subjects: std::collections::BTreeSet<String>,
    /// Follow-ups without their start, found over every record (the start may be
    /// another programme's), counted per subject at the end.
    follow_ups: Option<crate::aggregate::follow_ups::FollowUpCheck>,
}

#[derive(Default)]
struct Stats {
    records: u64,
    first: i32,
    last: i32,
    filled: [u64; QUALITY_FIELDS.len()],
}

impl QualitySink {
    /// Collects data-quality figures per subject (or for `only`) within the window.
    pub fn new(subject_col: Option<&'static str>, only: Option<&str>, window: &Window) -> QualitySink {
        QualitySink {
            subject_col,
            only: only.map(str::to_string),
            from: crate::data::parse::epoch_days(window.from),
            to: crate::data::parse::epoch_days(window.to),
            stats: HashMap::new(),
            rejected: HashMap::new(),
            rejected_total: 0,
            subjects: Default::default(),
            follow_ups: None,
        }
    }

    /// Also count follow-ups without their start (`check`: None when the library has
    /// no follow-up rule).
    pub fn with_follow_ups(mut self, check: Option<crate::aggregate::follow_ups::FollowUpCheck>) -> QualitySink {
        self.follow_ups = check;
        self
    }

    /// Whether a valid record names `subject` (for `--subject`'s check).
    pub fn knows(&self, subject: &str) -> bool {
        self.subjects.contains(subject)
    }

    /// Every subject with a valid record, sorted.
    pub fn subjects(&self) -> impl Iterator<Item = &str> {
        self.subjects.iter().map(String::as_str)
    }

    /// Quality per subject, the subjects to report on, and the rejected records.
    fn finish(self) -> (HashMap<String, Quality>, Vec<String>, u64) {
        let day = |d: i32| crate::data::parse::from_epoch_days(d).to_string();
        let mut quality: HashMap<String, Quality> = self
            .stats
            .into_iter()
            .map(|(subject, s)| {
                let completeness = QUALITY_FIELDS
                    .iter()
                    .zip(s.filled)
                    .map(|(f, n)| (f.to_string(), if s.records > 0 { n as f64 / s.records as f64 } else { 0.0 }))
                    .collect();
                let q = Quality {
                    records: s.records,
                    rejected: 0,
                    completeness,
                    first: Some(day(s.first)),
                    last: Some(day(s.last)),
                    unstarted_follow_ups: 0,
                };
                (subject, q)
            })
            .collect();
        for (subject, n) in self.rejected {
            quality.entry(subject).or_default().rejected += n;
        }
        let (from, to) = (self.from, self.to);
        for u in self.follow_ups.map(|c| c.finish()).unwrap_or_default() {
            let subject = match self.subject_col {
                None => Some(ALL.to_string()),
                Some("programme") => u.programme.clone(),
                Some(_) => Some(u.organisation.clone()),
            };
            let counted = self.only.as_ref().is_none_or(|only| subject.as_ref() == Some(only));
            if let (Some(subject), true, true) = (subject, counted, u.day >= from && u.day <= to) {
                quality.entry(subject).or_default().unstarted_follow_ups += 1;
            }
        }
        let subjects = match (self.subject_col, self.only) {
            (None, _) => vec![ALL.to_string()],
            (Some(_), Some(only)) => self.subjects.contains(&only).then_some(only).into_iter().collect(),
            (Some(_), None) => self.subjects.into_iter().filter(|s| !s.is_empty()).collect(),
        };
        (quality, subjects, self.rejected_total)
    }
}

impl crate::data::Records for QualitySink {
    fn batch(&mut self, records: DataFrame) -> Result<()> {
        self.follow_ups.batch(records.clone())?;
        let n = records.height();
        // Subjects are coded per batch (a few distinct texts over many rows).
        let mut names: Vec<Option<String>> = Vec::new();
        let mut numbers: HashMap<Option<String>, u32> = HashMap::new();
        let subject: Vec<u32> = match self.subject_col {
            Some(c) => {
                let texts = records.column(c)?.cast(&DataType::String)?;
                crate::data::views::code_texts(texts.str()?, |t| {
                    let key = t.map(str::to_string);
                    *numbers.entry(key.clone()).or_insert_with(|| {
                        names.push(key);
                        (names.len() - 1) as u32
                    })
                })
            }
            None => {
                names.push(Some(ALL.to_string()));
                vec![0; n]
            }
        };
        let date = records.column("date")?.cast(&DataType::Date)?;
        let date: Vec<Option<i32>> = date.date()?.physical().iter().collect();
        let ok: Vec<bool> = match records.column(crate::data::schema::OK) {
            Ok(c) => c.bool()?.iter().map(|v| v.unwrap_or(false)).collect(),
            Err(_) => vec![true; n],
        };
        // Which cells are filled, read a bit at a time for the records counted only
        // (one report's subject has a thousandth of a batch's records).
        let filled: Vec<BooleanChunked> = QUALITY_FIELDS
            .iter()
            .map(|f| Ok(records.column(f)?.is_not_null().rechunk().into_owned()))
            .collect::<Result<_>>()?;
        let filled: Vec<_> = filled.iter().filter_map(|c| c.downcast_iter().next()).collect();
        // Per code: its stats this batch (merged into the totals below).
        let mut batch: Vec<Option<Stats>> = (0..names.len()).map(|_| None).collect();
        let mut rejected: Vec<u64> = vec![0; names.len()];
        let mut valid: Vec<bool> = vec![false; names.len()];
        for i in 0..n {
            let in_period = date[i].is_some_and(|d| d >= self.from && d <= self.to);
            let code = subject[i] as usize;
            if !ok[i] {
                self.rejected_total += 1;
                if in_period {
                    rejected[code] += 1;
                }
                continue;
            }
            valid[code] = true;
            if !in_period {
                continue;
            }
            let d = date[i].unwrap_or_default();
            let s = batch[code].get_or_insert_with(|| Stats { first: d, last: d, ..Stats::default() });
            s.records += 1;
            s.first = s.first.min(d);
            s.last = s.last.max(d);
            for (k, f) in filled.iter().enumerate() {
                s.filled[k] += u64::from(f.value(i));
            }
        }
        for (code, name) in names.into_iter().enumerate() {
            if rejected[code] > 0 {
                // Records with no subject (no organisation given, say) are kept under
                // UNATTRIBUTED, so the reports can say they exist.
                let key = name.as_deref().filter(|s| !s.is_empty()).unwrap_or(UNATTRIBUTED);
                *self.rejected.entry(key.to_string()).or_default() += rejected[code];
            }
            let Some(name) = name else { continue };
            if valid[code] && !self.subjects.contains(&name) {
                self.subjects.insert(name.clone());
            }
            let Some(b) = batch[code].take() else { continue };
            if self.only.as_deref().is_some_and(|o| o != name) {
                continue;
            }
            match self.stats.get_mut(&name) {
                Some(s) => {
                    s.records += b.records;
                    s.first = s.first.min(b.first);
                    s.last = s.last.max(b.last);
                    for (t, add) in s.filled.iter_mut().zip(b.filled) {
                        *t += add;
                    }
                }
                None => {
                    self.stats.insert(name, b);
                }
            }
        }
        Ok(())
    }

    fn restart(&mut self) {
        self.stats.clear();
        self.rejected.clear();
        self.rejected_total = 0;
        self.subjects.clear();
        self.follow_ups.restart();
    }
}

fn split_rows(df: &DataFrame, subject_col: Option<&str>, dims: &[String]) -> Result<HashMap<String, Vec<Row>>> {
    let text = |name: &str| -> Result<Vec<Option<String>>> {
        Ok(df.column(name)?.cast(&DataType::String)?.str()?.iter().map(|v| v.map(str::to_string)).collect())
    };
    let n = df.height();
    let subjects = match subject_col {
        Some(c) => text(c)?,
        None => vec![Some(ALL.to_string()); n],
    };
    let keys: Vec<Vec<Option<String>>> =
        dims.iter().map(|d| text(Grain::parse(d).map_or(d.as_str(), |g| g.name()))).collect::<Result<_>>()?;
    let indicators = text("indicator")?;
    let values: Vec<Option<f64>> = df.column("value")?.f64()?.iter().collect();
    let records: Vec<Option<i64>> = df.column("records")?.i64()?.iter().collect();
    let targets: Vec<Option<f64>> = match df.column("target") {
        Ok(c) => c.f64()?.iter().collect(),
        Err(_) => vec![None; n],
    };
    let withheld: Vec<Withheld> = match df.column("withheld") {
        Ok(c) => c.str()?.iter().map(|w| w.map_or(Withheld::No, Withheld::from_word)).collect(),
        Err(_) => vec![Withheld::No; n],
    };
    let mut out: HashMap<String, Vec<Row>> = HashMap::new();
    for i in 0..n {
        let subject = subjects[i].clone().unwrap_or_default();
        out.entry(subject).or_default().push(Row {
            keys: keys.iter().map(|k| k[i].clone().unwrap_or_default()).collect(),
            indicator: indicators[i].clone().unwrap_or_default(),
            value: values[i],
            records: records[i].unwrap_or(0),
            target: targets[i],
            withheld: withheld[i],
        });
    }
    Ok(out)
}
