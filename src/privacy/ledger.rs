//! The ledger of a release: every count of people its documents publish, each once
//! (a figure printed in two documents, or twice in one, is one cell, known by its
//! indicator, its fields and the days it covers), and the published sums that tie
//! the cells together, protected as one table (linked-tables cell suppression).
//!
//! A sum is a constraint only when some document publishes its total: a total no
//! document prints gives a reader nothing to subtract from. The sums are found from
//! the cells' keys: a cell less one of its fields (ORG03 in PSP-GATE, within ORG03),
//! and a whole month, quarter or year within the quarter or year around it, or within
//! the span its table covers. Which cells are withheld to protect others is chosen by
//! cost: a document's headline figures cost most, then totals, then older periods,
//! then the finest cells.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, Months, NaiveDate};

use super::audit::{self, AuditError, Finding, Problem};
use super::suppress::{self, Cells, Relation, Sum};
use super::Withheld;

/// The days a figure covers: from a day (or from the first record) to a day.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Days {
    /// The first day (None: every record up to `to`).
    pub from: Option<NaiveDate>,
    /// The last day.
    pub to: NaiveDate,
}

impl Days {
    /// Whether every day of `other` is one of these.
    fn contains(&self, other: &Days) -> bool {
        other.to <= self.to
            && match (self.from, other.from) {
                (None, _) => true,
                (Some(a), Some(b)) => a <= b,
                (Some(_), None) => false,
            }
    }
}

/// A published cell: an indicator's figure for a set of field values over some days.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    /// The indicator id.
    pub indicator: String,
    /// (field, value) pairs, sorted by field.
    pub fields: Vec<(String, String)>,
    /// The days it covers.
    pub days: Days,
}

impl Key {
    /// A key with its fields sorted.
    pub fn new(indicator: &str, mut fields: Vec<(String, String)>, days: Days) -> Key {
        fields.sort();
        Key { indicator: indicator.to_string(), fields, days }
    }
}

/// How an indicator's counts of one cell stand to the counts of its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adds {
    /// Counts of records or events: a total is the sum of its parts.
    Up,
    /// People counted once: a total is at most the sum of its parts (a person can be
    /// in two); with `within`, each part is at most its total.
    Once {
        /// Each part's people are among the total's.
        within: bool,
    },
}

/// A period a cell covers whole, for the sums of periods within periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Whole {
    /// A calendar month.
    Month,
    /// A calendar quarter (each financial quarter is one).
    Quarter,
    /// A calendar or financial year.
    Year,
}

impl Whole {
    fn name(self) -> &'static str {
        match self {
            Whole::Month => "month",
            Whole::Quarter => "quarter",
            Whole::Year => "year",
        }
    }
}

/// What withholding a cell costs, cheapest first (the order of the variants).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cost {
    /// A cell no other is the sum of, in the documents' periods.
    Finest = 0,
    /// A period before a document's own.
    Older = 1,
    /// The total of a published sum.
    Total = 2,
    /// A document's headline: a KPI figure for its period, the subject's own total.
    Headline = 3,
}

/// One figure a document publishes.
#[derive(Debug, Clone)]
pub struct Figure {
    /// What it is.
    pub key: Key,
    /// Its value.
    pub value: f64,
    /// How its indicator adds up.
    pub adds: Adds,
    /// The period it covers whole, if it is one of a table's months, quarters or years.
    pub whole: Option<Whole>,
    /// The days its table's periods fill (its parent in time), if it is one period of
    /// a table by period.
    pub table: Option<Days>,
    /// One of the document's headline figures.
    pub headline: bool,
    /// A period before the document's own.
    pub older: bool,
}

struct Cell {
    key: Key,
    value: f64,
    adds: Adds,
    headline: bool,
    older: bool,
    documents: BTreeSet<usize>,
}

/// Every cell of a release, and what ties them.
#[derive(Default)]
pub struct Ledger {
    cells: Vec<Cell>,
    index: HashMap<Key, usize>,
    /// (parent days, period name) → the parts, by the parent cell's key.
    time_parts: BTreeMap<(Key, &'static str), BTreeSet<usize>>,
    together: BTreeSet<Vec<usize>>,
    documents: Vec<String>,
    /// Each cohort's event and its parts (see `privacy::cohort_sizes`).
    sizes: Vec<(String, Vec<String>)>,
    /// Sub-counts and their wholes (the library's `within` rules).
    wholes: BTreeMap<String, String>,
}

/// The protection of a ledger's cells.
#[derive(Debug, Clone)]
pub struct Protection {
    /// Why each cell is withheld (`No`: published), by cell.
    pub withheld: Vec<Withheld>,
    /// The published sums, over cells.
    pub sums: Vec<Sum>,
    /// Each withheld cell's interval, when audited.
    pub audit: Option<Vec<Finding>>,
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// A document's number, for `add`: its name as the public tables list it (the
    /// same name, the same number).
    pub fn document(&mut self, name: &str) -> usize {
        if let Some(d) = self.documents.iter().rposition(|d| d == name) {
            return d;
        }
        self.documents.push(name.to_string());
        self.documents.len() - 1
    }

    /// How many cells there are.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// No cells.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The cell of a key, if any document publishes it.
    pub fn find(&self, key: &Key) -> Option<usize> {
        self.index.get(key).copied()
    }

    /// A cell's key.
    pub fn key(&self, cell: usize) -> &Key {
        &self.cells[cell].key
    }

    /// Adds a figure `document` publishes; the cell it is (one cell however many
    /// documents print it).
    pub fn add(&mut self, figure: Figure, document: usize) -> usize {
        let i = match self.index.get(&figure.key) {
            Some(&i) => {
                let cell = &mut self.cells[i];
                cell.headline |= figure.headline;
                cell.older &= figure.older;
                i
            }
            None => {
                self.cells.push(Cell {
                    key: figure.key.clone(),
                    value: figure.value,
                    adds: figure.adds,
                    headline: figure.headline,
                    older: figure.older,
                    documents: BTreeSet::new(),
                });
                self.index.insert(figure.key.clone(), self.cells.len() - 1);
                self.cells.len() - 1
            }
        };
        self.cells[i].documents.insert(document);
        for (days, name) in enclosing(&figure.key.days, figure.whole).into_iter().chain(
            figure
                .table
                .filter(|t| *t != figure.key.days && t.contains(&figure.key.days))
                .map(|t| (t, figure.whole.map_or("period", Whole::name))),
        ) {
            let parent = Key { days, ..figure.key.clone() };
            self.time_parts.entry((parent, name)).or_default().insert(i);
        }
        i
    }

    /// Cells published or withheld as one (a cohort's parts in one cell).
    pub fn hold_together(&mut self, cells: Vec<usize>) {
        if cells.len() > 1 {
            let mut cells = cells;
            cells.sort_unstable();
            cells.dedup();
            self.together.insert(cells);
        }
    }

    /// Ties each cohort's parts to its event's count in the same cell (see
    /// `privacy::cohort_sizes`): where the count is withheld, its cohort's parts are
    /// not all published (they would add up to it).
    pub fn tie_cohorts(&mut self, sizes: Vec<(String, Vec<String>)>) {
        self.sizes = sizes;
    }

    /// Ties each sub-count to its whole (`part` → `whole`, the library's `within`
    /// rules): in the same cell, where both are published, a part is at most its whole.
    pub fn tie_sub_counts(&mut self, wholes: BTreeMap<String, String>) {
        self.wholes = wholes;
    }

    /// The published sums: a cell less one field within that cell, periods within a
    /// period, each kept when some document publishes its total; and each sub-count
    /// within its whole (see `tie_sub_counts`).
    pub fn sums(&self) -> Vec<Sum> {
        let mut groups: BTreeMap<(usize, String), BTreeSet<usize>> = BTreeMap::new();
        for (i, cell) in self.cells.iter().enumerate() {
            for d in 0..cell.key.fields.len() {
                let mut parent = cell.key.clone();
                let (field, _) = parent.fields.remove(d);
                if let Some(&p) = self.index.get(&parent) {
                    groups.entry((p, format!("field {field}"))).or_default().insert(i);
                }
            }
        }
        for ((parent, name), parts) in &self.time_parts {
            if let Some(&p) = self.index.get(parent) {
                groups.entry((p, format!("time {name}"))).or_default().extend(parts.iter().copied());
            }
        }
        groups
            .into_iter()
            .filter_map(|((total, _), parts)| {
                let parts: Vec<usize> = parts.into_iter().filter(|p| *p != total).collect();
                let relation = self.relation(total, &parts)?;
                Some(Sum { total: Some(total), parts, relation })
            })
            .chain(self.cells.iter().enumerate().filter_map(|(part, cell)| {
                let whole = self.wholes.get(&cell.key.indicator)?;
                let total = *self.index.get(&Key { indicator: whole.clone(), ..cell.key.clone() })?;
                (cell.value <= self.cells[total].value).then(|| Sum {
                    total: Some(total),
                    parts: vec![part],
                    relation: Relation::Within,
                })
            }))
            .collect()
    }

    /// How a total stands to its published parts (see `relation`).
    fn relation(&self, total: usize, parts: &[usize]) -> Option<Relation> {
        let values: Vec<f64> = parts.iter().map(|p| self.cells[*p].value).collect();
        relation(self.cells[total].adds, self.cells[total].value, &values)
    }

    /// What withholding each cell costs.
    fn costs(&self, sums: &[Sum]) -> Vec<u8> {
        let totals: BTreeSet<usize> = sums.iter().filter_map(|s| s.total).collect();
        self.cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let cost = if c.headline {
                    Cost::Headline
                } else if totals.contains(&i) {
                    Cost::Total
                } else if c.older {
                    Cost::Older
                } else {
                    Cost::Finest
                };
                cost as u8
            })
            .collect()
    }

    /// Withholds the counts under `threshold` and, by cost, the cells that would give
    /// them away through any published sum. With `audit`, the result is audited and
    /// every cell a reader could still pin through several sums at once gets one more
    /// cell of its sums withheld, until none can be pinned; an audit that cannot be
    /// made is an error.
    pub fn protect(&self, threshold: u32, audit: bool) -> Result<Protection, AuditError> {
        let timer = crate::timing::start();
        let sums = self.sums();
        crate::timing::lap(&timer, "privacy: sums");
        let value: Vec<f64> = self.cells.iter().map(|c| c.value).collect();
        let people = vec![true; self.cells.len()];
        let cost = self.costs(&sums);
        let order: Vec<&Key> = self.cells.iter().map(|c| &c.key).collect();
        let cells = Cells { value: &value, people: &people, cost: &cost, order: &order };
        let together: Vec<Vec<usize>> = self.together.iter().cloned().collect();
        let untied = |withheld: &[Withheld]| self.untied_cohorts(withheld, &cells);
        let (withheld, findings) = protect_audited(&cells, &sums, &together, threshold, audit, untied)?;
        Ok(Protection { withheld, sums, audit: findings })
    }

    /// For each withheld event count whose cohort's parts (same fields, same days) are
    /// all published, the cheapest part with people: withheld, it takes the others
    /// with it (they are held together), and the count is no longer their sum.
    fn untied_cohorts(&self, withheld: &[Withheld], cells: &Cells<&Key>) -> Vec<usize> {
        let mut more = Vec::new();
        for (_, cell) in self.cells.iter().enumerate().filter(|(i, _)| withheld[*i].is_withheld()) {
            for (_, parts) in self.sizes.iter().filter(|(id, _)| *id == cell.key.indicator) {
                let parts: Vec<usize> = parts
                    .iter()
                    .filter_map(|p| self.index.get(&Key { indicator: p.clone(), ..cell.key.clone() }).copied())
                    .collect();
                if parts.is_empty() || parts.iter().any(|p| withheld[*p].is_withheld()) {
                    continue;
                }
                let pick = parts.iter().copied().filter(|p| cells.value[*p] > 0.0).min_by(|a, b| cells.by_cost(*a, *b));
                more.extend(pick);
            }
        }
        more
    }

    /// What a reader sees of the cells, for the audit.
    pub fn problem(&self, withheld: &[Withheld], sums: &[Sum], threshold: u32) -> Problem {
        let values: Vec<f64> = self.cells.iter().map(|c| c.value).collect();
        Problem::seen(&values, withheld, sums, threshold)
    }

    /// The names of the documents that publish a cell.
    pub fn documents_of(&self, cell: usize) -> Vec<&str> {
        self.cells[cell].documents.iter().map(|d| self.documents[*d].as_str()).collect()
    }
}

/// How a total stands to its published parts, from how its indicator adds up and the
/// values (None when the values fit no relation a reader could rely on).
pub fn relation(adds: Adds, total: f64, parts: &[f64]) -> Option<Relation> {
    if parts.is_empty() {
        return None;
    }
    let t = total;
    let sum: f64 = parts.iter().sum();
    let close = (t - sum).abs() <= 1e-6 * t.abs().max(1.0);
    match adds {
        Adds::Up if close => Some(Relation::Equal),
        Adds::Up if t > sum => Some(Relation::AtLeast),
        Adds::Up => None,
        Adds::Once { within } if sum >= t || close => Some(Relation::AtMost { within }),
        Adds::Once { within: true } => Some(Relation::Within),
        Adds::Once { within: false } => None,
    }
}

/// Withholds the counts under `threshold` and, by cost, the cells that would give
/// them away through any of `sums` (see `suppress::protect`). With `audit`, the
/// result is audited (sums with a total among the cells) and every cell a reader
/// could still pin through several sums at once gets one more cell of its sums
/// withheld, until none can be pinned; an audit that cannot be made is an error.
/// The findings of the last audit come back with the withheld cells. `rule` is the
/// caller's own: given what is withheld, the cells it withholds too (as "[c]"), each
/// then protected as any other, until it asks for none.
pub fn protect_audited<K: Ord>(
    cells: &Cells<K>,
    sums: &[Sum],
    together: &[Vec<usize>],
    threshold: u32,
    audit: bool,
    rule: impl Fn(&[Withheld]) -> Vec<usize>,
) -> Result<(Vec<Withheld>, Option<Vec<Finding>>), AuditError> {
    let timer = crate::timing::start();
    let n = cells.value.len();
    let mut sums_of: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (k, sum) in sums.iter().enumerate() {
        for m in sum.members() {
            sums_of[m].push(k);
        }
    }
    let mut also: Vec<usize> = Vec::new();
    let mut earlier: Option<(Vec<Finding>, Vec<Withheld>)> = None;
    loop {
        let withheld = suppress::protect_with(cells, sums, together, threshold, &also);
        crate::timing::lap(&timer, "privacy: suppression");
        // The rule's cells are never withheld yet, so each round adds some or ends.
        let ruled = rule(&withheld);
        if !audit || threshold < 2 {
            if ruled.is_empty() {
                return Ok((withheld, None));
            }
            also.extend(ruled);
            continue;
        }
        let problem = Problem::seen(cells.value, &withheld, sums, threshold);
        let findings = match &earlier {
            Some((found, before)) => {
                let changed: Vec<bool> = before.iter().zip(&withheld).map(|(a, b)| a != b).collect();
                audit::audit_again(&problem, Some((found, &changed)), Some(cells.value))?
            }
            None => audit::audit_again(&problem, None, Some(cells.value))?,
        };
        crate::timing::lap(&timer, "privacy: audit");
        let mut more = !ruled.is_empty();
        also.extend(ruled);
        for f in findings.iter().filter(|f| f.pinned()) {
            if let Some(pick) = unpin(f.cell, cells, sums, &sums_of, &withheld, &also, threshold) {
                also.push(pick);
                more = true;
            }
        }
        if !more {
            return Ok((withheld, Some(findings)));
        }
        earlier = Some((findings, withheld));
    }
}

/// The cell to withhold (or, when small, to show as "[c]") so that the audit's
/// pinned `cell` is open again: the cheapest count of the threshold or more in one
/// of its sums that leaves it open within that sum; failing that (its sums hold only
/// withheld and small counts, which pin each other through their marks: a year of
/// "<5" and four quarters of "<5" are each 1), the cheapest small count of its sums,
/// shown as "[c]" so that it may be any count; failing that, the cheapest count of
/// the threshold or more in the sums next to its own, through the withheld cells
/// they share. The audit then looks at everything again.
fn unpin<K: Ord>(
    cell: usize,
    cells: &Cells<K>,
    sums: &[Sum],
    sums_of: &[Vec<usize>],
    withheld: &[Withheld],
    also: &[usize],
    threshold: u32,
) -> Option<usize> {
    let limit = f64::from(threshold);
    let by_cost = |a: &usize, b: &usize| cells.by_cost(*a, *b);
    let own: Vec<&Sum> = sums_of[cell].iter().map(|k| &sums[*k]).collect();
    let pick = own
        .iter()
        .filter_map(|s| suppress::cheapest(s, cell, cells, withheld, limit))
        .filter(|p| !also.contains(p))
        .min_by(by_cost);
    if pick.is_some() {
        return pick;
    }
    let small = own
        .iter()
        .flat_map(|s| s.members())
        .filter(|m| withheld[*m] == Withheld::Small && !also.contains(m))
        .min_by(by_cost);
    if small.is_some() {
        return small;
    }
    let mut reached: BTreeSet<usize> = BTreeSet::from([cell]);
    let mut frontier = vec![cell];
    while !frontier.is_empty() {
        let near: BTreeSet<usize> = frontier.iter().flat_map(|c| sums_of[*c].iter().copied()).collect();
        let members = || near.iter().flat_map(|k| sums[*k].members());
        let pick = members()
            .filter(|m| !withheld[*m].is_withheld() && cells.value[*m] >= limit && !also.contains(m))
            .min_by(by_cost);
        if pick.is_some() {
            return pick;
        }
        frontier = members().filter(|m| withheld[*m].is_withheld() && reached.insert(*m)).collect();
    }
    None
}

/// How a relation is written in the public table of sums.
fn relation_word(relation: Relation) -> &'static str {
    match relation {
        Relation::Equal => "equal",
        Relation::AtLeast => "at least",
        Relation::AtMost { within: false } => "at most",
        Relation::AtMost { within: true } => "at most, parts within",
        Relation::Within => "parts within",
    }
}

fn relation_of_word(word: &str) -> Option<Relation> {
    Some(match word {
        "equal" => Relation::Equal,
        "at least" => Relation::AtLeast,
        "at most" => Relation::AtMost { within: false },
        "at most, parts within" => Relation::AtMost { within: true },
        "parts within" => Relation::Within,
        _ => return None,
    })
}

/// A field value as the public table writes it (a gap is "(not recorded)", as in
/// the documents).
const BLANK: &str = "(not recorded)";

impl Ledger {
    /// The public table of cells: every cell the release publishes, with its fields
    /// and days, its value (empty where withheld), why it is withheld and the
    /// documents that print it. What `impact audit` reads, with `sums_frame`.
    pub fn cells_frame(&self, protection: &Protection) -> polars::prelude::PolarsResult<polars::prelude::DataFrame> {
        use polars::prelude::*;
        let fields: BTreeSet<&str> =
            self.cells.iter().flat_map(|c| c.key.fields.iter().map(|(f, _)| f.as_str())).collect();
        let mut columns: Vec<Column> = vec![
            Column::new("cell".into(), (0..self.cells.len() as u32).collect::<Vec<u32>>()),
            Column::new("indicator".into(), self.cells.iter().map(|c| c.key.indicator.clone()).collect::<Vec<_>>()),
        ];
        for field in &fields {
            let values: Vec<Option<String>> = self
                .cells
                .iter()
                .map(|c| {
                    c.key.fields.iter().find(|(f, _)| f == field).map(|(_, v)| {
                        if v.is_empty() {
                            BLANK.to_string()
                        } else {
                            v.clone()
                        }
                    })
                })
                .collect();
            columns.push(Column::new((*field).into(), values));
        }
        let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        columns
            .push(Column::new("from".into(), self.cells.iter().map(|c| c.key.days.from.map(day)).collect::<Vec<_>>()));
        columns.push(Column::new("to".into(), self.cells.iter().map(|c| day(c.key.days.to)).collect::<Vec<_>>()));
        let withheld = &protection.withheld;
        columns.push(Column::new(
            "value".into(),
            self.cells.iter().zip(withheld).map(|(c, w)| (!w.is_withheld()).then_some(c.value)).collect::<Vec<_>>(),
        ));
        columns.push(Column::new("withheld".into(), withheld.iter().map(|w| w.word()).collect::<Vec<_>>()));
        columns.push(Column::new(
            "documents".into(),
            (0..self.cells.len()).map(|i| self.documents_of(i).join("; ")).collect::<Vec<_>>(),
        ));
        DataFrame::new(self.cells.len(), columns)
    }

    /// The public table of sums: one row per part (sum, total cell, part cell, how the
    /// total stands to its parts).
    pub fn sums_frame(protection: &Protection) -> polars::prelude::PolarsResult<polars::prelude::DataFrame> {
        use polars::prelude::*;
        let (mut sum, mut total, mut part, mut relation) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (k, s) in protection.sums.iter().enumerate() {
            for p in &s.parts {
                sum.push(k as u32);
                total.push(s.total.map(|t| t as u32));
                part.push(*p as u32);
                relation.push(relation_word(s.relation));
            }
        }
        df!("sum" => sum, "total" => total, "part" => part, "relation" => relation)
    }
}

/// What a release published, read back from its public tables (`Ledger::cells_frame`
/// and `Ledger::sums_frame`) for the audit; cells are numbered by their row.
pub fn problem_from_frames(
    cells: &polars::prelude::DataFrame,
    sums: &polars::prelude::DataFrame,
    threshold: u32,
) -> Result<Problem, String> {
    use polars::prelude::*;
    let text = |df: &DataFrame, name: &str| -> Result<Vec<String>, String> {
        let c = df.column(name).map_err(|_| format!("no column `{name}`"))?;
        let c = c.cast(&DataType::String).map_err(|e| e.to_string())?;
        Ok(c.str().map_err(|e| e.to_string())?.iter().map(|v| v.unwrap_or("").to_string()).collect())
    };
    let ids = text(cells, "cell")?;
    let row_of: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let values = text(cells, "value")?;
    let withheld: Vec<Withheld> = text(cells, "withheld")?.iter().map(|w| Withheld::from_word(w)).collect();
    let mut value = Vec::with_capacity(values.len());
    for (i, (v, w)) in values.iter().zip(&withheld).enumerate() {
        value.push(match (w.is_withheld(), v.parse::<f64>()) {
            (true, _) => None,
            (false, Ok(v)) => Some(v),
            (false, Err(_)) => return Err(format!("cell {} is published but its value `{v}` is not a number", ids[i])),
        });
    }
    let (sum_ids, totals, parts, relations) =
        (text(sums, "sum")?, text(sums, "total")?, text(sums, "part")?, text(sums, "relation")?);
    let mut by_sum: BTreeMap<u64, Sum> = BTreeMap::new();
    for k in 0..sum_ids.len() {
        let id: u64 = sum_ids[k].parse().map_err(|_| format!("sum `{}` is not a number", sum_ids[k]))?;
        let cell = |name: &str| -> Result<usize, String> {
            row_of
                .get(name)
                .copied()
                .ok_or_else(|| format!("sum {id} names cell `{name}`, which the table of cells does not list"))
        };
        let relation =
            relation_of_word(&relations[k]).ok_or_else(|| format!("sum {id}: unknown relation `{}`", relations[k]))?;
        let total = if totals[k].is_empty() { None } else { Some(cell(&totals[k])?) };
        let part = cell(&parts[k])?;
        by_sum.entry(id).or_insert(Sum { total, parts: Vec::new(), relation }).parts.push(part);
    }
    Ok(Problem { value, withheld, sums: by_sum.into_values().collect(), threshold })
}

/// The periods around a whole month, quarter or year: a month's quarter and its
/// financial and calendar year, a quarter's financial and calendar year.
fn enclosing(days: &Days, whole: Option<Whole>) -> Vec<(Days, &'static str)> {
    let (Some(whole), Some(from)) = (whole, days.from) else { return Vec::new() };
    let span = |y: i32, m: u32, months: u32| -> Option<Days> {
        let from = NaiveDate::from_ymd_opt(y, m, 1)?;
        Some(Days { from: Some(from), to: from.checked_add_months(Months::new(months))?.pred_opt()? })
    };
    let fy_start = if from.month() < 4 { from.year() - 1 } else { from.year() };
    let mut out: Vec<Option<Days>> = Vec::new();
    match whole {
        Whole::Month => {
            out.push(span(from.year(), 3 * ((from.month() - 1) / 3) + 1, 3));
            out.push(span(fy_start, 4, 12));
            out.push(span(from.year(), 1, 12));
        }
        Whole::Quarter => {
            out.push(span(fy_start, 4, 12));
            out.push(span(from.year(), 1, 12));
        }
        Whole::Year => {}
    }
    out.into_iter().flatten().filter(|d| d != days && d.contains(days)).map(|d| (d, whole.name())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn fy(y: i32) -> Days {
        Days { from: Some(day(y, 4, 1)), to: day(y + 1, 3, 31) }
    }

    fn figure(fields: &[(&str, &str)], days: Days, value: f64, whole: Option<Whole>) -> Figure {
        Figure {
            key: Key::new("jobs", fields.iter().map(|(f, v)| (f.to_string(), v.to_string())).collect(), days),
            value,
            adds: Adds::Up,
            whole,
            table: None,
            headline: false,
            older: false,
        }
    }

    #[test]
    fn a_sub_count_is_within_its_whole_where_both_are_published() {
        let mut ledger = Ledger::new();
        let doc = ledger.document("board ORG01");
        let cell = |id: &str, org: &str, value: f64| Figure {
            key: Key::new(id, vec![("organisation".into(), org.into())], fy(2024)),
            ..figure(&[], fy(2024), value, None)
        };
        let whole = ledger.add(cell("jobs", "ORG01", 12.0), doc);
        let part = ledger.add(cell("jobs_priority", "ORG01", 3.0), doc);
        // ORG02's whole is not published: its part stands alone.
        ledger.add(cell("jobs_priority", "ORG02", 7.0), doc);
        ledger.tie_sub_counts([("jobs_priority".to_string(), "jobs".to_string())].into());
        let within: Vec<Sum> = ledger.sums().into_iter().filter(|s| s.relation == Relation::Within).collect();
        assert_eq!(within, vec![Sum { total: Some(whole), parts: vec![part], relation: Relation::Within }]);
    }

    #[test]
    fn a_withheld_event_count_is_not_left_the_sum_of_its_cohort() {
        // ORG01's people supported: 12, in programme P 3 (small) and Q 9 (a headline):
        // 12 is withheld to protect the 3. Its cohort, 6 + 6 + 0, published, would add
        // up to it: tied, a part with people goes (and the other with it, held together).
        let protect = |tie: bool| {
            let mut ledger = Ledger::new();
            let doc = ledger.document("board ORG01");
            let cell = |id: &str, fields: &[(&str, &str)], value: f64| Figure {
                key: Key::new(id, fields.iter().map(|(f, v)| (f.to_string(), v.to_string())).collect(), fy(2024)),
                ..figure(&[], fy(2024), value, None)
            };
            let org = [("organisation", "ORG01")];
            let event = ledger.add(cell("supported", &org, 12.0), doc);
            ledger.add(cell("supported", &[org[0], ("programme", "P")], 3.0), doc);
            ledger.add(Figure { headline: true, ..cell("supported", &[org[0], ("programme", "Q")], 9.0) }, doc);
            let parts: Vec<usize> = [("c.achieved", 6.0), ("c.not_achieved", 6.0), ("c.pending", 0.0)]
                .map(|(id, v)| ledger.add(cell(id, &org, v), doc))
                .to_vec();
            ledger.hold_together(parts.clone());
            if tie {
                let ids = ["c.achieved", "c.not_achieved", "c.pending"].map(String::from).to_vec();
                ledger.tie_cohorts(vec![("supported".into(), ids)]);
            }
            let withheld = ledger.protect(5, true).unwrap().withheld;
            (withheld[event], parts.iter().map(|p| withheld[*p].is_withheld()).collect::<Vec<_>>())
        };
        assert_eq!(
            protect(false),
            (Withheld::Secondary, vec![false, false, false]),
            "unprotected, the count is their sum"
        );
        assert_eq!(protect(true), (Withheld::Secondary, vec![true, true, false]));
    }

    #[test]
    fn a_figure_in_two_documents_is_one_cell_and_sums_need_a_published_total() {
        let mut ledger = Ledger::new();
        let (board, funder) = (ledger.document("board ORG03"), ledger.document("funder PSP-GATE"));
        // The board pack prints ORG03's year; the funder report ORG03 within PSP-GATE,
        // and PSP-GATE's year.
        let own = ledger.add(
            Figure { headline: true, ..figure(&[("organisation", "ORG03")], fy(2024), 17.0, Some(Whole::Year)) },
            board,
        );
        let within = ledger
            .add(figure(&[("organisation", "ORG03"), ("programme", "P")], fy(2024), 17.0, Some(Whole::Year)), funder);
        let again = ledger.add(figure(&[("organisation", "ORG03")], fy(2024), 17.0, Some(Whole::Year)), funder);
        assert_eq!(own, again);
        assert_eq!(ledger.documents_of(own), ["board ORG03", "funder PSP-GATE"]);
        let sums = ledger.sums();
        // ORG03 = ORG03 in P (the programme's total, P alone, is not published).
        assert_eq!(sums, vec![Sum { total: Some(own), parts: vec![within], relation: Relation::Equal }]);
    }

    #[test]
    fn quarters_tie_to_their_years_and_months_to_their_quarters() {
        let mut ledger = Ledger::new();
        let doc = ledger.document("d");
        let q = |label_from: NaiveDate, v| {
            let to = label_from.checked_add_months(Months::new(3)).unwrap().pred_opt().unwrap();
            figure(&[], Days { from: Some(label_from), to }, v, Some(Whole::Quarter))
        };
        let year = ledger.add(figure(&[], fy(2024), 30.0, Some(Whole::Year)), doc);
        let q1 = ledger.add(q(day(2024, 4, 1), 3.0), doc);
        let q2 = ledger.add(q(day(2024, 7, 1), 22.0), doc);
        let sums = ledger.sums();
        // Q3 and Q4 are not published: the year is at least Q1 + Q2 (30 ≥ 3 + 22).
        assert_eq!(sums, vec![Sum { total: Some(year), parts: vec![q1, q2], relation: Relation::AtLeast }]);
        // With Q3 published too, 30 = 3 + 22 + 5: every quarter with records is there.
        let q3 = ledger.add(q(day(2024, 10, 1), 5.0), doc);
        assert_eq!(ledger.sums(), vec![Sum { total: Some(year), parts: vec![q1, q2, q3], relation: Relation::Equal }]);
    }

    #[test]
    fn a_headline_is_kept_when_a_cheaper_cell_can_protect() {
        // ORG03's year (a headline, 17) = P (15) + Q (2). The 2 is small; the 15 is
        // the cheaper cell to withhold beside it.
        let mut ledger = Ledger::new();
        let doc = ledger.document("d");
        let own = ledger.add(
            Figure { headline: true, ..figure(&[("organisation", "ORG03")], fy(2024), 17.0, Some(Whole::Year)) },
            doc,
        );
        let p = ledger
            .add(figure(&[("organisation", "ORG03"), ("programme", "P")], fy(2024), 15.0, Some(Whole::Year)), doc);
        let q =
            ledger.add(figure(&[("organisation", "ORG03"), ("programme", "Q")], fy(2024), 2.0, Some(Whole::Year)), doc);
        let protection = ledger.protect(5, true).unwrap();
        assert_eq!(protection.withheld[own], Withheld::No);
        assert_eq!(protection.withheld[q], Withheld::Small);
        assert_eq!(protection.withheld[p], Withheld::Secondary);
        assert!(protection.audit.unwrap().iter().all(|f| !f.pinned()));
    }

    #[test]
    fn the_audit_adds_what_two_sums_together_give_away() {
        // Organisation × programme with both margins published:
        //          P    Q  | total
        //   A      3   10  |  13
        //   B     20   30  |  50
        //   all   23   40  |  63
        // Per sum, A·P (3) takes A·Q (10) and B·P (20) with it; then B·Q (30) goes too
        // (the column Q and the row B each have one withheld cell). The audit finds no
        // cell pinned.
        let mut ledger = Ledger::new();
        let doc = ledger.document("d");
        let mut add = |fields: &[(&str, &str)], v: f64| ledger.add(figure(fields, fy(2024), v, None), doc);
        let ap = add(&[("organisation", "A"), ("programme", "P")], 3.0);
        let aq = add(&[("organisation", "A"), ("programme", "Q")], 10.0);
        let bp = add(&[("organisation", "B"), ("programme", "P")], 20.0);
        let bq = add(&[("organisation", "B"), ("programme", "Q")], 30.0);
        add(&[("organisation", "A")], 13.0);
        add(&[("organisation", "B")], 50.0);
        add(&[("programme", "P")], 23.0);
        add(&[("programme", "Q")], 40.0);
        add(&[], 63.0);
        let protection = ledger.protect(5, true).unwrap();
        for c in [ap, aq, bp, bq] {
            assert!(protection.withheld[c].is_withheld(), "{:?}", ledger.key(c));
        }
        assert!(protection.audit.unwrap().iter().all(|f| !f.pinned()));
    }
}
