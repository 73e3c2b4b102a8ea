//! Figures by period published beside their figures to date (`aggregate --to-date`),
//! protected as one table: the difference of two figures to date is a period's count
//! for anything that adds up (jobs started to the end of 2024-25 less those to the
//! end of 2023-24 is 2024-25's), so a period withheld in one column would come back
//! from the other. Each figure to date is tied to the one before it and to its
//! period's figure (to date(k) = to date(k − 1) + period(k) for counts that add up;
//! at most that, with each part within it, for people counted once), and the whole
//! is audited as a release is (`ledger::protect_audited`).

use std::collections::{HashMap, HashSet};

use polars::prelude::*;

use super::ledger::{self, Adds, Cost};
use super::suppress::{Cells, Relation, Sum};
use super::{
    cohort_sizes, held_cells, held_together, people_indicators, siblings, size_sums, statistic_indicators, within_sums,
    Table, Withheld,
};
use crate::error::{Error, Result};
use crate::indicator::{Aggregation, Library, RollUp};

/// How each indicator's counts of people to date stand to the period before and the
/// period itself. Stocks (whose time rule reads the latest snapshots) and statistics
/// tie no sum.
fn over_time(library: &Library) -> HashMap<String, Adds> {
    let mut adds = HashMap::new();
    for i in library.iter() {
        match i.roll_up() {
            RollUp::Flow(Aggregation::Sum | Aggregation::Count) if i.counts_people => {
                adds.insert(i.id.clone(), Adds::Up);
            }
            RollUp::Distinct => {
                adds.insert(i.id.clone(), Adds::Once { within: true });
            }
            _ => {}
        }
        // A person in cohorts of two periods is followed up once to date, from the
        // first: to date, a part is at most the part before plus the period's, but a
        // period's part is not always within it.
        for (part, _) in i.cohort_parts() {
            adds.insert(part, Adds::Once { within: false });
        }
    }
    adds
}

/// Which rows of `by_period` and of `to_date` (the same columns: `dims`, indicator,
/// value, and records if any; one row to date for each row by period) to withhold,
/// and why (a statistic over a few records included). `period` is the period
/// dimension among `dims`; `apart` as in `privacy::flags`.
pub fn flags(
    by_period: &DataFrame,
    to_date: &DataFrame,
    dims: &[&str],
    period: &str,
    apart: &[&str],
    library: &Library,
    threshold: u32,
) -> Result<(Vec<Withheld>, Vec<Withheld>)> {
    let p = dims
        .iter()
        .position(|d| *d == period)
        .ok_or_else(|| Error::internal(format!("figures to date need `{period}` among the groups")))?;
    let mut columns: Vec<&str> = dims.to_vec();
    columns.extend(["indicator", "value"]);
    if by_period.column("records").is_ok() {
        columns.push("records");
    }
    let n = by_period.height();
    let both = by_period.select(columns.iter().copied())?.vstack(&to_date.select(columns.iter().copied())?)?;
    let m = both.height();
    let Table { ranks, indicator, indicator_rank, value, is_people } =
        Table::read(&both, dims, &people_indicators(library))?;
    let to_date_row = |i: usize| i >= n;
    // Rows by period first, then to date: the same keys in two columns of one table.
    let order: Vec<Vec<u32>> =
        (0..m).map(|i| ranks.iter().map(|r| r[i]).chain([u32::from(to_date_row(i))]).collect()).collect();
    let (rows, rows_to_date): (Vec<usize>, Vec<usize>) = (0..m).filter(|i| is_people[*i]).partition(|i| *i < n);
    let mut sums: Vec<Sum> = Vec::new();
    for d in (0..dims.len()).filter(|d| !apart.contains(&dims[*d])) {
        sums.extend(siblings(&rows, &indicator_rank, &ranks, d).into_iter().map(Sum::siblings));
        // Figures to date of different periods add up to nothing.
        if d != p {
            sums.extend(siblings(&rows_to_date, &indicator_rank, &ranks, d).into_iter().map(Sum::siblings));
        }
    }
    // Each row's periods, in time order (period keys sort as their periods do): the
    // chain of figures to date and the periods between them.
    let adds = over_time(library);
    let carried = carried(library);
    let statistics = statistic_indicators(library);
    let cohorts = held_together(library);
    let parts_of_cohorts: HashSet<&str> = cohorts.iter().flatten().map(String::as_str).collect();
    let mut held = held_cells(&indicator, &order, &cohorts);
    let mut tails: Vec<Vec<(Option<usize>, usize)>> = Vec::new();
    let mut tails_of_statistics: Vec<Vec<(Option<usize>, usize)>> = Vec::new();
    for group in siblings(&(0..m).collect::<Vec<_>>(), &indicator_rank, &ranks, p) {
        let id = indicator.get(group[0]).unwrap_or("");
        let (mut periods, mut running): (Vec<usize>, Vec<usize>) = group.into_iter().partition(|i| *i < n);
        periods.sort_by_key(|i| ranks[p][*i]);
        running.sort_by_key(|i| ranks[p][*i]);
        // Each row to date with its period's row, where the period has records (a row
        // to date stands in every later period of the table).
        let pairs: Vec<(Option<usize>, usize)> =
            running.iter().map(|&t| (periods.iter().copied().find(|b| ranks[p][*b] == ranks[p][t]), t)).collect();
        let Some(&(first, first_to_date)) = pairs.first() else { continue };
        if statistics.contains(id) {
            tails_of_statistics.push(pairs);
            continue;
        }
        if !is_people[first_to_date] {
            continue;
        }
        // The first figure to date is its period's figure: the two are one.
        held.extend(first.map(|b| vec![b, first_to_date]));
        if carried.contains(id) || parts_of_cohorts.contains(id) {
            tails.push(pairs.clone());
        }
        let Some(&how) = adds.get(id) else { continue };
        let mut before: Option<usize> = None;
        for &(own, total) in &pairs {
            // A cohort's people are followed as at one day, from their first cohort: a
            // part to date only grows.
            if let (Some(earlier), true) = (before, parts_of_cohorts.contains(id)) {
                if value[earlier] <= value[total] {
                    sums.push(Sum { total: Some(total), parts: vec![earlier], relation: Relation::Within });
                }
            }
            let parts: Vec<usize> = before.into_iter().chain(own).collect();
            let values: Vec<f64> = parts.iter().map(|i| value[*i]).collect();
            if let Some(relation) = ledger::relation(how, value[total], &values) {
                sums.push(Sum { total: Some(total), parts, relation });
            }
            before = Some(total);
        }
    }
    // A cohort's parts add up to (at most) its event's count, and a sub-count is within
    // its whole, in each column.
    sums.extend(size_sums(&indicator, &order, &value, &cohort_sizes(library)));
    sums.extend(within_sums(&indicator, &order, &value, library));
    // A figure to date is what a reader follows: withholding a period costs less.
    let cost: Vec<u8> = (0..m).map(|i| if to_date_row(i) { Cost::Total as u8 } else { Cost::Finest as u8 }).collect();
    let cells = Cells { value: &value, people: &is_people, cost: &cost, order: &order };
    // A stock's figure to date carries its snapshots on, and a cohort's follows its
    // people from their first cohort: neither is a sum of the periods a reader could
    // be stopped from solving, so from a period where anything of theirs is withheld
    // on, the figures to date are withheld too (each then protected as any other).
    let (mut withheld, _) = ledger::protect_audited(&cells, &sums, &held, threshold, true, |w| tail(&tails, w))
        .map_err(|e| Error::internal(format!("privacy audit of the figures to date: {e}")))?;
    // A mean, minimum or maximum over a few records describes a few people.
    super::mark_few(&both, library, threshold, &mut withheld)?;
    // To date, from such a period on, the periods' published figures would give it
    // back: withheld as "[c]", not "[p]" (a figure to date may rest on many records).
    for i in tail(&tails_of_statistics, &withheld) {
        withheld[i] = Withheld::Secondary;
    }
    let later = withheld.split_off(n);
    Ok((withheld, later))
}

/// Indicators whose figure to date carries earlier periods' snapshots on (stocks):
/// it is no sum of the periods', but it holds what a withheld period held.
fn carried(library: &Library) -> HashSet<String> {
    library.iter().filter(|i| matches!(i.roll_up(), RollUp::Stock { .. })).map(|i| i.id.clone()).collect()
}

/// The figures to date still published from the first period of their row where
/// anything is withheld, the period's figure or its figure to date (`rows`: each row's
/// (period, to date) cells in time order, the period's where it has records).
fn tail(rows: &[Vec<(Option<usize>, usize)>], withheld: &[Withheld]) -> Vec<usize> {
    rows.iter()
        .flat_map(|pairs| {
            let hidden = |(own, to_date): &(Option<usize>, usize)| {
                own.is_some_and(|b| withheld[b].is_withheld()) || withheld[*to_date].is_withheld()
            };
            let from = pairs.iter().position(hidden).unwrap_or(pairs.len());
            pairs[from..].iter().map(|(_, to_date)| *to_date).filter(|t| !withheld[*t].is_withheld())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library() -> Library {
        Library::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/indicators"))).expect("library")
    }

    /// One organisation's job starts over four quarters, and the figures to date.
    fn tables(counts: &[f64; 4]) -> (DataFrame, DataFrame) {
        let running: Vec<f64> = counts.iter().scan(0.0, |t, c| Some(*t + c).inspect(|v| *t = *v)).collect();
        let quarters = ["20241", "20242", "20243", "20244"];
        let frame = |values: &[f64]| {
            df!("quarter" => quarters, "indicator" => ["jobs_created"; 4], "value" => values).expect("frame")
        };
        (frame(counts), frame(&running))
    }

    #[test]
    fn no_withheld_quarter_comes_back_from_the_figures_to_date() {
        // Every table of four quarters of 0 to 9 job starts from a fixed sequence: a
        // reader who knows every published figure, that a "<5" is 1 to 4 and that a
        // figure to date is the one before plus its quarter's, can still give each
        // withheld figure two or more values. Checked by trying every value of 0 to 40
        // for each quarter (the totals here are under 40).
        let library = library();
        let mut seed: u64 = 7;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) % 10) as f64
        };
        let mut protected = 0;
        for _ in 0..40 {
            let counts = [next(), next(), next(), next()];
            let (by_period, to_date) = tables(&counts);
            let (w, wt) = flags(&by_period, &to_date, &["quarter"], "quarter", &[], &library, 5).expect("flags");
            let running: Vec<f64> = to_date.column("value").unwrap().f64().unwrap().iter().flatten().collect();
            let fits = |x: &[f64]| {
                let mut total = 0.0;
                (0..4).all(|k| {
                    total += x[k];
                    let mark = |w: Withheld, v: f64, truth: f64| match w {
                        Withheld::No => v == truth,
                        Withheld::Small => (1.0..5.0).contains(&v),
                        _ => true,
                    };
                    mark(w[k], x[k], counts[k]) && mark(wt[k], total, running[k])
                })
            };
            // A published quarter has its own value only; a withheld one any of 0 to 40.
            let choices: Vec<Vec<f64>> = (0..4)
                .map(|k| if w[k].is_withheld() { (0..=40).map(f64::from).collect() } else { vec![counts[k]] })
                .collect();
            let mut seen: Vec<std::collections::BTreeSet<i64>> = vec![Default::default(); 8];
            for a in &choices[0] {
                for b in &choices[1] {
                    for c in &choices[2] {
                        for d in &choices[3] {
                            let x = [*a, *b, *c, *d];
                            if fits(&x) {
                                let mut total = 0;
                                for k in 0..4 {
                                    total += x[k] as i64;
                                    seen[k].insert(x[k] as i64);
                                    seen[4 + k].insert(total);
                                }
                            }
                        }
                    }
                }
            }
            for k in 0..4 {
                if w[k].is_withheld() {
                    protected += 1;
                    assert!(seen[k].len() > 1, "quarter {k} of {counts:?} pinned: {w:?} {wt:?}");
                }
                if wt[k].is_withheld() {
                    assert!(seen[4 + k].len() > 1, "to date {k} of {counts:?} pinned: {w:?} {wt:?}");
                }
                // A small count is withheld in both columns.
                if (1.0..5.0).contains(&counts[k]) {
                    assert!(w[k].is_withheld(), "{counts:?}");
                }
                if (1.0..5.0).contains(&running[k]) {
                    assert!(wt[k].is_withheld(), "{counts:?}");
                }
            }
        }
        assert!(protected > 20, "the sequence withholds something");
    }
}
