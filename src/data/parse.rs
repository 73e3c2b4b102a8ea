//! Parsing the cells people actually type: "£1,200.50", " 12 ", "31/03/2025".

use chrono::{Datelike, NaiveDate};

/// A number as written in a spreadsheet: optional £, thousands separators
/// (properly grouped), surrounding spaces. "N/A", "", "1,2,3" are not numbers.
pub fn parse_amount(text: &str) -> Option<f64> {
    // Most cells have no spaces around them: no need to trim them.
    let untrimmed = text
        .as_bytes()
        .first()
        .zip(text.as_bytes().last())
        .is_some_and(|(a, z)| a.is_ascii_graphic() && z.is_ascii_graphic());
    let t = if untrimmed { text } else { text.trim() };
    let b = t.as_bytes();
    // Whole numbers (most counts and every decile) up to 15 digits are exact in an
    // f64: summed digit by digit, no float parse.
    if !b.is_empty() && b.len() <= 15 && b.iter().all(u8::is_ascii_digit) {
        return Some(b.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')) as f64);
    }
    // Fast path for the common case, a plain number: no copying.
    if !b.is_empty() && (b[0].is_ascii_digit() || b[0] == b'.') && b.iter().all(|c| c.is_ascii_digit() || *c == b'.') {
        return t.parse::<f64>().ok().filter(|v| v.is_finite());
    }
    let t = t.strip_prefix('£').map(str::trim_start).unwrap_or(t);
    let (sign, t) = match t.strip_prefix('-') {
        Some(rest) => (-1.0, rest.trim_start().strip_prefix('£').unwrap_or(rest.trim_start())),
        None => (1.0, t),
    };
    if t.contains(',') {
        let int_part = t.split('.').next().unwrap_or("");
        let groups: Vec<&str> = int_part.split(',').collect();
        let well_grouped = groups.first().is_some_and(|g| (1..=3).contains(&g.len()))
            && groups[1..].iter().all(|g| g.len() == 3)
            && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
        if !well_grouped {
            return None;
        }
    }
    let cleaned: String = t.chars().filter(|c| *c != ',').collect();
    if cleaned.is_empty() || !cleaned.bytes().next().is_some_and(|b| b.is_ascii_digit() || b == b'.') {
        return None; // rejects "NaN", "inf", "N/A", "+-1"
    }
    cleaned.parse::<f64>().ok().filter(|v| v.is_finite()).map(|v| sign * v)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateProblem {
    /// Shaped like a date but no such day exists (31/02/2025, month 13).
    Impossible,
    /// Not in the expected format at all.
    Format,
    /// A two-digit year ("13/05/24") where the format wants four (%Y): chrono would
    /// read it as the year 24.
    ShortYear,
}

/// Two-digit years (%y) fall in the hundred years from this one, unless a column map
/// says otherwise (`[source] century_start`).
pub const DEFAULT_CENTURY_START: i32 = 1950;

/// A date in `format` (e.g. "%d/%m/%Y"), or ISO YYYY-MM-DD, which is always
/// accepted (Excel date cells arrive as ISO). A time part after the ISO date is ignored.
pub fn parse_date(text: &str, format: Option<&str>) -> Result<NaiveDate, DateProblem> {
    parse_date_in(text, format, DEFAULT_CENTURY_START)
}

/// `parse_date`, with two-digit years (%y in `format`) read as the years from
/// `century_start` to 99 years after it.
pub fn parse_date_in(text: &str, format: Option<&str>, century_start: i32) -> Result<NaiveDate, DateProblem> {
    let d = parse_any_date(text, format)?;
    let Some(fmt) = format else { return Ok(d) };
    if fmt.contains("%Y") && d.year() < 100 && text.trim().get(..10).is_none_or(|t| iso_date(t).is_none()) {
        return Err(DateProblem::ShortYear);
    }
    if fmt.contains("%y") && text.trim().get(..10).is_none_or(|t| iso_date(t).is_none()) {
        let offset = (d.year() - century_start).rem_euclid(100);
        return NaiveDate::from_ymd_opt(century_start + offset, d.month(), d.day()).ok_or(DateProblem::Impossible);
    }
    Ok(d)
}

fn parse_any_date(text: &str, format: Option<&str>) -> Result<NaiveDate, DateProblem> {
    let t = text.trim();
    // Fast path for ISO dates (most files), when ISO is the format tried first.
    if format.is_none_or(|f| f == "%Y-%m-%d") {
        if let Some(d) = iso_date(t) {
            return d;
        }
    }
    let mut problem = DateProblem::Format;
    let iso = match t.as_bytes().get(10) {
        Some(b'T' | b' ') => &t[..10],
        _ => t,
    };
    for (candidate, fmt) in format.map(|f| (t, f)).into_iter().chain([(iso, "%Y-%m-%d")]) {
        match NaiveDate::parse_from_str(candidate, fmt) {
            Ok(d) => return Ok(d),
            Err(e) if e.kind() == chrono::format::ParseErrorKind::OutOfRange => problem = DateProblem::Impossible,
            Err(_) => {}
        }
    }
    Err(problem)
}

/// YYYY-MM-DD read by hand (ten times faster than a format parse); None when the
/// text does not have that shape.
fn iso_date(t: &str) -> Option<Result<NaiveDate, DateProblem>> {
    let b = t.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    Some(NaiveDate::from_ymd_opt(y as i32, m, d).ok_or(DateProblem::Impossible))
}

/// Days since 1970-01-01, polars' physical representation of a Date.
pub fn epoch_days(d: NaiveDate) -> i32 {
    // Days from the common era's start, less 1970-01-01's (719,163): cheaper than a
    // date difference, on every record.
    d.num_days_from_ce() - 719_163
}

pub fn from_epoch_days(days: i32) -> NaiveDate {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    epoch + chrono::Duration::days(i64::from(days))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_as_people_type_them() {
        assert_eq!(parse_amount("12"), Some(12.0));
        assert_eq!(parse_amount(" £1,200 "), Some(1200.0));
        assert_eq!(parse_amount("1,200.50"), Some(1200.5));
        assert_eq!(parse_amount("£ 1,234,567.5"), Some(1_234_567.5));
        assert_eq!(parse_amount("-3"), Some(-3.0));
        assert_eq!(parse_amount("-£40"), Some(-40.0));
        assert_eq!(parse_amount(".5"), Some(0.5));
    }

    #[test]
    fn whole_numbers_read_digit_by_digit_equal_the_float_parse() {
        let mut cells: Vec<String> =
            ["0", "00", "007", "1", "10", "999999999999999", "1000000000000000", "12345678901234567"]
                .map(str::to_string)
                .to_vec();
        // Every length up to 17 digits, and spaces around.
        let mut n: u64 = 7;
        for _ in 0..17 {
            cells.push(n.to_string());
            cells.push(format!(" {n}\t"));
            n = n * 10 + 3;
        }
        for cell in cells {
            let expected: f64 = cell.trim().parse().unwrap();
            assert_eq!(parse_amount(&cell).map(f64::to_bits), Some(expected.to_bits()), "{cell:?}");
        }
    }

    #[test]
    fn non_numbers_are_refused() {
        for bad in ["", "N/A", "two", "1,2,3", "12,00", "NaN", "inf", "£", "1.2.3", "12abc"] {
            assert_eq!(parse_amount(bad), None, "{bad:?} should not parse");
        }
    }

    #[test]
    fn dates_iso_and_uk() {
        let d = NaiveDate::from_ymd_opt(2025, 3, 31).unwrap();
        assert_eq!(parse_date("2025-03-31", None), Ok(d));
        assert_eq!(parse_date("2025-03-31T00:00:00", None), Ok(d));
        assert_eq!(parse_date("31/03/2025", Some("%d/%m/%Y")), Ok(d));
        // ISO is accepted even when the map names a UK format (Excel date cells).
        assert_eq!(parse_date("2025-03-31", Some("%d/%m/%Y")), Ok(d));
    }

    #[test]
    fn impossible_dates_are_told_apart_from_bad_formats() {
        assert_eq!(parse_date("2025-02-30", None), Err(DateProblem::Impossible));
        assert_eq!(parse_date("31/02/2025", Some("%d/%m/%Y")), Err(DateProblem::Impossible));
        assert_eq!(parse_date("31/03/2025", None), Err(DateProblem::Format));
        assert_eq!(parse_date("March 2025", None), Err(DateProblem::Format));
    }

    #[test]
    fn two_digit_years_by_a_stated_century() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        // With %Y a two-digit year is not the year 24.
        assert_eq!(parse_date("13/05/24", Some("%d/%m/%Y")), Err(DateProblem::ShortYear));
        assert_eq!(parse_date("13/05/2024", Some("%d/%m/%Y")), Ok(d(2024, 5, 13)));
        // With %y, from 1950 to 2049 unless told otherwise.
        assert_eq!(parse_date("13/05/24", Some("%d/%m/%y")), Ok(d(2024, 5, 13)));
        assert_eq!(parse_date("13/05/49", Some("%d/%m/%y")), Ok(d(2049, 5, 13)));
        assert_eq!(parse_date("13/05/50", Some("%d/%m/%y")), Ok(d(1950, 5, 13)));
        assert_eq!(parse_date_in("13/05/50", Some("%d/%m/%y"), 2000), Ok(d(2050, 5, 13)));
        assert_eq!(parse_date_in("13/05/99", Some("%d/%m/%y"), 2000), Ok(d(2099, 5, 13)));
        // 29 February of a leap year read into a year that is not one is no date.
        assert_eq!(parse_date_in("29/02/00", Some("%d/%m/%y"), 2001), Err(DateProblem::Impossible));
        // ISO (an Excel date cell) is taken as it is.
        assert_eq!(parse_date("2024-05-13", Some("%d/%m/%y")), Ok(d(2024, 5, 13)));
    }

    #[test]
    fn epoch_days_round_trip() {
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(from_epoch_days(epoch_days(d)), d);
        assert_eq!(epoch_days(NaiveDate::from_ymd_opt(1970, 1, 2).unwrap()), 1);
    }
}
