//! Numbers as a reader expects them: £1,234, 45.2%, 1,234.

use crate::output::format_figure;

/// A value with its unit's symbol where it has one (£, %); other units are left to the label.
pub fn value(v: Option<f64>, unit: &str) -> String {
    let Some(v) = v.filter(|v| v.is_finite()) else { return "–".into() };
    match unit {
        "GBP" => {
            // Pence only matter on small sums.
            let body = if v.abs() >= 1000.0 { format_figure(v.round()) } else { format_figure(v) };
            match body.strip_prefix('-') {
                Some(pos) => format!("-£{pos}"),
                None => format!("£{body}"),
            }
        }
        "%" => format!("{}%", format_figure((v * 10.0).round() / 10.0)),
        _ => format_figure(v),
    }
}

/// The unit as a word to print beside a number ("" where the number carries it).
pub fn unit_word(unit: &str) -> &str {
    match unit {
        "GBP" | "%" => "",
        u => u,
    }
}

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
    fn values_with_units() {
        assert_eq!(value(Some(1234567.4), "GBP"), "£1,234,567");
        assert_eq!(value(Some(12.5), "GBP"), "£12.5");
        assert_eq!(value(Some(-1500.0), "GBP"), "-£1,500");
        assert_eq!(value(Some(45.26), "%"), "45.3%");
        assert_eq!(value(Some(1234.0), "jobs"), "1,234");
        assert_eq!(value(None, "jobs"), "–");
        assert_eq!(percent(Some(3.0), Some(4.0)), Some(75.0));
        assert_eq!(percent(Some(3.0), Some(0.0)), None);
    }
}
