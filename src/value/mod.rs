//! Social value and SROI by the standard method.
//!
//! For each outcome with a financial proxy: gross = quantity × proxy (negative for a
//! dis-benefit); impact = gross × (1 − deadweight) × (1 − attribution) ×
//! (1 − displacement); the impact starts in `start_year` (1 by default: the SROI
//! Guide's convention, year 1 discounted once; 0 for the activity's own year, not
//! discounted, as in the Green Book's Table 2), lasts `duration_years`, and falls by
//! `drop_off` each year after its first. Present value = Σ value in year t ÷ (1 + r)^t
//! with the outcome's own rate r (the assumptions' unless the proxy states one); an
//! evaluation (`appraisal = "evaluative"`) does not discount the year valued, which
//! is past, and discounts later years from it. SROI = total present value ÷
//! investment; NPV = present value − investment; payback = months until the
//! undiscounted impact, spread evenly over each year (year 0's at once), adds up to
//! the investment.

pub mod sensitivity;

pub use crate::base::limits::{MAX_DURATION_YEARS, MAX_MULTIPLIER};

use polars::prelude::*;

/// The assumptions file (kept below value, compare and commitments, which all read it).
pub use crate::assumptions;
pub use crate::assumptions::{deflators, gather_investments, Assumptions, Investment, Params};

use crate::aggregate::{Dimension, Filters, Request, Unit};
use crate::error::{Error, Result};
use crate::indicator::Library;

/// One outcome line of the impact map.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The programme or organisation.
    pub group: String,
    /// The indicator id.
    pub indicator: String,
    /// The outcome, in words.
    pub outcome: String,
    /// Who benefits.
    pub stakeholder: String,
    /// Unit of the quantity.
    pub unit: String,
    /// How much was achieved.
    pub quantity: f64,
    /// The valuation's parameters.
    pub params: Params,
    /// Where the proxy comes from.
    pub source: String,
    /// The people the quantity rests on (the library's `people`), when it is not
    /// itself a count of people: the indicator, its name and its figure in the group
    /// (None when not recorded).
    pub rests_on: Option<RestsOn>,
}

/// The count of people a valued quantity rests on.
#[derive(Debug, Clone, PartialEq)]
pub struct RestsOn {
    /// The indicator counting them.
    pub indicator: String,
    /// Its name.
    pub name: String,
    /// Its figure in the group and period (None: not recorded).
    pub count: Option<f64>,
}

impl Line {
    /// +1, or −1 for a dis-benefit.
    fn sign(&self) -> f64 {
        if self.params.disbenefit {
            -1.0
        } else {
            1.0
        }
    }

    /// Quantity × proxy value, before adjustments (negative for a dis-benefit).
    pub fn gross(&self) -> f64 {
        self.sign() * self.quantity * self.params.value
    }

    /// Impact in the first year, after deadweight, attribution and displacement.
    pub fn impact(&self) -> f64 {
        let p = &self.params;
        self.gross() * (1.0 - p.deadweight) * (1.0 - p.attribution) * (1.0 - p.displacement)
    }

    /// Impact in each year from year 0 to its last: nothing before `start_year`, then
    /// the first year's impact, falling by drop-off each year after.
    pub fn yearly(&self) -> Vec<f64> {
        let (start, first) = (self.params.start_year as usize, self.impact());
        let mut out = vec![0.0; start];
        out.extend((0..self.params.duration_years).map(|t| first * (1.0 - self.params.drop_off).powi(t as i32)));
        out
    }

    /// Present value at the outcome's own rate; `past_years` (from year 0) are not
    /// discounted (see `Appraisal`).
    pub fn present_value(&self, past_years: u32) -> f64 {
        present_value(&self.yearly(), self.params.discount_rate, past_years)
    }
}

/// Σ value_t ÷ (1 + rate)^(t − past), t from year 0, past years not discounted.
pub fn present_value(yearly: &[f64], rate: f64, past_years: u32) -> f64 {
    yearly.iter().enumerate().map(|(t, v)| v / (1.0 + rate).powi((t as i32 - past_years as i32).max(0))).sum()
}

/// Months until the cumulative impact reaches the investment: year 0's impact counts
/// at once, year t's (t ≥ 1) is spread evenly over months 12(t − 1) to 12t. None if
/// it never does within the impact's duration.
pub fn payback_months(yearly: &[f64], investment: f64) -> Option<f64> {
    if investment <= 0.0 {
        return Some(0.0);
    }
    let (now, later) = yearly.split_first()?;
    let mut cumulative = *now;
    if cumulative >= investment {
        return Some(0.0);
    }
    for (t, v) in later.iter().enumerate() {
        if *v > 0.0 && cumulative + v >= investment {
            return Some(12.0 * t as f64 + (investment - cumulative) / (v / 12.0));
        }
        cumulative += v;
    }
    None
}

/// A group's (programme's or organisation's) social value.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupValue {
    /// The programme or organisation.
    pub group: String,
    /// Its outcome lines.
    pub lines: Vec<Line>,
    /// Money invested, when known.
    pub investment: Option<f64>,
    /// The assumptions' discount rate (an outcome may have its own: `Params`).
    pub rate: f64,
    /// Years from year 0 not discounted: 1 in an evaluation (see `Appraisal`).
    pub past_years: u32,
}

impl GroupValue {
    /// Present value of every line, after adjustments and discounting.
    pub fn present_value(&self) -> f64 {
        self.lines.iter().map(|l| self.line_value(l)).sum()
    }

    /// One line's present value, as this group discounts it.
    pub fn line_value(&self, line: &Line) -> f64 {
        line.present_value(self.past_years)
    }

    /// Yearly impact summed over lines, from year 0 (for payback).
    pub fn yearly(&self) -> Vec<f64> {
        let years =
            self.lines.iter().map(|l| (l.params.start_year + l.params.duration_years) as usize).max().unwrap_or(0);
        let mut out = vec![0.0; years];
        for l in &self.lines {
            for (t, v) in l.yearly().into_iter().enumerate() {
                out[t] += v;
            }
        }
        out
    }

    /// Present value ÷ investment (the SROI ratio).
    pub fn ratio(&self) -> Option<f64> {
        self.investment.filter(|i| *i > 0.0).map(|i| self.present_value() / i)
    }

    /// Present value − investment.
    pub fn npv(&self) -> Option<f64> {
        self.investment.map(|i| self.present_value() - i)
    }

    /// Months until the yearly impact repays the investment.
    pub fn payback_months(&self) -> Option<f64> {
        self.investment.and_then(|i| payback_months(&self.yearly(), i))
    }
}

/// One outcome's share of a group's present value above which the ratio is said to
/// rest mostly on that outcome.
pub const DOMINANT_SHARE: f64 = 0.8;

/// What a reader of a valuation needs to know that its figures do not say.
#[derive(Debug, Clone, PartialEq)]
pub enum Caveat {
    /// An outcome valued with no deadweight and no attribution: all of it is
    /// credited to the work.
    FullCredit {
        /// The outcome, in words.
        outcome: String,
    },
    /// One outcome gives more than `DOMINANT_SHARE` of the present value.
    Dominant {
        /// The outcome, in words.
        outcome: String,
        /// Its share of the present value (0–1).
        share: f64,
    },
    /// A value of a quantity that is not a count of people (WELLBYs), beside the
    /// people it rests on.
    RestsOn {
        /// The outcome, in words.
        outcome: String,
        /// Its quantity and unit.
        quantity: f64,
        /// The quantity's unit.
        unit: String,
        /// Its present value.
        present_value: f64,
        /// The people it rests on.
        people: RestsOn,
    },
}

impl Caveat {
    /// In words, with the count of people as the caller shows it (`people`: "25", or
    /// a withheld figure's mark).
    pub fn words(&self, people: &str) -> String {
        match self {
            Caveat::FullCredit { outcome } => format!(
                "{outcome} is valued with no deadweight and no attribution: all of it is credited to this work, as if none of it would have happened anyway or was due to others."
            ),
            // Rounded down: 99.6% is not "100%", which would say it is all.
            Caveat::Dominant { outcome, share } => format!(
                "{outcome} gives {}% of the present value: the ratio rests mostly on its proxy and adjustments.",
                (share * 100.0).floor()
            ),
            Caveat::RestsOn { outcome, quantity, unit, present_value, people: rests } => format!(
                "{outcome}: {} {unit} valued at £{} (present value) rest on {} counted as \"{}\".",
                crate::output::format_figure(*quantity),
                crate::output::format_figure(present_value.round()),
                match rests.count {
                    Some(_) if people == "1" => "1 person".to_string(),
                    Some(_) => format!("{people} people"),
                    None => "no people".to_string(),
                },
                rests.name
            ),
        }
    }
}

impl GroupValue {
    /// What a reader must know of this valuation: outcomes credited whole, one outcome
    /// giving most of the value, values of quantities that are not people beside the
    /// people behind them.
    pub fn caveats(&self) -> Vec<Caveat> {
        let mut out = Vec::new();
        for l in &self.lines {
            if l.params.deadweight == 0.0 && l.params.attribution == 0.0 {
                out.push(Caveat::FullCredit { outcome: l.outcome.clone() });
            }
        }
        let total = self.present_value();
        if self.lines.len() > 1 && total > 0.0 {
            for l in &self.lines {
                let share = self.line_value(l) / total;
                if share > DOMINANT_SHARE {
                    out.push(Caveat::Dominant { outcome: l.outcome.clone(), share });
                }
            }
        }
        for l in &self.lines {
            if let Some(people) = &l.rests_on {
                out.push(Caveat::RestsOn {
                    outcome: l.outcome.clone(),
                    quantity: l.quantity,
                    unit: l.unit.clone(),
                    present_value: self.line_value(l),
                    people: people.clone(),
                });
            }
        }
        out
    }
}

/// The figures valuing needs: every proxied indicator's quantity per group, and the
/// people each quantity rests on (the library's `people`).
pub fn request(library: &Library, by: Unit, filters: Filters) -> Result<Request> {
    let proxied: Vec<String> = library.iter().filter(|i| i.proxy.is_some()).map(|i| i.id.clone()).collect();
    let mut wanted = proxied.clone();
    for p in library.iter().filter(|i| i.proxy.is_some()).filter_map(|i| i.people.clone()) {
        if !wanted.contains(&p) {
            wanted.push(p);
        }
    }
    if proxied.is_empty() {
        return Err(Error::usage("no indicator in the library has a financial proxy")
            .with_hint("add [indicator.proxy] entries to indicators/*.toml"));
    }
    Ok(Request {
        by: vec![Dimension::Field(by.column())],
        filters: Filters { indicators: wanted, ..filters },
        suppress_below: None,
        publish_apart: Vec::new(),
        to_date: false,
    })
}

/// Value the figures of `request` (quantities per group); `window` is the period
/// valued, for the share of each investment that falls in it.
pub fn from_figures(
    figures: &DataFrame,
    library: &Library,
    assumptions: &Assumptions,
    by: Unit,
    (from, to): (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>),
    investments: &std::collections::HashMap<String, Investment>,
) -> Result<Vec<GroupValue>> {
    let groups = figures.column(by.column())?.str()?.clone();
    let ids = figures.column("indicator")?.str()?.clone();
    let values = figures.column("value")?.f64()?.clone();
    let counted: std::collections::HashMap<(&str, &str), f64> =
        (0..figures.height()).filter_map(|i| Some(((groups.get(i)?, ids.get(i)?), values.get(i)?))).collect();
    let mut out: Vec<GroupValue> = Vec::new();
    for i in 0..figures.height() {
        let (Some(group), Some(id), Some(q)) = (groups.get(i), ids.get(i), values.get(i)) else { continue };
        let Some(ind) = library.get(id) else { continue };
        let Some(proxy) = &ind.proxy else { continue };
        let (programme, organisation) = match by {
            Unit::Programme => (Some(group), None),
            Unit::Organisation => (None, Some(group)),
        };
        let params = assumptions.params(id, proxy, programme, organisation).map_err(|m| assumptions.error(m))?;
        let rests_on = ind.people.as_ref().map(|p| RestsOn {
            indicator: p.clone(),
            name: library.get(p).map_or_else(|| p.clone(), |i| i.name.clone()),
            count: counted.get(&(group, p.as_str())).copied(),
        });
        let line = Line {
            group: group.to_string(),
            indicator: id.to_string(),
            outcome: ind.name.clone(),
            stakeholder: ind.stakeholder.clone().unwrap_or_else(|| "–".into()),
            unit: ind.unit.clone(),
            quantity: q,
            params,
            source: proxy.source.clone(),
            rests_on,
        };
        match out.last_mut().filter(|g| g.group == group) {
            Some(g) => g.lines.push(line),
            None => out.push(GroupValue {
                group: group.to_string(),
                lines: vec![line],
                investment: investments.get(group).map(|i| i.share(from, to)),
                rate: assumptions.discount_rate,
                past_years: assumptions.appraisal.past_years(),
            }),
        }
    }
    one_price_year(&out, assumptions)?;
    Ok(out)
}

/// Values are added only in one year's prices: without a report year (which brings
/// every value to its prices), outcomes valued in different years' prices are
/// refused, saying what to set.
fn one_price_year(groups: &[GroupValue], assumptions: &Assumptions) -> Result<()> {
    if assumptions.report_year.is_some() {
        return Ok(());
    }
    let years: std::collections::BTreeSet<i32> =
        groups.iter().flat_map(|g| g.lines.iter().map(|l| l.params.price_year)).collect();
    if years.len() < 2 {
        return Ok(());
    }
    let listed: Vec<String> = years.iter().map(i32::to_string).collect();
    let (rest, last) = listed.split_at(listed.len() - 1);
    let latest = years.iter().max().copied().unwrap_or_default();
    Err(assumptions
        .error(format!(
            "the outcomes valued are in {} and {} prices, which cannot be added as they are",
            rest.join(", "),
            last[0]
        ))
        .with_hint(format!(
            "set report_year (e.g. report_year = {latest}) in the assumptions file: every value is then brought to that year's prices with HM Treasury's GDP deflators"
        )))
}

/// The rule for every table of values (`impact value`'s and a report's): a line's
/// quantity that is a count of 1 to t − 1 people (or protects one) is withheld
/// with every value built on it; a group with such a line has its totals (SROI, NPV,
/// payback, sensitivity) withheld, as they would give the count back.
pub fn withhold_small_counts(
    frame: &mut polars::prelude::DataFrame,
    groups: &[GroupValue],
    by: Unit,
    library: &Library,
    t: u32,
    sensitivity: bool,
    also: &[(String, String, crate::privacy::Withheld)],
) -> Result<()> {
    use crate::privacy::{derived, Withheld};
    let counts: Vec<(String, String, f64)> = groups
        .iter()
        .flat_map(|g| g.lines.iter().map(|l| (g.group.clone(), l.indicator.clone(), l.quantity)))
        .collect();
    let mut withheld = derived::withheld_counts(&counts, &crate::privacy::people_indicators(library), t);
    // What the caller withholds besides (a report's figures, protected with its others).
    for (group, indicator, why) in also {
        withheld.entry((group.clone(), indicator.clone())).or_insert(*why);
    }
    let tainted: std::collections::HashSet<&str> = withheld.keys().map(|(g, _)| g.as_str()).collect();
    let group_of = derived::texts(frame, by.column())?;
    let line_of = if sensitivity { vec![String::new(); frame.height()] } else { derived::texts(frame, "indicator")? };
    let why: Vec<Withheld> = group_of
        .iter()
        .zip(&line_of)
        .map(|(g, line)| match withheld.get(&(g.clone(), line.clone())) {
            Some(w) => *w,
            None if (sensitivity || line == "total") && tainted.contains(g.as_str()) => Withheld::Rate,
            None => Withheld::No,
        })
        .collect();
    let columns = [
        "quantity",
        "gross_value",
        "impact_year1",
        "present_value",
        "sroi",
        "npv",
        "payback_months",
        "sroi_low",
        "sroi_high",
        "break_even_multiplier",
    ];
    derived::blank(frame, &why, &columns)
}

/// The sensitivity table for every group.
pub fn sensitivity_frame(groups: &[GroupValue], assumptions: &Assumptions, by: Unit) -> Result<DataFrame> {
    let (mut group, mut parameter, mut low, mut high, mut sroi_low, mut sroi_high, mut be) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut low_applied, mut high_applied) = (Vec::new(), Vec::new());
    let round = |v: f64| (v * 1000.0).round() / 1000.0;
    for g in groups {
        for s in sensitivity::analyse(g, assumptions) {
            group.push(g.group.clone());
            parameter.push(s.parameter);
            low.push(s.low);
            high.push(s.high);
            sroi_low.push(round(s.sroi_low));
            sroi_high.push(round(s.sroi_high));
            be.push(s.break_even.map(round));
            low_applied.push(s.applied.0);
            high_applied.push(s.applied.1);
        }
    }
    Ok(df!(
        by.column() => group,
        "assumption" => parameter,
        "low_multiplier" => low,
        "high_multiplier" => high,
        "low_as_applied" => low_applied,
        "high_as_applied" => high_applied,
        "sroi_low" => sroi_low,
        "sroi_high" => sroi_high,
        "break_even_multiplier" => be
    )?)
}

/// The SROI Guide's impact map: stakeholder → outcome → indicator → quantity → proxy →
/// deadweight, attribution, displacement, drop-off, duration → value.
pub fn impact_map_frame(groups: &[GroupValue], by: Unit) -> Result<DataFrame> {
    let lines: Vec<(&GroupValue, &Line)> = groups.iter().flat_map(|g| g.lines.iter().map(move |l| (g, l))).collect();
    let r2 = |v: f64| (v * 100.0).round() / 100.0;
    Ok(df!(
        by.column() => lines.iter().map(|(g, _)| g.group.clone()).collect::<Vec<_>>(),
        "stakeholder" => lines.iter().map(|(_, l)| l.stakeholder.clone()).collect::<Vec<_>>(),
        "outcome" => lines.iter().map(|(_, l)| l.outcome.clone()).collect::<Vec<_>>(),
        "indicator" => lines.iter().map(|(_, l)| l.indicator.clone()).collect::<Vec<_>>(),
        "quantity" => lines.iter().map(|(_, l)| l.quantity).collect::<Vec<_>>(),
        "unit" => lines.iter().map(|(_, l)| l.unit.clone()).collect::<Vec<_>>(),
        "proxy_value" => lines.iter().map(|(_, l)| r2(l.params.value)).collect::<Vec<_>>(),
        "deadweight" => lines.iter().map(|(_, l)| l.params.deadweight).collect::<Vec<_>>(),
        "attribution" => lines.iter().map(|(_, l)| l.params.attribution).collect::<Vec<_>>(),
        "displacement" => lines.iter().map(|(_, l)| l.params.displacement).collect::<Vec<_>>(),
        "drop_off" => lines.iter().map(|(_, l)| l.params.drop_off).collect::<Vec<_>>(),
        "duration_years" => lines.iter().map(|(_, l)| l.params.duration_years).collect::<Vec<_>>(),
        "start_year" => lines.iter().map(|(_, l)| l.params.start_year).collect::<Vec<_>>(),
        "discount_rate" => lines.iter().map(|(_, l)| l.params.discount_rate).collect::<Vec<_>>(),
        "present_value" => lines.iter().map(|(g, l)| r2(g.line_value(l))).collect::<Vec<_>>(),
        "proxy_source" => lines.iter().map(|(_, l)| l.source.clone()).collect::<Vec<_>>()
    )?)
}

/// The value table: one row per outcome and a `total` row per group.
/// `people` says how a count of people is shown in a caveat (a small count may be
/// withheld).
pub fn to_frame(groups: &[GroupValue], by: Unit, people: &dyn Fn(&RestsOn) -> String) -> Result<DataFrame> {
    let mut group = Vec::new();
    let mut indicator = Vec::new();
    let mut quantity: Vec<Option<f64>> = Vec::new();
    let mut proxy: Vec<Option<f64>> = Vec::new();
    let mut gross: Vec<Option<f64>> = Vec::new();
    let mut impact: Vec<Option<f64>> = Vec::new();
    let mut pv = Vec::new();
    let mut investment: Vec<Option<f64>> = Vec::new();
    let mut sroi: Vec<Option<f64>> = Vec::new();
    let mut npv: Vec<Option<f64>> = Vec::new();
    let mut payback: Vec<Option<f64>> = Vec::new();
    let mut caveats: Vec<Option<String>> = Vec::new();
    let round = |v: f64| (v * 100.0).round() / 100.0;
    let said = |c: &Caveat| match c {
        Caveat::RestsOn { people: p, .. } => c.words(&people(p)),
        _ => c.words(""),
    };
    for g in groups {
        let all = g.caveats();
        let about = |outcome: Option<&str>| -> Option<String> {
            let words: Vec<String> = all
                .iter()
                .filter(|c| {
                    let of = match c {
                        Caveat::FullCredit { outcome } | Caveat::RestsOn { outcome, .. } => Some(outcome.as_str()),
                        Caveat::Dominant { .. } => None,
                    };
                    of == outcome
                })
                .map(said)
                .collect();
            (!words.is_empty()).then(|| words.join(" "))
        };
        for l in &g.lines {
            caveats.push(about(Some(&l.outcome)));
            group.push(g.group.clone());
            indicator.push(l.indicator.clone());
            quantity.push(Some(l.quantity));
            proxy.push(Some(round(l.params.value)));
            gross.push(Some(round(l.gross())));
            impact.push(Some(round(l.impact())));
            pv.push(round(g.line_value(l)));
            investment.push(None);
            sroi.push(g.investment.filter(|i| *i > 0.0).map(|i| round(g.line_value(l) / i)));
            npv.push(None);
            payback.push(None);
        }
        group.push(g.group.clone());
        indicator.push("total".to_string());
        quantity.push(None);
        proxy.push(None);
        gross.push(Some(round(g.lines.iter().map(Line::gross).sum())));
        impact.push(Some(round(g.lines.iter().map(Line::impact).sum())));
        pv.push(round(g.present_value()));
        investment.push(g.investment);
        sroi.push(g.ratio().map(round));
        npv.push(g.npv().map(round));
        payback.push(g.payback_months().map(|m| (m * 10.0).round() / 10.0));
        caveats.push(about(None));
    }
    Ok(df!(
        by.column() => group,
        "indicator" => indicator,
        "quantity" => quantity,
        "proxy_value" => proxy,
        "gross_value" => gross,
        "impact_year1" => impact,
        "present_value" => pv,
        "investment" => investment,
        "sroi" => sroi,
        "npv" => npv,
        "payback_months" => payback,
        "caveats" => caveats
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(quantity: f64, value: f64, dw: f64, at: f64, disp: f64, drop: f64, years: u32) -> Line {
        Line {
            group: "P".into(),
            indicator: "x".into(),
            outcome: "x".into(),
            stakeholder: "s".into(),
            unit: "u".into(),
            quantity,
            params: Params {
                value,
                deadweight: dw,
                attribution: at,
                displacement: disp,
                drop_off: drop,
                duration_years: years,
                ..Params::default()
            },
            source: "s".into(),
            rests_on: None,
        }
    }

    /// 10 jobs × £1,000 = £10,000 gross; × 0.8 (deadweight 20%) × 0.9 (attribution 10%)
    /// × 0.95 (displacement 5%) = £6,840 in year 1. Drop-off 25% over 5 years:
    ///   y1 6,840; y2 5,130; y3 3,847.50; y4 2,885.625; y5 2,164.21875.
    /// Discounted at 3.5% (year t ÷ 1.035^t):
    ///   6,608.6957 + 4,788.9332 + 3,470.2125 + 2,514.6467 + 1,822.2077 = 19,204.6957…
    #[test]
    fn five_years_with_drop_off_and_discounting_to_the_penny() {
        let l = line(10.0, 1000.0, 0.2, 0.1, 0.05, 0.25, 5);
        assert!((l.impact() - 6840.0).abs() < 1e-9);
        let y = l.yearly();
        assert_eq!(y.len(), 6, "year 0 (nothing: the value starts in year 1), then five years");
        assert_eq!(y[0], 0.0);
        for (got, want) in y[1..].iter().zip([6840.0, 5130.0, 3847.5, 2885.625, 2164.21875]) {
            assert!((got - want).abs() < 1e-9, "{got} vs {want}");
        }
        let pv = l.present_value(0);
        let by_hand = 6840.0 / 1.035
            + 5130.0 / 1.035f64.powi(2)
            + 3847.5 / 1.035f64.powi(3)
            + 2885.625 / 1.035f64.powi(4)
            + 2164.21875 / 1.035f64.powi(5);
        assert!((pv - by_hand).abs() < 1e-9);
        assert_eq!((pv * 100.0).round() / 100.0, 19204.70);
    }

    /// Investment £9,000; yearly impact £6,840 then £5,130. After year 1, £2,160 is still
    /// to recover from year 2's £5,130 (£427.50 a month): 2,160 ÷ 427.5 = 5.0526 months,
    /// so payback is 17.05 months.
    #[test]
    fn investment_is_shared_over_its_dates() {
        let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
        // £3,000 over 3 years (2022-04-01 to 2025-03-31, 1,096 days); 2024-25 has 365 of them.
        let inv = Investment { amount: 3000.0, start: d(2022, 4, 1), end: d(2025, 3, 31) };
        assert!((inv.share(d(2024, 4, 1), d(2025, 3, 31)) - 3000.0 * 365.0 / 1096.0).abs() < 1e-9);
        assert_eq!(inv.share(None, None), 3000.0);
        assert_eq!(inv.share(d(2030, 1, 1), d(2030, 12, 31)), 0.0);
        assert_eq!(Investment { amount: 5.0, start: None, end: None }.share(d(2024, 1, 1), None), 5.0);
    }

    #[test]
    fn partial_year_payback() {
        let m = payback_months(&[0.0, 6840.0, 5130.0], 9000.0).unwrap();
        assert!((m - (12.0 + 2160.0 / 427.5)).abs() < 1e-9);
        assert_eq!((m * 100.0).round() / 100.0, 17.05);
        assert_eq!(payback_months(&[0.0, 100.0], 1000.0), None);
        assert_eq!(payback_months(&[0.0, 100.0], 0.0), Some(0.0));
        // Year 0's £4,000 counts at once; £5,000 is then left from year 1's £6,000
        // (£500 a month): 10 months.
        assert!((payback_months(&[4000.0, 6000.0], 9000.0).unwrap() - 10.0).abs() < 1e-9);
        assert_eq!(payback_months(&[9000.0, 1.0], 9000.0), Some(0.0));
    }

    #[test]
    fn sroi_and_npv_for_a_group() {
        let g = GroupValue {
            group: "P".into(),
            lines: vec![line(10.0, 1000.0, 0.2, 0.1, 0.05, 0.25, 5)],
            investment: Some(8000.0),
            rate: 0.035,
            past_years: 0,
        };
        // The same five years as above, discounted at 3.5%.
        let pv: f64 = [6840.0, 5130.0, 3847.5, 2885.625, 2164.21875]
            .iter()
            .enumerate()
            .map(|(t, v)| v / 1.035f64.powi(t as i32 + 1))
            .sum();
        assert!((g.ratio().unwrap() - pv / 8000.0).abs() < 1e-12, "{:?}", g.ratio());
        assert!((g.npv().unwrap() - (pv - 8000.0)).abs() < 1e-9);
        assert_eq!((g.npv().unwrap() * 100.0).round() / 100.0, 11204.70);
        // 8,000 > 6,840: 1,160 from year 2 at 427.50 a month → 12 + 2.7135 months.
        assert!((g.payback_months().unwrap() - (12.0 + 1160.0 / 427.5)).abs() < 1e-9);
    }

    /// £10,000 a year (10 × £1,000, no adjustments) for three years, at 3.5%.
    fn ten_thousand_a_year(years: u32, start_year: u32) -> Line {
        let mut l = line(10.0, 1000.0, 0.0, 0.0, 0.0, 0.0, years);
        l.params.start_year = start_year;
        l
    }

    /// An outcome that shows from year 2 (the impact map's "period outcomes start"):
    /// 10,000 ÷ 1.035² + 10,000 ÷ 1.035³ + 10,000 ÷ 1.035⁴
    ///   = 9,335.11 + 9,019.43 + 8,714.42 = 27,068.96.
    #[test]
    fn an_outcome_starting_in_year_two_is_discounted_from_there() {
        let l = ten_thousand_a_year(3, 2);
        assert_eq!(l.yearly(), vec![0.0, 0.0, 10000.0, 10000.0, 10000.0]);
        assert_eq!((l.present_value(0) * 100.0).round() / 100.0, 27068.96);
    }

    /// Green Book Table 2: a benefit in year 0 is not discounted.
    /// 10,000 + 10,000 ÷ 1.035 = 10,000 + 9,661.84 = 19,661.84.
    #[test]
    fn year_zero_is_not_discounted() {
        let l = ten_thousand_a_year(2, 0);
        assert_eq!(l.yearly(), vec![10000.0, 10000.0]);
        assert_eq!((l.present_value(0) * 100.0).round() / 100.0, 19661.84);
    }

    /// An evaluation: year 1 has happened and is not discounted; years 2 and 3 are
    /// discounted from it. 10,000 + 10,000 ÷ 1.035 + 10,000 ÷ 1.035² = 28,996.94
    /// (a forecast of the same would be 28,016.37).
    #[test]
    fn an_evaluation_does_not_discount_the_past() {
        let l = ten_thousand_a_year(3, 1);
        assert_eq!((l.present_value(1) * 100.0).round() / 100.0, 28996.94);
        let forecast = 10000.0 / 1.035 + 10000.0 / 1.035f64.powi(2) + 10000.0 / 1.035f64.powi(3);
        assert!((l.present_value(0) - forecast).abs() < 1e-9);
        assert_eq!((forecast * 100.0).round() / 100.0, 28016.37);
    }

    /// A health outcome at the Green Book's 1.5% beside one at 3.5%:
    /// 10,000 ÷ 1.035 + 10,000 ÷ 1.015 = 9,661.84 + 9,852.22 = 19,514.05.
    #[test]
    fn each_outcome_is_discounted_at_its_own_rate() {
        let mut health = ten_thousand_a_year(1, 1);
        health.params.discount_rate = 0.015;
        assert_eq!((health.present_value(0) * 100.0).round() / 100.0, 9852.22);
        let g = GroupValue {
            group: "P".into(),
            lines: vec![ten_thousand_a_year(1, 1), health],
            investment: Some(10000.0),
            rate: 0.035,
            past_years: 0,
        };
        assert_eq!((g.present_value() * 100.0).round() / 100.0, 19514.05);
    }

    /// A dis-benefit (2 × £1,500 of harm) is taken off: 10,000 ÷ 1.035 − 3,000 ÷ 1.035
    /// = 6,763.29; against £5,000, SROI 1.3527.
    #[test]
    fn a_disbenefit_reduces_the_total() {
        let mut harm = line(2.0, 1500.0, 0.0, 0.0, 0.0, 0.0, 1);
        harm.params.disbenefit = true;
        assert_eq!(harm.gross(), -3000.0);
        let g = GroupValue {
            group: "P".into(),
            lines: vec![ten_thousand_a_year(1, 1), harm],
            investment: Some(5000.0),
            rate: 0.035,
            past_years: 0,
        };
        assert_eq!((g.present_value() * 100.0).round() / 100.0, 6763.29);
        assert_eq!((g.ratio().unwrap() * 10000.0).round() / 10000.0, 1.3527);
    }
}
