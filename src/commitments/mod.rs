//! Community Benefit Clauses: what each supplier committed in a contract against
//! what it delivered, with a status by due date and pro-rata progress, and the
//! social value delivered as a share of the contract's value.

use std::path::Path;

use chrono::NaiveDate;
use polars::prelude::*;

use crate::aggregate::{Filters, Request};
use crate::assumptions::Assumptions;
use crate::data::side::SideTable;
use crate::error::Result;
use crate::indicator::Library;

/// Delivery within this share of the pro-rata expectation still counts as on track.
pub const ON_TRACK_TOLERANCE: f64 = 0.9;

/// A Community Benefit Clause commitment: what a supplier promised under a contract, by when.
#[derive(Debug, Clone, PartialEq)]
pub struct Commitment {
    /// The contract's reference.
    pub contract: String,
    /// The supplier who made the commitment (an organisation id).
    pub supplier: String,
    /// The programme delivery counts under, when only one does.
    pub programme: Option<String>,
    /// The indicator the commitment is measured by.
    pub indicator: String,
    /// The amount committed, in the indicator's unit.
    pub committed: f64,
    /// The first day delivery counts from.
    pub start: NaiveDate,
    /// The day the commitment falls due.
    pub due: NaiveDate,
    /// The contract's value in pounds (for value per £ of contract).
    pub contract_value: f64,
}

/// Where a commitment stands on the as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Delivered in full.
    Met,
    /// Not yet due, and delivery is at least 90% of the pro-rata expectation.
    OnTrack,
    /// Not yet due, and delivery is below 90% of the pro-rata expectation.
    AtRisk,
    /// Due (on or before the as-of date) and not delivered in full.
    Missed,
    /// No record of the indicator for the commitment: nothing is known of delivery.
    NoneRecorded,
}

impl Status {
    /// The status as written in tables and reports.
    pub fn label(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::OnTrack => "on track",
            Status::AtRisk => "at risk",
            Status::Missed => "missed",
            Status::NoneRecorded => "none recorded",
        }
    }
}

/// A commitment with what has been delivered against it.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// The commitment.
    pub commitment: Commitment,
    /// Delivered so far, in the indicator's unit.
    pub delivered: f64,
    /// What pro-rata progress would have delivered by the as-of date.
    pub expected: f64,
    /// Where it stands.
    pub status: Status,
    /// Delivered × the indicator's proxy (report-year prices, before SROI adjustments).
    pub social_value: Option<f64>,
    /// Records behind `delivered`: none means nothing was reported, which a report says
    /// in words rather than as a delivery of 0.
    pub records: i64,
}

impl Progress {
    /// Delivered as a percentage of the commitment (None when nothing was committed).
    pub fn pct_delivered(&self) -> Option<f64> {
        (self.commitment.committed > 0.0).then(|| self.delivered / self.commitment.committed * 100.0)
    }

    /// The delivery is a count of 1 to threshold − 1 people (`people`: see
    /// `privacy::people_indicators`), so it is withheld wherever it is published.
    pub fn delivered_is_small(&self, people: &std::collections::HashSet<String>, threshold: u32) -> bool {
        people.contains(&self.commitment.indicator)
            && self.records > 0
            && self.delivered > 0.0
            && self.delivered < f64::from(threshold)
    }
}

/// Met if delivered; missed if due on or before the as-of date and not met;
/// otherwise on track when delivery is at least 90% of the pro-rata share of the
/// commitment for the time elapsed, else at risk.
pub fn status(c: &Commitment, delivered: f64, as_of: NaiveDate) -> (Status, f64) {
    let span = (c.due - c.start).num_days().max(1) as f64;
    let elapsed = ((as_of - c.start).num_days() as f64 / span).clamp(0.0, 1.0);
    let expected = c.committed * elapsed;
    let s = if delivered >= c.committed {
        Status::Met
    } else if as_of >= c.due {
        Status::Missed
    } else if delivered >= ON_TRACK_TOLERANCE * expected {
        Status::OnTrack
    } else {
        Status::AtRisk
    };
    (s, expected)
}

/// Reads a commitments table (CSV), checking its indicators and dates.
pub fn load(path: &Path, library: &Library) -> Result<Vec<Commitment>> {
    let table = SideTable::read(
        path,
        &["contract", "supplier", "indicator", "committed", "due", "contract_value"],
        "a commitments table has contract, supplier, indicator, committed, due, contract_value and optional programme, start",
    )?;
    let mut out = Vec::new();
    for i in 0..table.len() {
        let id = table.text(i, "indicator")?;
        if library.get(&id).is_none() {
            let err = table.error(i, "indicator", format!("unknown indicator `{id}`"));
            return Err(match library.nearest(&id) {
                Some(n) => err.with_hint(format!("did you mean `{n}`?")),
                None => err,
            });
        }
        let due_date = table.date(i, "due")?;
        let start_date = match table.optional_date(i, "start")? {
            Some(d) => d,
            None => NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or(due_date),
        };
        if start_date > due_date {
            return Err(table.error(i, "start", format!("{start_date} is after the due date {due_date}")));
        }
        out.push(Commitment {
            contract: table.text(i, "contract")?,
            supplier: table.text(i, "supplier")?,
            programme: table.optional(i, "programme").map(str::to_string),
            indicator: id,
            committed: table.amount(i, "committed")?,
            start: start_date,
            due: due_date,
            contract_value: table.amount(i, "contract_value")?,
        });
    }
    Ok(out)
}

/// One request per commitment: the supplier's records of its indicator from the
/// contract's start to its due date, or `as_of` when that is earlier. Without
/// `as_of` (the latest record date, known only after reading), the due date alone:
/// no record falls after the latest.
pub fn requests(commitments: &[Commitment], as_of: Option<NaiveDate>) -> Vec<Request> {
    commitments
        .iter()
        .map(|c| Request {
            filters: Filters {
                from: Some(c.start),
                to: Some(as_of.map_or(c.due, |a| a.min(c.due))),
                organisations: vec![c.supplier.clone()],
                programmes: c.programme.iter().cloned().collect(),
                indicators: vec![c.indicator.clone()],
                ..Filters::default()
            },
            ..Request::default()
        })
        .collect()
}

/// Progress from the figures of `requests` (one frame per commitment, in order).
pub fn from_figures(
    commitments: &[Commitment],
    figures: &[DataFrame],
    library: &Library,
    assumptions: &Assumptions,
    as_of: NaiveDate,
) -> Result<Vec<Progress>> {
    let mut out = Vec::new();
    for (c, figures) in commitments.iter().zip(figures) {
        // No records at all gives no figure row: nothing delivered.
        let values = figures.column("value")?.f64()?.clone();
        let delivered = if values.is_empty() { 0.0 } else { values.get(0).unwrap_or(0.0) };
        let records = figures.column("records")?.i64()?.iter().next().flatten().unwrap_or(0);
        let (status, expected) = match status(c, delivered, as_of) {
            // Nothing recorded by the due date is a commitment missed; before it, nothing
            // is known yet.
            (Status::Missed, expected) if records == 0 => (Status::Missed, expected),
            (_, expected) if records == 0 => (Status::NoneRecorded, expected),
            judged => judged,
        };
        let social_value = match library.get(&c.indicator).and_then(|i| i.proxy.as_ref()) {
            Some(p) => Some(
                delivered
                    * p.value
                    * assumptions.price_factor(p.price_year, &c.indicator).map_err(|m| assumptions.error(m))?,
            ),
            None => None,
        };
        out.push(Progress { commitment: c.clone(), delivered, expected, status, social_value, records });
    }
    // A contract's social value adds its lines' values: only in one year's prices.
    if assumptions.report_year.is_none() {
        let years: std::collections::BTreeSet<i32> = out
            .iter()
            .filter(|p| p.social_value.is_some())
            .filter_map(|p| library.get(&p.commitment.indicator)?.proxy.as_ref().map(|x| x.price_year))
            .collect();
        if years.len() > 1 {
            let listed: Vec<String> = years.iter().map(i32::to_string).collect();
            return Err(assumptions
                .error(format!(
                    "the commitments are valued in {} prices, which cannot be added as they are",
                    listed.join(" and ")
                ))
                .with_hint(format!(
                    "set report_year (e.g. report_year = {}) in the assumptions file (--assumptions): every value is then brought to that year's prices with HM Treasury's GDP deflators",
                    years.iter().max().copied().unwrap_or_default()
                )));
        }
    }
    Ok(out)
}

/// One row per commitment and a `total` row per contract (social value as a share
/// of contract value).
pub fn to_frame(progress: &[Progress]) -> Result<DataFrame> {
    let round = |v: f64| (v * 100.0).round() / 100.0;
    // One tuple per table row, in the columns' order below.
    #[allow(clippy::type_complexity)]
    let mut rows: Vec<(
        String,
        String,
        String,
        Option<f64>,
        Option<f64>,
        Option<f64>,
        Option<f64>,
        String,
        String,
        Option<f64>,
        Option<f64>,
        Option<f64>,
    )> = Vec::new();
    let mut contracts: Vec<&str> = progress.iter().map(|p| p.commitment.contract.as_str()).collect();
    contracts.dedup();
    for contract in contracts {
        let mine: Vec<&Progress> = progress.iter().filter(|p| p.commitment.contract == contract).collect();
        for p in &mine {
            let c = &p.commitment;
            rows.push((
                c.contract.clone(),
                c.supplier.clone(),
                c.indicator.clone(),
                Some(c.committed),
                // Nothing recorded is not a delivery of 0.
                (p.records > 0).then(|| round(p.delivered)),
                p.pct_delivered().filter(|_| p.records > 0).map(|v| (v * 10.0).round() / 10.0),
                Some(round(p.expected)),
                p.status.label().to_string(),
                c.due.to_string(),
                p.social_value.filter(|_| p.records > 0).map(round),
                None,
                None,
            ));
        }
        // `+ 0.0` turns the -0.0 that an empty f64 sum gives into 0.
        let value: f64 = mine.iter().filter_map(|p| p.social_value).sum::<f64>() + 0.0;
        let contract_value = mine.first().map_or(0.0, |p| p.commitment.contract_value);
        let suppliers: Vec<&str> = mine.iter().map(|p| p.commitment.supplier.as_str()).collect();
        rows.push((
            contract.to_string(),
            suppliers.first().map_or(String::new(), |s| s.to_string()),
            "total".into(),
            None,
            None,
            None,
            None,
            String::new(),
            String::new(),
            Some(round(value)),
            Some(contract_value),
            (contract_value > 0.0).then(|| (value / contract_value * 1000.0).round() / 10.0),
        ));
    }
    Ok(df!(
        "contract" => rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
        "supplier" => rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
        "indicator" => rows.iter().map(|r| r.2.clone()).collect::<Vec<_>>(),
        "committed" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        "delivered" => rows.iter().map(|r| r.4).collect::<Vec<_>>(),
        "pct_delivered" => rows.iter().map(|r| r.5).collect::<Vec<_>>(),
        "expected_to_date" => rows.iter().map(|r| r.6).collect::<Vec<_>>(),
        "status" => rows.iter().map(|r| r.7.clone()).collect::<Vec<_>>(),
        "due" => rows.iter().map(|r| r.8.clone()).collect::<Vec<_>>(),
        "social_value" => rows.iter().map(|r| r.9).collect::<Vec<_>>(),
        "contract_value" => rows.iter().map(|r| r.10).collect::<Vec<_>>(),
        "social_value_pct" => rows.iter().map(|r| r.11).collect::<Vec<_>>()
    )?)
}

/// The rule for a table of commitments published on its own (`impact commitments`):
/// a delivered count of 1 to t − 1 people is withheld. Commitments are not parts of
/// one sum, so nothing else is withheld to protect it. By (contract, indicator).
pub fn small_deliveries(
    progress: &[Progress],
    library: &Library,
    t: u32,
) -> std::collections::BTreeMap<(String, String), crate::privacy::Withheld> {
    let people = crate::privacy::people_indicators(library);
    progress
        .iter()
        .filter(|p| p.delivered_is_small(&people, t))
        .map(|p| ((p.commitment.contract.clone(), p.commitment.indicator.clone()), crate::privacy::Withheld::Small))
        .collect()
}

/// Leaves empty, in a table of commitments, each withheld delivery (by contract and
/// indicator) with its share delivered and expected figure, its social value, and its
/// contract's total social value (the total less the rest would give it back).
pub fn blank_withheld(
    frame: &mut DataFrame,
    withheld: &std::collections::BTreeMap<(String, String), crate::privacy::Withheld>,
) -> Result<()> {
    use crate::privacy::{derived, Withheld};
    let contracts = derived::texts(frame, "contract")?;
    let indicators = derived::texts(frame, "indicator")?;
    let why: Vec<Withheld> = contracts
        .iter()
        .zip(&indicators)
        .map(|(c, i)| match withheld.get(&(c.clone(), i.clone())) {
            Some(w) => *w,
            None if i == "total" && withheld.keys().any(|(hc, _)| hc == c) => Withheld::Rate,
            None => Withheld::No,
        })
        .collect();
    derived::blank(frame, &why, &["delivered", "pct_delivered", "expected_to_date", "social_value", "social_value_pct"])
}

/// `small_deliveries`, then `blank_withheld`: a table of commitments on its own.
pub fn withhold_small_deliveries(
    frame: &mut DataFrame,
    progress: &[Progress],
    library: &Library,
    t: u32,
) -> Result<()> {
    blank_withheld(frame, &small_deliveries(progress, library, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(committed: f64) -> Commitment {
        Commitment {
            contract: "C".into(),
            supplier: "S".into(),
            programme: None,
            indicator: "x".into(),
            committed,
            start: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            due: NaiveDate::from_ymd_opt(2024, 12, 31).unwrap(),
            contract_value: 1000.0,
        }
    }

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, m, d).unwrap()
    }

    #[test]
    fn statuses_by_due_date_and_pro_rata_progress() {
        // 2024 has 366 days; the contract spans 365 of them (1 Jan to 31 Dec).
        // On 1 July, 182 of 365 days have passed: 100 × 182/365 = 49.86 expected.
        let (s, expected) = status(&c(100.0), 45.0, day(7, 1));
        assert!((expected - 100.0 * 182.0 / 365.0).abs() < 1e-9);
        assert_eq!(s, Status::OnTrack, "45 ≥ 90% of 49.86 = 44.88");
        assert_eq!(status(&c(100.0), 44.0, day(7, 1)).0, Status::AtRisk, "44 < 44.88");
        assert_eq!(status(&c(100.0), 100.0, day(3, 1)).0, Status::Met);
        let after = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        assert_eq!(status(&c(100.0), 99.0, after).0, Status::Missed);
        assert_eq!(status(&c(100.0), 120.0, after).0, Status::Met);
    }
}
