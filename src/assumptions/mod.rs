//! The assumptions file: discount rate, report price year and index, per-programme
//! or per-indicator overrides of the library's proxy defaults, sensitivity ranges.
//!
//! ```toml
//! discount_rate = 0.035        # HM Treasury Green Book default
//! report_year = 2024           # values are stated in this year's prices
//! [index]                      # price index by year, to move proxies between price years
//! 2019 = 87.0
//! 2024 = 100.0
//! appraisal = "forecast"       # or "evaluative": the year valued is past, not discounted
//! [[override]]                 # applied in file order; later matches win
//! indicator = "jobs_created"   # optional filters: indicator, programme, organisation
//! programme = "EMP-FWD"
//! deadweight = 0.3             # any of: value (with its price_year), low, high,
//! duration_years = 3           #   deadweight, attribution, displacement, drop_off,
//!                              #   duration_years, start_year, discount_rate
//! [investment]                 # investment by organisation (programmes come from programmes.csv)
//! ORG01 = 120000
//! [sensitivity]                # multipliers tried on each assumption (default 0.5 and 1.5)
//! deadweight = { low = 0.5, high = 2.0 }
//! ```

pub mod deflators;
mod investment;

pub use investment::{gather_investments, Investment};

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::indicator::{Library, Proxy};

/// The Green Book's standard discount rate (3.5% a year).
pub const GREEN_BOOK_RATE: f64 = 0.035;

/// Valuation assumptions: discounting, price indexing, overrides, investment and sensitivity.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assumptions {
    /// Yearly discount rate.
    #[serde(default = "green_book")]
    pub discount_rate: f64,
    /// The year whose prices values are given in (None: each proxy's own price year).
    #[serde(default)]
    pub report_year: Option<i32>,
    /// Price index by year, to move proxies to report-year prices.
    #[serde(default)]
    pub index: BTreeMap<String, f64>,
    /// Changes to proxies and adjustments, for an indicator, programme or organisation.
    #[serde(default, rename = "override")]
    pub overrides: Vec<Override>,
    /// Money invested by programme or organisation id.
    #[serde(default)]
    pub investment: BTreeMap<String, f64>,
    /// Low and high values of each parameter, for sensitivity.
    #[serde(default)]
    pub sensitivity: BTreeMap<String, Range>,
    /// Appraisal (looking forward) or evaluation (looking back).
    #[serde(default)]
    pub appraisal: Appraisal,
    /// The file these were read from (None for the defaults): its errors name it.
    #[serde(skip)]
    pub source: Option<std::path::PathBuf>,
}

/// Whether the valuation looks forward (an appraisal: every year is discounted, year
/// 1 once) or back (an evaluation: the year valued has happened, and the Green Book
/// says never to discount retrospectively, so it and year 0 are not discounted and
/// later years are discounted from it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Appraisal {
    /// Looking forward: every year is discounted.
    #[default]
    Forecast,
    /// Looking back: the year valued is not discounted.
    Evaluative,
}

impl Appraisal {
    /// Years (from year 0) already past, which are not discounted.
    pub fn past_years(self) -> u32 {
        match self {
            Appraisal::Forecast => 0,
            Appraisal::Evaluative => 1,
        }
    }
}

fn green_book() -> f64 {
    GREEN_BOOK_RATE
}

impl Default for Assumptions {
    fn default() -> Self {
        Assumptions {
            discount_rate: GREEN_BOOK_RATE,
            report_year: None,
            index: BTreeMap::new(),
            overrides: Vec::new(),
            investment: BTreeMap::new(),
            sensitivity: BTreeMap::new(),
            appraisal: Appraisal::Forecast,
            source: None,
        }
    }
}

/// A change to one outcome's valuation; unset fields keep the library's.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// The indicator it applies to (None: all).
    pub indicator: Option<String>,
    /// The programme it applies to (None: all).
    pub programme: Option<String>,
    /// The organisation it applies to (None: all).
    pub organisation: Option<String>,
    /// Proxy value per unit.
    pub value: Option<f64>,
    /// The price year of `value`, `low` and `high`: required with them, so that a
    /// value is never taken to be in report-year prices without saying so.
    pub price_year: Option<i32>,
    /// Lowest credible value per unit.
    pub low: Option<f64>,
    /// Highest credible value per unit.
    pub high: Option<f64>,
    /// Deadweight (0–1).
    pub deadweight: Option<f64>,
    /// Attribution (0–1).
    pub attribution: Option<f64>,
    /// Displacement (0–1).
    pub displacement: Option<f64>,
    /// Drop-off (0–1).
    pub drop_off: Option<f64>,
    /// Years the outcome lasts.
    pub duration_years: Option<i64>,
    /// Year the value starts.
    pub start_year: Option<i64>,
    /// Discount rate for this outcome.
    pub discount_rate: Option<f64>,
}

/// A low and high value of a parameter.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Range {
    /// Low.
    pub low: f64,
    /// High.
    pub high: f64,
}

/// The assumptions tested in sensitivity analysis.
pub const SENSITIVE: [&str; 7] =
    ["value", "deadweight", "attribution", "displacement", "drop_off", "duration_years", "discount_rate"];

/// The parameters of one outcome's valuation after defaults, overrides and indexing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Proxy value per unit, in report-year prices.
    pub value: f64,
    /// The year whose prices `value` is in: the report year when one is set, else
    /// the price year the value was stated in (the proxy's, or an override's).
    pub price_year: i32,
    /// The lowest and highest credible values per unit, in report-year prices, when
    /// the proxy states them (sensitivity uses them in place of multipliers).
    pub value_range: Option<(f64, f64)>,
    /// Share that would have happened anyway (0–1).
    pub deadweight: f64,
    /// Share due to others (0–1).
    pub attribution: f64,
    /// Share that displaced outcomes elsewhere (0–1).
    pub displacement: f64,
    /// Share lost each year after the first (0–1).
    pub drop_off: f64,
    /// Years the outcome lasts.
    pub duration_years: u32,
    /// The year the value starts (0: the activity's own year; 1: the year after).
    pub start_year: u32,
    /// Yearly discount rate.
    pub discount_rate: f64,
    /// A negative outcome, taken off the total.
    pub disbenefit: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            value: 0.0,
            price_year: 0,
            value_range: None,
            deadweight: 0.0,
            attribution: 0.0,
            displacement: 0.0,
            drop_off: 0.0,
            duration_years: 1,
            start_year: 1,
            discount_rate: GREEN_BOOK_RATE,
            disbenefit: false,
        }
    }
}

impl Assumptions {
    /// Reads an assumptions file (TOML), checking its indicators and ranges.
    pub fn load(path: &Path, library: &Library) -> Result<Assumptions> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut a: Assumptions = toml::from_str(&text).map_err(|e| crate::error::toml_error(path, &e))?;
        a.check(library).map_err(|m| Error::config(path, m))?;
        a.source = Some(path.to_path_buf());
        Ok(a)
    }

    /// An error in applying these assumptions, naming their file (a usage error for
    /// the defaults, which have none).
    pub fn error(&self, message: String) -> Error {
        match &self.source {
            Some(path) => Error::config(path, message),
            None => Error::usage(message),
        }
    }

    /// Rates in 0–1, durations of a year or more, known indicators, sane index.
    pub fn check(&self, library: &Library) -> std::result::Result<(), String> {
        let rate = |key: &str, v: f64| -> std::result::Result<(), String> {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(format!("{key} = {v} is outside 0–1 (write 25% as 0.25)"))
            }
        };
        if !(0.0..1.0).contains(&self.discount_rate) {
            return Err(format!(
                "discount_rate = {} is outside 0–1 (the Green Book rate is 0.035)",
                self.discount_rate
            ));
        }
        for (n, o) in self.overrides.iter().enumerate() {
            let at = format!("override {}", n + 1);
            if let Some(id) = &o.indicator {
                if library.get(id).is_none() {
                    let near = library.nearest(id).map(|n| format!(" (did you mean `{n}`?)")).unwrap_or_default();
                    return Err(format!("{at}: unknown indicator `{id}`{near}"));
                }
            }
            for (key, v) in [
                ("deadweight", o.deadweight),
                ("attribution", o.attribution),
                ("displacement", o.displacement),
                ("drop_off", o.drop_off),
            ] {
                if let Some(v) = v {
                    rate(&format!("{at}: {key}"), v)?;
                }
            }
            if let Some(d) = o.duration_years {
                if !(1..=i64::from(crate::base::limits::MAX_DURATION_YEARS)).contains(&d) {
                    return Err(format!(
                        "{at}: duration_years = {d} must be from 1 to {} years",
                        crate::base::limits::MAX_DURATION_YEARS
                    ));
                }
            }
            for (key, v) in [("value", o.value), ("low", o.low), ("high", o.high)] {
                if v.is_some_and(|v| !(v.is_finite() && v >= 0.0)) {
                    return Err(format!("{at}: {key} must be a non-negative amount"));
                }
                if v.is_some() && o.price_year.is_none() {
                    let year = self.report_year.map_or_else(|| "the report year".to_string(), |y| y.to_string());
                    return Err(format!(
                        "{at}: {key} needs the price year it is stated in (price_year = {year} if it is already in report-year prices), so it can be indexed like the library's proxies"
                    ));
                }
            }
            if let Some(y) = o.start_year {
                if !(0..=i64::from(crate::base::limits::MAX_DURATION_YEARS)).contains(&y) {
                    return Err(format!(
                        "{at}: start_year = {y} must be from 0 (the activity's own year) to {}",
                        crate::base::limits::MAX_DURATION_YEARS
                    ));
                }
            }
            if o.discount_rate.is_some_and(|r| !(0.0..1.0).contains(&r)) {
                return Err(format!("{at}: discount_rate must be from 0 to 1 (write 1.5% as 0.015)"));
            }
        }
        for (year, v) in &self.index {
            if year.parse::<i32>().is_err() || !(v.is_finite() && *v > 0.0) {
                return Err(format!("index: `{year} = {v}` needs a year and a positive index value"));
            }
        }
        for (key, r) in &self.sensitivity {
            if !SENSITIVE.contains(&key.as_str()) {
                return Err(format!("sensitivity: `{key}` is not one of {}", SENSITIVE.join(", ")));
            }
            if !(r.low >= 0.0 && r.low <= r.high && r.high <= crate::base::limits::MAX_MULTIPLIER) {
                return Err(format!(
                    "sensitivity.{key}: low {} and high {} must be multipliers with 0 ≤ low ≤ high ≤ {}",
                    r.low,
                    r.high,
                    crate::base::limits::MAX_MULTIPLIER
                ));
            }
        }
        for (id, v) in &self.investment {
            if !(v.is_finite() && *v >= 0.0) {
                return Err(format!("investment.{id}: {v} is not an amount"));
            }
        }
        Ok(())
    }

    /// The sensitivity multipliers for one assumption.
    pub fn range(&self, key: &str) -> Range {
        self.sensitivity.get(key).copied().unwrap_or(Range { low: 0.5, high: 1.5 })
    }

    /// Library defaults with every matching override applied (in file order), the
    /// proxy brought to the report year's prices.
    pub fn params(
        &self,
        indicator: &str,
        proxy: &Proxy,
        programme: Option<&str>,
        organisation: Option<&str>,
    ) -> std::result::Result<Params, String> {
        // The library's amounts are indexed to the report year; the index is needed
        // only if some library amount is still used after the overrides.
        let library_factor = self.price_factor(proxy.price_year, indicator);
        let factor = library_factor.clone().unwrap_or(f64::NAN);
        let (mut value_from_library, mut range_from_library) = (true, proxy.low.is_some() || proxy.high.is_some());
        let mut p = Params {
            value: proxy.value * factor,
            price_year: self.report_year.unwrap_or(proxy.price_year),
            value_range: range_from_library
                .then(|| (proxy.low.unwrap_or(proxy.value) * factor, proxy.high.unwrap_or(proxy.value) * factor)),
            deadweight: proxy.deadweight,
            attribution: proxy.attribution,
            displacement: proxy.displacement,
            drop_off: proxy.drop_off,
            duration_years: proxy.duration_years,
            start_year: proxy.start_year,
            discount_rate: proxy.discount_rate.unwrap_or(self.discount_rate),
            disbenefit: proxy.disbenefit,
        };
        for o in &self.overrides {
            let matches = o.indicator.as_deref().is_none_or(|i| i == indicator)
                && o.programme.as_deref().is_none_or(|x| Some(x) == programme)
                && o.organisation.as_deref().is_none_or(|x| Some(x) == organisation);
            if !matches {
                continue;
            }
            // An override's amounts are indexed from the price year it states.
            let factor = match o.price_year {
                Some(year) if o.value.is_some() || o.low.is_some() || o.high.is_some() => {
                    self.price_factor(year, indicator)?
                }
                _ => 1.0,
            };
            if let Some(v) = o.value {
                p.value = v * factor;
                p.price_year = self.report_year.or(o.price_year).unwrap_or(p.price_year);
                value_from_library = false;
                // A new central value without a range of its own drops the library's.
                p.value_range = None;
                range_from_library = false;
            }
            if o.low.is_some() || o.high.is_some() {
                let (low, high) = p.value_range.unwrap_or((p.value, p.value));
                p.value_range = Some((o.low.map_or(low, |l| l * factor), o.high.map_or(high, |h| h * factor)));
                range_from_library &= o.low.is_none() || o.high.is_none();
            }
            p.deadweight = o.deadweight.unwrap_or(p.deadweight);
            p.attribution = o.attribution.unwrap_or(p.attribution);
            p.displacement = o.displacement.unwrap_or(p.displacement);
            p.drop_off = o.drop_off.unwrap_or(p.drop_off);
            p.duration_years = o.duration_years.map_or(p.duration_years, |d| d.max(1) as u32);
            p.start_year = o.start_year.map_or(p.start_year, |y| y.max(0) as u32);
            p.discount_rate = o.discount_rate.unwrap_or(p.discount_rate);
        }
        if value_from_library || range_from_library {
            library_factor?;
        }
        Ok(p)
    }

    /// index[report year] ÷ index[price year]; 1 when they are the same year. The
    /// assumptions' own `[index]` is used when it gives both years, else HM
    /// Treasury's GDP deflators built in (`deflators`).
    pub fn price_factor(&self, price_year: i32, indicator: &str) -> std::result::Result<f64, String> {
        let report_year = self.report_year.unwrap_or(price_year);
        if report_year == price_year {
            return Ok(1.0);
        }
        let own = |y: i32| self.index.get(&y.to_string()).copied();
        if let (Some(to), Some(from)) = (own(report_year), own(price_year)) {
            return Ok(to / from);
        }
        let series = deflators::built_in();
        match series.map(|s| (s.get(report_year), s.get(price_year))) {
            Some((Some(to), Some(from))) => Ok(to / from),
            _ => {
                let (first, last) = series.map_or((0, 0), |s| s.years());
                Err(format!(
                    "`{indicator}` is valued in {price_year} prices and the report in {report_year} prices, but the GDP deflators built in cover {first} to {last} only: add both years to [index] in the assumptions file"
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxy(value: f64, price_year: i32) -> Proxy {
        Proxy {
            value,
            currency: "GBP".into(),
            price_year,
            source: "s".into(),
            licence: None,
            url: None,
            retrieved: None,
            adjustments: None,
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
        }
    }

    /// Prices of 2019 at index 80, of 2024 at 100: a 2019 amount × 100 ÷ 80 = × 1.25.
    fn indexed(overrides: &str) -> Assumptions {
        toml::from_str(&format!("report_year = 2024\n[index]\n2019 = 80.0\n2024 = 100.0\n{overrides}"))
            .expect("assumptions")
    }

    /// A library proxy of £13,000 (low £10,000, high £16,000) in 2019 prices is
    /// £16,250 (£12,500 to £20,000) in 2024 prices.
    #[test]
    fn a_library_range_is_indexed_with_its_value() {
        let mut p = proxy(13000.0, 2019);
        (p.low, p.high) = (Some(10000.0), Some(16000.0));
        let params = indexed("").params("x", &p, None, None).expect("params");
        assert_eq!(params.value, 16250.0);
        assert_eq!(params.value_range, Some((12500.0, 20000.0)));
    }

    /// An override's value is indexed from the price year it states: £500 in 2019
    /// prices is £625 in 2024's. Stated in 2024 prices, it is used as it is.
    #[test]
    fn an_override_value_is_indexed_from_its_own_price_year() {
        let p = proxy(1000.0, 2024);
        let a = indexed("[[override]]\nindicator = \"x\"\nvalue = 500.0\nprice_year = 2019\n");
        assert_eq!(a.params("x", &p, None, None).expect("params").value, 625.0);
        let a = indexed("[[override]]\nvalue = 500.0\nprice_year = 2024\nstart_year = 0\ndiscount_rate = 0.015\n");
        let params = a.params("x", &p, None, None).expect("params");
        assert_eq!((params.value, params.start_year, params.discount_rate), (500.0, 0, 0.015));
    }

    /// Without its price year an override's value could be in any year's prices.
    #[test]
    fn an_override_value_must_state_its_price_year() {
        let a = indexed("[[override]]\nvalue = 500.0\n");
        let lib = crate::indicator::Library::from_indicators(Vec::new()).expect("library");
        let message = a.check(&lib).expect_err("refused");
        assert!(message.contains("price_year = 2024"), "{message}");
        let a = indexed("[[override]]\nstart_year = -1\n");
        assert!(a.check(&lib).expect_err("refused").contains("start_year"));
    }

    /// The assumptions' rate unless the proxy has its own.
    #[test]
    fn a_proxy_rate_wins_over_the_assumptions_rate() {
        let mut p = proxy(1.0, 2024);
        assert_eq!(indexed("").params("x", &p, None, None).expect("params").discount_rate, GREEN_BOOK_RATE);
        p.discount_rate = Some(0.015);
        assert_eq!(indexed("").params("x", &p, None, None).expect("params").discount_rate, 0.015);
    }
}
