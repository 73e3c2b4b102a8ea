//! Cell suppression over any set of published cells tied by sums: a count of people
//! from 1 to the threshold − 1 is withheld (primary suppression); then, wherever a sum
//! would let a reader work a withheld cell out exactly, one more cell of that sum is
//! withheld (secondary suppression), chosen by cost: the cheapest cell that leaves the
//! withheld one more than one possible value, ties going to the smaller value and then
//! to the cells' keys, so the same figures always withhold the same cells.
//!
//! What a reader knows of a withheld cell is an interval: 1 to threshold − 1 for a
//! count shown as small ("<5"), 0 and up for one shown as "[c]" (withheld to protect
//! another: it may be any count, even a small one that must not show it is small). A
//! cell withheld to protect another is chosen among counts of at least the threshold,
//! which leave the protected count every value its mark allows. A sum with exactly one
//! withheld member is judged by the interval its relation leaves that member; sums with
//! more are left to the audit (`privacy::audit`), which solves them all together.

use super::Withheld;

/// How a sum's total stands to its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// The total is the sum of the parts (counts of records or events, every part
    /// published).
    Equal,
    /// The total is at least the sum of the parts: some parts are not published.
    AtLeast,
    /// The total is at most the sum of the parts (people counted once in the total may
    /// be in two parts); with `within`, each part is at most the total too.
    AtMost {
        /// Each part is a subset of the total's people.
        within: bool,
    },
    /// Each part is at most the total (people counted once, not every part published).
    Within,
}

/// Cells tied by one published relation. With no `total` (a table's row of siblings
/// whose total is not a cell here), the total is taken as known to the reader.
#[derive(Debug, Clone, PartialEq)]
pub struct Sum {
    /// The total, when it is one of the cells.
    pub total: Option<usize>,
    /// The parts.
    pub parts: Vec<usize>,
    /// How the total stands to the parts.
    pub relation: Relation,
}

impl Sum {
    /// Parts whose total is known but not a cell (the rows of a table along one
    /// dimension).
    pub fn siblings(parts: Vec<usize>) -> Sum {
        Sum { total: None, parts, relation: Relation::Equal }
    }

    /// Every cell of the sum, the total first when it is a cell.
    pub fn members(&self) -> impl Iterator<Item = usize> + '_ {
        self.total.iter().copied().chain(self.parts.iter().copied())
    }
}

/// The cells to protect: their values, whether each is a count of people (only those
/// are ever withheld), what withholding each costs (higher is dearer) and their keys
/// (for ties).
pub struct Cells<'a, K> {
    /// Each cell's value.
    pub value: &'a [f64],
    /// Each cell is a count of people.
    pub people: &'a [bool],
    /// What withholding each cell costs (see `ledger::Cost`); equal costs for all
    /// cells give the smallest value.
    pub cost: &'a [u8],
    /// Each cell's key, for ties.
    pub order: &'a [K],
}

impl<K: Ord> Cells<'_, K> {
    /// Which of two cells is cheaper to withhold: by cost, then the smaller value,
    /// then the key, so the same figures always choose the same cell.
    pub fn by_cost(&self, a: usize, b: usize) -> std::cmp::Ordering {
        self.cost[a]
            .cmp(&self.cost[b])
            .then(self.value[a].total_cmp(&self.value[b]))
            .then(self.order[a].cmp(&self.order[b]))
    }
}

/// Which cells to withhold, and why. `together` are groups of cells withheld as one
/// (a cohort's parts, whose size its event count gives away): one withheld withholds
/// every other member with a value. A threshold under 2 withholds nothing.
pub fn protect<K: Ord>(cells: &Cells<K>, sums: &[Sum], together: &[Vec<usize>], threshold: u32) -> Vec<Withheld> {
    protect_with(cells, sums, together, threshold, &[])
}

/// `protect`, with the cells `also` withheld from the start as "[c]" (chosen by the
/// audit), a small count among them included.
pub fn protect_with<K: Ord>(
    cells: &Cells<K>,
    sums: &[Sum],
    together: &[Vec<usize>],
    threshold: u32,
    also: &[usize],
) -> Vec<Withheld> {
    let n = cells.value.len();
    let limit = f64::from(threshold);
    let mut withheld: Vec<Withheld> = (0..n)
        .map(|i| {
            if cells.people[i] && cells.value[i] > 0.0 && cells.value[i] < limit {
                Withheld::Small
            } else {
                Withheld::No
            }
        })
        .collect();
    // A worklist, not repeated passes: when a cell is withheld only the sums it is in
    // are looked at again, so the work grows with the cells and sums, not their square.
    let mut sums_of: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (k, sum) in sums.iter().enumerate() {
        for i in sum.members() {
            sums_of[i].push(k);
        }
    }
    let mut together_of: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (k, members) in together.iter().enumerate() {
        for &i in members {
            together_of[i].push(k);
        }
    }
    let mut work = Work { queued: vec![true; sums.len()], queue: (0..sums.len()).collect() };
    // Chosen by the audit: withheld to protect another, or (a small count that its
    // sums would pin through their marks alone) shown as "[c]" in place of "<5".
    for &i in also {
        withheld[i] = Withheld::Secondary;
        withhold_with(i, cells, together, &together_of, &sums_of, &mut withheld, &mut work);
    }
    for i in 0..n {
        if withheld[i].is_withheld() && !together_of[i].is_empty() {
            withhold_with(i, cells, together, &together_of, &sums_of, &mut withheld, &mut work);
        }
    }
    while let Some(k) = work.pop() {
        let sum = &sums[k];
        let mut hidden = sum.members().filter(|i| withheld[*i].is_withheld());
        let (Some(lone), None) = (hidden.next(), hidden.next()) else { continue };
        if sum.members().count() < 2 || !pinned(sum, lone, &[lone], cells.value, &withheld, limit) {
            continue;
        }
        if let Some(pick) = cheapest(sum, lone, cells, &withheld, limit) {
            withhold_with(pick, cells, together, &together_of, &sums_of, &mut withheld, &mut work);
        }
    }
    withheld
}

/// Also used by the release, when its audit finds a cell a reader can pin through
/// several sums together: the cheapest published cell of `sum` that, withheld with
/// `lone`, leaves `lone` more than one value.
pub(crate) fn cheapest<K: Ord>(
    sum: &Sum,
    lone: usize,
    cells: &Cells<K>,
    withheld: &[Withheld],
    limit: f64,
) -> Option<usize> {
    let candidates: Vec<usize> =
        sum.members().filter(|i| cells.people[*i] && !withheld[*i].is_withheld() && cells.value[*i] >= limit).collect();
    let mut trial = withheld.to_vec();
    let unpins = |c: usize, trial: &mut Vec<Withheld>| {
        trial[c] = Withheld::Secondary;
        let ok = !pinned(sum, lone, &[lone, c], cells.value, trial, limit);
        trial[c] = withheld[c];
        ok
    };
    let mut good: Vec<usize> = candidates.iter().copied().filter(|c| unpins(*c, &mut trial)).collect();
    if good.is_empty() {
        good = candidates;
    }
    good.into_iter().min_by(|a, b| cells.by_cost(*a, *b))
}

/// Withhold `first` (when it is not already) and every cell held together with it,
/// queueing the sums they are in.
fn withhold_with<K>(
    first: usize,
    cells: &Cells<K>,
    together: &[Vec<usize>],
    together_of: &[Vec<usize>],
    sums_of: &[Vec<usize>],
    withheld: &mut [Withheld],
    work: &mut Work,
) {
    let mut stack = vec![first];
    while let Some(i) = stack.pop() {
        if !withheld[i].is_withheld() {
            withheld[i] = Withheld::Secondary;
        }
        for &k in &sums_of[i] {
            work.push(k);
        }
        for &g in &together_of[i] {
            // A part of 0 stays: a published 0 leaves the other parts as unknown as
            // before.
            stack.extend(
                together[g]
                    .iter()
                    .copied()
                    .filter(|j| cells.people[*j] && cells.value[*j] > 0.0 && !withheld[*j].is_withheld()),
            );
        }
    }
}

/// What a reader knows of a cell: its value when published, else the interval its
/// mark says (1 to threshold − 1 for a small count, any count otherwise).
pub fn known_range(value: f64, withheld: Withheld, limit: f64) -> (f64, f64) {
    match withheld {
        Withheld::No => (value, value),
        Withheld::Small => (1.0, limit - 1.0),
        _ => (0.0, f64::INFINITY),
    }
}

/// Whether `sum` alone, with the cells `hidden` unknown (each in its mark's
/// interval) and every other member known, pins `x` to one value.
fn pinned(sum: &Sum, x: usize, hidden: &[usize], value: &[f64], withheld: &[Withheld], limit: f64) -> bool {
    let (lo, hi) = interval(sum, x, hidden, value, withheld, limit);
    hi - lo < 1.0 - 1e-9
}

/// The interval `sum` alone leaves `x` (see `pinned`), by interval arithmetic over
/// the other unknown members (exact for one relation).
pub(crate) fn interval(
    sum: &Sum,
    x: usize,
    hidden: &[usize],
    value: &[f64],
    withheld: &[Withheld],
    limit: f64,
) -> (f64, f64) {
    let range = |i: usize| {
        if hidden.contains(&i) {
            known_range(value[i], withheld[i], limit)
        } else {
            (value[i], value[i])
        }
    };
    let own = range(x);
    // The parts other than x, summed as an interval; the total as an interval (a total
    // that is not a cell is known to the reader: the sum of its parts' values).
    let mut others = (0.0, 0.0);
    for &p in sum.parts.iter().filter(|p| **p != x) {
        let (lo, hi) = range(p);
        others = (others.0 + lo, others.1 + hi);
    }
    let total = match sum.total {
        Some(t) if t != x => range(t),
        Some(_) => (f64::NAN, f64::NAN),
        None => {
            let s: f64 = sum.parts.iter().map(|p| value[*p]).sum();
            (s, s)
        }
    };
    let x_is_total = sum.total == Some(x);
    let (lo, hi) = match (sum.relation, x_is_total) {
        // x = total − the other parts; the total = its parts.
        (Relation::Equal, false) => (total.0 - others.1, total.1 - others.0),
        (Relation::Equal, true) => others,
        // total ≥ parts.
        (Relation::AtLeast, false) => (f64::NEG_INFINITY, total.1 - others.0),
        (Relation::AtLeast, true) => (others.0, f64::INFINITY),
        // total ≤ parts (and, within, each part ≤ total).
        (Relation::AtMost { within }, false) => (total.0 - others.1, if within { total.1 } else { f64::INFINITY }),
        (Relation::AtMost { within }, true) => {
            (if within { largest_part(sum, &range) } else { f64::NEG_INFINITY }, others.1)
        }
        (Relation::Within, false) => (f64::NEG_INFINITY, total.1),
        (Relation::Within, true) => (largest_part(sum, &range), f64::INFINITY),
    };
    (lo.max(own.0), hi.min(own.1))
}

/// The least the largest part can be.
fn largest_part(sum: &Sum, range: &dyn Fn(usize) -> (f64, f64)) -> f64 {
    sum.parts.iter().map(|p| range(*p).0).fold(f64::NEG_INFINITY, f64::max)
}

/// The sums still to look at, each queued at most once at a time.
struct Work {
    queued: Vec<bool>,
    queue: std::collections::VecDeque<usize>,
}

impl Work {
    fn push(&mut self, k: usize) {
        if !self.queued[k] {
            self.queued[k] = true;
            self.queue.push_back(k);
        }
    }

    fn pop(&mut self) -> Option<usize> {
        let k = self.queue.pop_front()?;
        self.queued[k] = false;
        Some(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(value: &[f64], cost: &[u8], sums: &[Sum]) -> Vec<Withheld> {
        let people = vec![true; value.len()];
        let order: Vec<usize> = (0..value.len()).collect();
        protect(&Cells { value, people: &people, cost, order: &order }, sums, &[], 5)
    }

    #[test]
    fn a_lone_small_part_takes_a_part_that_leaves_it_open() {
        // Total 30 = 1 + 7 + 24: the 1 is small and alone, so the 7 (the cheapest count
        // of 5 or more) goes with it: 1 + [c] = 8 leaves the 1 anywhere in 1 to 4.
        let sum = Sum { total: Some(0), parts: vec![1, 2, 3], relation: Relation::Equal };
        let w = run(&[30.0, 1.0, 7.0, 24.0], &[3, 0, 0, 0], &[sum]);
        assert_eq!(w, vec![Withheld::No, Withheld::Small, Withheld::Secondary, Withheld::No]);
    }

    #[test]
    fn the_dearest_cell_is_withheld_last() {
        // Total 40 (a headline, cost 3) = 3 + 37: the only other part goes, not the total.
        let sum = Sum { total: Some(0), parts: vec![1, 2], relation: Relation::Equal };
        let w = run(&[40.0, 3.0, 37.0], &[3, 0, 0], std::slice::from_ref(&sum));
        assert_eq!(w, vec![Withheld::No, Withheld::Small, Withheld::Secondary]);
        // With the part dearer than the total, the total goes.
        let w = run(&[40.0, 3.0, 37.0], &[1, 0, 2], &[sum]);
        assert_eq!(w, vec![Withheld::Secondary, Withheld::Small, Withheld::No]);
    }

    #[test]
    fn an_open_relation_leaves_a_lone_cell_unpinned() {
        // Parts not all published (total ≥ parts): 20 ≥ 3 + 12 leaves the 3 anywhere in
        // 1 to 4 (up to 8): nothing more is withheld.
        let sum = Sum { total: Some(0), parts: vec![1, 2], relation: Relation::AtLeast };
        assert_eq!(run(&[20.0, 3.0, 12.0], &[0; 3], &[sum]), vec![Withheld::No, Withheld::Small, Withheld::No]);
        // People counted once: 14 ≤ 3 + 12, so the 3 is at least 2: still open.
        let sum = Sum { total: Some(0), parts: vec![1, 2], relation: Relation::AtMost { within: true } };
        assert_eq!(
            run(&[14.0, 3.0, 12.0], &[0; 3], std::slice::from_ref(&sum)),
            vec![Withheld::No, Withheld::Small, Withheld::No]
        );
        // 15 ≤ 4 + 11 pins the 4 (at least 4, and under 5).
        let w = run(&[15.0, 4.0, 11.0], &[0; 3], &[sum]);
        assert!(w[2].is_withheld() || w[0].is_withheld(), "{w:?}");
    }

    #[test]
    fn zeros_are_never_withheld_to_protect() {
        // Siblings 3, 0, 0, 10 with a known total: the 10 goes, never a 0.
        let w = run(&[3.0, 0.0, 0.0, 10.0], &[0; 4], &[Sum::siblings(vec![0, 1, 2, 3])]);
        assert_eq!(w, vec![Withheld::Small, Withheld::No, Withheld::No, Withheld::Secondary]);
    }

    #[test]
    fn intervals_follow_the_relation() {
        let value = [20.0, 3.0, 12.0, 5.0];
        let w = [Withheld::No, Withheld::Small, Withheld::No, Withheld::Secondary];
        let sum = Sum { total: Some(0), parts: vec![1, 2, 3], relation: Relation::Equal };
        // 20 = x + 12 + c, c ≥ 0: x ≤ 8, and small: 1 to 4.
        assert_eq!(interval(&sum, 1, &[1, 3], &value, &w, 5.0), (1.0, 4.0));
        // c = 20 − 12 − x, x in 1..4: c in 4..7.
        assert_eq!(interval(&sum, 3, &[1, 3], &value, &w, 5.0), (4.0, 7.0));
    }
}
