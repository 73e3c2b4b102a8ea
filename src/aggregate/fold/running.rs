//! Figures to date: each row of a table by period, over every record from the start
//! up to the end of the row's period. Built from the fold's own cells, so each
//! indicator's rule runs on them unchanged: sums, counts, minima and maxima add up
//! period by period; people are counted once across periods (their cells' hashes
//! merged, so someone seen in two quarters counts once to date); a stock's snapshots
//! of earlier periods stand in later ones, where its time rule (latest, mean, …)
//! reads them; a cohort's members of earlier periods are followed up with the rest.
//! Summing a table's figures over its periods instead is the classic error for
//! people and stocks.

use super::*;

/// For every row of the table the cells make (its groups, period and indicator), the
/// cell of everything up to that row's period: the cells of the figures to date, keyed
/// as the rows' cells are. An indicator has a row to date in every period of the table
/// for its groups from its first on, records in that period or not, so a ratio to date
/// finds both its parts. `slot` is the period's; `is_stock` tells a stock's cells.
pub(super) fn cells(cells: &[(Key, Cell)], slot: usize, is_stock: impl Fn(&Key) -> bool) -> Vec<(Key, Cell)> {
    // A group is a cell's key without its period (and a stock's unit and day); a
    // place, a group without its indicator: the periods the table has for it.
    let group = |key: &Key| {
        let mut g = *key;
        (g[ORG], g[PROG], g[DATE], g[slot]) = (0, 0, 0, 0);
        g
    };
    let place = |key: &Key| {
        let mut p = group(key);
        p[IND] = 0;
        p
    };
    let mut periods: PlHashMap<Key, Vec<u32>> = PlHashMap::default();
    let mut groups: PlHashMap<Key, Vec<usize>> = PlHashMap::default();
    for (at, (key, _)) in cells.iter().enumerate() {
        periods.entry(place(key)).or_default().push(key[slot]);
        groups.entry(group(key)).or_default().push(at);
    }
    // Period keys are numbered so that a later period has a larger key.
    for p in periods.values_mut() {
        p.sort_unstable();
        p.dedup();
    }
    let mut groups: Vec<Vec<usize>> = groups.into_values().collect();
    // In the order of the groups' first cells, so the same records give the same cells.
    groups.sort_unstable_by_key(|members| members[0]);
    let mut out: Vec<(Key, Cell)> = Vec::new();
    for mut members in groups {
        let first = &cells[members[0]].0;
        let periods = &periods[&place(first)];
        if is_stock(first) {
            // A stock's cells (one per unit and day) stay apart, for its time rule:
            // each stands in its own period and every later one.
            for &at in &members {
                let (key, cell) = &cells[at];
                for &period in periods.iter().filter(|p| **p >= key[slot]) {
                    let mut to = *key;
                    to[slot] = period;
                    out.push((to, cell.clone()));
                }
            }
            continue;
        }
        // Any other group has one cell per period: a running cell takes each in turn.
        members.sort_unstable_by_key(|at| cells[*at].0[slot]);
        let from = cells[members[0]].0[slot];
        let mut own = members.iter().map(|at| &cells[*at]).peekable();
        let mut running = Cell { min: f64::INFINITY, max: f64::NEG_INFINITY, ..Cell::default() };
        for &period in periods.iter().filter(|p| **p >= from) {
            if let Some((_, cell)) = own.next_if(|(key, _)| key[slot] == period) {
                running.merge(cell);
            }
            let mut to = *first;
            to[slot] = period;
            out.push((to, running.clone()));
        }
    }
    out
}

impl Cell {
    /// Takes in `other`'s records, as if they had been added to this cell; its
    /// people stay sorted and counted once.
    fn merge(&mut self, other: &Cell) {
        self.sum.add(other.sum.total);
        self.sum.carry += other.sum.carry;
        self.values += other.values;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.records += other.records;
        if let Some(theirs) = &other.people {
            let mine = self.people();
            let mut new = theirs.distinct.clone();
            new.settle();
            mine.distinct.settle();
            mine.distinct.hashes = union(&mine.distinct.hashes, &new.hashes);
            mine.distinct.distinct = mine.distinct.hashes.len();
            mine.members.extend_from_slice(&theirs.members);
        }
    }
}

/// The sorted union of two sorted lists without repeats, in one walk.
fn union(a: &[u128], b: &[u128]) -> Vec<u128> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let next = a[i].min(b[j]);
        i += usize::from(a[i] == next);
        j += usize::from(b[j] == next);
        out.push(next);
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(period: u32, ind: u32) -> Key {
        let mut k = Key::default();
        k[0] = period;
        k[IND] = ind;
        k
    }

    fn cell(sum: f64, people: &[u128]) -> Cell {
        let mut c = Cell { min: sum, max: sum, values: 1, records: 1, ..Cell::default() };
        c.sum.add(sum);
        for p in people {
            c.people().distinct.add(*p);
        }
        c
    }

    #[test]
    fn each_period_takes_in_every_earlier_one_and_people_count_once() {
        // Periods 1, 2, 4 of one indicator: sums 3, 5, 2 → to date 3, 8, 10; people
        // {a, b}, {b, c}, {d} → to date 2, 3 (b once), 4.
        let cells =
            vec![(key(1, 0), cell(3.0, &[1, 2])), (key(2, 0), cell(5.0, &[2, 3])), (key(4, 0), cell(2.0, &[4]))];
        let mut running = super::cells(&cells, 0, |_| false);
        running.sort_by_key(|(k, _)| k[0]);
        let sums: Vec<f64> = running.iter().map(|(_, c)| c.sum.value()).collect();
        assert_eq!(sums, vec![3.0, 8.0, 10.0]);
        let people: Vec<usize> = running
            .iter_mut()
            .map(|(_, c)| {
                let p = &mut c.people().distinct;
                p.settle();
                p.count()
            })
            .collect();
        assert_eq!(people, vec![2, 3, 4]);
        assert_eq!(running.iter().map(|(_, c)| c.records).collect::<Vec<_>>(), vec![1, 2, 3]);
        assert_eq!(running.iter().map(|(_, c)| c.min).collect::<Vec<_>>(), vec![3.0, 3.0, 2.0]);
    }

    #[test]
    fn an_indicator_has_a_row_to_date_in_every_later_period_of_its_place() {
        // Indicator 0 has records in periods 1 and 3, indicator 1 in period 2: to
        // date, indicator 0 has a row in period 2 too (its period-1 sum carried), so a
        // ratio of the two finds both parts there; indicator 1 has none before its first.
        let cells = vec![(key(1, 0), cell(3.0, &[])), (key(3, 0), cell(4.0, &[])), (key(2, 1), cell(5.0, &[]))];
        let mut running: Vec<(u32, u32, f64)> =
            super::cells(&cells, 0, |_| false).iter().map(|(k, c)| (k[IND], k[0], c.sum.value())).collect();
        running.sort_by(|a, b| a.partial_cmp(b).unwrap());
        assert_eq!(running, vec![(0, 1, 3.0), (0, 2, 3.0), (0, 3, 7.0), (1, 2, 5.0), (1, 3, 5.0)]);
    }

    #[test]
    fn a_stock_snapshot_stands_in_the_later_periods_of_its_group() {
        // A stock's cell (unit 7, day 100) in period 1; its group has rows in periods
        // 1 and 3 (another unit's snapshot): the snapshot is carried to period 3, the
        // other stays in its own.
        let mut a = key(1, 2);
        (a[ORG], a[DATE]) = (7, 100);
        let mut b = key(3, 2);
        (b[ORG], b[DATE]) = (8, 300);
        let running = super::cells(&[(a, cell(10.0, &[])), (b, cell(4.0, &[]))], 0, |_| true);
        let mut keys: Vec<(u32, u32)> = running.iter().map(|(k, _)| (k[0], k[ORG])).collect();
        keys.sort_unstable();
        assert_eq!(keys, vec![(1, 7), (3, 7), (3, 8)]);
    }
}
