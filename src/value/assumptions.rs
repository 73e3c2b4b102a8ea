//! The assumptions file: discount rate, report price year and index, per-programme
//! or per-indicator overrides of the library's proxy defaults, sensitivity ranges.
//!
//! ```toml
//! discount_rate = 0.035        # HM Treasury Green Book default
//! report_year = 2024           # values are stated in this year's prices
//! [index]                      # price index by year, to move proxies between price years
//! 2019 = 87.0
//! 2024 = 100.0
//! [[override]]                 # applied in file order; later matches win
//! indicator = "jobs_created"   # optional filters: indicator, programme, organisation
//! programme = "EMP-FWD"
//! deadweight = 0.3             # any of: value, deadweight, attribution, displacement,
//! duration_years = 3           #         drop_off, duration_years
//! [investment]                 # investment by organisation (programmes come from programmes.csv)
//! ORG01 = 120000
//! [sensitivity]                # multipliers tried on each assumption (default 0.5 and 1.5)
//! deadweight = { low = 0.5, high = 2.0 }
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::indicator::{Library, Proxy};

pub const GREEN_BOOK_RATE: f64 = 0.035;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assumptions {
    #[serde(default = "green_book")]
    pub discount_rate: f64,
    #[serde(default)]
    pub report_year: Option<i32>,
    #[serde(default)]
    pub index: BTreeMap<String, f64>,
    #[serde(default, rename = "override")]
    pub overrides: Vec<Override>,
    #[serde(default)]
    pub investment: BTreeMap<String, f64>,
    #[serde(default)]
    pub sensitivity: BTreeMap<String, Range>,
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
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Override {
    pub indicator: Option<String>,
    pub programme: Option<String>,
    pub organisation: Option<String>,
    pub value: Option<f64>,
    pub deadweight: Option<f64>,
    pub attribution: Option<f64>,
    pub displacement: Option<f64>,
    pub drop_off: Option<f64>,
    pub duration_years: Option<i64>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Range {
    pub low: f64,
    pub high: f64,
}

/// The assumptions tested in sensitivity analysis.
pub const SENSITIVE: [&str; 7] = ["value", "deadweight", "attribution", "displacement", "drop_off", "duration_years", "discount_rate"];

/// The parameters of one outcome's valuation after defaults, overrides and indexing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Proxy value per unit, in report-year prices.
    pub value: f64,
    pub deadweight: f64,
    pub attribution: f64,
    pub displacement: f64,
    pub drop_off: f64,
    pub duration_years: u32,
}

impl Assumptions {
    pub fn load(path: &Path, library: &Library) -> Result<Assumptions> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let a: Assumptions = toml::from_str(&text).map_err(|e| crate::indicator::library::toml_error(path, &e))?;
        a.check(library).map_err(|m| Error::config(path, m))?;
        Ok(a)
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
            return Err(format!("discount_rate = {} is outside 0–1 (the Green Book rate is 0.035)", self.discount_rate));
        }
        for (n, o) in self.overrides.iter().enumerate() {
            let at = format!("override {}", n + 1);
            if let Some(id) = &o.indicator {
                if library.get(id).is_none() {
                    let near = library.nearest(id).map(|n| format!(" (did you mean `{n}`?)")).unwrap_or_default();
                    return Err(format!("{at}: unknown indicator `{id}`{near}"));
                }
            }
            for (key, v) in [("deadweight", o.deadweight), ("attribution", o.attribution), ("displacement", o.displacement), ("drop_off", o.drop_off)] {
                if let Some(v) = v {
                    rate(&format!("{at}: {key}"), v)?;
                }
            }
            if let Some(d) = o.duration_years {
                if !(1..=i64::from(super::MAX_DURATION_YEARS)).contains(&d) {
                    return Err(format!("{at}: duration_years = {d} must be from 1 to {} years", super::MAX_DURATION_YEARS));
                }
            }
            if o.value.is_some_and(|v| !(v.is_finite() && v >= 0.0)) {
                return Err(format!("{at}: value must be a non-negative amount"));
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
            if !(r.low >= 0.0 && r.low <= r.high && r.high <= super::MAX_MULTIPLIER) {
                return Err(format!(
                    "sensitivity.{key}: low {} and high {} must be multipliers with 0 ≤ low ≤ high ≤ {}",
                    r.low,
                    r.high,
                    super::MAX_MULTIPLIER
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
    pub fn params(&self, indicator: &str, proxy: &Proxy, programme: Option<&str>, organisation: Option<&str>) -> std::result::Result<Params, String> {
        let mut p = Params {
            value: proxy.value,
            deadweight: proxy.deadweight,
            attribution: proxy.attribution,
            displacement: proxy.displacement,
            drop_off: proxy.drop_off,
            duration_years: proxy.duration_years,
        };
        let mut value_overridden = false;
        for o in &self.overrides {
            let matches = o.indicator.as_deref().is_none_or(|i| i == indicator)
                && o.programme.as_deref().is_none_or(|x| Some(x) == programme)
                && o.organisation.as_deref().is_none_or(|x| Some(x) == organisation);
            if !matches {
                continue;
            }
            if let Some(v) = o.value {
                p.value = v;
                value_overridden = true;
            }
            p.deadweight = o.deadweight.unwrap_or(p.deadweight);
            p.attribution = o.attribution.unwrap_or(p.attribution);
            p.displacement = o.displacement.unwrap_or(p.displacement);
            p.drop_off = o.drop_off.unwrap_or(p.drop_off);
            p.duration_years = o.duration_years.map_or(p.duration_years, |d| d.max(1) as u32);
        }
        if !value_overridden {
            p.value *= self.price_factor(proxy.price_year, indicator)?;
        }
        Ok(p)
    }

    /// index[report year] ÷ index[price year]; 1 when they are the same year.
    pub fn price_factor(&self, price_year: i32, indicator: &str) -> std::result::Result<f64, String> {
        let report_year = self.report_year.unwrap_or(price_year);
        if report_year == price_year {
            return Ok(1.0);
        }
        let get = |y: i32| self.index.get(&y.to_string()).copied();
        match (get(report_year), get(price_year)) {
            (Some(to), Some(from)) => Ok(to / from),
            _ => Err(format!(
                "`{indicator}`'s proxy is in {price_year} prices but the report is in {report_year} prices: add both years to [index] in the assumptions file"
            )),
        }
    }
}
