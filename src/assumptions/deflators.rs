//! The price index built in: HM Treasury's calendar-year GDP deflators
//! (`gdp_deflators.toml`, Open Government Licence), so that an assumptions file's
//! `report_year` alone brings every value to one year's prices.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// The series and where it comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deflators {
    /// The release's title.
    pub title: String,
    /// Who publishes it.
    pub publisher: String,
    /// Its licence.
    pub licence: String,
    /// Where it is published.
    pub url: String,
    /// The quarter it was published.
    pub published: String,
    /// When it was taken.
    pub retrieved: String,
    /// Its base year ("2024 = 100").
    pub base: String,
    /// Calendar year → index.
    pub index: BTreeMap<String, f64>,
}

impl Deflators {
    /// The year's index, if the series covers it.
    pub fn get(&self, year: i32) -> Option<f64> {
        self.index.get(&year.to_string()).copied()
    }

    /// The first and last years covered.
    pub fn years(&self) -> (i32, i32) {
        let years = || self.index.keys().filter_map(|y| y.parse::<i32>().ok());
        (years().min().unwrap_or(0), years().max().unwrap_or(0))
    }

    /// One line naming the series, for methodology and messages.
    pub fn citation(&self) -> String {
        format!("{}, {} ({}; {}; {})", self.publisher, self.title, self.base, self.licence, self.url)
    }
}

/// The built-in series (None only if the shipped file were malformed, which a test
/// rules out).
pub fn built_in() -> Option<&'static Deflators> {
    static SERIES: OnceLock<Option<Deflators>> = OnceLock::new();
    SERIES.get_or_init(|| toml::from_str(include_str!("gdp_deflators.toml")).ok()).as_ref()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shipped_series_reads_and_is_sourced() {
        let d = super::built_in().expect("gdp_deflators.toml parses");
        assert_eq!(d.get(2024), Some(100.0));
        assert!(d.get(2019).is_some_and(|v| v > 50.0 && v < 100.0));
        assert!(d.url.starts_with("https://") && d.licence.contains("Open Government Licence"));
        let (first, last) = d.years();
        assert!(first <= 2019 && last >= 2024, "{first}–{last}");
        // Prices rise year on year over the series' outturn.
        let values: Vec<f64> = d.index.values().copied().collect();
        assert!(values.windows(2).all(|w| w[0] < w[1]));
    }
}
