//! Deterministic synthetic outcome records at any scale, shaped by the
//! organisations and programmes tables and the indicator library (so nothing
//! here knows a particular indicator or organisation).

pub(crate) mod rng;

use std::io::Write;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use polars::prelude::*;

pub use crate::data::tables::Tables;
use crate::error::{Error, Result};
use crate::indicator::{Library, RollUp};
use rng::Rng;

const GENDERS: [(&str, f64); 4] = [("female", 47.0), ("male", 48.0), ("non_binary", 1.0), ("not_stated", 4.0)];
const AGE_BANDS: [(&str, f64); 5] = [("16-24", 30.0), ("25-34", 25.0), ("35-49", 25.0), ("50-64", 17.0), ("65+", 3.0)];
const EVIDENCE: [(&str, f64); 5] =
    [("", 15.0), ("timesheet", 25.0), ("payslip", 20.0), ("certificate", 25.0), ("case_note", 15.0)];
/// Programmes for people far from work reach deprived areas more: decile 1 most.
const SIMD_WEIGHTS: [f64; 10] = [20.0, 17.0, 14.0, 11.0, 9.0, 8.0, 7.0, 6.0, 4.0, 4.0];

/// Where a generated record's dates fall: the three UK financial years 2022-23 to 2024-25.
pub fn default_window() -> (NaiveDate, NaiveDate) {
    (NaiveDate::from_ymd_opt(2022, 4, 1).unwrap_or_default(), NaiveDate::from_ymd_opt(2025, 3, 31).unwrap_or_default())
}

/// The file format synthetic records are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleFormat {
    /// Comma-separated text.
    Csv,
    /// Apache Parquet.
    Parquet,
}

/// One generated record, borrowing names from the tables.
#[derive(Clone)]
struct Record<'a> {
    /// The programme's place in the tables (not written).
    programme_index: usize,
    id: u64,
    organisation: &'a str,
    programme: &'a str,
    indicator: &'a str,
    date: NaiveDate,
    value: f64,
    participant: Option<String>,
    group: &'a str,
    gender: &'a str,
    age_band: &'a str,
    area: &'a str,
    simd: u8,
    evidence: &'a str,
}

/// A record that follows from another for the same person, read from the library:
/// a cohort's outcome follows its event within the window (a job start is followed by
/// a 26-week sustainment), a part (`within`) comes with its whole (a job for someone
/// long-term unemployed is one of the jobs created). Generated this way, sub-counts
/// never exceed their totals and follow-ups follow an earlier event of the same person.
struct Spawn<'a> {
    child: &'a str,
    chance: f64,
    /// Days after the parent: None for a part (the same day).
    window_days: Option<u32>,
}

/// The share of parents that get a part (`within`) record.
const PART_SHARE: f64 = 0.3;
/// Without a `typical` rate on the cohort indicator, the share followed by the outcome.
const FOLLOW_UP_SHARE: f64 = 0.5;

/// A prepared generator: per programme, the indicators it reports and their weights.
pub struct Generator<'a> {
    tables: &'a Tables,
    library: &'a Library,
    programme_weights: Vec<f64>,
    /// Per programme: (indicator ids drawn directly, weights).
    indicators: Vec<(Vec<&'a str>, Vec<f64>)>,
    /// Parent indicator id → the records that follow from it.
    spawns: std::collections::HashMap<&'a str, Vec<Spawn<'a>>>,
    /// Records that followed from earlier ones, written next.
    queue: std::collections::VecDeque<Record<'a>>,
    rng: Rng,
    window: (NaiveDate, NaiveDate),
    /// How many distinct people each organisation's participant ids are drawn from.
    people_per_org: usize,
}

impl<'a> Generator<'a> {
    /// A generator of `rows` records drawn from the tables and the library, seeded.
    pub fn new(tables: &'a Tables, library: &'a Library, rows: u64, seed: u64) -> Result<Generator<'a>> {
        let spawns = spawns(library);
        let mut indicators = Vec::new();
        for p in &tables.programmes {
            let mut ids = Vec::new();
            let mut weights = Vec::new();
            let reports = |id: &str| library.get(id).is_some_and(|i| p.themes.iter().any(|t| t == &i.theme));
            for ind in library.iter().filter(|i| reports(&i.id)) {
                // A record that follows from another the programme reports is made with it.
                let follows =
                    spawns.iter().any(|(parent, list)| reports(parent) && list.iter().any(|s| s.child == ind.id));
                if follows {
                    continue;
                }
                let w = match ind.roll_up() {
                    RollUp::Ratio | RollUp::Cohort => continue, // computed, never recorded
                    RollUp::Stock { .. } => 1.0,
                    RollUp::Distinct => 8.0,
                    RollUp::Flow(_) => 4.0,
                };
                ids.push(ind.id.as_str());
                weights.push(w);
            }
            if ids.is_empty() {
                return Err(Error::usage(format!(
                    "programme `{}` has themes {:?} but no indicator has those themes",
                    p.id, p.themes
                ))
                .with_hint("the themes in programmes.csv must match `theme` in indicators/*.toml"));
            }
            indicators.push((ids, weights));
        }
        let programme_weights = tables.programmes.iter().map(|p| p.investment.max(1.0)).collect();
        let people_per_org = ((rows / 3) as usize / tables.organisations.len().max(1)).max(20);
        Ok(Generator {
            tables,
            library,
            programme_weights,
            indicators,
            spawns,
            queue: std::collections::VecDeque::new(),
            rng: Rng::new(seed),
            window: default_window(),
            people_per_org,
        })
    }

    /// The next record: one that follows from an earlier record, else a new one
    /// (whose own follow-ups are queued).
    fn next(&mut self, id: u64) -> Record<'a> {
        let mut record = match self.queue.pop_front() {
            Some(r) => r,
            None => {
                let r = self.record(id);
                self.spawn_from(&r);
                r
            }
        };
        record.id = id;
        record
    }

    /// Queue what follows from `parent` (and from that, in turn), in library order.
    fn spawn_from(&mut self, parent: &Record<'a>) {
        let programme = &self.tables.programmes[parent.programme_index];
        let last_day = programme.end.min(self.window.1);
        let Some(list) = self.spawns.get(parent.indicator) else { return };
        let mut children = Vec::new();
        for spawn in list {
            let Some(ind) = self.library.get(spawn.child) else { continue };
            if !programme.themes.iter().any(|t| t == &ind.theme) || !self.rng.chance(spawn.chance) {
                continue;
            }
            let date = match spawn.window_days {
                // In the second half of the window.
                Some(days) => {
                    let earliest = (days / 2) as usize;
                    parent.date
                        + chrono::Duration::days((earliest + self.rng.below(days as usize - earliest + 1)) as i64)
                }
                None => parent.date,
            };
            if date > last_day {
                continue; // not happened yet when the data ends
            }
            let value = match (spawn.window_days, ind.integer) {
                (Some(_), _) | (None, true) => parent.value,
                (None, false) => (parent.value * (0.1 + 0.5 * self.rng.unit()) * 100.0).round() / 100.0,
            };
            children.push(Record { indicator: spawn.child, date, value, ..parent.clone() });
        }
        for child in children {
            self.queue.push_back(child.clone());
            self.spawn_from(&child);
        }
    }

    fn record(&mut self, id: u64) -> Record<'a> {
        let tables: &'a Tables = self.tables;
        let library: &'a Library = self.library;
        let rng = &mut self.rng;
        let p_index = rng.weighted(&self.programme_weights);
        let programme = &tables.programmes[p_index];
        let organisation = &tables.organisations[programme.partners[rng.below(programme.partners.len())]];
        let (ids, weights) = &self.indicators[p_index];
        let indicator = ids[rng.weighted(weights)];
        let ind = library.get(indicator);
        let start = programme.start.max(self.window.0);
        let end = programme.end.min(self.window.1);
        let span = (end - start).num_days().max(0) as usize;
        let date = start + chrono::Duration::days(rng.below(span + 1) as i64);
        let value = match ind.and_then(|i| i.typical.map(|t| (t, i.integer))) {
            Some(([lo, hi], true)) => (lo + rng.below((hi - lo) as usize + 1) as f64).round(),
            Some(([lo, hi], false)) => ((lo + rng.unit() * (hi - lo)) * 100.0).round() / 100.0,
            None => 1.0,
        };
        let person = rng.below(self.people_per_org);
        let participant = (!rng.chance(0.03) || ind.is_some_and(|i| i.roll_up() == RollUp::Distinct))
            .then(|| format!("{}-{person:05}", organisation.id));
        // A fifth of records leave the beneficiary group blank, as real returns do.
        let group = if programme.groups.is_empty() || rng.chance(0.2) {
            ""
        } else {
            programme.groups[rng.below(programme.groups.len())].as_str()
        };
        let pick = |rng: &mut Rng, table: &[(&'static str, f64)]| {
            table[rng.weighted(&table.iter().map(|t| t.1).collect::<Vec<_>>())].0
        };
        let gender = pick(rng, &GENDERS);
        let age_band = pick(rng, &AGE_BANDS);
        let evidence = pick(rng, &EVIDENCE);
        // Most people live in the organisation's own area.
        let area = if rng.chance(0.85) {
            organisation.area.as_str()
        } else {
            tables.organisations[rng.below(tables.organisations.len())].area.as_str()
        };
        let simd = rng.weighted(&SIMD_WEIGHTS) as u8 + 1;
        Record {
            programme_index: p_index,
            id,
            organisation: &organisation.id,
            programme: &programme.id,
            indicator,
            date,
            value,
            participant,
            group,
            gender,
            age_band,
            area,
            simd,
            evidence,
        }
    }
}

/// What follows from what, from the library's cohort and `within` rules.
fn spawns(library: &Library) -> std::collections::HashMap<&str, Vec<Spawn<'_>>> {
    let mut out: std::collections::HashMap<&str, Vec<Spawn>> = std::collections::HashMap::new();
    for ind in library.iter() {
        if let (RollUp::Cohort, Some(event), Some(outcome), Some(days)) =
            (ind.roll_up(), &ind.cohort, &ind.outcome, ind.within_days)
        {
            let scale = ind.scale.unwrap_or(1.0);
            let chance = ind.typical.map_or(FOLLOW_UP_SHARE, |[lo, hi]| ((lo + hi) / 2.0 / scale).clamp(0.0, 1.0));
            let list = out.entry(event.as_str()).or_default();
            if !list.iter().any(|s| s.child == outcome.as_str()) {
                list.push(Spawn { child: outcome.as_str(), chance, window_days: Some(days) });
            }
        }
        if let Some(whole) = &ind.within {
            out.entry(whole.as_str()).or_default().push(Spawn {
                child: ind.id.as_str(),
                chance: PART_SHARE,
                window_days: None,
            });
        }
    }
    out
}

/// The canonical columns, as the CSV's heading row.
pub const HEADER: &str = "record_id,organisation,programme,indicator,date,value,participant,beneficiary_group,gender,age_band,area,simd_decile,evidence";

/// Write `rows` records to `out` (CSV or Parquet by extension), atomically.
pub fn generate(tables: &Tables, library: &Library, rows: u64, seed: u64, out: &Path) -> Result<()> {
    let format = match out.extension().and_then(|e| e.to_str()) {
        Some("csv") => SampleFormat::Csv,
        Some("parquet") => SampleFormat::Parquet,
        _ => return Err(Error::usage(format!("{}: write samples to a .csv or .parquet file", out.display()))),
    };
    let mut generator = Generator::new(tables, library, rows, seed)?;
    crate::output::write_atomic_with(out, |file| {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        match format {
            SampleFormat::Csv => write_csv(&mut generator, rows, &mut w),
            SampleFormat::Parquet => write_parquet(&mut generator, rows, &mut w),
        }?;
        w.flush()
    })
}

fn write_csv(g: &mut Generator, rows: u64, w: &mut impl Write) -> std::io::Result<()> {
    writeln!(w, "{HEADER}")?;
    for i in 1..=rows {
        let r = g.next(i);
        writeln!(
            w,
            "R{:08},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.id,
            r.organisation,
            r.programme,
            r.indicator,
            r.date,
            r.value,
            r.participant.as_deref().unwrap_or(""),
            r.group,
            r.gender,
            r.age_band,
            r.area,
            r.simd,
            r.evidence
        )?;
    }
    Ok(())
}

/// Parquet in row groups of a million, so memory stays flat at any scale.
fn write_parquet(g: &mut Generator, rows: u64, w: &mut impl Write) -> std::io::Result<()> {
    const CHUNK: u64 = 1_000_000;
    let to_io = |e: PolarsError| std::io::Error::other(e.to_string());
    let mut writer = None;
    let mut next = 1u64;
    while next <= rows {
        let n = CHUNK.min(rows - next + 1);
        let batch: Vec<Record> = (next..next + n).map(|i| g.next(i)).collect();
        next += n;
        let days: Vec<i32> = batch.iter().map(|r| r.date.num_days_from_ce() - 719_163).collect();
        let df = df!(
            "record_id" => batch.iter().map(|r| format!("R{:08}", r.id)).collect::<Vec<_>>(),
            "organisation" => batch.iter().map(|r| r.organisation).collect::<Vec<_>>(),
            "programme" => batch.iter().map(|r| r.programme).collect::<Vec<_>>(),
            "indicator" => batch.iter().map(|r| r.indicator).collect::<Vec<_>>(),
            "date" => Series::new("date".into(), days).cast(&DataType::Date).map_err(to_io)?,
            "value" => batch.iter().map(|r| r.value).collect::<Vec<_>>(),
            "participant" => batch.iter().map(|r| r.participant.clone()).collect::<Vec<_>>(),
            "beneficiary_group" => batch.iter().map(|r| (!r.group.is_empty()).then_some(r.group)).collect::<Vec<_>>(),
            "gender" => batch.iter().map(|r| r.gender).collect::<Vec<_>>(),
            "age_band" => batch.iter().map(|r| r.age_band).collect::<Vec<_>>(),
            "area" => batch.iter().map(|r| r.area).collect::<Vec<_>>(),
            "simd_decile" => batch.iter().map(|r| i32::from(r.simd)).collect::<Vec<_>>(),
            "evidence" => batch.iter().map(|r| (!r.evidence.is_empty()).then_some(r.evidence)).collect::<Vec<_>>()
        )
        .map_err(to_io)?;
        if writer.is_none() {
            writer = Some(ParquetWriter::new(&mut *w).batched(df.schema()).map_err(to_io)?);
        }
        if let Some(bw) = writer.as_mut() {
            bw.write_batch(&df).map_err(to_io)?;
        }
    }
    match writer {
        Some(bw) => bw.finish().map(|_| ()).map_err(to_io),
        None => Err(std::io::Error::other("no rows to write: --rows must be at least 1")),
    }
}
