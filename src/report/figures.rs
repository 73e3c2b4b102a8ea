//! Every figure a batch of reports needs, computed once for all subjects (one
//! aggregation per distinct grouping), then split by subject.

use std::collections::HashMap;

use polars::prelude::*;

use super::spec::{dimension, Spec, Window};
use crate::aggregate::{aggregate, Dimension, Filters, Grain, Request, Targets};
use crate::error::Result;
use crate::indicator::Library;
use crate::privacy::Withheld;

/// The subject key used when a report covers everything.
pub const ALL: &str = "(all)";

/// The quality key of rejected records that name no subject.
const UNATTRIBUTED: &str = "";

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Values of the grouping dimensions, in order (subject excluded).
    pub keys: Vec<String>,
    pub indicator: String,
    pub value: Option<f64>,
    pub records: i64,
    pub target: Option<f64>,
    /// Withheld to protect privacy, and why (value is None when withheld).
    pub withheld: Withheld,
}

/// What a section asks for: a grouping and a time span.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Need {
    pub dims: Vec<String>,
    pub span: SpanKey,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SpanKey {
    Period,
    ToDate,
}

/// Data-quality figures for one subject within the period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Quality {
    pub records: u64,
    pub rejected: u64,
    /// (field, share of records with it filled, 0–1)
    pub completeness: Vec<(String, f64)>,
    pub first: Option<String>,
    pub last: Option<String>,
}

pub struct Figures {
    tables: HashMap<Need, HashMap<String, Vec<Row>>>,
    quality: HashMap<String, Quality>,
    pub subjects: Vec<String>,
    /// Records rejected by validation in the whole run, whatever their subject or date.
    pub rejected_total: u64,
    /// The small-number threshold in force, for "<5" in place of withheld figures.
    pub suppress_below: Option<u32>,
    /// The second key of each two-key need over every subject, when these figures were
    /// made from one subject's records (see `everyone_second_keys`).
    everyone: Option<HashMap<Need, Vec<String>>>,
}

const QUALITY_FIELDS: [&str; 6] = ["participant", "beneficiary_group", "area", "simd_decile", "age_band", "evidence"];

impl Figures {
    pub fn rows(&self, need: &Need, subject: &str) -> &[Row] {
        self.tables.get(need).and_then(|t| t.get(subject)).map_or(&[], Vec::as_slice)
    }

    /// Every value of a need's key at `position`, over all subjects of the batch,
    /// sorted: so a category takes the same place (and colour) in every report.
    pub fn batch_keys(&self, need: &Need, position: usize) -> Vec<String> {
        if let Some(keys) = self.everyone.as_ref().and_then(|e| e.get(need)).filter(|_| position == 1) {
            return keys.clone();
        }
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

    pub fn quality(&self, subject: &str) -> Quality {
        self.quality.get(subject).cloned().unwrap_or_default()
    }

    /// Rejected records in the period that name no subject, so belong to no report.
    pub fn rejected_unattributed(&self) -> u64 {
        self.quality.get(UNATTRIBUTED).map_or(0, |q| q.rejected)
    }
}

/// Compute every needed table once, for all subjects at the same time.
pub fn compute(
    spec: &Spec,
    window: &Window,
    records: &DataFrame,
    rejected: Option<&DataFrame>,
    library: &Library,
    targets: Option<&Targets>,
    suppress_below: Option<u32>,
) -> Result<Figures> {
    let subject_col = spec.subject.column();
    let mut tables = HashMap::new();
    let valued: Vec<String> = library.iter().filter(|i| i.proxy.is_some()).map(|i| i.id.clone()).collect();
    for (need, ids) in super::plan::needs(spec, window, &valued) {
        let mut by: Vec<Dimension> = subject_col.map(Dimension::Field).into_iter().collect();
        // A section grouped by the subject's own column (a table by organisation in an
        // organisation's report) has one group: the subject column already gives it.
        by.extend(need.dims.iter().filter(|d| Some(d.as_str()) != subject_col).map(|d| dimension(d)));
        let filters = Filters {
            from: (need.span == SpanKey::Period).then_some(window.from),
            to: Some(window.to),
            indicators: ids,
            as_at: window.data_until,
            ..Filters::default()
        };
        // Figures come unsuppressed; each subject's report is then protected as a whole.
        let request = Request { by: by.clone(), filters, suppress_below: None, publish_apart: Vec::new() };
        let mut df = aggregate(records, library, &request)?;
        if let Some(t) = targets {
            df = t.join(&df, &by, library)?;
        }
        tables.insert(need.clone(), split_rows(&df, subject_col, &need.dims)?);
    }
    if let Some(threshold) = suppress_below {
        protect_each_subject(&mut tables, window, library, subject_col, threshold);
    }
    let in_period = |df: &DataFrame| -> Result<DataFrame> {
        let from = crate::data::parse::epoch_days(window.from);
        let to = crate::data::parse::epoch_days(window.to);
        let date = col("date").cast(DataType::Int32);
        Ok(df.clone().lazy().filter(date.clone().gt_eq(lit(from)).and(date.lt_eq(lit(to)))).collect()?)
    };
    let quality = quality(&in_period(records)?, rejected.map(in_period).transpose()?.as_ref(), subject_col)?;
    let mut subjects: Vec<String> = match subject_col {
        Some(c) => {
            let s = records.column(c)?.cast(&DataType::String)?;
            let mut v: Vec<String> = s.str()?.iter().flatten().map(str::to_string).collect();
            v.sort();
            v.dedup();
            v
        }
        None => vec![ALL.to_string()],
    };
    subjects.retain(|s| !s.is_empty());
    let rejected_total = rejected.map_or(0, |r| r.height() as u64);
    Ok(Figures { tables, quality, subjects, rejected_total, suppress_below, everyone: None })
}

impl Figures {
    /// Figures made from one subject's records, told the batch's categories (from
    /// `everyone_second_keys`) so its charts colour them as a batch report would.
    pub fn with_everyones_keys(mut self, keys: HashMap<Need, Vec<String>>) -> Figures {
        self.everyone = Some(keys);
        self
    }
}

/// For every need of two or more keys, the sorted values of its second key over all
/// subjects' records (what `batch_keys(need, 1)` gives when every subject is computed):
/// a group's colour is its place among these. One grouping without the subject column
/// per such need, much less than every subject's tables.
pub fn everyone_second_keys(
    spec: &Spec,
    window: &Window,
    records: &DataFrame,
    library: &Library,
) -> Result<HashMap<Need, Vec<String>>> {
    let valued: Vec<String> = library.iter().filter(|i| i.proxy.is_some()).map(|i| i.id.clone()).collect();
    let mut out = HashMap::new();
    for (need, ids) in super::plan::needs(spec, window, &valued) {
        if need.dims.len() < 2 {
            continue;
        }
        let filters = Filters {
            from: (need.span == SpanKey::Period).then_some(window.from),
            to: Some(window.to),
            indicators: ids,
            as_at: window.data_until,
            ..Filters::default()
        };
        let by: Vec<Dimension> = need.dims.iter().map(|d| dimension(d)).collect();
        let df =
            aggregate(records, library, &Request { by, filters, suppress_below: None, publish_apart: Vec::new() })?;
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
        out.insert(need, keys);
    }
    Ok(out)
}

/// Every subject's tables protected together (one report is one release), and each
/// subject on its own: a cell is never withheld to protect a cell of another
/// subject's report, which its reader never sees.
fn protect_each_subject(
    tables: &mut HashMap<Need, HashMap<String, Vec<Row>>>,
    window: &Window,
    library: &Library,
    subject_col: Option<&str>,
    threshold: u32,
) {
    let people = crate::privacy::people_indicators(library);
    let mut subjects: Vec<String> = tables.values().flat_map(|t| t.keys().cloned()).collect();
    subjects.sort();
    subjects.dedup();
    let mut needs: Vec<Need> = tables.keys().cloned().collect();
    needs.sort();
    for subject in subjects {
        let mut release: Vec<(Need, Vec<Row>)> = needs
            .iter()
            .filter_map(|n| tables.get_mut(n).and_then(|t| t.remove(&subject)).map(|rows| (n.clone(), rows)))
            .collect();
        {
            let mut parts: Vec<(&Need, &mut Vec<Row>)> = release.iter_mut().map(|(n, rows)| (&*n, rows)).collect();
            super::protect::protect_release(&mut parts, window, library, &people, subject_col, threshold);
        }
        for (need, rows) in release {
            if let Some(t) = tables.get_mut(&need) {
                t.insert(subject.clone(), rows);
            }
        }
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

fn quality(
    records: &DataFrame,
    rejected: Option<&DataFrame>,
    subject_col: Option<&str>,
) -> Result<HashMap<String, Quality>> {
    let key = subject_col.map_or(lit(ALL).alias("__subject"), |c| col(c).cast(DataType::String).alias("__subject"));
    let mut aggs = vec![
        len().alias("__n"),
        col("date").min().cast(DataType::String).alias("__first"),
        col("date").max().cast(DataType::String).alias("__last"),
    ];
    aggs.extend(QUALITY_FIELDS.iter().map(|f| col(*f).is_not_null().sum().alias(*f)));
    let df = records.clone().lazy().with_column(key.clone()).group_by([col("__subject")]).agg(aggs).collect()?;
    let mut out = HashMap::new();
    let subjects = df.column("__subject")?.str()?.clone();
    let n = df.column("__n")?.cast(&DataType::UInt64)?;
    let first = df.column("__first")?.str()?.clone();
    let last = df.column("__last")?.str()?.clone();
    for i in 0..df.height() {
        let Some(subject) = subjects.get(i) else { continue };
        let total = n.u64()?.get(i).unwrap_or(0);
        let mut completeness = Vec::new();
        for f in QUALITY_FIELDS {
            let filled = df.column(f)?.cast(&DataType::UInt64)?.u64()?.get(i).unwrap_or(0);
            completeness.push((f.to_string(), if total > 0 { filled as f64 / total as f64 } else { 0.0 }));
        }
        out.insert(
            subject.to_string(),
            Quality {
                records: total,
                rejected: 0,
                completeness,
                first: first.get(i).map(str::to_string),
                last: last.get(i).map(str::to_string),
            },
        );
    }
    if let Some(rej) = rejected.filter(|r| r.height() > 0) {
        let counts =
            rej.clone().lazy().with_column(key).group_by([col("__subject")]).agg([len().alias("__n")]).collect()?;
        let s = counts.column("__subject")?.str()?.clone();
        let c = counts.column("__n")?.cast(&DataType::UInt64)?;
        for i in 0..counts.height() {
            // Records with no subject (no organisation given, say) are kept under
            // UNATTRIBUTED, so the reports can say they exist.
            let subject = s.get(i).filter(|s| !s.is_empty()).unwrap_or(UNATTRIBUTED);
            out.entry(subject.to_string()).or_default().rejected += c.u64()?.get(i).unwrap_or(0);
        }
    }
    Ok(out)
}
