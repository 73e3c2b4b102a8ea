//! The one pass over records. Each record is added to a cell keyed by its group (the
//! `by` dimensions and the indicator; for stocks also its unit and date), so that
//! millions of records become a few thousand cells, batch by batch, in memory that
//! does not grow with the data. The roll-up rules then run in polars on the cells.
//!
//! Why not polars' group-by here: grouping 10M records by text keys took 1.5–1.8 s
//! per query on this 2-core machine, and the three roll-up kinds need three; the
//! fold codes each text once per distinct value (see `data::views`), finds most
//! records' cells by arithmetic (`Dense`), and takes about a tenth of that in all.

mod cells;
mod cohorts;
mod columns;
mod people;
mod periods;
mod running;

use cells::*;
use cohorts::*;
use columns::*;
pub use people::PeopleFold;
use periods::*;

use polars::prelude::*;
use rayon::prelude::*;

use super::{Dimension, Filters, Grain, NOT_RECORDED};
use crate::data::parse::epoch_days;
use crate::data::validate::text;
use crate::data::views::code_texts;
use crate::data::ParticipantScope;
use crate::data::Records;
use crate::error::Result;
use crate::indicator::{CohortPart, Library, RollUp, COHORT_PARTS};

/// Folds batches of records into cells (see the module comment).
pub struct Fold<'a> {
    dims: Vec<Dimension>,
    filters: Filters,
    /// Indicator id → its number (the index into `ids` and `kinds`).
    indicators: PlHashMap<&'a str, u32>,
    ids: Vec<&'a str>,
    kinds: Vec<Kind>,
    /// One coder per key slot that holds text (dimensions, stock units).
    codes: Vec<Codes>,
    /// Every cell, in order of first record, and each key's place in that list.
    cells: Vec<(Key, Cell)>,
    index: PlHashMap<Key, u32>,
    /// Find cells through `Dense` where it fits (off only to test it against keys).
    direct: bool,
    cohorts: CohortRules,
    /// Cell number × `cohorts.width` + k → the cell of the k-th cohort its event
    /// starts, with the same groups (NO_CELL until first needed).
    cohort_cells: Vec<u32>,
    /// Per indicator number: whether the request needs its records (see `needed`).
    needed: Vec<bool>,
    /// Take each record's indicator number from the checks (`schema::INDICATOR_NUMBER`),
    /// which numbered it against this fold's library, instead of looking its id up
    /// again: set only where the records were checked in the same pass.
    numbered_by_checks: bool,
    /// Who a participant id names: people are linked within this scope.
    participants: ParticipantScope,
    /// Also roll up each row's figure to date: for each row of the table (a period and
    /// the other groups), every record from the start up to the period's end, by the
    /// indicator's own rule (see `running`); needs a period among the `by`.
    to_date: bool,
}

impl<'a> Fold<'a> {
    /// A fold of records into cells grouped by `dims`, keeping only records `filters` lets through.
    pub fn new(library: &'a Library, dims: &[Dimension], filters: &Filters) -> Fold<'a> {
        let ids: Vec<&str> = library.iter().map(|i| i.id.as_str()).collect();
        let indicators = ids.iter().enumerate().map(|(n, id)| (*id, n as u32)).collect();
        let kinds = library
            .iter()
            .map(|i| match i.roll_up() {
                RollUp::Flow(_) => Kind::Flow,
                RollUp::Stock { .. } => Kind::Stock,
                RollUp::Distinct => Kind::Distinct,
                RollUp::Ratio => Kind::Ratio,
                RollUp::Cohort => Kind::Cohort,
            })
            .collect();
        let codes = (0..SLOTS).map(|_| Codes::default()).collect();
        let cohorts = CohortRules::new(library, &indicators, &filters.indicators);
        let needed = needed(library, &filters.indicators);
        Fold {
            cohorts,
            cohort_cells: Vec::new(),
            needed,
            dims: dims.to_vec(),
            filters: filters.clone(),
            indicators,
            ids,
            kinds,
            codes,
            cells: Vec::new(),
            index: PlHashMap::default(),
            direct: true,
            numbered_by_checks: false,
            participants: ParticipantScope::default(),
            to_date: false,
        }
    }

    /// The fold a request asks for (`Fold::new`, and figures to date when it asks).
    pub fn for_request(library: &'a Library, request: &super::Request) -> Fold<'a> {
        let mut fold = Fold::new(library, &request.by, &request.filters);
        fold.to_date = request.to_date;
        fold
    }

    /// Link participant ids within `scope` (default: within each organisation).
    pub fn set_participants(&mut self, scope: ParticipantScope) {
        self.participants = scope;
    }

    /// Take the records' indicator numbers from their checks (see `numbered_by_checks`):
    /// only for records checked against the library this fold was made with.
    pub(crate) fn take_numbers_from_checks(&mut self) {
        self.numbered_by_checks = true;
    }

    /// Add a batch of typed records (canonical columns).
    pub fn add(&mut self, records: &DataFrame) -> Result<()> {
        let kept = keep_units(records, self.units())?;
        self.add_with_kept(records, kept.as_ref())
    }

    /// The organisations, programmes, areas and groups the filters keep (each list
    /// empty when that filter names none). Folds with the same units can share one
    /// `keep_units` of a batch.
    pub fn units(&self) -> Units<'_> {
        let f = &self.filters;
        [&f.organisations, &f.programmes, &f.areas, &f.groups]
    }

    /// `add`, given `kept`: the batch's records of this fold's units, from
    /// `keep_units(records, self.units())` (None: the filters name no units).
    pub fn add_with_kept(&mut self, records: &DataFrame, kept: Option<&DataFrame>) -> Result<()> {
        // A cohort's window is judged against the latest day of any record read,
        // whoever it is about.
        let outcomes_apart = self.cohorts.any() && (kept.is_some() || self.filters.priority.is_some());
        if self.cohorts.any() {
            let date = records.column("date")?.cast(&DataType::Date)?;
            let latest = date.date()?.physical().max().into_iter().chain(self.cohorts.latest_day).max();
            self.cohorts.latest_day = latest;
        }
        // Filters choose a cohort's members, never its outcomes: a member's follow-up
        // is looked for in every record, whichever organisation, programme, area or
        // group the filters keep. When they keep only some records, the outcomes are
        // gathered from the whole batch apart.
        if outcomes_apart {
            self.add_outcomes(records)?;
        }
        self.add_kept(kept.unwrap_or(records), !outcomes_apart)
    }

    /// Each record's indicator number, where the request needs its records.
    fn numbers(&self, records: &DataFrame) -> Result<Vec<Option<u32>>> {
        let needed = &self.needed;
        let checked_numbers = match records.column(crate::data::schema::INDICATOR_NUMBER) {
            Ok(c) if self.numbered_by_checks => Some(c.u32()?),
            _ => None,
        };
        Ok(match checked_numbers {
            // Chunk by chunk, not through `Plain`: its copy into one piece and per-row
            // reads cost the fold 35M more instructions on 2M records (callgrind).
            Some(checked) => {
                let mut numbers = Vec::with_capacity(checked.len());
                for arr in checked.downcast_iter() {
                    let wanted = |n: u32| Some(n).filter(|n| needed.get(*n as usize).copied().unwrap_or(false));
                    match arr.validity().filter(|v| v.unset_bits() > 0) {
                        None => numbers.extend(arr.values().iter().map(|&n| wanted(n))),
                        Some(_) => numbers.extend(arr.iter().map(|n| n.and_then(|&n| wanted(n)))),
                    }
                }
                numbers
            }
            None => {
                let indicators = &self.indicators;
                let indicator = text(records, "indicator")?;
                code_texts(&indicator, |i| {
                    i.and_then(|i| indicators.get(i.trim()).copied()).filter(|n| needed[*n as usize])
                })
            }
        })
    }

    /// Every cohort outcome record of the batch, whoever it is about, as an event of
    /// its person (see `add_with_kept`).
    fn add_outcomes(&mut self, records: &DataFrame) -> Result<()> {
        let numbers = self.numbers(records)?;
        let date = records.column("date")?.cast(&DataType::Date)?;
        let date = date.date()?.physical().rechunk();
        let date = Plain::of(&date)?;
        let (participant, organisation, programme) =
            (text(records, "participant")?, text(records, "organisation")?, text(records, "programme")?);
        let (participant, organisation, programme) =
            (TextAt::new(&participant), TextAt::new(&organisation), TextAt::new(&programme));
        let scope = self.participants;
        for (i, n) in numbers.iter().enumerate() {
            let Some(slot) = n.and_then(|n| self.cohorts.outcome_slot[n as usize]) else { continue };
            let (Some(p), Some(day)) = (participant.get(i), date.get(i)) else { continue };
            let person = scope.person64(organisation.get(i), programme.get(i), p);
            self.cohorts.events[slot].push(visit(person, day));
        }
        Ok(())
    }

    /// `add` for the records the unit filters keep; with `outcomes`, their cohort
    /// outcome records are taken as events too (else they were, from the whole batch).
    fn add_kept(&mut self, records: &DataFrame, outcomes: bool) -> Result<()> {
        let text = |name: &str| text(records, name);
        let organisation = text("organisation")?;
        let programme = text("programme")?;
        let participant = text("participant")?;
        let (organisation, programme) = (TextAt::new(&organisation), TextAt::new(&programme));
        let value = records.column("value")?.cast(&DataType::Float64)?;
        let value = value.f64()?.rechunk();
        let value = Plain::of(&value)?;
        let date = records.column("date")?.cast(&DataType::Date)?;
        let date = date.date()?.physical().rechunk();
        let date = Plain::of(&date)?;
        let dim_cols: Vec<DimColumn> = self
            .dims
            .iter()
            .map(|d| {
                Ok(match d {
                    Dimension::Period(g) => DimColumn::Period(*g),
                    Dimension::Field("simd_decile") => {
                        DimColumn::Decile(records.column("simd_decile")?.cast(&DataType::Int32)?.i32()?.clone())
                    }
                    Dimension::Field(name) => DimColumn::Text(text(name)?),
                })
            })
            .collect::<Result<_>>()?;
        let from = self.filters.from.map(epoch_days);
        let to = self.filters.to.map(epoch_days);

        // Column by column first (tight loops over each column), then row by row over
        // the small per-row numbers.
        // Ids are matched trimmed, as the checks match them.
        let in_period = |day: i32| from.is_none_or(|f| day >= f) && to.is_none_or(|t| day <= t);
        // A cohort's outcome events are read whatever their date (see `CohortRules`),
        // unless they were gathered apart.
        let outcome_slot = &self.cohorts.outcome_slot;
        let numbers = self.numbers(records)?;
        // The rows, and the span of their days (for the period keys) in the same pass.
        let mut rows: Vec<Option<(u32, Kind, i32)>> = vec![None; numbers.len()];
        let mut periods = DayPeriods::default();
        let mut indicators = (u32::MAX, 0);
        for (i, (row, ind)) in rows.iter_mut().zip(&numbers).enumerate() {
            let (Some(ind), Some(day)) = (*ind, date.get(i)) else { continue };
            let kind = self.kinds[ind as usize];
            let computed = matches!(kind, Kind::Ratio | Kind::Cohort);
            let wanted = in_period(day) || (outcomes && outcome_slot.get(ind as usize).is_some_and(Option::is_some));
            if !computed && wanted {
                *row = Some((ind, kind, day));
                periods.cover(day);
                indicators = (indicators.0.min(ind), indicators.1.max(ind));
            }
        }
        if let Some(priority) = &self.filters.priority {
            for (row, reaches) in rows.iter_mut().zip(reaches_priority(records, priority)?) {
                if !reaches {
                    *row = None;
                }
            }
        }
        // Participants are read in the record loop, only for the rows that need one.
        let participant = TextAt::new(&participant);
        let scope = self.participants;
        // Per dimension, the value each row puts in its key: a text's code, a decile
        // + 1 (0: none), a period's key.
        let mut dim_values: Vec<Vec<u32>> = Vec::with_capacity(dim_cols.len());
        for (slot, d) in dim_cols.iter().enumerate() {
            dim_values.push(match d {
                DimColumn::Period(g) => periods.keys(*g, &rows),
                DimColumn::Decile(c) => c.iter().map(|v| v.map_or(0, |v| v as u32 + 1)).collect(),
                DimColumn::Text(c) => {
                    let codes = &mut self.codes[slot];
                    code_texts(c, |v| codes.code(v))
                }
            });
        }
        // Only stocks keep their unit (organisation and programme) in the key, and
        // they are few: their texts are coded row by row, not column by column.
        let (org_codes, prog_codes) = self.codes[ORG..=PROG].split_at_mut(1);
        let (org_codes, prog_codes) = (&mut org_codes[0], &mut prog_codes[0]);
        let mut key_of = |i: usize, ind: u32, kind: Kind, day: i32| {
            let mut key = Key::default();
            for (slot, values) in dim_values.iter().enumerate() {
                key[slot] = values[i];
            }
            key[IND] = ind;
            if kind == Kind::Stock {
                key[ORG] = org_codes.code(organisation.get(i));
                key[PROG] = prog_codes.code(programme.get(i));
                key[DATE] = day as u32;
            }
            key
        };
        let mut dense = Dense::new(&rows, &dim_values, indicators).filter(|_| self.direct);
        for (i, row) in rows.iter().enumerate() {
            let Some((ind, kind, day)) = *row else { continue };
            let outcome = self.cohorts.outcome_slot[ind as usize];
            let starts = self.cohorts.cohort_of.get(ind as usize).map_or(&[][..], Vec::as_slice);
            // The participant, read once, and only for a row that needs one.
            let person = (outcome.is_some() || kind == Kind::Distinct || !starts.is_empty())
                .then(|| participant.get(i))
                .flatten();
            // A cohort's outcome events are kept whatever their date; counted in a
            // figure only within the period.
            if let Some(slot) = outcome {
                if let Some(p) = person.filter(|_| outcomes) {
                    let id = scope.person64(organisation.get(i), programme.get(i), p);
                    self.cohorts.events[slot].push(visit(id, day));
                }
                if !in_period(day) {
                    continue;
                }
            }
            let v = value.get(i);
            let cell = match dense.as_mut().filter(|_| kind != Kind::Stock) {
                Some(dense) => {
                    dense.cell(i, || cell_number(&mut self.index, &mut self.cells, key_of(i, ind, kind, day)))
                }
                None => cell_number(&mut self.index, &mut self.cells, key_of(i, ind, kind, day)),
            };
            let own_cell = cell;
            let cell = &mut self.cells[cell as usize].1;
            cell.records += 1;
            if let Some(v) = v {
                cell.sum.add(v);
                cell.values += 1;
                cell.min = cell.min.min(v);
                cell.max = cell.max.max(v);
            }
            if kind == Kind::Distinct {
                if let Some(p) = person {
                    cell.people().distinct.add(scope.person128(organisation.get(i), programme.get(i), p));
                }
            }
            // A cohort event puts its participant in each cohort it starts, in the same
            // groups (records without a participant id cannot be followed up).
            // Its cohort cells have the row's own cell's groups: found once per cell.
            if let Some(p) = person.filter(|_| !starts.is_empty()) {
                let member = visit(scope.person64(organisation.get(i), programme.get(i), p), day);
                let width = self.cohorts.width;
                for (k, &c) in starts.iter().enumerate() {
                    let at = own_cell as usize * width + k;
                    if self.cohort_cells.len() <= at {
                        self.cohort_cells.resize((at + 1).max(self.cohort_cells.len() * 2), NO_CELL);
                    }
                    if self.cohort_cells[at] == NO_CELL {
                        self.cohort_cells[at] =
                            cell_number(&mut self.index, &mut self.cells, key_of(i, c, Kind::Cohort, day));
                    }
                    self.cells[self.cohort_cells[at] as usize].1.people().members.push(member);
                }
            }
        }
        Ok(())
    }

    /// The cells as three frames, each with the `by` columns (text, or a period's
    /// whole-number key) and `indicator`:
    /// flows: `__sum __mean __min __max records`;
    /// stocks: the unit columns not among `by`, `date __snap __n`;
    /// distinct: `value records`.
    /// With `to_date`, also the figures to date (`Cells::to_date`).
    pub fn finish(mut self) -> Result<Cells> {
        self.cohorts.events.par_iter_mut().for_each(|events| events.sort_unstable());
        let is_stock = |key: &Key| self.kinds[key[IND] as usize] == Kind::Stock;
        let running = self.running_slot().map(|slot| running::cells(&self.cells, slot, is_stock));
        let cells = std::mem::take(&mut self.cells);
        let mut out = self.roll(cells)?;
        if let Some(running) = running {
            out.to_date = Some(Box::new(self.roll(running)?));
        }
        Ok(out)
    }

    /// The key slot of the period dimension, when figures to date are asked for.
    fn running_slot(&self) -> Option<usize> {
        self.to_date.then(|| self.dims.iter().position(|d| matches!(d, Dimension::Period(_)))).flatten()
    }

    /// `cells` rolled into frames (see `finish`).
    fn roll(&self, mut cells: Vec<(Key, Cell)>) -> Result<Cells> {
        // One task per cell of people, for the same reason as the follow-ups below.
        let people: Vec<&mut CellPeople> =
            cells.iter_mut().filter_map(|(_, cell)| cell.people.as_deref_mut()).collect();
        people.into_par_iter().with_max_len(1).for_each(|p| p.distinct.settle());
        let latest = self.filters.as_at.map(epoch_days).or(self.cohorts.latest_day).unwrap_or(i32::MIN);
        let (rules, events) = (&self.cohorts.rule, &self.cohorts.events);
        // The cohort cells (a few dozen among tens of thousands) are followed up one
        // task each: split by place among all the cells, one thread could get most of
        // them (10M records: 84 cohort cells, 0.08 s; one task each, 0.04 s).
        let cohort_cells: Vec<(usize, &mut Cell, usize, i32)> = cells
            .iter_mut()
            .enumerate()
            .filter_map(|(at, (key, cell))| {
                let (slot, window) = rules.get(key[IND] as usize).copied().flatten()?;
                Some((at, cell, slot, window))
            })
            .collect();
        // In the cells' order, as the ordered parallel collect keeps them.
        let counts: Vec<(usize, CohortCounts)> = cohort_cells
            .into_par_iter()
            .with_max_len(1)
            .map(|(at, cell, slot, window)| (at, follow_up(&mut cell.people().members, &events[slot], window, latest)))
            .collect();
        let cohorts: Vec<(&Key, CohortCounts)> = counts.into_iter().map(|(at, c)| (&cells[at].0, c)).collect();
        let mut parts: [Vec<(&Key, &Cell)>; 3] = Default::default();
        for (key, cell) in &cells {
            match self.kinds[key[IND] as usize] {
                Kind::Flow => parts[0].push((key, cell)),
                Kind::Stock => parts[1].push((key, cell)),
                Kind::Distinct => parts[2].push((key, cell)),
                // Their counts come from the follow-ups above.
                Kind::Cohort | Kind::Ratio => {}
            }
        }
        let keys = |cells: &[&Key]| -> Result<Vec<Column>> {
            let mut cols = Vec::new();
            for (slot, d) in self.dims.iter().enumerate() {
                let col = match d {
                    Dimension::Period(g) => {
                        Column::new(g.name().into(), cells.iter().map(|k| k[slot] as i32).collect::<Vec<i32>>())
                    }
                    Dimension::Field("simd_decile") => Column::new(
                        "simd_decile".into(),
                        cells
                            .iter()
                            .map(|k| if k[slot] == 0 { NOT_RECORDED.to_string() } else { (k[slot] - 1).to_string() })
                            .collect::<Vec<String>>(),
                    ),
                    Dimension::Field(name) => {
                        let codes = &self.codes[slot];
                        Column::new(
                            (*name).into(),
                            cells.iter().map(|k| codes.name(k[slot]).unwrap_or(NOT_RECORDED)).collect::<Vec<&str>>(),
                        )
                    }
                };
                cols.push(col);
            }
            cols.push(Column::new(
                "indicator".into(),
                cells.iter().map(|k| self.ids[k[IND] as usize]).collect::<Vec<&str>>(),
            ));
            Ok(cols)
        };
        // A group whose records all lack a value has no mean, minimum or maximum.
        let if_any_values = |c: &Cell, v: f64| (c.values > 0).then_some(v);

        let f = &parts[0];
        let mut cols = keys(&key_list(f))?;
        cols.push(Column::new("__sum".into(), f.iter().map(|(_, c)| c.sum.value()).collect::<Vec<f64>>()));
        cols.push(Column::new(
            "__mean".into(),
            f.iter().map(|(_, c)| if_any_values(c, c.sum.value() / c.values as f64)).collect::<Vec<Option<f64>>>(),
        ));
        cols.push(Column::new(
            "__min".into(),
            f.iter().map(|(_, c)| if_any_values(c, c.min)).collect::<Vec<Option<f64>>>(),
        ));
        cols.push(Column::new(
            "__max".into(),
            f.iter().map(|(_, c)| if_any_values(c, c.max)).collect::<Vec<Option<f64>>>(),
        ));
        cols.push(Column::new("records".into(), f.iter().map(|(_, c)| c.records).collect::<Vec<u64>>()));
        let flows = DataFrame::new(f.len(), cols)?;

        let s = &parts[1];
        let mut cols = keys(&key_list(s))?;
        for (slot, unit) in [(ORG, "organisation"), (PROG, "programme")] {
            if !self.dims.contains(&Dimension::Field(unit)) {
                let codes = &self.codes[slot];
                cols.push(Column::new(
                    unit.into(),
                    s.iter().map(|(k, _)| codes.name(k[slot])).collect::<Vec<Option<&str>>>(),
                ));
            }
        }
        cols.push(
            Column::new("date".into(), s.iter().map(|(k, _)| k[DATE] as i32).collect::<Vec<i32>>())
                .cast(&DataType::Date)?,
        );
        cols.push(Column::new("__snap".into(), s.iter().map(|(_, c)| c.sum.value()).collect::<Vec<f64>>()));
        cols.push(Column::new("__n".into(), s.iter().map(|(_, c)| c.records).collect::<Vec<u64>>()));
        let stocks = DataFrame::new(s.len(), cols)?;

        let d = &parts[2];
        let mut cols = keys(&key_list(d))?;
        cols.push(Column::new(
            "value".into(),
            d.iter().map(|(_, c)| c.people.as_ref().map_or(0, |p| p.distinct.count()) as u32).collect::<Vec<u32>>(),
        ));
        cols.push(Column::new("records".into(), d.iter().map(|(_, c)| c.records).collect::<Vec<u64>>()));
        let distinct = DataFrame::new(d.len(), cols)?;

        // Cohorts: each cell's members by what became of them, one row per part.
        let part_keys: Vec<&Key> =
            cohorts.iter().flat_map(|(k, _)| std::iter::repeat_n(*k, COHORT_PARTS.len())).collect();
        let mut cols = keys(&part_keys)?;
        cols.push(Column::new(
            "__part".into(),
            cohorts.iter().flat_map(|_| COHORT_PARTS.map(|(_, suffix)| suffix)).collect::<Vec<&str>>(),
        ));
        cols.push(Column::new(
            "value".into(),
            cohorts
                .iter()
                .flat_map(|(_, c)| COHORT_PARTS.map(|(part, _)| count_of(part, c) as f64))
                .collect::<Vec<f64>>(),
        ));
        let cohorts = DataFrame::new(part_keys.len(), cols)?;
        Ok(Cells { flows, stocks, distinct, cohorts, to_date: None })
    }
}

impl Records for Fold<'_> {
    fn batch(&mut self, records: DataFrame) -> Result<()> {
        self.add(&records)
    }
    fn restart(&mut self) {
        self.cohorts.events.iter_mut().for_each(Vec::clear);
        self.cohorts.latest_day = None;
        self.cohort_cells.clear();
        self.cells.clear();
        self.index.clear();
        self.codes.iter_mut().for_each(|c| *c = Codes::default());
    }
}

/// Per indicator (in library order): whether a request for `wanted` (all when empty)
/// reads its records: the indicators asked for, and the parts of the ratios and the
/// events of the cohorts among them. The rest are not folded at all.
fn needed(library: &Library, wanted: &[String]) -> Vec<bool> {
    if wanted.is_empty() {
        return vec![true; library.iter().count()];
    }
    let mut ids: Vec<&str> = wanted.iter().map(String::as_str).collect();
    for id in wanted {
        if let Some(ind) = library.get(id) {
            ids.extend(
                [&ind.numerator, &ind.denominator, &ind.cohort, &ind.outcome].into_iter().flatten().map(String::as_str),
            );
        }
    }
    library.iter().map(|i| ids.contains(&i.id.as_str())).collect()
}

/// Per record: whether it reaches a priority group (see `Priority`).
fn reaches_priority(records: &DataFrame, priority: &super::Priority) -> Result<Vec<bool>> {
    let simd = records.column("simd_decile")?.cast(&DataType::Int32)?;
    let group = text(records, "beneficiary_group")?;
    Ok(simd
        .i32()?
        .iter()
        .zip(group.iter())
        .map(|(d, g)| {
            d.is_some_and(|d| d <= priority.simd_max) || g.is_some_and(|g| priority.groups.iter().any(|p| p == g))
        })
        .collect())
}

/// The unit filters of a fold, in the order organisations, programmes, areas, groups.
pub type Units<'f> = [&'f Vec<String>; 4];

/// The records of the units named (None: no unit is named, every record is kept).
/// Records of other units are dropped before anything else is worked out for them:
/// one report's fold of a 1,000-organisation file keeps a thousandth of each batch.
pub fn keep_units(records: &DataFrame, units: Units) -> Result<Option<DataFrame>> {
    let mut mask: Option<BooleanChunked> = None;
    for (name, wanted) in ["organisation", "programme", "area", "beneficiary_group"].into_iter().zip(units) {
        if wanted.is_empty() {
            continue;
        }
        let column = text(records, name)?;
        let kept: BooleanChunked = column
            .iter()
            .map(|v| Some(v.is_some_and(|v| wanted.iter().any(|w| w == v))))
            .collect::<BooleanChunked>()
            .with_name(PlSmallStr::EMPTY);
        mask = Some(match mask {
            Some(m) => &m & &kept,
            None => kept,
        });
    }
    let Some(mask) = mask else { return Ok(None) };
    // Column by column on this thread: `DataFrame::filter` hands the columns to the
    // thread pool, where the fold then waited behind the reader's work.
    let columns = records.columns().iter().map(|c| c.filter(&mask)).collect::<PolarsResult<Vec<_>>>()?;
    let height = columns.first().map_or(0, Column::len);
    Ok(Some(DataFrame::new(height, columns)?))
}

/// A fold's result, ready for the roll-up rules.
pub struct Cells {
    /// Summed, counted, mean, min and max values per cell (flow indicators).
    pub flows: DataFrame,
    /// Snapshots per reporting unit and date (stock indicators), before the roll-up over time and units.
    pub stocks: DataFrame,
    /// Distinct participants per cell (distinct-people indicators).
    pub distinct: DataFrame,
    /// Cohort indicators: the `by` columns, `indicator` (the cohort indicator),
    /// `__part` (a suffix of `COHORT_PARTS`) and `value`, the people in that part.
    pub cohorts: DataFrame,
    /// With a request's `to_date`: the same frames for each row's figure to date,
    /// keyed by the row's period (every record up to its end).
    pub to_date: Option<Box<Cells>>,
}

enum DimColumn {
    Period(Grain),
    Decile(Int32Chunked),
    Text(StringChunked),
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, NaiveDate};

    #[test]
    fn galloping_finds_what_a_binary_search_finds() {
        let events: Vec<u128> = [1u128, 3, 3, 4, 9, 10, 10, 10, 15, 40, 41, 100].to_vec();
        for x in 0..110u128 {
            assert_eq!(first_not_below(&events, x), events.partition_point(|e| *e < x), "{x}");
        }
        for len in 0..70usize {
            let events: Vec<u128> = (0..len as u128).map(|k| k * 3).collect();
            for x in 0..(len as u128 * 3 + 2) {
                assert_eq!(first_not_below(&events, x), events.partition_point(|e| *e < x), "{len} {x}");
            }
        }
    }

    #[test]
    fn civil_dates_match_chrono() {
        // Every day from 1899 to 2101, which crosses leap years and century rules.
        let start = NaiveDate::from_ymd_opt(1899, 1, 1).unwrap();
        for offset in 0..(202 * 366) {
            let d = start + chrono::Duration::days(offset);
            assert_eq!(civil_from_days(epoch_days(d)), (d.year(), d.month()), "{d}");
        }
    }

    #[test]
    fn plain_columns_read_as_polars_does() {
        // Gaps every fifth row; a slice starting mid-byte of the validity bits (by 3,
        // which moves the gaps); two chunks made one; a column without gaps.
        let mut whole =
            Float64Chunked::from_iter_options("v".into(), (0..40).map(|i| (i % 5 != 0).then_some(f64::from(i) * 0.5)));
        whole.append(&Float64Chunked::from_slice("v".into(), &[7.0, 8.0])).unwrap();
        let sliced = whole.slice(3, 30);
        let full = Float64Chunked::from_slice("v".into(), &[1.0, 2.0, 3.0]);
        for column in [whole, sliced, full] {
            let one = column.rechunk();
            let plain = Plain::of(&one).unwrap();
            let read: Vec<Option<f64>> = (0..column.len()).map(|i| plain.get(i)).collect();
            assert_eq!(read, column.iter().collect::<Vec<_>>());
        }
        // Not in one piece: refused, not misread.
        let mut two = Int32Chunked::from_slice("d".into(), &[1, 2]);
        two.append(&Int32Chunked::from_slice("d".into(), &[3])).unwrap();
        assert!(Plain::of(&two).is_err());
    }

    #[test]
    fn period_keys_match_the_grains() {
        let day = |y, m, d| epoch_days(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        assert_eq!(period_key(Grain::FinancialYear, day(2025, 3, 31)), 2024);
        assert_eq!(period_key(Grain::FinancialYear, day(2025, 4, 1)), 2025);
        assert_eq!(period_key(Grain::Quarter, day(2024, 5, 9)), 20242);
        assert_eq!(period_key(Grain::FinancialQuarter, day(2024, 5, 9)), 20241);
        assert_eq!(period_key(Grain::FinancialQuarter, day(2025, 2, 9)), 20244);
        assert_eq!(period_key(Grain::Month, day(2024, 12, 1)), 202412);
        assert_eq!(period_key(Grain::Year, day(2024, 12, 31)), 2024);
    }

    #[test]
    fn people_are_counted_once_across_compactions() {
        // 30,000 additions of 7,000 people, in an order that repeats people both
        // within and across compactions (the first at 64 hashes).
        let mut people = People::default();
        let mut plain = std::collections::HashSet::new();
        for i in 0..30_000u128 {
            let person = (i * 7_919) % 7_000;
            people.add(person);
            plain.insert(person);
        }
        people.settle();
        assert_eq!(people.count(), 7_000);
        assert_eq!(people.count(), plain.len());
        // Memory stays within twice the people plus the slack.
        assert!(people.hashes.capacity() <= 4 * 7_000 + 128, "{}", people.hashes.capacity());
        // A cell of three people that takes 10,000 records holds at most 70 hashes.
        let mut few = People::default();
        (0..10_000u128).for_each(|i| few.add(i % 3));
        assert!(few.hashes.len() <= 70, "{}", few.hashes.len());
        few.settle();
        assert_eq!(few.count(), 3);
    }

    #[test]
    fn cells_found_directly_equal_cells_found_by_key() {
        // Flows, a stock and distinct people, by organisation, quarter and decile (with
        // a gap), over two batches; folded with and without the direct table.
        let library = Library::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/indicators"))).unwrap();
        let ids: Vec<&str> = library.iter().map(|i| i.id.as_str()).collect();
        let people = ids.iter().copied().find(|id| library.get(id).unwrap().roll_up() == RollUp::Distinct).unwrap();
        let stock =
            ids.iter().copied().find(|id| matches!(library.get(id).unwrap().roll_up(), RollUp::Stock { .. })).unwrap();
        let flow =
            ids.iter().copied().find(|id| matches!(library.get(id).unwrap().roll_up(), RollUp::Flow(_))).unwrap();
        let batch = |offset: i32| {
            let n = 600;
            let pick = |i: i32| [flow, stock, people][(i % 3) as usize];
            df!(
                "indicator" => (0..n).map(|i| pick(i + offset)).collect::<Vec<_>>(),
                "organisation" => (0..n).map(|i| format!("ORG{}", (i + offset) % 5)).collect::<Vec<_>>(),
                "programme" => (0..n).map(|i| format!("P{}", i % 2)).collect::<Vec<_>>(),
                "participant" => (0..n).map(|i| format!("person-{}", i % 97)).collect::<Vec<_>>(),
                "value" => (0..n).map(|i| f64::from(i % 13) * 1.5).collect::<Vec<_>>(),
                "date" => (0..n).map(|i| 19_000 + (i * 7 + offset) % 800).collect::<Vec<_>>(),
                "simd_decile" => (0..n).map(|i| (i % 11 != 0).then_some(i % 10 + 1)).collect::<Vec<_>>(),
            )
            .unwrap()
        };
        let dims =
            [Dimension::Field("organisation"), Dimension::Period(Grain::Quarter), Dimension::Field("simd_decile")];
        let fold = |direct: bool| {
            let mut fold = Fold::new(&library, &dims, &Filters::default());
            fold.direct = direct;
            for offset in [0, 5] {
                fold.add(&batch(offset)).unwrap();
            }
            let cells = fold.finish().unwrap();
            let sorted = |df: DataFrame| {
                let by: Vec<String> = df.get_column_names().iter().map(|n| n.to_string()).collect();
                df.sort(by, SortMultipleOptions::default()).unwrap()
            };
            [sorted(cells.flows), sorted(cells.stocks), sorted(cells.distinct)]
        };
        let (direct, by_key) = (fold(true), fold(false));
        for (a, b) in direct.iter().zip(&by_key) {
            assert!(a.height() > 10, "{a}");
            assert!(a.equals_missing(b), "{a}\n{b}");
        }
    }

    #[test]
    fn numbers_from_the_checks_give_the_cells_ids_give() {
        // A fold that takes each record's indicator number from the checks' column
        // finds the same cells as one that looks the (padded, or unknown) ids up.
        let library = Library::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/indicators"))).unwrap();
        let ids: Vec<&str> = library.iter().map(|i| i.id.as_str()).collect();
        let pick = |i: usize| -> (String, Option<u32>) {
            match i % 7 {
                // An id the library does not hold: no number, no cell.
                6 => ("no_such_indicator".into(), None),
                k => {
                    let n = (i * 5 + k) % ids.len();
                    let id = if k == 3 { format!(" {} ", ids[n]) } else { ids[n].to_string() };
                    (id, Some(n as u32))
                }
            }
        };
        let n = 2_000;
        let rows: Vec<(String, Option<u32>)> = (0..n).map(pick).collect();
        let records = |numbers: Vec<Option<u32>>| {
            df!(
                "indicator" => rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
                "organisation" => (0..n).map(|i| format!("ORG{}", i % 4)).collect::<Vec<_>>(),
                "programme" => (0..n).map(|i| format!("P{}", i % 3)).collect::<Vec<_>>(),
                "participant" => (0..n).map(|i| (i % 13 != 0).then(|| format!("person-{}", i % 89))).collect::<Vec<_>>(),
                "value" => (0..n).map(|i| (i % 17) as f64).collect::<Vec<_>>(),
                "date" => (0..n).map(|i| 19_000 + (i as i32 * 11) % 900).collect::<Vec<_>>(),
                "simd_decile" => (0..n).map(|i| Some((i % 10 + 1) as i32)).collect::<Vec<_>>(),
                crate::data::schema::INDICATOR_NUMBER => numbers,
            )
            .unwrap()
        };
        let dims = [Dimension::Field("organisation"), Dimension::Period(Grain::FinancialYear)];
        let fold = |records: &DataFrame, numbered: bool| {
            let mut fold = Fold::new(&library, &dims, &Filters::default());
            if numbered {
                fold.take_numbers_from_checks();
            }
            // In two batches, the second in two chunks.
            fold.add(&records.slice(0, 700)).unwrap();
            let mut rest = records.slice(700, 600);
            rest.vstack_mut(&records.slice(1_300, 700)).unwrap();
            fold.add(&rest).unwrap();
            let cells = fold.finish().unwrap();
            let sorted = |df: DataFrame| {
                let by: Vec<String> = df.get_column_names().iter().map(|n| n.to_string()).collect();
                df.sort(by, SortMultipleOptions::default()).unwrap()
            };
            [sorted(cells.flows), sorted(cells.stocks), sorted(cells.distinct), sorted(cells.cohorts)]
        };
        let right = records(rows.iter().map(|r| r.1).collect());
        let (numbered, looked_up) = (fold(&right, true), fold(&right, false));
        for (a, b) in numbered.iter().zip(&looked_up) {
            assert!(a.equals_missing(b), "{a}\n{b}");
        }
        assert!(numbered[0].height() > 50, "{}", numbered[0]);
        // The numbers are what the numbered fold reads: shifted by one, its cells move.
        let shifted = records(rows.iter().map(|r| r.1.map(|n| (n + 1) % ids.len() as u32)).collect());
        assert!(!fold(&shifted, true)[0].equals_missing(&looked_up[0]));
        assert!(fold(&shifted, false)[0].equals_missing(&looked_up[0]));
    }

    #[test]
    fn cohort_members_are_followed_by_person_within_the_window() {
        // Window 10 days, data up to day 100. Person 1: events on days 5 and 40 (the
        // earliest counts), outcome on day 12: achieved. Person 2: day 20, outcome on
        // day 31 (one day late) and day 15 (before the start): not achieved. Person 3:
        // day 95, window closes on day 105 after the data's end: pending, although its
        // outcome came on day 96 (counting early successes of open windows but not
        // their failures would lift the rate). Person 4: day 90, closes on day 100, no
        // outcome: not achieved.
        let visits = |list: &[(u64, i32)]| list.iter().map(|&(p, d)| visit(p, d)).collect::<Vec<u128>>();
        let mut members = visits(&[(1, 40), (2, 20), (1, 5), (3, 95), (4, 90)]);
        let mut events = visits(&[(1, 12), (2, 31), (2, 15), (3, 96), (9, 1)]);
        events.sort_unstable();
        let counts = follow_up(&mut members, &events, 10, 100);
        assert_eq!(counts, CohortCounts { achieved: 1, not_achieved: 2, pending: 1 });
        // An outcome on the window's last day counts; days before 1970 sort as days.
        let counts = follow_up(&mut visits(&[(7, -30)]), &visits(&[(7, -20)]), 10, 100);
        assert_eq!(counts.achieved, 1);
        assert_eq!(day_of(visit(u64::MAX, -5)), -5);
        assert!(visit(3, -1) < visit(3, 0) && visit(3, 1_000) < visit(4, -1_000));
    }

    #[test]
    fn compensated_sums_keep_the_pennies() {
        // A plain running sum of 0.1 ten million times gives 999999.9998389754.
        let mut sum = Sum::default();
        for _ in 0..10_000_000 {
            sum.add(0.1);
        }
        assert_eq!((sum.value() * 1e6).round() / 1e6, 1_000_000.0);
        assert!((sum.value() - 1_000_000.0).abs() < 1e-8, "{}", sum.value());
        // Catastrophic cancellation: 1e16 + 1 - 1e16 is 1, not 0.
        let mut sum = Sum::default();
        [1e16, 1.0, -1e16].into_iter().for_each(|v| sum.add(v));
        assert_eq!(sum.value(), 1.0);
    }
}
