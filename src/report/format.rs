//! Numbers as a reader expects them: £1,234, 45.2%, 1,234.

use crate::output::format_figure;

/// A value with its unit's symbol where it has one (£, %); other units are left to the
/// label. Precision follows the unit: pence only under £100 (and then always two
/// digits), shares to one decimal, people and hours whole, other units whole from 100.
pub fn value(v: Option<f64>, unit: &str) -> String {
    let Some(v) = v.filter(|v| v.is_finite()) else { return "–".into() };
    match unit {
        "GBP" => {
            let body = if v.abs() >= 100.0 { format_figure(v.abs().round()) } else { format!("{:.2}", v.abs()) };
            let sign = if v < 0.0 && body != "0.00" { "-" } else { "" };
            format!("{sign}£{body}")
        }
        "%" => format!("{}%", format_figure((v * 10.0).round() / 10.0)),
        "people" | "hours" => format_figure(v.round()),
        _ if v.abs() >= 100.0 => format_figure(v.round()),
        _ => format_figure(v),
    }
}

/// A unit price as stated (a financial proxy): pence kept whenever it has any, so
/// £268.97 is not shown as £269; whole pounds as £12,000. Other currencies as `value`.
pub fn price(v: f64, currency: &str) -> String {
    if currency != "GBP" || !v.is_finite() {
        return value(Some(v), currency);
    }
    let pence = (v.abs() * 100.0).round();
    let pounds = format_figure((pence / 100.0).trunc());
    let body = if pence % 100.0 == 0.0 { pounds } else { format!("{pounds}.{:02}", (pence % 100.0) as u32) };
    format!("{}£{body}", if v < 0.0 && pence > 0.0 { "-" } else { "" })
}

/// The unit as a word to print beside a number ("" where the number carries it).
pub fn unit_word(unit: &str) -> &str {
    match unit {
        "GBP" | "%" => "",
        "tCO2e" => "tonnes CO2e",
        u => u,
    }
}

/// Part as a percentage of whole (None when either is missing or the whole is 0).
pub fn percent(part: Option<f64>, whole: Option<f64>) -> Option<f64> {
    match (part, whole) {
        (Some(p), Some(w)) if w > 0.0 => Some(p / w * 100.0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_keep_their_pence() {
        assert_eq!(price(268.97, "GBP"), "£268.97");
        assert_eq!(price(12000.0, "GBP"), "£12,000");
        assert_eq!(price(0.2, "GBP"), "£0.20");
        assert_eq!(price(16250.5, "GBP"), "£16,250.50");
        assert_eq!(price(-3.1, "GBP"), "-£3.10");
    }

    #[test]
    fn values_with_units() {
        assert_eq!(value(Some(1234567.4), "GBP"), "£1,234,567");
        assert_eq!(value(Some(12.5), "GBP"), "£12.50");
        assert_eq!(value(Some(-7.0), "GBP"), "-£7.00");
        assert_eq!(value(Some(150.4), "GBP"), "£150");
        assert_eq!(value(Some(174.06), "hours"), "174");
        assert_eq!(value(Some(3.6), "people"), "4");
        assert_eq!(value(Some(23.45), "tCO2e"), "23.45");
        assert_eq!(value(Some(123.45), "tCO2e"), "123");
        assert_eq!(value(Some(-1500.0), "GBP"), "-£1,500");
        assert_eq!(value(Some(45.26), "%"), "45.3%");
        assert_eq!(value(Some(1234.0), "jobs"), "1,234");
        assert_eq!(value(None, "jobs"), "–");
        assert_eq!(percent(Some(3.0), Some(4.0)), Some(75.0));
        assert_eq!(percent(Some(3.0), Some(0.0)), None);
    }
}
