//! Sensitivity: each assumption scaled by a low and a high multiplier (±50% by
//! default), the SROI recomputed, and the break-even multiplier where SROI = 1. An
//! outcome whose proxy states its lowest and highest credible values takes those in
//! the value test, in place of the multipliers.

use super::{Assumptions, GroupValue, Line};

/// The SROI ratio at the low and high value of one parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    /// The parameter varied.
    pub parameter: &'static str,
    /// Its low value.
    pub low: f64,
    /// Its high value.
    pub high: f64,
    /// The ratio at the low value.
    pub sroi_low: f64,
    /// The ratio at the high value.
    pub sroi_high: f64,
    /// The multiplier of this assumption at which SROI = 1, if one exists in range.
    pub break_even: Option<f64>,
    /// The low and high cases as applied, in the assumption's own terms: "£10,000"
    /// and "£16,000" for a proxy's stated range, "1 year" and "2 years" for a
    /// duration of 1 × 0.5 (rounded, at least a year) and × 1.5, "5%" and "20%" for a
    /// deadweight of 10%; "×0.5" and "×1.5" where the outcomes' own values differ.
    pub applied: (String, String),
}

/// A copy of the group with one assumption scaled by `m` (rates capped at 1).
fn scaled(g: &GroupValue, parameter: &str, m: f64) -> GroupValue {
    let mut out = g.clone();
    if parameter == "discount_rate" {
        out.rate = (g.rate * m).clamp(0.0, 0.999);
    }
    out.lines = g
        .lines
        .iter()
        .map(|l| {
            let mut l: Line = l.clone();
            let p = &mut l.params;
            match parameter {
                "value" => p.value *= m,
                "deadweight" => p.deadweight = (p.deadweight * m).clamp(0.0, 1.0),
                "attribution" => p.attribution = (p.attribution * m).clamp(0.0, 1.0),
                "displacement" => p.displacement = (p.displacement * m).clamp(0.0, 1.0),
                "drop_off" => p.drop_off = (p.drop_off * m).clamp(0.0, 1.0),
                "duration_years" => {
                    p.duration_years = (f64::from(p.duration_years) * m)
                        .round()
                        .clamp(1.0, f64::from(super::MAX_DURATION_YEARS)) as u32
                }
                "discount_rate" => p.discount_rate = (p.discount_rate * m).clamp(0.0, 0.999),
                _ => {}
            }
            l
        })
        .collect();
    out
}

/// The value test's low or high case: each outcome at its proxy's stated lowest or
/// highest value where it has one, else its value scaled by `m`.
fn stated_values(g: &GroupValue, m: f64, high: bool) -> GroupValue {
    let mut out = scaled(g, "value", m);
    for (line, original) in out.lines.iter_mut().zip(&g.lines) {
        if let Some((low, top)) = original.params.value_range {
            line.params.value = if high { top } else { low };
        }
    }
    out
}

fn sroi(g: &GroupValue) -> Option<f64> {
    g.ratio()
}

/// The largest multiplier worth searching for an assumption.
fn search_limit(g: &GroupValue, parameter: &str) -> f64 {
    let max_of = |f: &dyn Fn(&Line) -> f64| g.lines.iter().map(f).fold(0.0, f64::max);
    match parameter {
        "deadweight" => 1.0 / max_of(&|l| l.params.deadweight).max(1e-9),
        "attribution" => 1.0 / max_of(&|l| l.params.attribution).max(1e-9),
        "displacement" => 1.0 / max_of(&|l| l.params.displacement).max(1e-9),
        "drop_off" => 1.0 / max_of(&|l| l.params.drop_off).max(1e-9),
        "duration_years" => 100.0,
        "discount_rate" => 0.999 / max_of(&|l| l.params.discount_rate).max(1e-9),
        _ => 1e6,
    }
}

/// Multiplier in [0, limit] where SROI crosses 1, by bisection (SROI moves one way
/// with each assumption). None when it stays on one side across the range.
pub fn break_even(g: &GroupValue, parameter: &str) -> Option<f64> {
    let f = |m: f64| sroi(&scaled(g, parameter, m)).map(|r| r - 1.0);
    let (mut lo, mut hi) = (0.0, search_limit(g, parameter));
    let (flo, fhi) = (f(lo)?, f(hi)?);
    if flo.signum() == fhi.signum() {
        return None;
    }
    for _ in 0..100 {
        let mid = (lo + hi) / 2.0;
        let fm = f(mid)?;
        if fm.signum() == flo.signum() {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some((lo + hi) / 2.0)
}

impl Sensitivity {
    /// The test in words, as applied ("deadweight 5%–20%", "duration 1 year–2 years",
    /// "proxy values at their stated ranges, others ×0.5–×1.5"); None for a test that
    /// changes nothing (a displacement of 0% scaled is still 0%).
    pub fn words(&self) -> Option<String> {
        let (low, high) = &self.applied;
        if low == high {
            return None;
        }
        let label = match self.parameter {
            "value" => "proxy values",
            "duration_years" => "duration",
            "drop_off" => "drop-off",
            "discount_rate" => "discount rate",
            other => other,
        };
        Some(match (low.strip_prefix("stated range, else "), high.strip_prefix("stated range, else ")) {
            (Some(l), Some(h)) => format!("{label} at their stated ranges, others {l}–{h}"),
            _ if low == "stated range" => format!("{label} at their stated ranges"),
            _ => format!("{label} {low}–{high}"),
        })
    }
}

/// One case of a test in the assumption's own terms: the value every outcome takes in
/// `case` when they all take the same one, else the multiplier (for the proxy value,
/// "stated range" where outcomes mix stated ranges and multipliers). A discount rate
/// tried on the group's own rate is read from the group.
fn applied(g: &GroupValue, case: &GroupValue, parameter: &str, multiplier: f64) -> String {
    let of = |l: &Line| -> f64 {
        let p = &l.params;
        match parameter {
            "value" => p.value,
            "deadweight" => p.deadweight,
            "attribution" => p.attribution,
            "displacement" => p.displacement,
            "drop_off" => p.drop_off,
            "duration_years" => f64::from(p.duration_years),
            _ => p.discount_rate,
        }
    };
    let values: Vec<f64> = case.lines.iter().map(of).collect();
    let same = values.windows(2).all(|w| (w[0] - w[1]).abs() < 1e-9);
    let stated = g.lines.iter().filter(|l| l.params.value_range.is_some()).count();
    match (values.first(), same) {
        (Some(v), true) => match parameter {
            "value" => format!("£{}", crate::output::format_figure(*v)),
            "duration_years" if *v == 1.0 => "1 year".to_string(),
            "duration_years" => format!("{v:.0} years"),
            _ => percent(*v),
        },
        _ if parameter == "value" && stated > 0 && stated < g.lines.len() => {
            format!("stated range, else ×{}", crate::output::format_figure(multiplier))
        }
        _ if parameter == "value" && stated > 0 => "stated range".to_string(),
        _ => format!("×{}", crate::output::format_figure(multiplier)),
    }
}

/// A rate as a percentage, to two decimals at most (3.5%, 1.75%, 20%).
fn percent(v: f64) -> String {
    format!("{}%", crate::output::format_figure(v * 100.0))
}

/// Every assumption's SROI range, widest swing first (the tornado order).
pub fn analyse(g: &GroupValue, assumptions: &Assumptions) -> Vec<Sensitivity> {
    let mut out: Vec<Sensitivity> = super::assumptions::SENSITIVE
        .iter()
        .filter_map(|p| {
            let r = assumptions.range(p);
            let (low, high) = if *p == "value" {
                (stated_values(g, r.low, false), stated_values(g, r.high, true))
            } else {
                (scaled(g, p, r.low), scaled(g, p, r.high))
            };
            Some(Sensitivity {
                parameter: p,
                low: r.low,
                high: r.high,
                sroi_low: sroi(&low)?,
                sroi_high: sroi(&high)?,
                break_even: break_even(g, p),
                applied: (applied(g, &low, p, r.low), applied(g, &high, p, r.high)),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        let swing = |s: &Sensitivity| (s.sroi_high - s.sroi_low).abs();
        swing(b).total_cmp(&swing(a)).then(a.parameter.cmp(b.parameter))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Params;

    fn group(dw: f64, investment: f64) -> GroupValue {
        GroupValue {
            group: "P".into(),
            lines: vec![Line {
                group: "P".into(),
                indicator: "x".into(),
                outcome: "x".into(),
                stakeholder: "s".into(),
                unit: "u".into(),
                quantity: 10.0,
                params: Params { value: 1000.0, deadweight: dw, discount_rate: 0.0, ..Params::default() },
                source: "s".into(),
                rests_on: None,
            }],
            investment: Some(investment),
            rate: 0.0,
            past_years: 0,
        }
    }

    /// 10 × £1,000 × (1 − 0.25) = £7,500 against £5,000: SROI 1.5. SROI is 1 when
    /// 10,000 × (1 − d) = 5,000, i.e. deadweight 0.5 = 2 × the assumed 0.25.
    #[test]
    fn deadweight_break_even_by_hand() {
        let g = group(0.25, 5000.0);
        assert!((g.ratio().unwrap() - 1.5).abs() < 1e-12);
        let m = break_even(&g, "deadweight").unwrap();
        assert!((m - 2.0).abs() < 1e-9, "{m}");
        // Value: SROI = 1 when the proxy is two thirds of £1,000.
        let v = break_even(&g, "value").unwrap();
        assert!((v - 2.0 / 3.0).abs() < 1e-9, "{v}");
    }

    /// A proxy stating £600 to £1,800 around £1,000: the value test uses those, not
    /// ±50%. 10 × £600 × 0.75 = £4,500 → SROI 0.9; 10 × £1,800 × 0.75 = £13,500 → 2.7.
    #[test]
    fn a_stated_proxy_range_replaces_the_multipliers() {
        let mut g = group(0.25, 5000.0);
        g.lines[0].params.value_range = Some((600.0, 1800.0));
        let rows = analyse(&g, &Assumptions::default());
        let v = rows.iter().find(|r| r.parameter == "value").unwrap();
        assert!((v.sroi_low - 0.9).abs() < 1e-12 && (v.sroi_high - 2.7).abs() < 1e-12, "{v:?}");
        // Labelled as applied: the stated values, not the default multipliers.
        assert_eq!(v.applied, ("£600".to_string(), "£1,800".to_string()));
    }

    /// A duration of 1 year × 0.5 rounds back to 1 year (no low side) and × 1.5 to 2
    /// years: labelled so, not "×0.5–×1.5". A deadweight of 25% ± 50% is 12.5%–37.5%.
    #[test]
    fn every_case_is_labelled_as_applied() {
        let g = group(0.25, 5000.0);
        let rows = analyse(&g, &Assumptions::default());
        let of = |p: &str| rows.iter().find(|r| r.parameter == p).unwrap().applied.clone();
        assert_eq!(of("duration_years"), ("1 year".to_string(), "2 years".to_string()));
        assert_eq!(of("deadweight"), ("12.5%".to_string(), "37.5%".to_string()));
        assert_eq!(of("value"), ("£500".to_string(), "£1,500".to_string()));
    }

    #[test]
    fn ranges_follow_the_assumptions_file() {
        let g = group(0.25, 5000.0);
        let a = Assumptions::default();
        let rows = analyse(&g, &a);
        let dw = rows.iter().find(|r| r.parameter == "deadweight").unwrap();
        // ±50%: deadweight 0.125 → 8,750 / 5,000 = 1.75; 0.375 → 6,250 / 5,000 = 1.25.
        assert!((dw.sroi_low - 1.75).abs() < 1e-12 && (dw.sroi_high - 1.25).abs() < 1e-12);
        // Attribution is 0, so scaling it changes nothing and it cannot reach break-even.
        let at = rows.iter().find(|r| r.parameter == "attribution").unwrap();
        assert_eq!(at.sroi_low, at.sroi_high);
        assert_eq!(at.break_even, None);
    }
}
