//! A fold's cells: the key each record is grouped under (its dimensions' codes, the
//! indicator, and a stock's unit and day), what a cell adds up, and the direct table
//! that finds a batch's cells without hashing.

use super::*;

/// Dimension slots in a key; the record columns plus one period grain.
pub(super) const MAX_DIMS: usize = 8;
pub(super) const IND: usize = MAX_DIMS;
pub(super) const ORG: usize = MAX_DIMS + 1;
pub(super) const PROG: usize = MAX_DIMS + 2;
pub(super) const DATE: usize = MAX_DIMS + 3;
pub(super) const SLOTS: usize = MAX_DIMS + 4;

/// A cell's key: a code per slot (0 = unused or no value). Compared and hashed as six
/// 64-bit words: the derived equality of a 48-byte array calls memcmp for every record
/// (6% of an aggregate's time in perf).
#[derive(Clone, Copy, Default)]
pub(super) struct Key([u32; SLOTS]);

impl Key {
    pub(super) fn words(&self) -> impl Iterator<Item = u64> + '_ {
        self.0.chunks_exact(2).map(|w| u64::from(w[0]) | u64::from(w[1]) << 32)
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.words().zip(other.words()).fold(0, |differ, (a, b)| differ | (a ^ b)) == 0
    }
}

impl Eq for Key {}

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.words().for_each(|w| state.write_u64(w));
    }
}

impl std::ops::Index<usize> for Key {
    type Output = u32;
    fn index(&self, slot: usize) -> &u32 {
        &self.0[slot]
    }
}

impl std::ops::IndexMut<usize> for Key {
    fn index_mut(&mut self, slot: usize) -> &mut u32 {
        &mut self.0[slot]
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Flow,
    Stock,
    Distinct,
    /// Ratios are computed from their parts' figures, not from records.
    Ratio,
    /// Cohort rates: cells hold the cohort's members, found through their event's records.
    Cohort,
}

/// One group's running totals.
#[derive(Default, Clone)]
pub(super) struct Cell {
    pub(super) sum: Sum,
    pub(super) values: u64,
    pub(super) min: f64,
    pub(super) max: f64,
    pub(super) records: u64,
    /// The people of a distinct-people or cohort cell (None for the others). Kept
    /// aside, so every cell is small: a record's first touch of its cell is the fold's
    /// costliest step (a cache miss among tens of thousands of cells, most of them
    /// stocks'): with its key, a cell takes 104 bytes, not 152.
    pub(super) people: Option<Box<CellPeople>>,
}

#[derive(Default, Clone)]
pub(super) struct CellPeople {
    /// 128-bit hashes of participant ids (distinct-people indicators only): two
    /// different ids share one with probability about n²/2¹²⁹, nil in practice.
    pub(super) distinct: People,
    /// Cohort cells: a `visit` (participant, day) per cohort event record.
    pub(super) members: Vec<u128>,
}

impl Cell {
    pub(super) fn people(&mut self) -> &mut CellPeople {
        self.people.get_or_insert_with(Box::default)
    }
}

/// Distinct participants as hashes, appended as they come and sorted and deduplicated
/// now and then. A hash set took 0.5 s of 10M records (an insert into a set of
/// hundreds of thousands misses the cache every time); appending is sequential, and
/// sorting a growing list touches each hash about log₂(n) times, in order.
#[derive(Default, Clone)]
pub(super) struct People {
    pub(super) hashes: Vec<u128>,
    /// `hashes[..distinct]` is sorted and without repeats.
    pub(super) distinct: usize,
}

impl People {
    pub(super) fn add(&mut self, hash: u128) {
        self.hashes.push(hash);
        // Compacting when the list has doubled keeps memory within twice the distinct
        // people (plus 64 hashes, so a cell of few people stays small however many
        // records it takes) and the work per hash logarithmic.
        if self.hashes.len() >= 2 * self.distinct + 64 {
            self.compact();
        }
    }

    pub(super) fn compact(&mut self) {
        // The stable sort finds the sorted run already there and sorts only what was
        // added, then merges: a quarter faster than sorting all again unstably
        // (2M hashes of 500k people: 150 → 115 ms).
        self.hashes.sort();
        self.hashes.dedup();
        self.distinct = self.hashes.len();
    }

    /// Compact what was added since the last compaction (before `count`).
    pub(super) fn settle(&mut self) {
        if self.distinct < self.hashes.len() {
            self.compact();
        }
    }

    pub(super) fn count(&self) -> usize {
        debug_assert_eq!(self.distinct, self.hashes.len(), "count after settle");
        self.distinct
    }
}

/// A compensated (Neumaier) sum: adding millions of amounts in pence stays exact
/// to the penny, where a plain running sum drifts (156233898.949999 for .95).
#[derive(Default, Clone, Copy)]
pub(super) struct Sum {
    pub(super) total: f64,
    pub(super) carry: f64,
}

impl Sum {
    pub(super) fn add(&mut self, v: f64) {
        let t = self.total + v;
        self.carry += if self.total.abs() >= v.abs() { (self.total - t) + v } else { (v - t) + self.total };
        self.total = t;
    }

    pub(super) fn value(self) -> f64 {
        self.total + self.carry
    }
}

/// Text values numbered in order of first sight; 0 is "no value".
#[derive(Default)]
pub(super) struct Codes {
    pub(super) numbers: PlHashMap<String, u32>,
    pub(super) names: Vec<String>,
}

impl Codes {
    pub(super) fn code(&mut self, text: Option<&str>) -> u32 {
        let Some(text) = text else { return 0 };
        if let Some(n) = self.numbers.get(text) {
            return *n;
        }
        self.names.push(text.to_string());
        let n = self.names.len() as u32;
        self.numbers.insert(text.to_string(), n);
        n
    }

    pub(super) fn name(&self, code: u32) -> Option<&str> {
        code.checked_sub(1).and_then(|i| self.names.get(i as usize)).map(String::as_str)
    }
}

pub(super) fn key_list<'k>(cells: &[(&'k Key, &Cell)]) -> Vec<&'k Key> {
    cells.iter().map(|(k, _)| *k).collect()
}

/// The number of `key`'s cell, made if new.
pub(super) fn cell_number(index: &mut PlHashMap<Key, u32>, cells: &mut Vec<(Key, Cell)>, key: Key) -> u32 {
    *index.entry(key).or_insert_with(|| {
        cells.push((key, Cell { min: f64::INFINITY, max: f64::NEG_INFINITY, ..Cell::default() }));
        (cells.len() - 1) as u32
    })
}

/// Within one batch, each row's cell found by arithmetic instead of hashing its key:
/// every key slot of a flow or distinct-people row is a small number (a code, a decile,
/// a period key, an indicator number), so the slots' ranges in the batch span a table
/// small enough to index directly. Each table entry is looked up by key once, on first
/// use. Stocks (whose keys hold dates) and batches whose table would be too big take
/// the key lookup for every row.
pub(super) struct Dense {
    /// Per row, its place in `table` (meaningless for rows left out or stocks).
    pub(super) places: Vec<u32>,
    /// Place → cell number, or `NO_CELL` until first use.
    pub(super) table: Vec<u32>,
}

pub(super) const NO_CELL: u32 = u32::MAX;

impl Dense {
    /// `indicators`: the lowest and highest indicator number of the rows. Every value
    /// of `dim_values`, rows left out included, lies in its dimension's span (taken
    /// here over all rows, which needs no test of each row: a wider span than the rows
    /// used need only makes the table bigger).
    pub(super) fn new(
        rows: &[Option<(u32, Kind, i32)>],
        dim_values: &[Vec<u32>],
        indicators: (u32, u32),
    ) -> Option<Dense> {
        // Limit: a table no bigger than the batch (or 64K places), so it costs no more
        // to clear than the batch costs to read.
        let limit = (rows.len() as u64).max(1 << 16);
        let (low, high) = indicators;
        if low > high {
            return None;
        }
        // Rows left out take place 0: never looked up.
        let mut places: Vec<u32> = rows.iter().map(|r| r.map_or(0, |(ind, _, _)| ind - low)).collect();
        let mut size = u64::from(high - low) + 1;
        for values in dim_values {
            let (low, high) = values.iter().fold((u32::MAX, 0u32), |(low, high), &v| (low.min(v), high.max(v)));
            if low > high {
                return None;
            }
            let span = u64::from(high - low) + 1;
            if size.saturating_mul(span) > limit {
                return None;
            }
            for (place, v) in places.iter_mut().zip(values) {
                *place += (v - low) * size as u32;
            }
            size *= span;
        }
        Some(Dense { places, table: vec![NO_CELL; size as usize] })
    }

    /// Row `i`'s cell number; `look_up` finds it by key the first time its place is used.
    #[inline(always)]
    pub(super) fn cell(&mut self, i: usize, look_up: impl FnOnce() -> u32) -> u32 {
        let entry = &mut self.table[self.places[i] as usize];
        if *entry == NO_CELL {
            *entry = look_up();
        }
        *entry
    }
}
