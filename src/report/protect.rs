//! Documents published together are protected together. Every count of people a
//! document prints (its figures by section, the peers of its rankings, the deliveries
//! of its commitments) is a cell of one ledger (`privacy::ledger`), known by what it
//! counts: its indicator, its fields (the subject's organisation or programme among
//! them) and the days it covers. A figure printed by two documents, or by two tables of
//! one, is one cell, withheld in both or in neither; the sums that tie cells together
//! (a year and its quarters, an organisation and its programmes, any document's total
//! and its parts) are protected wherever some document prints their total. One
//! command's documents are one release; a project's `[[release]]` makes several
//! commands' documents one.

use std::collections::{BTreeMap, HashMap};

use super::figures::Figures;
use super::need::{kpi_need, Need, SpanKey};
use super::row::Row;
use super::terms::{SubjectKind, Window};
use crate::aggregate::{Grain, Unit};
use crate::compare::{self, Per};
use crate::error::{Error, Result};
use crate::indicator::{Aggregation, Library, RollUp};
use crate::privacy::ledger::{Adds, Days, Figure, Key, Ledger, Protection, Whole};
use crate::privacy::Withheld;

/// One document (or one batch of a spec's documents, one per subject) of a release.
pub(crate) struct Document<'a> {
    /// The spec's name, as the public tables list the documents.
    pub name: String,
    /// What each document of the batch is about.
    pub subject: SubjectKind,
    /// The period.
    pub window: &'a Window,
    /// Every subject's figures, protected here.
    pub figures: &'a mut Figures,
    /// The batch's peer comparisons (every subject's ranking shows them all).
    pub comparisons: &'a HashMap<(Unit, Per), Vec<compare::Row>>,
    /// Every commitment's progress.
    pub commitments: &'a [crate::commitments::Progress],
}

/// The ledger of a release and what its protection decided.
pub struct Protected {
    /// Every cell the release publishes.
    pub ledger: Ledger,
    /// Which are withheld, and the sums that tie them.
    pub protection: Protection,
}

/// Where each document's cells are, to write the decisions back.
enum Place {
    Row { doc: usize, need: Need, subject: String, row: usize },
    Peer { doc: usize, by: Unit, per: Per, group: String, count: compare::Count },
    Commitment { doc: usize, contract: String, indicator: String },
}

/// Withholds, jointly over every document, the counts of people under `threshold`
/// and the cells that would give them away (chosen by cost; with `audit`, until the
/// audit finds no withheld cell a reader could work out); then rates built on a
/// withheld count, and means over too few records, in each document.
pub(crate) fn protect(docs: &mut [Document], library: &Library, threshold: u32, audit: bool) -> Result<Protected> {
    let people = crate::privacy::people_indicators(library);
    let part_of: HashMap<String, usize> = crate::privacy::held_together(library)
        .into_iter()
        .enumerate()
        .flat_map(|(g, ids)| ids.into_iter().map(move |id| (id, g)))
        .collect();
    let adds = |id: &str| adds_of(library, &part_of, id);
    let timer = crate::timing::start();
    let mut ledger = Ledger::new();
    ledger.tie_cohorts(crate::privacy::cohort_sizes(library));
    ledger.tie_sub_counts(library.iter().filter_map(|i| Some((i.id.clone(), i.within.clone()?))).collect());
    let mut places: Vec<(Place, usize)> = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        let window = doc.window;
        let kpi = kpi_need(window);
        let subject_col = doc.subject.column();
        for (need, subject, rows) in doc.figures.sorted_tables() {
            let name = match subject_col {
                Some(_) => format!("{} {subject}", doc.name),
                None => doc.name.clone(),
            };
            let id = ledger.document(&name);
            let mut held: BTreeMap<(&[String], usize), Vec<usize>> = BTreeMap::new();
            for (r, row) in rows.iter().enumerate().filter(|(_, row)| people.contains(&row.indicator)) {
                let Some(mut figure) = row_figure(need, row, subject_col.map(|c| (c, subject)), window) else {
                    continue;
                };
                figure.adds = adds(&row.indicator);
                figure.headline = *need == kpi;
                let cell = ledger.add(figure, id);
                if let Some(&g) = part_of.get(&row.indicator) {
                    held.entry((row.keys.as_slice(), g)).or_default().push(cell);
                }
                places.push((Place::Row { doc: d, need: need.clone(), subject: subject.to_string(), row: r }, cell));
            }
            for cells in held.into_values() {
                ledger.hold_together(cells);
            }
        }
        let span = Days { from: Some(window.from), to: window.to };
        let id = ledger.document(&doc.name);
        let mut comparisons: Vec<_> = doc.comparisons.iter().collect();
        comparisons.sort_by_key(|(k, _)| **k);
        for (&(by, per), rows) in comparisons {
            for row in rows {
                for (count, value) in compare::Count::of(row) {
                    let Some(figure) = peer_figure(by, &row.group, &count, value, &span, &people, &adds) else {
                        continue;
                    };
                    let cell = ledger.add(figure, id);
                    places.push((Place::Peer { doc: d, by, per, group: row.group.clone(), count }, cell));
                }
            }
        }
        for p in doc.commitments.iter().filter(|p| people.contains(&p.commitment.indicator) && p.records > 0) {
            let c = &p.commitment;
            let mut fields = vec![("organisation".to_string(), c.supplier.clone())];
            fields.extend(c.programme.iter().map(|p| ("programme".to_string(), p.clone())));
            let days = Days { from: Some(c.start), to: window.to.min(c.due) };
            let figure = Figure {
                key: Key::new(&c.indicator, fields, days),
                value: p.delivered,
                adds: adds(&c.indicator),
                whole: None,
                table: None,
                headline: false,
                older: false,
            };
            let cell = ledger.add(figure, id);
            places.push((
                Place::Commitment { doc: d, contract: c.contract.clone(), indicator: c.indicator.clone() },
                cell,
            ));
        }
    }
    crate::timing::lap(&timer, "privacy: ledger");
    let protection = ledger.protect(threshold, audit).map_err(|e| Error::internal(format!("privacy audit: {e}")))?;
    for (place, cell) in places {
        let why = protection.withheld[cell];
        match place {
            Place::Row { doc, need, subject, row } => {
                if let Some(r) = docs[doc].figures.row_mut(&need, &subject, row) {
                    r.withheld = why;
                }
            }
            Place::Peer { doc, by, per, group, count } => docs[doc].figures.withhold_peer(by, per, &group, count, why),
            Place::Commitment { doc, contract, indicator } => {
                if why.is_withheld() {
                    docs[doc].figures.commitments_withheld.insert((contract, indicator), why);
                }
            }
        }
    }
    let statistics = crate::privacy::statistic_indicators(library);
    for doc in docs.iter_mut() {
        doc.figures.for_each_rows(|rows| {
            for row in rows.iter_mut() {
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
        });
    }
    Ok(Protected { ledger, protection })
}

/// How an indicator's counts add up (see `ledger::Adds`).
fn adds_of(library: &Library, part_of: &HashMap<String, usize>, id: &str) -> Adds {
    // A cohort's part (its people who achieved, did not, or are pending) counts people
    // once, and a part's people are among its total's.
    if part_of.contains_key(id) {
        return Adds::Once { within: true };
    }
    match library.get(id).map(|i| i.roll_up()) {
        Some(RollUp::Distinct) => Adds::Once { within: true },
        Some(RollUp::Stock { .. } | RollUp::Cohort) => Adds::Once { within: false },
        Some(RollUp::Flow(Aggregation::Sum | Aggregation::Count)) | None => Adds::Up,
        Some(_) => Adds::Once { within: false },
    }
}

/// The cell a figure row is: the subject and the need's other dimensions as fields,
/// its period (or the need's span) as days.
fn row_figure(need: &Need, row: &Row, subject: Option<(&str, &str)>, window: &Window) -> Option<Figure> {
    let span = match need.span {
        SpanKey::Period => Days { from: Some(window.from), to: window.to },
        SpanKey::ToDate => Days { from: None, to: window.to },
    };
    let mut fields: Vec<(String, String)> = subject.map(|(c, s)| (c.to_string(), s.to_string())).into_iter().collect();
    let mut period: Option<(Grain, &str)> = None;
    for (d, v) in need.dims.iter().zip(&row.keys) {
        if subject.is_some_and(|(c, _)| c == d) {
            continue;
        }
        match Grain::parse(d) {
            Some(g) => period = Some((g, v.as_str())),
            None => fields.push((d.clone(), v.clone())),
        }
    }
    let (days, whole, table) = match period {
        None => (span, None, None),
        Some((grain, label)) => {
            let (from, to) = grain.days(label)?;
            let clipped = Days { from: Some(span.from.map_or(from, |f| f.max(from))), to: to.min(window.to) };
            let whole = (clipped.from == Some(from) && clipped.to == to).then_some(match grain {
                Grain::Month => Whole::Month,
                Grain::Quarter | Grain::FinancialQuarter => Whole::Quarter,
                Grain::Year | Grain::FinancialYear => Whole::Year,
            });
            (clipped, whole, Some(span))
        }
    };
    let older = days.to < window.from;
    Some(Figure {
        key: Key::new(&row.indicator, fields, days),
        value: row.value.unwrap_or(0.0),
        adds: Adds::Up,
        whole,
        table,
        headline: false,
        older,
    })
}

/// The cell a peer's count is (see `compare::Count`): the peer as a field; a count in
/// priority groups has a field saying so; a year's count covers that financial year.
fn peer_figure(
    by: Unit,
    group: &str,
    count: &compare::Count,
    value: f64,
    span: &Days,
    people: &std::collections::HashSet<String>,
    adds: &dyn Fn(&str) -> Adds,
) -> Option<Figure> {
    let peer = (by.column().to_string(), group.to_string());
    let (indicator, fields, days, adds, whole) = match count {
        compare::Count::Value(id) => (id.clone(), vec![peer], span.clone(), adds(id), None),
        compare::Count::Participants => {
            (PARTICIPANTS.to_string(), vec![peer], span.clone(), Adds::Once { within: true }, None)
        }
        compare::Count::Priority(id) => {
            let reach = ("reach".to_string(), "priority groups".to_string());
            (id.clone(), vec![peer, reach], span.clone(), adds(id), None)
        }
        compare::Count::Year(id, year) => {
            let (from, to) = Grain::FinancialYear.days(year)?;
            (id.clone(), vec![peer], Days { from: Some(from), to }, adds(id), Some(Whole::Year))
        }
    };
    if indicator != PARTICIPANTS && !people.contains(&indicator) {
        return None;
    }
    Some(Figure {
        key: Key::new(&indicator, fields, days),
        value,
        adds,
        whole,
        table: None,
        headline: false,
        older: false,
    })
}

/// The ledger's name for a peer's distinct participants.
pub const PARTICIPANTS: &str = "participants";

/// A rate is withheld when a count it is built from in the same group is (a ratio's
/// numerator or denominator, a cohort's achieved or not achieved).
fn withhold_rates(rows: &mut [Row], library: &Library) {
    let hidden: std::collections::HashSet<(Vec<String>, String)> =
        rows.iter().filter(|r| r.withheld.is_withheld()).map(|r| (r.keys.clone(), r.indicator.clone())).collect();
    for row in rows.iter_mut() {
        let Some(ind) = library.get(&row.indicator) else { continue };
        let part_hidden = ind.rate_parts().into_iter().any(|p| hidden.contains(&(row.keys.clone(), p)));
        if part_hidden {
            row.withheld = Withheld::Rate;
        }
    }
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

    #[test]
    fn a_kpi_and_the_same_year_in_a_chart_are_one_cell() {
        let kpi = Need { dims: vec!["financial_year".into()], span: SpanKey::Period };
        let years = Need { dims: vec!["financial_year".into()], span: SpanKey::ToDate };
        let quarters = Need { dims: vec!["financial_quarter".into()], span: SpanKey::ToDate };
        let subject = Some(("organisation", "ORG03"));
        let a = row_figure(&kpi, &row(&["2024-25"], "jobs", 25.0), subject, &window()).unwrap();
        let b = row_figure(&years, &row(&["2024-25"], "jobs", 25.0), subject, &window()).unwrap();
        assert_eq!(a.key, b.key);
        // A financial quarter covers its three months whole.
        let q = row_figure(&quarters, &row(&["2024-25 Q1"], "jobs", 3.0), subject, &window()).unwrap();
        assert_eq!(q.whole, Some(Whole::Quarter));
        assert_eq!(q.key.days.from, NaiveDate::from_ymd_opt(2024, 4, 1));
        assert_eq!(q.key.fields, vec![("organisation".to_string(), "ORG03".to_string())]);
        // An older year is older.
        let old = row_figure(&years, &row(&["2022-23"], "jobs", 2.0), subject, &window()).unwrap();
        assert!(old.older && !a.older);
    }
}
