//! Small-number suppression for published outputs. A count of people between 1 and
//! the threshold is withheld (primary suppression); then, along every dimension, a
//! group of sibling cells with exactly one withheld cell has its smallest other cell
//! withheld too (secondary suppression), so no withheld value can be recovered by
//! subtracting the others from a total. Rates built on a withheld count are withheld.
//!
//! Dimensions named as `apart` split the table into parts published in separate
//! documents (one board pack per organisation): each part is protected on its own,
//! and no cell is withheld to protect a cell of another part, which the reader of
//! this part never sees.

use std::collections::HashSet;

use polars::prelude::*;

use crate::error::Result;
use crate::indicator::{Aggregation, Library};

pub mod audit;
pub mod derived;
pub mod ledger;
pub mod suppress;
pub mod to_date;

pub use suppress::{protect, Cells, Relation, Sum};

/// The default threshold: counts of people under 5 are not published.
pub const DEFAULT_THRESHOLD: u32 = 5;

/// Why a figure is not published. Each reason has its own mark, so a mark never
/// says more than is true: "<5" only ever stands on a count of 1 to 4 people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Withheld {
    /// Published.
    #[default]
    No,
    /// A count of people under the threshold (primary suppression).
    Small,
    /// Withheld so that a small count beside it cannot be worked out from a total
    /// (secondary suppression); it may be any count, large or small.
    Secondary,
    /// A rate whose numerator or denominator is withheld.
    Rate,
    /// A mean, minimum or maximum over fewer records than the threshold: it could
    /// describe one person.
    Few,
}

impl Withheld {
    /// Anything but published.
    pub fn is_withheld(self) -> bool {
        self != Withheld::No
    }

    /// A small number for a table column (0 published, 1 small, 2 secondary, 3 rate).
    pub fn code(self) -> i32 {
        self as i32
    }

    /// The reason with this code (see `code`); unknown codes read as published.
    pub fn from_code(code: i32) -> Withheld {
        match code {
            1 => Withheld::Small,
            2 => Withheld::Secondary,
            3 => Withheld::Rate,
            4 => Withheld::Few,
            _ => Withheld::No,
        }
    }

    /// The word written in the `withheld` column of figure tables.
    pub fn word(self) -> Option<&'static str> {
        match self {
            Withheld::No => None,
            Withheld::Small => Some("small"),
            Withheld::Secondary => Some("secondary"),
            Withheld::Rate => Some("rate"),
            Withheld::Few => Some("few"),
        }
    }

    /// The reason with this word (see `word`); unknown words read as published.
    pub fn from_word(word: &str) -> Withheld {
        match word {
            "small" => Withheld::Small,
            "secondary" => Withheld::Secondary,
            "rate" => Withheld::Rate,
            "few" => Withheld::Few,
            _ => Withheld::No,
        }
    }

    /// The mark printed in place of the figure.
    pub fn mark(self, threshold: u32) -> String {
        match self {
            Withheld::No => String::new(),
            Withheld::Small => format!("<{threshold}"),
            Withheld::Secondary => SECONDARY_MARK.to_string(),
            Withheld::Rate => RATE_MARK.to_string(),
            Withheld::Few => FEW_MARK.to_string(),
        }
    }
}

/// Printed for a figure withheld to protect another.
pub const SECONDARY_MARK: &str = "[c]";
/// Printed for a rate withheld because a count it is built from is withheld.
pub const RATE_MARK: &str = "[r]";
/// Printed for a mean, minimum or maximum over too few records.
pub const FEW_MARK: &str = "[p]";

/// One line explaining each mark, for the page or file where the marks appear.
pub fn explain(mark: Withheld, threshold: u32) -> String {
    match mark {
        Withheld::No => String::new(),
        Withheld::Small => format!("<{threshold}: a count of 1 to {} people (or of records about them), withheld to protect them.", threshold - 1),
        Withheld::Secondary => format!(
            "{SECONDARY_MARK}: withheld so that a count under {threshold} cannot be worked out by adding or subtracting published figures; it may be any count, large or small."
        ),
        Withheld::Rate => format!("{RATE_MARK}: a rate withheld because a count it is built from is withheld."),
        Withheld::Few => format!("{FEW_MARK}: a mean, minimum or maximum over fewer than {threshold} records, withheld: it could describe one person."),
    }
}

/// Indicators whose figure is a mean, minimum or maximum of records' values: over a
/// few records it describes the few people behind them.
pub fn statistic_indicators(library: &Library) -> HashSet<String> {
    use crate::indicator::RollUp;
    library
        .iter()
        .filter(|i| matches!(i.roll_up(), RollUp::Flow(Aggregation::Mean | Aggregation::Min | Aggregation::Max)))
        .map(|i| i.id.clone())
        .collect()
}

/// A statistic over 1 to threshold − 1 records is withheld.
pub fn too_few(is_statistic: bool, records: i64, threshold: u32) -> bool {
    is_statistic && records > 0 && records < i64::from(threshold)
}

/// Marks `Few` each published statistic of `df` (indicator and records columns; a
/// table without records has none) over 1 to threshold − 1 records.
pub fn mark_few(df: &DataFrame, library: &Library, threshold: u32, withheld: &mut [Withheld]) -> Result<()> {
    let Ok(records) = df.column("records") else { return Ok(()) };
    let records = records.cast(&DataType::Int64)?;
    let statistics = statistic_indicators(library);
    let indicators = df.column("indicator")?.str()?;
    for ((flag, id), records) in withheld.iter_mut().zip(indicators.iter()).zip(records.i64()?.iter()) {
        let is_statistic = id.is_some_and(|id| statistics.contains(id));
        if *flag == Withheld::No && too_few(is_statistic, records.unwrap_or(0), threshold) {
            *flag = Withheld::Few;
        }
    }
    Ok(())
}

/// Indicators whose values are counts of people.
pub fn people_indicators(library: &Library) -> HashSet<String> {
    let mut people: HashSet<String> = library
        .iter()
        .filter(|i| i.counts_people || i.aggregation == Aggregation::Distinct)
        .map(|i| i.id.clone())
        .collect();
    // A cohort's parts count its participants.
    people.extend(library.iter().flat_map(|i| i.cohort_parts()).map(|(id, _)| id));
    people
}

/// Indicators whose figures in one cell are withheld together: each cohort's parts.
/// The cohort's size is about its event's count (people starting work), published
/// beside it, so one withheld part could be worked out from the other two.
pub fn held_together(library: &Library) -> Vec<Vec<String>> {
    library
        .iter()
        .map(|i| i.cohort_parts().into_iter().map(|(id, _)| id).collect::<Vec<_>>())
        .filter(|parts| !parts.is_empty())
        .collect()
}

/// Each cohort's event and its parts: the people of a cohort are among its event's
/// count in the same cell (all of them, for an event counting distinct people), so a
/// withheld event count is the sum of published parts, or at least it.
pub fn cohort_sizes(library: &Library) -> Vec<(String, Vec<String>)> {
    library
        .iter()
        .filter_map(|i| {
            let parts: Vec<String> = i.cohort_parts().into_iter().map(|(id, _)| id).collect();
            Some((i.cohort.clone()?, parts)).filter(|(_, parts)| !parts.is_empty())
        })
        .collect()
}

/// Each row by its cell (`order`: the row's cell, without its indicator) and indicator.
fn cell_rows<'a>(
    indicator: &'a StringChunked,
    order: &'a [Vec<u32>],
) -> std::collections::HashMap<(&'a [u32], &'a str), usize> {
    indicator.iter().zip(order).enumerate().filter_map(|(i, (id, key))| Some(((key.as_slice(), id?), i))).collect()
}

/// The sums of each cell's cohort parts under their event's count (see
/// `cohort_sizes`), where the values fit (`order`: each row's cell, without its
/// indicator).
pub(crate) fn size_sums(
    indicator: &StringChunked,
    order: &[Vec<u32>],
    value: &[f64],
    sizes: &[(String, Vec<String>)],
) -> Vec<Sum> {
    let rows = cell_rows(indicator, order);
    let mut sums = Vec::new();
    for ((key, id), &total) in &rows {
        for (_, parts) in sizes.iter().filter(|(event, _)| event == id) {
            let parts: Vec<usize> = parts.iter().filter_map(|p| rows.get(&(*key, p.as_str())).copied()).collect();
            let values: Vec<f64> = parts.iter().map(|p| value[*p]).collect();
            if let Some(relation) = ledger::relation(ledger::Adds::Up, value[total], &values) {
                sums.push(Sum { total: Some(total), parts, relation });
            }
        }
    }
    // In the cells' order, so the same table always gives the same sums.
    sums.sort_by_key(|s| s.total);
    sums
}

/// The library's sub-counts (`within`: jobs for priority groups within job starts) as
/// sums a reader knows: in each cell (`order`: each row's cell, without its
/// indicator), a part is at most its whole (where the values keep the rule).
pub(crate) fn within_sums(indicator: &StringChunked, order: &[Vec<u32>], value: &[f64], library: &Library) -> Vec<Sum> {
    let wholes: std::collections::HashMap<&str, &str> =
        library.iter().filter_map(|i| Some((i.id.as_str(), i.within.as_deref()?))).collect();
    if wholes.is_empty() {
        return Vec::new();
    }
    let rows = cell_rows(indicator, order);
    let mut sums: Vec<Sum> = rows
        .iter()
        .filter_map(|((key, id), &part)| {
            let whole = *rows.get(&(*key, *wholes.get(id)?))?;
            (value[part] <= value[whole]).then_some(Sum {
                total: Some(whole),
                parts: vec![part],
                relation: Relation::Within,
            })
        })
        .collect();
    // In the cells' order, so the same table always gives the same sums.
    sums.sort_by_key(|s| (s.total, s.parts.clone()));
    sums
}

/// Which rows of a figures table (dims…, indicator, value) to withhold, and why.
/// `apart` names dimensions (among `dims`) whose values are published separately;
/// `together` lists indicators withheld as one within a cell (see `held_together`);
/// `sizes` ties each cohort's parts to its event's count (see `cohort_sizes`);
/// `library`'s sub-count rules tie parts to wholes (see `within_sums`); a threshold under 2 withholds nothing (no count of people is under 1).
#[allow(clippy::too_many_arguments)]
pub fn flags(
    df: &DataFrame,
    dims: &[&str],
    apart: &[&str],
    people: &HashSet<String>,
    together: &[Vec<String>],
    sizes: &[(String, Vec<String>)],
    library: &Library,
    threshold: u32,
) -> Result<Vec<Withheld>> {
    let n = df.height();
    let Table { ranks, indicator, indicator_rank, value, is_people } = Table::read(df, dims, people)?;
    let order: Vec<Vec<u32>> = (0..n).map(|i| ranks.iter().map(|r| r[i]).collect()).collect();
    // Along every dimension published together: the cells that differ only in that
    // dimension add up to a total the reader can see (or work out). Groups are taken
    // in the order of their (indicator, other dimensions) texts.
    let people_rows: Vec<usize> = (0..n).filter(|i| is_people[*i]).collect();
    let mut sums: Vec<Vec<usize>> = Vec::new();
    for d in (0..dims.len()).filter(|d| !apart.contains(&dims[*d])) {
        sums.extend(siblings(&people_rows, &indicator_rank, &ranks, d));
    }
    let held = held_cells(&indicator, &order, together);
    let mut sums: Vec<Sum> = sums.into_iter().map(Sum::siblings).collect();
    sums.extend(size_sums(&indicator, &order, &value, sizes));
    sums.extend(within_sums(&indicator, &order, &value, library));
    let cost = vec![0; n];
    Ok(protect(&Cells { value: &value, people: &is_people, cost: &cost, order: &order }, &sums, &held, threshold))
}

/// The cells withheld as one (`privacy::held_together`): in each row, the parts of one
/// group of indicators.
pub(crate) fn held_cells(indicator: &StringChunked, order: &[Vec<u32>], together: &[Vec<String>]) -> Vec<Vec<usize>> {
    let group_of: std::collections::HashMap<&str, usize> =
        together.iter().enumerate().flat_map(|(g, ids)| ids.iter().map(move |id| (id.as_str(), g))).collect();
    let mut held: std::collections::BTreeMap<(&[u32], usize), Vec<usize>> = Default::default();
    for (i, (id, key)) in indicator.iter().zip(order).enumerate() {
        if let Some(&g) = id.and_then(|id| group_of.get(id)) {
            held.entry((key.as_slice(), g)).or_default().push(i);
        }
    }
    held.into_values().collect()
}

/// A figures table as its protection reads it.
pub(crate) struct Table {
    /// Per dimension, each row's text as its rank among the column's sorted values:
    /// comparing ranks orders cells exactly as comparing their texts would, at the
    /// cost of integers.
    pub ranks: Vec<Vec<u32>>,
    pub indicator: StringChunked,
    pub indicator_rank: Vec<u32>,
    /// Each row's value (0 where there is none).
    pub value: Vec<f64>,
    /// Each row is a count of people.
    pub is_people: Vec<bool>,
}

impl Table {
    /// The `dims`, `indicator` and `value` columns of `df`; `people` names the
    /// indicators that count people.
    pub(crate) fn read(df: &DataFrame, dims: &[&str], people: &HashSet<String>) -> Result<Table> {
        let ranks: Vec<Vec<u32>> = dims.iter().map(|d| ranked(df.column(d)?)).collect::<Result<_>>()?;
        let indicator = df.column("indicator")?.str()?.clone();
        let indicator_rank = ranked(df.column("indicator")?)?;
        let value: Vec<f64> =
            df.column("value")?.cast(&DataType::Float64)?.f64()?.iter().map(|v| v.unwrap_or(0.0)).collect();
        let is_people: Vec<bool> = indicator.iter().map(|i| people.contains(i.unwrap_or(""))).collect();
        Ok(Table { ranks, indicator, indicator_rank, value, is_people })
    }
}

/// The groups of `rows` that differ only in dimension `d`: siblings whose sum a
/// reader can see or work out. Groups come in the order of their (indicator, other
/// dimensions) ranks.
pub(crate) fn siblings(rows: &[usize], indicator_rank: &[u32], ranks: &[Vec<u32>], d: usize) -> Vec<Vec<usize>> {
    let cardinality = |r: &[u32]| u64::from(r.iter().copied().max().unwrap_or(0)) + 1;
    let cards: Vec<u64> = ranks.iter().map(|r| cardinality(r)).collect();
    let mut groups = Vec::new();
    // The group key packed into one integer (mixed radix over the columns' ranks),
    // which keeps the texts' order and sorts fast; a key too wide for 64 bits is
    // compared rank by rank instead.
    let packed: Option<Vec<u64>> = rows
        .iter()
        .map(|&i| {
            let mut key = u64::from(indicator_rank[i]);
            for (k, r) in ranks.iter().enumerate().filter(|(k, _)| *k != d) {
                key = key.checked_mul(cards[k])?.checked_add(u64::from(r[i]))?;
            }
            Some(key)
        })
        .collect();
    match packed {
        Some(keys) => {
            let mut keyed: Vec<(u64, usize)> = keys.into_iter().zip(rows.iter().copied()).collect();
            keyed.sort_unstable();
            for group in keyed.chunk_by(|a, b| a.0 == b.0) {
                groups.push(group.iter().map(|(_, i)| *i).collect());
            }
        }
        None => {
            let key = |i: usize| {
                std::iter::once(indicator_rank[i])
                    .chain(ranks.iter().enumerate().filter(move |(k, _)| *k != d).map(move |(_, r)| r[i]))
            };
            let mut rows = rows.to_vec();
            rows.sort_unstable_by(|a, b| key(*a).cmp(key(*b)).then(a.cmp(b)));
            for group in rows.chunk_by(|a, b| key(*a).eq(key(*b))) {
                groups.push(group.to_vec());
            }
        }
    }
    groups
}

/// Each value's rank among the column's distinct texts in sorted order (a gap counts
/// as the empty text, first).
fn ranked(column: &Column) -> Result<Vec<u32>> {
    let text = column.cast(&DataType::String)?;
    let text = text.str()?;
    let mut distinct: Vec<&str> = text.iter().map(|v| v.unwrap_or("")).collect::<HashSet<_>>().into_iter().collect();
    distinct.sort_unstable();
    let rank: std::collections::HashMap<&str, u32> = distinct.iter().enumerate().map(|(r, s)| (*s, r as u32)).collect();
    Ok(text.iter().map(|v| rank[v.unwrap_or("")]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(orgs: &[&str], values: &[f64]) -> DataFrame {
        df!(
            "organisation" => orgs,
            "indicator" => vec!["jobs_created"; orgs.len()],
            "value" => values
        )
        .unwrap()
    }

    fn marks(f: Vec<Withheld>) -> Vec<bool> {
        f.into_iter().map(Withheld::is_withheld).collect()
    }

    fn lib() -> Library {
        Library::from_indicators(Vec::new()).expect("library")
    }

    fn people() -> HashSet<String> {
        HashSet::from(["jobs_created".to_string()])
    }

    #[test]
    fn a_lone_small_count_takes_the_next_smallest_with_it() {
        // 3 is under 5; alone it could be recovered from the total (3 + 10 + 20 = 33),
        // so the next smallest count of 5 or more (10) is withheld too; 20 and 0 stay
        // (a withheld 0 would leave 3 + [c] = 3: the 3 given away).
        let df = table(&["A", "B", "C", "D"], &[3.0, 10.0, 20.0, 0.0]);
        let f = marks(flags(&df, &["organisation"], &[], &people(), &[], &[], &lib(), 5).unwrap());
        assert_eq!(f, vec![true, true, false, false]);
    }

    #[test]
    fn cells_held_together_are_withheld_as_one() {
        // One cohort, by organisation: A's parts 20 / 2 / 0, B's 30 / 10 / 6. A's 2 is
        // small: A's other part with people (20) goes with it; its 0 stays (a
        // published 0 gives nothing away). Then each part, across
        // organisations, has a lone withheld cell (A's), so B's goes too, and with it
        // all of B's.
        let df = df!(
            "organisation" => ["A", "A", "A", "B", "B", "B"],
            "indicator" => ["c.achieved", "c.not_achieved", "c.pending", "c.achieved", "c.not_achieved", "c.pending"],
            "value" => [20.0, 2.0, 0.0, 30.0, 10.0, 6.0]
        )
        .unwrap();
        let people: HashSet<String> = ["c.achieved", "c.not_achieved", "c.pending"].map(String::from).into();
        let together = vec![vec!["c.achieved".to_string(), "c.not_achieved".to_string(), "c.pending".to_string()]];
        let f = flags(&df, &["organisation"], &[], &people, &together, &[], &lib(), 5).unwrap();
        assert_eq!(f[1], Withheld::Small);
        assert_eq!(marks(f), vec![true, true, false, true, true, true]);
        // Apart (one document per organisation), B's cohort stands.
        let f = flags(&df, &["organisation"], &["organisation"], &people, &together, &[], &lib(), 5).unwrap();
        assert_eq!(marks(f), vec![true, true, false, false, false, false]);
    }

    #[test]
    fn a_withheld_event_count_is_not_the_sum_of_its_published_cohort() {
        // People starting work by organisation: A 3 (small), B 12 (withheld to protect
        // A across organisations), C 40. B's cohort of 12 is 6 sustained, 6 not, 0
        // pending: published, they would add up to B's withheld 12; so they go too.
        let ids = ["ev", "c.achieved", "c.not_achieved", "c.pending"];
        let df = df!(
            "organisation" => ["A", "B", "C", "B", "B", "B"],
            "indicator" => ["ev", "ev", "ev", ids[1], ids[2], ids[3]],
            "value" => [3.0, 12.0, 40.0, 6.0, 6.0, 0.0]
        )
        .unwrap();
        let people: HashSet<String> = ids.map(String::from).into();
        let together = vec![ids[1..].iter().map(|s| s.to_string()).collect::<Vec<_>>()];
        let sizes = vec![("ev".to_string(), together[0].clone())];
        let without = marks(flags(&df, &["organisation"], &[], &people, &together, &[], &lib(), 5).unwrap());
        assert_eq!(without, vec![true, true, false, false, false, false], "unprotected, B's count is its parts' sum");
        let with = marks(flags(&df, &["organisation"], &[], &people, &together, &sizes, &lib(), 5).unwrap());
        assert_eq!(with, vec![true, true, false, true, true, false]);
    }

    #[test]
    fn two_small_counts_protect_each_other() {
        let df = table(&["A", "B", "C"], &[3.0, 4.0, 20.0]);
        assert_eq!(
            marks(flags(&df, &["organisation"], &[], &people(), &[], &[], &lib(), 5).unwrap()),
            vec![true, true, false]
        );
    }

    #[test]
    fn other_indicators_and_large_counts_are_untouched() {
        let mut df = table(&["A", "B"], &[3.0, 50.0]);
        df.with_column(Column::new("indicator".into(), ["volunteer_hours", "volunteer_hours"])).unwrap();
        assert_eq!(
            marks(flags(&df, &["organisation"], &[], &people(), &[], &[], &lib(), 5).unwrap()),
            vec![false, false]
        );
        let df = table(&["A", "B"], &[30.0, 50.0]);
        assert_eq!(
            marks(flags(&df, &["organisation"], &[], &people(), &[], &[], &lib(), 5).unwrap()),
            vec![false, false]
        );
    }

    #[test]
    fn two_dimensions_are_protected_both_ways() {
        // Organisation × year:      2023  2024
        //                      A       2    30
        //                      B      40    50
        // 2 is withheld; across years A's other cell (30) goes; across organisations in
        // 2023, B's 40 goes; then 2024 has a lone withheld 30, so B 2024 (50) goes.
        let df = df!(
            "organisation" => ["A", "A", "B", "B"],
            "year" => ["2023", "2024", "2023", "2024"],
            "indicator" => ["jobs_created"; 4],
            "value" => [2.0, 30.0, 40.0, 50.0]
        )
        .unwrap();
        let f = marks(flags(&df, &["organisation", "year"], &[], &people(), &[], &[], &lib(), 5).unwrap());
        assert_eq!(f, vec![true, true, true, true]);
    }

    #[test]
    fn marks_say_why_a_figure_is_withheld() {
        // 3 is small (<5); 40 is withheld only to protect it, so it must not print "<5".
        let df = table(&["A", "B", "C"], &[3.0, 40.0, 60.0]);
        let f = flags(&df, &["organisation"], &[], &people(), &[], &[], &lib(), 5).unwrap();
        assert_eq!(f, vec![Withheld::Small, Withheld::Secondary, Withheld::No]);
        assert_eq!(f[0].mark(5), "<5");
        assert_eq!(f[1].mark(5), SECONDARY_MARK);
        for w in [Withheld::No, Withheld::Small, Withheld::Secondary, Withheld::Rate, Withheld::Few] {
            assert_eq!(Withheld::from_code(w.code()), w);
            assert_eq!(w.word().map_or(Withheld::No, Withheld::from_word), w);
        }
    }

    #[test]
    fn parts_published_apart_are_protected_each_on_its_own() {
        // Organisation × group, each organisation in its own document. A's small 2
        // takes A's next cell (10) with it, inside A's table; B's 24 is not withheld
        // to protect a cell of A's document, which B's reader never sees.
        let df = df!(
            "organisation" => ["A", "A", "A", "B", "B"],
            "group" => ["x", "y", "z", "x", "y"],
            "indicator" => ["jobs_created"; 5],
            "value" => [2.0, 10.0, 30.0, 24.0, 48.0]
        )
        .unwrap();
        let apart = flags(&df, &["organisation", "group"], &["organisation"], &people(), &[], &[], &lib(), 5).unwrap();
        assert_eq!(apart, vec![Withheld::Small, Withheld::Secondary, Withheld::No, Withheld::No, Withheld::No]);
        // Published together, the group x column (2, 24) needs B's 24 withheld too.
        let together = flags(&df, &["organisation", "group"], &[], &people(), &[], &[], &lib(), 5).unwrap();
        assert_eq!(together[3], Withheld::Secondary);
    }

    #[test]
    fn a_threshold_of_one_withholds_nothing() {
        let df = table(&["A", "B"], &[1.0, 3.0]);
        assert_eq!(
            marks(flags(&df, &["organisation"], &[], &people(), &[], &[], &lib(), 1).unwrap()),
            vec![false, false]
        );
    }
}
