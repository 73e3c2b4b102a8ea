//! A report is protected as a whole. Every table a subject's report publishes (KPI
//! totals, charts by quarter and by year, tables by programme, …) is one release:
//! a figure that stands in two tables is one cell, and the sums that tie the tables
//! together (a year and its quarters, a total and its programmes) are protected with
//! the sums inside each table, so no withheld count can be worked out by adding or
//! subtracting figures of the same report. This is the linked-tables approach of
//! statistical offices' cell suppression (a cell is safe when no published sum
//! leaves it the only unknown), applied with `privacy::protect`.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::need::{Need, SpanKey};
use super::row::Row;
use super::terms::Window;
use crate::aggregate::Grain;
use crate::indicator::Library;
use crate::privacy::{protect, Withheld};

/// When a cell's figure applies: a period of some grain, the report's period, or
/// every record up to its end.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum When {
    Grain(&'static str, String),
    /// The report's period (when it is not a financial year; a financial year period
    /// is `Grain("financial_year", …)`, the same cell as that year in a yearly chart).
    Period,
    ToDate,
    /// A cell of a period-span table whose grain's periods may be cut by a period that
    /// is not a financial year: not comparable with the same label elsewhere.
    Clipped(&'static str, String),
}

/// One published figure, whatever table it stands in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Key {
    indicator: String,
    /// (dimension, value), by dimension name.
    fields: Vec<(String, String)>,
    when: When,
}

impl Key {
    fn order(&self) -> Vec<String> {
        let mut out = vec![self.indicator.clone()];
        out.extend(self.fields.iter().flat_map(|(d, v)| [d.clone(), v.clone()]));
        out.push(format!("{:?}", self.when));
        out
    }
}

/// Withhold, jointly over all of one subject's tables, the counts of people under
/// `threshold` and the cells that would give them away; rates built on a withheld
/// count are withheld too. `subject_dim` is the subject's own column (constant within
/// a report, so not a dimension of its cells).
pub fn protect_release(
    tables: &mut [(&Need, &mut Vec<Row>)],
    window: &Window,
    library: &Library,
    people: &HashSet<String>,
    subject_dim: Option<&str>,
    threshold: u32,
) {
    let fy_window = window.financial_year.clone();
    // Every people cell of every table, once.
    let mut cells: Vec<Key> = Vec::new();
    let mut values: Vec<f64> = Vec::new();
    let mut index: HashMap<Key, usize> = HashMap::new();
    let mut at: Vec<Vec<Option<usize>>> = Vec::new();
    for (need, rows) in tables.iter() {
        let mut places = Vec::with_capacity(rows.len());
        for row in rows.iter() {
            if !people.contains(&row.indicator) {
                places.push(None);
                continue;
            }
            let key = key_of(need, row, subject_dim, fy_window.as_deref());
            let i = *index.entry(key.clone()).or_insert_with(|| {
                cells.push(key);
                values.push(row.value.unwrap_or(0.0));
                cells.len() - 1
            });
            places.push(Some(i));
        }
        at.push(places);
    }
    // The sums that tie the cells: inside each table along each dimension (with the
    // total, where the release publishes it), and each month or financial quarter
    // with its financial year, each calendar quarter with its year.
    // Each sum is named by its total and by what its parts vary in (a dimension, or a
    // grain), so the parts of two different sums to one total never mix.
    let mut sums: BTreeMap<(Key, String), Vec<usize>> = BTreeMap::new();
    for (t, (need, _)) in tables.iter().enumerate() {
        for &i in at[t].iter().flatten() {
            let key = &cells[i];
            for (d, (dim, _)) in key.fields.iter().enumerate() {
                let mut parent = key.clone();
                parent.fields.remove(d);
                sums.entry((parent, dim.clone())).or_default().push(i);
            }
            if let Some((parent, grain)) = whole_span(key, need.span, fy_window.as_deref()) {
                sums.entry((parent, format!("{grain} over the span"))).or_default().push(i);
            }
            if let Some((parent, grain)) = enclosing_year(key) {
                sums.entry((parent, format!("{grain} in its year"))).or_default().push(i);
            }
        }
    }
    let groups: Vec<Vec<usize>> = sums
        .into_iter()
        .map(|((parent, _), mut members)| {
            members.sort_unstable();
            members.dedup();
            if let Some(&p) = index.get(&parent) {
                if !members.contains(&p) {
                    members.push(p);
                }
            }
            members
        })
        .filter(|m| m.len() > 1)
        .collect();
    let order: Vec<Vec<String>> = cells.iter().map(Key::order).collect();
    let all_people = vec![true; cells.len()];
    // A cohort's parts in one cell are withheld as one (see `privacy::held_together`).
    let part_of: HashMap<String, usize> = crate::privacy::held_together(library)
        .into_iter()
        .enumerate()
        .flat_map(|(g, ids)| ids.into_iter().map(move |id| (id, g)))
        .collect();
    // Keyed by the cell (its key with the cohort's number in place of the part's id).
    let mut held: BTreeMap<Key, Vec<usize>> = BTreeMap::new();
    for (i, key) in cells.iter().enumerate() {
        if let Some(&g) = part_of.get(&key.indicator) {
            held.entry(Key { indicator: g.to_string(), ..key.clone() }).or_default().push(i);
        }
    }
    let held: Vec<Vec<usize>> = held.into_values().collect();
    let withheld = protect(&values, &all_people, &order, &groups, &held, threshold);
    let statistics = crate::privacy::statistic_indicators(library);
    for (t, (_, rows)) in tables.iter_mut().enumerate() {
        for (r, row) in rows.iter_mut().enumerate() {
            row.withheld = at[t][r].map_or(Withheld::No, |i| withheld[i]);
            // A mean, minimum or maximum over a few records describes a few people.
            if row.withheld == Withheld::No
                && crate::privacy::too_few(statistics.contains(&row.indicator), row.records, threshold)
            {
                row.withheld = Withheld::Few;
            }
        }
        withhold_rates(rows, library);
        for row in rows.iter_mut().filter(|r| r.withheld.is_withheld()) {
            row.value = None;
        }
    }
}

/// A rate is withheld when a count it is built from in the same group is (a ratio's
/// numerator or denominator, a cohort's achieved or not achieved).
fn withhold_rates(rows: &mut [Row], library: &Library) {
    let hidden: HashSet<(Vec<String>, String)> =
        rows.iter().filter(|r| r.withheld.is_withheld()).map(|r| (r.keys.clone(), r.indicator.clone())).collect();
    for row in rows.iter_mut() {
        let Some(ind) = library.get(&row.indicator) else { continue };
        let part_hidden = ind.rate_parts().into_iter().any(|p| hidden.contains(&(row.keys.clone(), p)));
        if part_hidden {
            row.withheld = Withheld::Rate;
        }
    }
}

fn key_of(need: &Need, row: &Row, subject_dim: Option<&str>, fy_window: Option<&str>) -> Key {
    let mut fields = Vec::new();
    let mut when = match (need.span, fy_window) {
        (SpanKey::Period, Some(fy)) => When::Grain("financial_year", fy.to_string()),
        (SpanKey::Period, None) => When::Period,
        (SpanKey::ToDate, _) => When::ToDate,
    };
    for (d, v) in need.dims.iter().zip(&row.keys) {
        if Some(d.as_str()) == subject_dim {
            continue;
        }
        match Grain::parse(d) {
            Some(g) if need.span == SpanKey::Period && fy_window.is_none() => when = When::Clipped(g.name(), v.clone()),
            Some(g) => when = When::Grain(g.name(), v.clone()),
            None => fields.push((d.clone(), v.clone())),
        }
    }
    fields.sort();
    Key { indicator: row.indicator.clone(), fields, when }
}

/// The total of a table's periods: the report's period for a period-span table, every
/// record to date for a to-date one.
fn whole_span(key: &Key, span: SpanKey, fy_window: Option<&str>) -> Option<(Key, &'static str)> {
    let (When::Grain(grain, _) | When::Clipped(grain, _)) = key.when else { return None };
    let when = match (span, fy_window) {
        (SpanKey::Period, Some(fy)) => When::Grain("financial_year", fy.to_string()),
        (SpanKey::Period, None) => When::Period,
        (SpanKey::ToDate, _) => When::ToDate,
    };
    (when != key.when).then(|| (Key { when, ..key.clone() }, grain))
}

/// The financial year of a month or financial quarter, the year of a calendar quarter.
fn enclosing_year(key: &Key) -> Option<(Key, &'static str)> {
    let When::Grain(grain, label) = &key.when else { return None };
    let when = match *grain {
        "financial_quarter" => When::Grain("financial_year", label.split(' ').next()?.to_string()),
        "month" => {
            let (y, m) = label.split_once('-')?;
            let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
            let start = if m < 4 { y - 1 } else { y };
            When::Grain("financial_year", format!("{start}-{:02}", (start + 1) % 100))
        }
        "quarter" => When::Grain("year", label.split('-').next()?.to_string()),
        _ => return None,
    };
    Some((Key { when, ..key.clone() }, *grain))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn row(keys: &[&str], indicator: &str, value: f64) -> Row {
        Row {
            keys: keys.iter().map(|k| k.to_string()).collect(),
            indicator: indicator.into(),
            value: Some(value),
            records: value as i64,
            target: None,
            withheld: Withheld::No,
        }
    }

    fn window() -> Window {
        Window {
            from: NaiveDate::from_ymd_opt(2024, 4, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2025, 3, 31).unwrap(),
            label: "2024-25".into(),
            financial_year: Some("2024-25".into()),
        }
    }

    fn people() -> HashSet<String> {
        HashSet::from(["jobs_created".to_string()])
    }

    #[test]
    fn a_year_total_and_its_quarters_are_protected_together() {
        // The KPI tile says 25 job starts in 2024-25; the quarterly chart has 10, 3, 12
        // and 0. Alone, the chart's table would withhold 3 and its smallest sibling (0
        // is not a count to protect, so the next: 10); then 25 − 12 = 13 = 10 + 3, so
        // the pair stays safe only because two are withheld. Here the quarters are
        // only 3 and 22: withholding 3 alone would leave 25 − 22 = 3.
        let kpi = Need { dims: vec!["financial_year".into()], span: SpanKey::Period };
        let quarters = Need { dims: vec!["financial_quarter".into()], span: SpanKey::ToDate };
        let mut kpi_rows = vec![row(&["2024-25"], "jobs_created", 25.0)];
        let mut q_rows = vec![
            row(&["2024-25 Q1"], "jobs_created", 3.0),
            row(&["2024-25 Q2"], "jobs_created", 22.0),
            row(&["2023-24 Q4"], "jobs_created", 40.0),
        ];
        let library = crate::indicator::Library::from_indicators(Vec::new()).unwrap();
        protect_release(
            &mut [(&kpi, &mut kpi_rows), (&quarters, &mut q_rows)],
            &window(),
            &library,
            &people(),
            None,
            5,
        );
        assert_eq!(q_rows[0].withheld, Withheld::Small);
        // 25 (the year) = 3 + 22: one more of the year's three cells must go.
        let year_hidden = [kpi_rows[0].withheld, q_rows[1].withheld].iter().filter(|w| w.is_withheld()).count();
        assert_eq!(year_hidden, 1, "the year total or the other quarter is withheld: {kpi_rows:?} {q_rows:?}");
        assert!(q_rows.iter().chain(&kpi_rows).filter(|r| r.withheld.is_withheld()).all(|r| r.value.is_none()));
    }

    #[test]
    fn a_figure_in_two_tables_is_withheld_in_both() {
        // Programme table (period) and a table by programme and financial year (to
        // date): P1's 2024-25 figure is one cell in both.
        let by_prog = Need { dims: vec!["programme".into()], span: SpanKey::Period };
        let by_prog_year = Need { dims: vec!["programme".into(), "financial_year".into()], span: SpanKey::ToDate };
        let mut a = vec![
            row(&["P1"], "jobs_created", 2.0),
            row(&["P2"], "jobs_created", 30.0),
            row(&["P3"], "jobs_created", 9.0),
        ];
        let mut b = vec![
            row(&["P1", "2024-25"], "jobs_created", 2.0),
            row(&["P1", "2023-24"], "jobs_created", 7.0),
            row(&["P3", "2024-25"], "jobs_created", 9.0),
        ];
        let library = crate::indicator::Library::from_indicators(Vec::new()).unwrap();
        protect_release(&mut [(&by_prog, &mut a), (&by_prog_year, &mut b)], &window(), &library, &people(), None, 5);
        let hidden = |rows: &[Row], keys: &[&str]| rows.iter().find(|r| r.keys == keys).unwrap().withheld.is_withheld();
        assert!(hidden(&a, &["P1"]) && hidden(&b, &["P1", "2024-25"]));
        // P3's 9 is withheld in one table exactly when it is in the other.
        assert_eq!(hidden(&a, &["P3"]), hidden(&b, &["P3", "2024-25"]));
    }
}
