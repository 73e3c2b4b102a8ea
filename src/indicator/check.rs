//! Semantic checks of the indicator library: things TOML syntax cannot catch.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

use super::model::{Aggregation, Indicator, RollUp};

/// A problem with an indicator definition.
#[derive(Debug, Clone, PartialEq)]
pub struct LibraryProblem {
    /// The file defining the indicator.
    pub file: PathBuf,
    /// The indicator's id.
    pub id: String,
    /// The key at fault.
    pub key: &'static str,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for LibraryProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: indicator `{}`, key `{}`: {}", self.file.display(), self.id, self.key, self.message)
    }
}

/// Checks definitions against each other: references, units, roll-up rules and ranges.
pub fn check_indicators(all: &[(PathBuf, Indicator)]) -> Vec<LibraryProblem> {
    let mut problems = Vec::new();
    let mut seen: HashMap<&str, &PathBuf> = HashMap::new();
    let by_id: HashMap<&str, &Indicator> = all.iter().map(|(_, i)| (i.id.as_str(), i)).collect();
    for (file, ind) in all {
        let mut report = |key: &'static str, message: String| {
            problems.push(LibraryProblem { file: file.clone(), id: ind.id.clone(), key, message })
        };
        if let Some(first) = seen.insert(&ind.id, file) {
            report("id", format!("duplicate id (also defined in {})", first.display()));
        }
        if !is_identifier(&ind.id) {
            report("id", "must be lower_snake_case: a–z, 0–9 and _ starting with a letter".into());
        }
        for (key, value) in
            [("name", &ind.name), ("theme", &ind.theme), ("unit", &ind.unit), ("description", &ind.description)]
        {
            if value.trim().is_empty() {
                report(key, "must not be empty".into());
            }
        }
        // A bound of nan or infinity would let every value through (or none): a typo.
        for (key, bound) in [("min", ind.min), ("max", ind.max)] {
            if bound.is_some_and(|b| !b.is_finite()) {
                report(key, format!("{} is not a number a value can be checked against", bound.unwrap_or_default()));
            }
        }
        if let (Some(lo), Some(hi)) = (ind.min, ind.max) {
            if lo > hi {
                report("min", format!("min {lo} is above max {hi}"));
            }
        }
        if let Some([lo, hi]) = ind.typical {
            let inside = |v: f64| ind.min.is_none_or(|m| v >= m) && ind.max.is_none_or(|m| v <= m);
            if lo > hi || !inside(lo) || !inside(hi) {
                report("typical", format!("[{lo}, {hi}] must be ordered and within the allowed range"));
            }
        }
        check_roll_up(ind, &by_id, &mut report);
        check_people(ind, &by_id, &mut report);
        check_proxy(ind, &mut report);
        check_frameworks(ind, &mut report);
    }
    problems
}

fn check_roll_up(ind: &Indicator, by_id: &HashMap<&str, &Indicator>, report: &mut impl FnMut(&'static str, String)) {
    let is_ratio = ind.aggregation == Aggregation::Ratio;
    let is_cohort = ind.aggregation == Aggregation::Cohort;
    if matches!(ind.aggregation, Aggregation::Ratio | Aggregation::Distinct | Aggregation::Cohort)
        && ind.across_time.is_some()
    {
        report("across_time", "is implied for distinct, ratio and cohort indicators; remove it".into());
    }
    check_within(ind, by_id, report);
    for (key, present) in [("numerator", ind.numerator.is_some()), ("denominator", ind.denominator.is_some())] {
        if present && !is_ratio {
            report(key, "only ratio indicators take a numerator or denominator".into());
        }
    }
    for (key, present) in [
        ("cohort", ind.cohort.is_some()),
        ("outcome", ind.outcome.is_some()),
        ("within_days", ind.within_days.is_some()),
    ] {
        if present && !is_cohort {
            report(
                key,
                "only cohort indicators (aggregation = \"cohort\") take a cohort, outcome or within_days".into(),
            );
        }
    }
    if ind.scale.is_some() && !(is_ratio || is_cohort) {
        report("scale", "only ratio and cohort indicators take a scale".into());
    }
    if ind.scale.is_some_and(|s| !(s.is_finite() && s > 0.0)) {
        report("scale", "must be a positive number".into());
    }
    let parts: &[(&'static str, &Option<String>)] = if is_ratio {
        &[("numerator", &ind.numerator), ("denominator", &ind.denominator)]
    } else if is_cohort {
        &[("cohort", &ind.cohort), ("outcome", &ind.outcome)]
    } else {
        &[]
    };
    for (key, part) in parts {
        match part.as_deref() {
            None => report(key, format!("a {} indicator needs one", if is_ratio { "ratio" } else { "cohort" })),
            Some(id) => match by_id.get(id) {
                None => report(key, format!("`{id}` is not in the library")),
                Some(p) if p.is_computed() => report(
                    key,
                    format!("`{id}` is itself computed (a ratio or cohort rate); build from recorded indicators"),
                ),
                Some(p) if is_cohort && !matches!(p.roll_up(), RollUp::Flow(_) | RollUp::Distinct) => {
                    report(key, format!("`{id}` is a stock; a cohort follows events (flows or distinct people)"))
                }
                // A ratio adds up its parts in each group: a mean, minimum or maximum
                // does not add up, and would give a figure that means nothing (50000%).
                Some(p) if is_ratio && matches!(p.aggregation, Aggregation::Mean | Aggregation::Min | Aggregation::Max) => {
                    report(
                        key,
                        format!(
                            "`{id}` is a {} of its records, which does not add up; a ratio's parts must be sums, counts or distinct people",
                            match p.aggregation {
                                Aggregation::Mean => "mean",
                                Aggregation::Min => "minimum",
                                _ => "maximum",
                            }
                        ),
                    )
                }
                Some(_) => {}
            },
        }
    }
    if is_cohort {
        if ind.cohort.is_some() && ind.cohort == ind.outcome {
            report("outcome", "must differ from the cohort event".into());
        }
        match ind.within_days {
            None => report("within_days", "a cohort indicator needs the follow-up window in days".into()),
            Some(d) if !(1..=MAX_WITHIN_DAYS).contains(&d) => {
                report("within_days", format!("must be from 1 to {MAX_WITHIN_DAYS} days"))
            }
            Some(_) => {}
        }
    }
}

pub use crate::base::limits::MAX_WITHIN_DAYS;

/// `people`: the indicator counting the people a quantity rests on exists, is
/// recorded and counts people.
fn check_people(ind: &Indicator, by_id: &HashMap<&str, &Indicator>, report: &mut impl FnMut(&'static str, String)) {
    let Some(id) = ind.people.as_deref() else { return };
    match by_id.get(id) {
        None => report("people", format!("`{id}` is not in the library")),
        Some(p) if p.is_computed() || !(p.counts_people || p.roll_up() == RollUp::Distinct) => {
            report("people", format!("`{id}` is not a recorded count of people"))
        }
        Some(_) => {}
    }
}

/// `within`: the larger indicator exists, is recorded, counts in the same unit, and
/// no chain of `within` comes back to where it started.
fn check_within(ind: &Indicator, by_id: &HashMap<&str, &Indicator>, report: &mut impl FnMut(&'static str, String)) {
    let Some(outer) = ind.within.as_deref() else { return };
    let Some(o) = by_id.get(outer) else {
        report("within", format!("`{outer}` is not in the library"));
        return;
    };
    if ind.is_computed() || o.is_computed() {
        report("within", "compares recorded indicators only, not ratios or cohort rates".into());
    } else if o.unit != ind.unit {
        report(
            "within",
            format!("`{outer}` counts {}, this counts {}: a part must be in its whole's unit", o.unit, ind.unit),
        );
    }
    let mut seen = vec![ind.id.as_str()];
    let mut next = Some(outer);
    while let Some(id) = next {
        if seen.contains(&id) {
            report("within", format!("goes round in a circle: {} → {id}", seen.join(" → ")));
            return;
        }
        seen.push(id);
        next = by_id.get(id).and_then(|i| i.within.as_deref());
    }
}

fn check_proxy(ind: &Indicator, report: &mut impl FnMut(&'static str, String)) {
    let Some(p) = &ind.proxy else { return };
    if !(p.value.is_finite() && p.value >= 0.0) {
        report("proxy.value", format!("{} is not a non-negative amount", p.value));
    }
    for (key, rate) in [
        ("proxy.deadweight", p.deadweight),
        ("proxy.attribution", p.attribution),
        ("proxy.displacement", p.displacement),
        ("proxy.drop_off", p.drop_off),
    ] {
        if !(0.0..=1.0).contains(&rate) {
            report(key, format!("{rate} is outside 0–1 (write 25% as 0.25)"));
        }
    }
    if p.duration_years == 0 || p.duration_years > crate::base::limits::MAX_DURATION_YEARS {
        report("proxy.duration_years", format!("must be from 1 to {} years", crate::base::limits::MAX_DURATION_YEARS));
    }
    if !(p.currency.len() == 3 && p.currency.chars().all(|c| c.is_ascii_uppercase())) {
        report("proxy.currency", format!("`{}` is not an ISO 4217 code such as GBP", p.currency));
    }
    if !(1990..=2100).contains(&p.price_year) {
        report("proxy.price_year", format!("{} is not a plausible price year", p.price_year));
    }
    if p.source.trim().is_empty() {
        report("proxy.source", "say where the value comes from".into());
    }
    // No deadweight and no attribution credits every unit of the outcome to the
    // programme: a default that does so must say why.
    if p.deadweight == 0.0 && p.attribution == 0.0 && p.adjustments.as_deref().is_none_or(|a| a.trim().is_empty()) {
        report(
            "proxy.adjustments",
            "deadweight and attribution are both 0, which credits the whole outcome to the work: say why in `adjustments`, or set them".into(),
        );
    }
    if p.start_year > crate::base::limits::MAX_DURATION_YEARS {
        report(
            "proxy.start_year",
            format!(
                "must be from 0 to {} (0: the year of the activity, 1: the year after)",
                crate::base::limits::MAX_DURATION_YEARS
            ),
        );
    }
    if p.discount_rate.is_some_and(|r| !(0.0..1.0).contains(&r)) {
        report("proxy.discount_rate", "must be from 0 to 1 (the Green Book's 1.5% is 0.015)".into());
    }
    for (key, bound) in [("proxy.low", p.low), ("proxy.high", p.high)] {
        if bound.is_some_and(|b| !(b.is_finite() && b >= 0.0)) {
            report(key, "is not a non-negative amount".into());
        }
    }
    let (low, high) = (p.low.unwrap_or(p.value), p.high.unwrap_or(p.value));
    if !(low <= p.value && p.value <= high) {
        report("proxy.low", format!("low {low}, value {} and high {high} must run from lowest to highest", p.value));
    }
}

fn check_frameworks(ind: &Indicator, report: &mut impl FnMut(&'static str, String)) {
    let f = &ind.frameworks;
    if let Some(code) = &f.toms {
        let ok = code.strip_prefix("NT").is_some_and(|rest| {
            let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            !digits.is_empty() && rest[digits.len()..].chars().all(|c| c.is_ascii_lowercase())
        });
        if !ok {
            report("frameworks.toms", format!("`{code}` is not a National TOMs code such as NT1"));
        }
    }
    if let Some(code) = &f.sdg {
        let ok = code.split_once('.').is_some_and(|(goal, target)| {
            goal.parse::<u8>().is_ok_and(|g| (1..=17).contains(&g))
                && !target.is_empty()
                && target.len() <= 2
                && target.chars().all(|c| c.is_ascii_alphanumeric())
        });
        if !ok {
            report("frameworks.sdg", format!("`{code}` is not an SDG target such as 8.5"));
        }
    }
    if let Some(code) = &f.iris {
        let ok = code.len() == 6
            && code[..2].chars().all(|c| c.is_ascii_uppercase())
            && code[2..].chars().all(|c| c.is_ascii_digit());
        if !ok {
            report("frameworks.iris", format!("`{code}` is not an IRIS+ metric id such as PI4060"));
        }
    }
}

fn is_identifier(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicator::model::{Direction, Frameworks, Proxy, TimeAggregation};

    pub(crate) fn base(id: &str) -> Indicator {
        Indicator {
            id: id.into(),
            name: "Name".into(),
            theme: "employment".into(),
            unit: "people".into(),
            aggregation: Aggregation::Sum,
            across_time: None,
            direction: Direction::Higher,
            description: "d".into(),
            min: Some(0.0),
            max: None,
            integer: true,
            counts_people: true,
            typical: None,
            numerator: None,
            denominator: None,
            scale: None,
            missing_numerator_is_zero: false,
            cohort: None,
            outcome: None,
            within_days: None,
            within: None,
            chain: None,
            replaces: false,
            frameworks: Frameworks::default(),
            proxy: None,
            stakeholder: None,
            people: None,
        }
    }

    fn problems_of(list: Vec<Indicator>) -> Vec<(String, &'static str)> {
        let all: Vec<_> = list.into_iter().map(|i| (PathBuf::from("t.toml"), i)).collect();
        check_indicators(&all).into_iter().map(|p| (p.id, p.key)).collect()
    }

    #[test]
    fn a_clean_indicator_has_no_problems() {
        assert!(problems_of(vec![base("jobs")]).is_empty());
    }

    #[test]
    fn duplicate_ids_and_bad_ids_are_reported() {
        let p = problems_of(vec![base("jobs"), base("jobs"), base("Jobs Created")]);
        assert_eq!(p, vec![("jobs".into(), "id"), ("Jobs Created".into(), "id")]);
    }

    #[test]
    fn ratio_parts_must_exist_and_not_be_ratios() {
        let mut r = base("rate");
        r.aggregation = Aggregation::Ratio;
        r.numerator = Some("jobs".into());
        r.denominator = Some("missing".into());
        let mut r2 = base("rate2");
        r2.aggregation = Aggregation::Ratio;
        r2.numerator = Some("rate".into());
        r2.denominator = Some("jobs".into());
        r2.across_time = Some(TimeAggregation::Last);
        let p = problems_of(vec![base("jobs"), r, r2]);
        assert_eq!(
            p,
            vec![("rate".into(), "denominator"), ("rate2".into(), "across_time"), ("rate2".into(), "numerator")]
        );
    }

    #[test]
    fn cohort_rules_name_recorded_events_and_a_window() {
        let cohort = |id: &str, start: Option<&str>, end: Option<&str>, days: Option<u32>| {
            let mut c = base(id);
            c.aggregation = Aggregation::Cohort;
            c.cohort = start.map(str::to_string);
            c.outcome = end.map(str::to_string);
            c.within_days = days;
            c
        };
        let mut stock = base("in_work");
        stock.across_time = Some(TimeAggregation::Last);
        let mut not_cohort = base("plain");
        not_cohort.within_days = Some(10);
        let p = problems_of(vec![
            base("jobs"),
            base("sustained"),
            stock,
            not_cohort,
            cohort("good", Some("jobs"), Some("sustained"), Some(200)),
            cohort("unknown", Some("jobz"), Some("sustained"), Some(200)),
            cohort("of_a_rate", Some("good"), Some("sustained"), Some(200)),
            cohort("of_a_stock", Some("jobs"), Some("in_work"), Some(200)),
            cohort("same", Some("jobs"), Some("jobs"), Some(200)),
            cohort("no_window", Some("jobs"), Some("sustained"), None),
            cohort("long_window", Some("jobs"), Some("sustained"), Some(MAX_WITHIN_DAYS + 1)),
            cohort("no_outcome", Some("jobs"), None, Some(30)),
        ]);
        assert_eq!(
            p,
            vec![
                ("plain".into(), "within_days"),
                ("unknown".into(), "cohort"),
                ("of_a_rate".into(), "cohort"),
                ("of_a_stock".into(), "outcome"),
                ("same".into(), "outcome"),
                ("no_window".into(), "within_days"),
                ("long_window".into(), "within_days"),
                ("no_outcome".into(), "outcome"),
            ]
        );
    }

    #[test]
    fn within_rules_name_a_whole_in_the_same_unit_without_circles() {
        let part = |id: &str, of: &str| {
            let mut i = base(id);
            i.within = Some(of.into());
            i
        };
        let mut money = part("spend", "jobs");
        money.unit = "£".into();
        let p = problems_of(vec![
            base("jobs"),
            part("ltu", "jobs"),
            part("nowhere", "jobz"),
            money,
            part("a", "b"),
            part("b", "a"),
            part("me", "me"),
        ]);
        assert_eq!(
            p,
            vec![
                ("nowhere".into(), "within"),
                ("spend".into(), "within"),
                ("a".into(), "within"),
                ("b".into(), "within"),
                ("me".into(), "within"),
            ]
        );
    }

    #[test]
    fn bounds_that_are_not_numbers_are_rejected() {
        let mut i = base("jobs");
        i.min = Some(f64::NAN);
        i.max = Some(f64::NEG_INFINITY);
        assert_eq!(problems_of(vec![i]), vec![("jobs".into(), "min"), ("jobs".into(), "max")]);
    }

    #[test]
    fn proxy_rates_outside_zero_to_one_are_rejected() {
        let mut i = base("jobs");
        i.proxy = Some(Proxy {
            value: 100.0,
            currency: "GBP".into(),
            price_year: 2024,
            source: "s".into(),
            licence: None,
            url: None,
            retrieved: None,
            adjustments: Some("a starting assumption".into()),
            deadweight: 25.0,
            attribution: 0.1,
            displacement: 0.0,
            drop_off: 0.0,
            duration_years: 0,
            start_year: 1,
            discount_rate: None,
            low: None,
            high: None,
            disbenefit: false,
        });
        let p = problems_of(vec![i]);
        assert_eq!(p, vec![("jobs".into(), "proxy.deadweight"), ("jobs".into(), "proxy.duration_years")]);
        // A duration of a billion years would be valued year by year: refused.
        let mut i = base("jobs");
        i.proxy = Some(Proxy {
            value: 1.0,
            currency: "GBP".into(),
            price_year: 2024,
            source: "s".into(),
            licence: None,
            url: None,
            retrieved: None,
            adjustments: Some("a starting assumption".into()),
            deadweight: 0.0,
            attribution: 0.0,
            displacement: 0.0,
            drop_off: 0.0,
            duration_years: 1_000_000_000,
            start_year: 1,
            discount_rate: None,
            low: None,
            high: None,
            disbenefit: false,
        });
        assert_eq!(problems_of(vec![i]), vec![("jobs".into(), "proxy.duration_years")]);
    }

    #[test]
    fn proxy_ranges_start_years_and_own_rates_are_checked() {
        let proxy = |f: &dyn Fn(&mut Proxy)| {
            let mut i = base("wellbeing");
            let mut p = Proxy {
                value: 100.0,
                currency: "GBP".into(),
                price_year: 2019,
                source: "s".into(),
                licence: None,
                url: None,
                retrieved: None,
                adjustments: Some("a starting assumption".into()),
                deadweight: 0.0,
                attribution: 0.0,
                displacement: 0.0,
                drop_off: 0.0,
                duration_years: 1,
                start_year: 1,
                discount_rate: None,
                low: None,
                high: None,
                disbenefit: false,
            };
            f(&mut p);
            i.proxy = Some(p);
            problems_of(vec![i]).into_iter().map(|(_, key)| key).collect::<Vec<_>>()
        };
        assert!(proxy(&|p| {
            p.low = Some(80.0);
            p.high = Some(120.0);
            p.start_year = 0;
            p.discount_rate = Some(0.015)
        })
        .is_empty());
        assert_eq!(proxy(&|p| p.low = Some(150.0)), vec!["proxy.low"]);
        assert_eq!(proxy(&|p| p.high = Some(f64::NAN)), vec!["proxy.high", "proxy.low"]);
        assert_eq!(proxy(&|p| p.discount_rate = Some(1.5)), vec!["proxy.discount_rate"]);
        assert_eq!(proxy(&|p| p.start_year = 1000), vec!["proxy.start_year"]);
    }

    #[test]
    fn framework_codes_are_checked_for_shape() {
        let mut i = base("jobs");
        i.frameworks = Frameworks { toms: Some("NT1".into()), iris: Some("PI4060".into()), sdg: Some("8.5".into()) };
        assert!(problems_of(vec![i.clone()]).is_empty());
        i.frameworks = Frameworks { toms: Some("TOM1".into()), iris: Some("4060".into()), sdg: Some("18.1".into()) };
        assert_eq!(problems_of(vec![i]).len(), 3);
    }
}
