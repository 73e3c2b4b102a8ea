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
