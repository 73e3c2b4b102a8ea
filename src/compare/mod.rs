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
        let priority_share = match (value, reach.get(key).and_then(|r| r.0)) {
            (Some(v), Some(p)) if v > 0.0 => Some(p / v * 100.0),
            (Some(v), None) if v > 0.0 => Some(0.0),
            _ => None,
        };
        let yoy_change = last_two.as_ref().and_then(|(prev, last)| {
            let get = |y: &str| yearly.get(&vec![group.clone(), y.to_string(), indicator.clone()]).and_then(|r| r.0);
            match (get(prev), get(last)) {
                (Some(a), Some(b)) if a > 0.0 => Some((b - a) / a * 100.0),
                _ => None,
            }
        });
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

/// What a comparison withholds at threshold `t`: each indicator's counts of people
/// across the peers are one sum (primary and secondary suppression), and so are the
/// peers' counts of distinct participants.
pub struct Withholding(std::collections::BTreeMap<(String, String), crate::privacy::Withheld>);

/// The pseudo-indicator under which peers' participants are protected.
const PARTICIPANTS: &str = "participants (distinct people)";

impl Withholding {
    /// Why a peer's count of an indicator is withheld (`No` when it is published).
    pub fn count(&self, group: &str, indicator: &str) -> crate::privacy::Withheld {
        self.0.get(&(group.to_string(), indicator.to_string())).copied().unwrap_or(crate::privacy::Withheld::No)
    }

    /// Why a peer's count of participants is withheld.
    pub fn participants(&self, group: &str) -> crate::privacy::Withheld {
        self.count(group, PARTICIPANTS)
    }
}

/// The cells of `rows` withheld at threshold `t` (see `Withholding`).
pub fn withheld(rows: &[Row], library: &Library, t: u32) -> Withholding {
    let mut counts: Vec<(String, String, f64)> =
        rows.iter().map(|r| (r.group.clone(), r.indicator.clone(), r.value.unwrap_or(0.0))).collect();
    let mut seen = std::collections::BTreeSet::new();
    for r in rows {
        if let Some(p) = r.participants.filter(|_| seen.insert(r.group.clone())) {
            counts.push((r.group.clone(), PARTICIPANTS.to_string(), p));
        }
    }
    let mut people = crate::privacy::people_indicators(library);
    people.insert(PARTICIPANTS.to_string());
    Withholding(crate::privacy::derived::withheld_counts(&counts, &people, t))
}

/// The rows as a table as it may be published: with a threshold (see
/// `withhold_small_counts`), small counts of people and every figure built on them
/// are left empty, a `withheld` column saying why. `impact compare` and a report's
/// ranking table both publish through this, so they withhold the same cells.
pub fn published_frame(rows: &[Row], by: &str, library: &Library, threshold: Option<u32>) -> Result<DataFrame> {
    let mut frame = to_frame(rows, by)?;
    if let Some(t) = threshold {
        withhold_small_counts(&mut frame, rows, by, library, t)?;
    }
    Ok(frame)
}

/// A peer's count of 1 to t − 1 people (or one withheld to protect it) is withheld with
/// every figure built on it; so is a group's count of participants under t, with the
/// figures per participant; "few records (3)" loses its count.
fn withhold_small_counts(
    frame: &mut polars::prelude::DataFrame,
    rows: &[Row],
    by: &str,
    library: &Library,
    t: u32,
) -> Result<()> {
    use crate::privacy::{derived, Withheld};
    use polars::prelude::*;
    let withheld = withheld(rows, library, t);
    let group_of = derived::texts(frame, by)?;
    let indicator_of = derived::texts(frame, "indicator")?;
    let count_why: Vec<Withheld> = group_of.iter().zip(&indicator_of).map(|(g, i)| withheld.count(g, i)).collect();
    let people_why: Vec<Withheld> = group_of.iter().map(|g| withheld.participants(g)).collect();
    // Flags repeat the record count: drop it where the count is withheld.
    let flags: Vec<String> = derived::texts(frame, "flags")?
        .iter()
        .zip(&count_why)
        .map(|(f, w)| {
            if w.is_withheld() {
                f.split("; ")
                    .map(|p| if p.starts_with("few records") { "few records" } else { p })
                    .collect::<Vec<_>>()
                    .join("; ")
            } else {
                f.clone()
            }
        })
        .collect();
    frame.with_column(Column::new("flags".into(), flags))?;
    derived::blank(frame, &people_why, &["participants", "per_participant"])?;
    let people_column = derived::texts(frame, "withheld")?;
    derived::blank(
        frame,
        &count_why,
        &["value", "records", "per_10k", "per_participant", "cost_per_outcome", "priority_share", "yoy_change"],
    )?;
    // One `withheld` column: the count's reason, else the participants'.
    let merged: Vec<Option<String>> = derived::texts(frame, "withheld")?
        .into_iter()
        .zip(people_column)
        .map(|(a, b)| {
            if !a.is_empty() {
                Some(a)
            } else if !b.is_empty() {
                Some(format!("participants {b}"))
            } else {
                None
            }
        })
        .collect();
    frame.with_column(Column::new("withheld".into(), merged))?;
    Ok(())
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
