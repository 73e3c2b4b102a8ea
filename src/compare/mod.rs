//! Programme and organisation comparison: outcomes normalised per £10k invested and
//! per participant, cost per outcome, reach into priority groups, year-on-year
//! change, rank and quartile within the peer set, and flags where a comparison is weak.

use std::collections::HashMap;

use polars::prelude::*;

use crate::aggregate::{Dimension, Filters, Grain, PeopleFold, Priority, Request, Unit};
use crate::assumptions::Investment;
use crate::error::{Error, Result};
use crate::indicator::{Aggregation, Direction, Library, RollUp};

/// Named beneficiary groups counted as priority groups unless told otherwise.
pub const DEFAULT_PRIORITY_GROUPS: [&str; 6] =
    ["long_term_unemployed", "care_experienced", "disabled", "ex_offender", "lone_parent", "young_person"];

/// What a comparison divides outcomes by: the money invested, or the people reached.
/// (A report spec's `per`, and `impact compare --per`.)
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Per {
    /// Outcomes per £10,000 invested.
    #[default]
    Investment,
    /// Outcomes per participant reached.
    Participant,
}

/// What to compare, by what, and what makes a comparison weak.
#[derive(Debug, Clone)]
pub struct Options {
    /// Compare organisations or programmes.
    pub by: Unit,
    /// Divide outcomes by money or by people.
    pub per: Per,
    /// Indicators compared (empty: every recorded one).
    pub indicators: Vec<String>,
    /// Which records count.
    pub filters: Filters,
    /// Records in a group below which a comparison is flagged as weak.
    pub min_records: i64,
    /// Beneficiary groups that count as priority reach.
    pub priority_groups: Vec<String>,
    /// SIMD deciles up to this count as priority (most deprived 20%: 2).
    pub priority_simd: i32,
}

/// One peer's figures on one indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The organisation or programme id.
    pub group: String,
    /// The indicator id.
    pub indicator: String,
    /// The indicator's value for the peer (None when withheld or not computable).
    pub value: Option<f64>,
    /// Records behind the value.
    pub records: i64,
    /// Money invested in the peer, when known.
    pub investment: Option<f64>,
    /// Distinct participants reached.
    pub participants: Option<f64>,
    /// Value per £10,000 invested.
    pub per_10k: Option<f64>,
    /// Value per participant.
    pub per_participant: Option<f64>,
    /// Investment ÷ value: pounds per unit of outcome.
    pub cost_per_outcome: Option<f64>,
    /// Share of the value that reached priority groups, in percent.
    pub priority_share: Option<f64>,
    /// Change on the previous financial year, in percent, when both have a value.
    pub yoy_change: Option<f64>,
    /// The count in priority groups that `priority_share` is built from.
    pub priority: Option<f64>,
    /// The two financial years' counts that `yoy_change` is built from, with their
    /// labels (earlier first).
    pub years: Option<[(String, f64); 2]>,
    /// Rank among peers (1 is best, by the indicator's direction).
    pub rank: Option<usize>,
    /// Quartile among peers (1 is the best quarter).
    pub quartile: Option<usize>,
    /// Cautions about the comparison, e.g. too few records.
    pub flags: Vec<String>,
}

/// Indicators worth comparing by default: counts and sums of outcomes (not ratios,
/// means or stocks, which do not scale with money or people).
pub fn default_indicators(library: &Library) -> Vec<String> {
    library
        .iter()
        .filter(|i| matches!(i.roll_up(), RollUp::Flow(Aggregation::Sum | Aggregation::Count) | RollUp::Distinct))
        .map(|i| i.id.clone())
        .collect()
}

/// A figure's value and record count, by its key texts.
type Lookup = HashMap<Vec<String>, (Option<f64>, i64)>;

fn lookup(df: &DataFrame, key_cols: &[&str]) -> Result<Lookup> {
    let keys: Vec<StringChunked> =
        key_cols.iter().map(|c| Ok(df.column(c)?.cast(&DataType::String)?.str()?.clone())).collect::<Result<_>>()?;
    let values = df.column("value")?.f64()?.clone();
    let records = df.column("records")?.i64()?.clone();
    let mut out = HashMap::new();
    for i in 0..df.height() {
        let k: Vec<String> = keys.iter().map(|c| c.get(i).unwrap_or("").to_string()).collect();
        out.insert(k, (values.get(i), records.get(i).unwrap_or(0)));
    }
    Ok(out)
}

/// What a comparison reads, in one pass: the figures by group; the same over the
/// records that reach priority groups; by group and financial year up to the
/// period's end; and the distinct participants of each group in the period.
pub fn requests(library: &Library, opts: &Options) -> Result<(Vec<Request>, PeopleFold)> {
    let ids = if opts.indicators.is_empty() { default_indicators(library) } else { opts.indicators.clone() };
    for id in &ids {
        library.require(id)?;
    }
    let by = Dimension::Field(opts.by.column());
    let base = Filters { indicators: ids, ..opts.filters.clone() };
    let priority = Priority { simd_max: opts.priority_simd, groups: opts.priority_groups.clone() };
    let request = |by: Vec<Dimension>, filters: Filters| Request { by, filters, ..Request::default() };
    let requests = vec![
        request(vec![by], base.clone()),
        request(vec![by], Filters { priority: Some(priority), ..base.clone() }),
        // Year on year: the last two financial years up to the period's end (the year
        // before a one-year period is still compared, so no `from` here).
        request(vec![by, Dimension::Period(Grain::FinancialYear)], Filters { from: None, ..base }),
    ];
    Ok((requests, PeopleFold::new(opts.by.column(), opts.filters.from, opts.filters.to)))
}

/// The comparison rows from the figures of `requests` and the people counted.
pub fn from_figures(
    figures: &[DataFrame],
    people: PeopleFold,
    library: &Library,
    investments: &HashMap<String, Investment>,
    opts: &Options,
) -> Result<Vec<Row>> {
    let [all, reach, yearly] = figures else {
        return Err(Error::internal("a comparison needs the figures of its three requests"));
    };
    let all = lookup(all, &[opts.by.column(), "indicator"])?;
    let reach = lookup(reach, &[opts.by.column(), "indicator"])?;
    let mut years: Vec<String> = yearly.column("financial_year")?.str()?.iter().flatten().map(str::to_string).collect();
    years.sort();
    years.dedup();
    let yearly = lookup(yearly, &[opts.by.column(), "financial_year", "indicator"])?;
    let last_two = (years.len() >= 2).then(|| (years[years.len() - 2].clone(), years[years.len() - 1].clone()));
    let participants: HashMap<String, f64> = people.finish().into_iter().map(|(g, n)| (g, n as f64)).collect();

    let mut rows: Vec<Row> = Vec::new();
    let mut keys: Vec<&Vec<String>> = all.keys().collect();
    keys.sort();
    for key in keys {
        let (group, indicator) = (&key[0], &key[1]);
        let (value, recs) = all[key];
        let investment =
            investments.get(group).map(|i| i.share(opts.filters.from, opts.filters.to)).filter(|i| *i > 0.0);
        let people = participants.get(group).copied().filter(|p| *p > 0.0);
        let per_10k = match (value, investment) {
            (Some(v), Some(i)) => Some(v / i * 10_000.0),
            _ => None,
        };
        let per_participant = match (value, people) {
            (Some(v), Some(p)) => Some(v / p),
            _ => None,
        };
        let cost_per_outcome = match (value, investment) {
            (Some(v), Some(i)) if v > 0.0 => Some(i / v),
            _ => None,
        };
        let priority = match (value, reach.get(key).and_then(|r| r.0)) {
            (Some(v), Some(p)) if v > 0.0 => Some(p),
            (Some(v), None) if v > 0.0 => Some(0.0),
            _ => None,
        };
        let priority_share = priority.zip(value).map(|(p, v)| p / v * 100.0);
        let years = last_two.as_ref().and_then(|(prev, last)| {
            let get = |y: &str| yearly.get(&vec![group.clone(), y.to_string(), indicator.clone()]).and_then(|r| r.0);
            match (get(prev), get(last)) {
                (Some(a), Some(b)) if a > 0.0 => Some([(prev.clone(), a), (last.clone(), b)]),
                _ => None,
            }
        });
        let yoy_change = years.as_ref().map(|[(_, a), (_, b)]| (b - a) / a * 100.0);
        let mut flags = Vec::new();
        if recs < opts.min_records {
            flags.push(format!("few records ({recs})"));
        }
        match opts.per {
            Per::Investment if investment.is_none() => flags.push("no investment".into()),
            Per::Participant if people.is_none() => flags.push("no participant ids".into()),
            _ => {}
        }
        rows.push(Row {
            group: group.clone(),
            indicator: indicator.clone(),
            value,
            records: recs,
            investment,
            participants: people,
            per_10k,
            per_participant,
            cost_per_outcome,
            priority_share,
            yoy_change,
            priority,
            years,
            rank: None,
            quartile: None,
            flags,
        });
    }
    rank_rows(&mut rows, library, opts.per);
    Ok(rows)
}

/// Rank groups within each indicator on the normalised measure (best first, by the
/// indicator's direction). Ties share a rank (1, 2, 2, 4). Quartile from the share of
/// peers ranked above: ⌊4 × (rank − 1) ÷ n⌋ + 1, so the best is always in quartile 1.
pub fn rank_rows(rows: &mut [Row], library: &Library, per: Per) {
    let measure = |r: &Row| match per {
        Per::Investment => r.per_10k,
        Per::Participant => r.per_participant,
    };
    let mut indicators: Vec<String> = rows.iter().map(|r| r.indicator.clone()).collect();
    indicators.sort();
    indicators.dedup();
    for id in indicators {
        let lower_better = library.get(&id).is_some_and(|i| i.direction == Direction::Lower);
        let mut scored: Vec<(usize, f64)> = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.indicator == id)
            .filter_map(|(i, r)| measure(r).map(|m| (i, m)))
            .collect();
        let n = scored.len();
        scored.sort_by(|a, b| if lower_better { a.1.total_cmp(&b.1) } else { b.1.total_cmp(&a.1) });
        let mut rank = 0;
        let mut previous: Option<f64> = None;
        for (position, (i, m)) in scored.iter().enumerate() {
            if previous != Some(*m) {
                rank = position + 1;
                previous = Some(*m);
            }
            rows[*i].rank = Some(rank);
            rows[*i].quartile = Some((4 * (rank - 1) / n + 1).clamp(1, 4));
            if n < 2 {
                rows[*i].flags.push("no peers".into());
            }
        }
    }
}

/// A count of people a comparison publishes, or lets a reader work out from what it
/// publishes: a peer's count of an indicator, its distinct participants, the count in
/// priority groups behind its reach and the two years' counts behind its change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Count {
    /// A peer's count of an indicator in the period.
    Value(String),
    /// A peer's distinct participants in the period.
    Participants,
    /// A peer's count of an indicator in priority groups (reach × count).
    Priority(String),
    /// A peer's count of an indicator in one financial year (from year-on-year change).
    Year(String, String),
}

impl Count {
    /// The counts a row publishes or gives away, with their values.
    pub fn of(row: &Row) -> Vec<(Count, f64)> {
        let mut out = vec![(Count::Value(row.indicator.clone()), row.value.unwrap_or(0.0))];
        out.extend(row.participants.map(|p| (Count::Participants, p)));
        out.extend(row.priority.map(|p| (Count::Priority(row.indicator.clone()), p)));
        for (year, v) in row.years.iter().flatten() {
            out.push((Count::Year(row.indicator.clone(), year.clone()), *v));
        }
        out
    }

    /// A name for the cell among the indicator ids of one sum (see `withheld`).
    fn label(&self) -> String {
        match self {
            Count::Value(id) => id.clone(),
            Count::Participants => "participants (distinct people)".to_string(),
            Count::Priority(id) => format!("{id} in priority groups"),
            Count::Year(id, year) => format!("{id} in {year}"),
        }
    }
}

/// What a comparison withholds: each peer's counts (see `Count`), withheld or not.
#[derive(Debug, Clone, Default)]
pub struct Withholding(std::collections::BTreeMap<(String, Count), crate::privacy::Withheld>);

impl Withholding {
    /// Why a peer's count is withheld (`No` when it is published).
    pub fn get(&self, group: &str, count: &Count) -> crate::privacy::Withheld {
        self.0.get(&(group.to_string(), count.clone())).copied().unwrap_or(crate::privacy::Withheld::No)
    }

    /// Why a peer's count of an indicator is withheld.
    pub fn count(&self, group: &str, indicator: &str) -> crate::privacy::Withheld {
        self.get(group, &Count::Value(indicator.to_string()))
    }

    /// Why a peer's count of participants is withheld.
    pub fn participants(&self, group: &str) -> crate::privacy::Withheld {
        self.get(group, &Count::Participants)
    }

    /// Records why a peer's count is withheld (as a release's protection decides).
    pub fn set(&mut self, group: &str, count: Count, why: crate::privacy::Withheld) {
        if why.is_withheld() {
            self.0.insert((group.to_string(), count), why);
        }
    }

    /// The row as it may be published, with why its count is withheld: a withheld
    /// count empties every figure built on it (per £10k, per person, £ per outcome,
    /// reach, year on year), withheld participants the figure per person, a withheld
    /// count in priority groups the reach, a withheld year's count the change.
    pub fn published(&self, row: &Row) -> (Row, crate::privacy::Withheld) {
        use crate::privacy::Withheld;
        let mut out = row.clone();
        let w = self.count(&row.group, &row.indicator);
        if self.participants(&row.group).is_withheld() {
            out.participants = None;
            out.per_participant = None;
        }
        if self.get(&row.group, &Count::Priority(row.indicator.clone())).is_withheld() {
            out.priority_share = None;
            out.priority = None;
        }
        let year_hidden = row
            .years
            .iter()
            .flatten()
            .any(|(y, _)| self.get(&row.group, &Count::Year(row.indicator.clone(), y.clone())) != Withheld::No);
        if year_hidden {
            out.yoy_change = None;
            out.years = None;
        }
        if w.is_withheld() {
            out.value = None;
            out.per_10k = None;
            out.per_participant = None;
            out.cost_per_outcome = None;
            out.priority_share = None;
            out.priority = None;
            out.yoy_change = None;
            out.years = None;
            // "few records (3)" would print the count again.
            out.flags = out
                .flags
                .iter()
                .map(|f| if f.starts_with("few records") { "few records".to_string() } else { f.clone() })
                .collect();
        }
        (out, w)
    }
}

/// The counts of `rows` withheld at threshold `t` when the comparison is published on
/// its own: each kind of count across the peers is one sum (primary and secondary
/// suppression): an indicator's counts, the participants, the counts in priority
/// groups, each year's counts.
pub fn withheld(rows: &[Row], library: &Library, t: u32) -> Withholding {
    let people_ids = crate::privacy::people_indicators(library);
    let mut counts: Vec<(String, String, f64)> = Vec::new();
    let mut kinds: HashMap<String, Count> = HashMap::new();
    let mut people: std::collections::HashSet<String> = Default::default();
    let mut seen = std::collections::BTreeSet::new();
    for r in rows {
        for (count, v) in Count::of(r) {
            if count == Count::Participants && !seen.insert(r.group.clone()) {
                continue;
            }
            let label = count.label();
            let counts_people = match &count {
                Count::Participants => true,
                Count::Value(id) | Count::Priority(id) | Count::Year(id, _) => people_ids.contains(id),
            };
            if counts_people {
                people.insert(label.clone());
            }
            counts.push((r.group.clone(), label.clone(), v));
            kinds.insert(label, count);
        }
    }
    let mut out = Withholding::default();
    for ((group, label), why) in crate::privacy::derived::withheld_counts(&counts, &people, t) {
        if let Some(count) = kinds.get(&label) {
            out.set(&group, count.clone(), why);
        }
    }
    out
}

/// The rows as a table as it may be published: with a threshold, withheld as
/// `withheld` says when the comparison stands alone.
pub fn published_frame(rows: &[Row], by: &str, library: &Library, threshold: Option<u32>) -> Result<DataFrame> {
    match threshold {
        Some(t) => published_frame_with(rows, by, &withheld(rows, library, t)),
        None => to_frame(rows, by),
    }
}

/// The rows as a table as `withholding` lets them be published: every withheld count
/// and every figure built on it left empty, a `withheld` column saying why. `impact
/// compare` and a report's ranking table both publish through this.
pub fn published_frame_with(rows: &[Row], by: &str, withholding: &Withholding) -> Result<DataFrame> {
    use crate::privacy::Withheld;
    let (shown, why): (Vec<Row>, Vec<Withheld>) = rows.iter().map(|r| withholding.published(r)).unzip();
    let mut frame = to_frame(&shown, by)?;
    let records: Vec<Option<i64>> =
        shown.iter().zip(&why).map(|(r, w)| (!w.is_withheld()).then_some(r.records)).collect();
    frame.with_column(Column::new("records".into(), records))?;
    let reasons: Vec<Option<String>> = rows
        .iter()
        .zip(&why)
        .map(|(r, w)| {
            let mut parts: Vec<String> = w.word().map(str::to_string).into_iter().collect();
            if !w.is_withheld() {
                let p = withholding.participants(&r.group);
                parts.extend(p.word().map(|p| format!("participants {p}")));
                let q = withholding.get(&r.group, &Count::Priority(r.indicator.clone()));
                parts.extend(q.word().map(|q| format!("priority reach {q}")));
                let years = r
                    .years
                    .iter()
                    .flatten()
                    .map(|(y, _)| withholding.get(&r.group, &Count::Year(r.indicator.clone(), y.clone())));
                parts.extend(years.filter_map(|y| y.word()).next().map(|y| format!("year on year {y}")));
            }
            (!parts.is_empty()).then(|| parts.join("; "))
        })
        .collect();
    frame.with_column(Column::new("withheld".into(), reasons))?;
    Ok(frame)
}

/// The rows as a table, the peer column named `by`.
pub fn to_frame(rows: &[Row], by: &str) -> Result<DataFrame> {
    let r2 = |v: Option<f64>| v.map(|v| (v * 100.0).round() / 100.0);
    Ok(df!(
        by => rows.iter().map(|r| r.group.clone()).collect::<Vec<_>>(),
        "indicator" => rows.iter().map(|r| r.indicator.clone()).collect::<Vec<_>>(),
        "value" => rows.iter().map(|r| r2(r.value)).collect::<Vec<_>>(),
        "records" => rows.iter().map(|r| r.records).collect::<Vec<_>>(),
        "investment" => rows.iter().map(|r| r2(r.investment)).collect::<Vec<_>>(),
        "participants" => rows.iter().map(|r| r.participants.map(|p| p as u64)).collect::<Vec<_>>(),
        "per_10k" => rows.iter().map(|r| r2(r.per_10k)).collect::<Vec<_>>(),
        "per_participant" => rows.iter().map(|r| r.per_participant.map(|v| (v * 1000.0).round() / 1000.0)).collect::<Vec<_>>(),
        "cost_per_outcome" => rows.iter().map(|r| r2(r.cost_per_outcome)).collect::<Vec<_>>(),
        "priority_share" => rows.iter().map(|r| r2(r.priority_share)).collect::<Vec<_>>(),
        "yoy_change" => rows.iter().map(|r| r2(r.yoy_change)).collect::<Vec<_>>(),
        "rank" => rows.iter().map(|r| r.rank.map(|v| v as u32)).collect::<Vec<_>>(),
        "quartile" => rows.iter().map(|r| r.quartile.map(|v| v as u32)).collect::<Vec<_>>(),
        "flags" => rows.iter().map(|r| r.flags.join("; ")).collect::<Vec<_>>()
    )?)
}

/// A usage error if `--per investment` has nothing to divide by.
pub fn check_investments(per: Per, investments: &HashMap<String, Investment>) -> Result<()> {
    if per == Per::Investment && investments.is_empty() {
        return Err(Error::usage("--per investment needs investments").with_hint(
            "give --programmes samples/programmes.csv (or [investment] in --assumptions for organisations)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(group: &str, per_10k: Option<f64>) -> Row {
        Row {
            group: group.into(),
            indicator: "jobs_created".into(),
            value: Some(1.0),
            records: 100,
            investment: Some(1.0),
            participants: Some(1.0),
            per_10k,
            per_participant: None,
            cost_per_outcome: None,
            priority_share: None,
            yoy_change: None,
            priority: None,
            years: None,
            rank: None,
            quartile: None,
            flags: vec![],
        }
    }

    /// Five peers with 9, 7, 7, 4, 1 outcomes per £10k: ranks 1, 2, 2, 4, 5 (ties share a
    /// rank and the next rank is skipped); quartiles ⌊4(r−1)/5⌋+1 = 1, 1, 1, 3, 4. A peer
    /// with no investment is not ranked.
    #[test]
    fn ranks_with_ties_and_quartiles() {
        let lib =
            crate::indicator::Library::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/indicators")))
                .unwrap();
        let mut rows = vec![
            row("E", Some(1.0)),
            row("B", Some(7.0)),
            row("A", Some(9.0)),
            row("C", Some(7.0)),
            row("D", Some(4.0)),
            row("F", None),
        ];
        rank_rows(&mut rows, &lib, Per::Investment);
        let got: Vec<(&str, Option<usize>, Option<usize>)> =
            rows.iter().map(|r| (r.group.as_str(), r.rank, r.quartile)).collect();
        assert_eq!(
            got,
            vec![
                ("E", Some(5), Some(4)),
                ("B", Some(2), Some(1)),
                ("A", Some(1), Some(1)),
                ("C", Some(2), Some(1)),
                ("D", Some(4), Some(3)),
                ("F", None, None)
            ]
        );
    }

    #[test]
    fn lower_is_better_ranks_ascending() {
        let lib =
            crate::indicator::Library::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/indicators")))
                .unwrap();
        let mut rows = vec![row("A", Some(30.0)), row("B", Some(10.0))];
        for r in &mut rows {
            r.indicator = "reconvicted_within_12m".into();
        }
        rank_rows(&mut rows, &lib, Per::Investment);
        assert_eq!((rows[0].rank, rows[1].rank), (Some(2), Some(1)));
    }
}
