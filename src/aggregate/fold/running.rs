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
/// as the rows' cells are. `slot` is the period's; `is_stock` tells a stock's cells.
pub(super) fn cells(cells: &[(Key, Cell)], slot: usize, is_stock: impl Fn(&Key) -> bool) -> Vec<(Key, Cell)> {
    // A row is a cell's key without a stock's unit and date.
    let row = |key: &Key| {
        let mut r = *key;
        (r[ORG], r[PROG], r[DATE]) = (0, 0, 0);
        r
    };
    let without_period = |key: &Key| {
        let mut k = row(key);
        k[slot] = 0;
        k
    };
    // Each group's cells, and its periods (the rows it has) in time order: period
    // keys are numbered so that a later period has a larger key.
    let mut groups: PlHashMap<Key, (Vec<u32>, Vec<usize>)> = PlHashMap::default();
    for (at, (key, _)) in cells.iter().enumerate() {
        let group = groups.entry(without_period(key)).or_default();
        group.0.push(key[slot]);
        group.1.push(at);
    }
    let mut groups: Vec<(Vec<u32>, Vec<usize>)> = groups.into_values().collect();
    // In the order of the groups' first cells, so the same records give the same cells.
    groups.sort_unstable_by_key(|(_, members)| members[0]);
    let mut out: Vec<(Key, Cell)> = Vec::new();
    for (mut periods, mut members) in groups {
        periods.sort_unstable();
        periods.dedup();
        if is_stock(&cells[members[0]].0) {
            // A stock's cells (one per unit and day) stay apart, for its time rule:
            // each stands in its own period and every later one of its group.
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
        let mut running = Cell { min: f64::INFINITY, max: f64::NEG_INFINITY, ..Cell::default() };
        for at in members {
            let (key, cell) = &cells[at];
            running.merge(cell);
            out.push((*key, running.clone()));
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
