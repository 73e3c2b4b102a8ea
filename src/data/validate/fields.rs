//! One checker per field of a record. Each reads its cell (as written, or as typed
//! by a Parquet or JSON file), reports what is wrong to the sink, and returns the
//! typed value the record keeps (None when the cell is blank or bad).

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{is_blank, Rule, Sink, EARLIEST_YEAR, MAX_MAGNITUDE};
use crate::data::mapping::Canonical;
use crate::data::parse::{epoch_days, parse_amount, parse_date_in, DateProblem};
use crate::diagnostics::Check;
use crate::indicator::Library;

use super::CheckOptions;

/// One cell: text as written (CSV, Excel, text columns of typed files), a typed
/// value (a number or date column of Parquet or JSON), or no column at all.
pub(super) enum Cell<'a, T> {
    Text(Option<&'a str>),
    Typed(Option<T>),
    Absent,
}

/// A column's cells, from its text or its typed values, whichever the file has.
pub(super) struct Cells<I, J> {
    pub(super) text: Option<I>,
    pub(super) typed: Option<J>,
}

impl<'a, T, I, J> Cells<I, J>
where
    I: Iterator<Item = Option<&'a str>>,
    J: Iterator<Item = Option<T>>,
{
    /// The next row's cell (a blank text cell reads as none).
    pub(super) fn next_cell(&mut self) -> Cell<'a, T> {
        match (&mut self.text, &mut self.typed) {
            (Some(it), _) => Cell::Text(it.next().flatten().filter(|s| !is_blank(s))),
            (None, Some(it)) => Cell::Typed(it.next().flatten()),
            (None, None) => Cell::Absent,
        }
    }
}

/// What the checkers share for one file: its headings (for messages), the options,
/// and the indicator suggestions already worked out.
pub(super) struct Fields<'a> {
    opts: &'a CheckOptions,
    library: &'a Library,
    wide_headings: &'a HashMap<String, String>,
    organisation: String,
    indicator: String,
    date: String,
    participant: String,
    decile: String,
    value: String,
    date_format: Option<&'a str>,
    /// The date format as a person reads it ("DD/MM/YYYY").
    date_format_word: String,
    today: i32,
    earliest: i32,
    /// Unknown id → the nearest known one, looked up once per id.
    suggestions: HashMap<String, Option<String>>,
}

impl<'a> Fields<'a> {
    pub(super) fn new(c: &'a Canonical, library: &'a Library, opts: &'a CheckOptions) -> Fields<'a> {
        let heading = |name: &str| c.headings.get(name).cloned().unwrap_or_else(|| format!("`{name}`"));
        let date_format = opts.date_format.as_deref();
        Fields {
            opts,
            library,
            wide_headings: &c.wide_headings,
            organisation: heading("organisation"),
            indicator: heading("indicator"),
            date: heading("date"),
            participant: heading("participant"),
            decile: heading("simd_decile"),
            value: heading("value"),
            date_format,
            date_format_word: date_format.map_or("YYYY-MM-DD".to_string(), human_format),
            today: epoch_days(opts.today),
            earliest: epoch_days(NaiveDate::from_ymd_opt(EARLIEST_YEAR, 1, 1).unwrap_or_default()),
            suggestions: HashMap::new(),
        }
    }

    /// The first and last days a record's date may fall on (days since 1970).
    pub(super) fn date_bounds(&self) -> (i32, i32) {
        (self.earliest, self.today)
    }

    /// Every record needs the organisation that delivered it.
    pub(super) fn organisation(&self, sink: &mut Sink, row: i64, cell: Option<&str>) {
        if cell.is_none_or(is_blank) {
            sink.problem(
                Check::MissingValue,
                row,
                &self.organisation,
                None,
                "no organisation given".into(),
                Some("every record needs the organisation that delivered it".into()),
            );
        }
    }

    /// The indicator: known to the library and recorded, not computed. Returns its
    /// rule (`rule` is the library's rule for the cell, looked up by the caller).
    pub(super) fn indicator<'r>(
        &mut self,
        sink: &mut Sink,
        row: i64,
        cell: Option<&str>,
        rule: Option<&'r Rule<'r>>,
    ) -> Option<&'r Rule<'r>> {
        // A known id needs no more looking at; others are trimmed for the message.
        match rule {
            Some(rule) if rule.computed_from.is_some() => {
                let parts = rule.computed_from.as_deref().unwrap_or_default();
                sink.problem(
                    Check::ComputedIndicator,
                    row,
                    &self.indicator,
                    Some(rule.id),
                    format!("`{}` is computed from {parts}, not recorded", rule.id),
                    Some(format!("record {parts} instead; impactkit works the rate out from them")),
                );
                None
            }
            Some(rule) => Some(rule),
            None => {
                match cell.map(str::trim).filter(|s| !s.is_empty()) {
                    None => {
                        sink.problem(Check::MissingValue, row, &self.indicator, None, "no indicator given".into(), None)
                    }
                    Some(id) => {
                        let library = self.library;
                        let near = self
                            .suggestions
                            .entry(id.to_string())
                            .or_insert_with(|| library.nearest(id).map(str::to_string));
                        let hint = match near {
                            Some(n) => format!("did you mean `{n}`? (`impact indicators list` shows every id)"),
                            None => "`impact indicators list` shows every id; add new ones to indicators/".into(),
                        };
                        sink.problem(
                            Check::UnknownIndicator,
                            row,
                            &self.indicator,
                            Some(id),
                            format!("unknown indicator `{id}`"),
                            Some(hint),
                        );
                    }
                }
                None
            }
        }
    }

    /// The value: a number (or a map's word for a count), finite, within the
    /// indicator's range. `indicator` is the record's indicator cell, for the heading
    /// of a wide sheet's value column.
    pub(super) fn value(
        &self,
        sink: &mut Sink,
        row: i64,
        rule: Option<&Rule>,
        indicator: Option<&str>,
        cell: Cell<f64>,
    ) -> Option<f64> {
        // Headings are looked up per row only for wide sheets; never allocated per row.
        let heading =
            match rule.map(|r| r.id).or_else(|| indicator.map(str::trim)).and_then(|i| self.wide_headings.get(i)) {
                Some(h) => h.as_str(),
                None => self.value.as_str(),
            };
        let opts = self.opts;
        let (value, raw): (Option<f64>, Option<&str>) = match cell {
            Cell::Text(raw) => {
                let word = |r: &str| {
                    let r = r.trim().to_lowercase();
                    opts.value_words.iter().find(|(w, _)| *w == r).map(|(_, v)| *v)
                };
                let counts = rule.is_some_and(|r| r.integer);
                (raw.and_then(|r| parse_amount(r).or_else(|| word(r).filter(|_| counts))), raw)
            }
            Cell::Typed(v) => (v, None),
            Cell::Absent => (None, None),
        };
        match (value, raw) {
            (None, None) => sink.problem(Check::MissingValue, row, heading, None, "no value given".into(), None),
            (None, Some(raw)) => {
                let mapped = opts.value_words.iter().any(|(w, _)| *w == raw.trim().to_lowercase());
                let hint = match rule {
                    // A word the map gives a count for, on an indicator that is not a count.
                    Some(r) if mapped => format!(
                        "the map's [values] words stand for counts; `{}` is in {}, so give its amount as a number",
                        r.id, r.unit
                    ),
                    _ if opts.value_words.is_empty() && is_yes_or_no(raw) => "write 1 or 0, or let a column map say what the word counts: [values] \"Yes\" = 1, \"No\" = 0".into(),
                    _ => "write a number such as 12, 1200.50 or £1,200; leave the cell blank only if nothing was recorded".into(),
                };
                sink.problem(
                    Check::NotANumber,
                    row,
                    heading,
                    Some(raw),
                    format!("\"{raw}\" is not a number"),
                    Some(hint),
                )
            }
            (Some(v), raw) if !v.is_finite() || v.abs() > MAX_MAGNITUDE => {
                let shown =
                    raw.map_or_else(|| if v.is_finite() { format!("{v:e}") } else { v.to_string() }, str::to_string);
                sink.problem(
                    Check::NotANumber,
                    row,
                    heading,
                    Some(&shown),
                    format!("\"{shown}\" is not a figure that can be counted"),
                    Some(format!("values must be finite and at most {MAX_MAGNITUDE:e} in size")),
                );
            }
            (Some(v), _) => {
                if let Some(rule) = rule {
                    check_range(sink, rule, v, row, heading);
                }
            }
        }
        value.filter(|v| v.is_finite() && v.abs() <= MAX_MAGNITUDE)
    }

    /// The date: real, not in the future, not implausibly old. Returns days since 1970.
    pub(super) fn date(&self, sink: &mut Sink, row: i64, cell: Cell<i32>) -> Option<i32> {
        let heading = &self.date;
        let read = match cell {
            Cell::Text(None) | Cell::Typed(None) => {
                sink.problem(Check::MissingValue, row, heading, None, "no date given".into(), None);
                None
            }
            Cell::Text(Some(raw)) => match parse_date_in(raw, self.date_format, self.opts.century_start) {
                Ok(d) => Some((epoch_days(d), Some(raw))),
                Err(problem) => {
                    let (message, hint) =
                        date_problem(raw, problem, self.date_format, &self.date_format_word, self.opts.century_start);
                    sink.problem(Check::BadDate, row, heading, Some(raw), message, Some(hint));
                    None
                }
            },
            Cell::Typed(Some(days)) => Some((days, None)),
            Cell::Absent => None,
        };
        let (days, raw) = read?;
        // Only a bad date pays for formatting its value.
        let shown = || raw.map_or_else(|| crate::data::parse::from_epoch_days(days).to_string(), str::to_string);
        if days > self.today {
            let shown = shown();
            sink.problem(
                Check::FutureDate,
                row,
                heading,
                Some(&shown),
                format!("\"{shown}\" is in the future (today is {})", self.opts.today),
                Some("outcomes are recorded once they have happened; check the year".into()),
            );
            None
        } else if days < self.earliest {
            let shown = shown();
            sink.problem(
                Check::BadDate,
                row,
                heading,
                Some(&shown),
                format!("\"{shown}\" is before {EARLIEST_YEAR}"),
                Some("check the year".into()),
            );
            None
        } else {
            Some(days)
        }
    }

    /// The SIMD decile, when given: a whole number from 1 to 10.
    pub(super) fn decile(&self, sink: &mut Sink, row: i64, cell: Cell<f64>) -> Option<i32> {
        let (parsed, raw) = match cell {
            Cell::Text(Some(raw)) => (parse_amount(raw), Some(raw)),
            Cell::Typed(Some(d)) => (Some(d), None),
            Cell::Text(None) | Cell::Typed(None) | Cell::Absent => return None,
        };
        match parsed {
            Some(d) if is_decile(d) => Some(d as i32),
            _ => {
                // Only a bad cell pays for formatting its value.
                let shown = raw
                    .map_or_else(|| parsed.map(crate::data::read::format_number).unwrap_or_default(), str::to_string);
                sink.problem(
                    Check::BadDecile,
                    row,
                    &self.decile,
                    Some(&shown),
                    format!("\"{shown}\" is not a SIMD decile"),
                    Some("SIMD deciles are whole numbers from 1 (most deprived) to 10".into()),
                );
                None
            }
        }
    }

    /// The participant id, which distinct-people indicators need.
    pub(super) fn participant(&self, sink: &mut Sink, row: i64, rule: Option<&Rule>, cell: Option<&str>) {
        if let Some(rule) = rule.filter(|r| r.needs_participant) {
            if cell.is_none_or(is_blank) {
                sink.problem(
                    Check::MissingParticipant,
                    row,
                    &self.participant,
                    None,
                    format!("`{}` counts distinct people, so each record needs a participant id", rule.id),
                    Some("use a pseudonymous id (never a name) so a person is counted once".into()),
                );
            }
        }
    }
}

/// A number against its indicator's range and whether it counts whole things.
fn check_range(sink: &mut Sink, rule: &Rule, v: f64, row: i64, heading: &str) {
    // Only a value with a problem pays for formatting (most have none).
    let shown = || crate::data::read::format_number(v);
    let outside = match (rule.min.filter(|m| v < *m), rule.max.filter(|m| v > *m)) {
        (Some(min), _) => Some(("below the minimum", min)),
        (None, Some(max)) => Some(("above the maximum", max)),
        (None, None) => None,
    };
    if let Some((side, limit)) = outside {
        let shown = shown();
        let message =
            format!("{shown} is {side} {} for `{}` ({})", crate::data::read::format_number(limit), rule.id, rule.unit);
        // A count below zero is the usual case of a value below its minimum.
        let hint = Some("a negative count is usually a correction: record the corrected figure instead".to_string())
            .filter(|_| side == "below the minimum" && limit == 0.0);
        sink.problem(Check::OutOfRange, row, heading, Some(&shown), message, hint);
    } else if rule.integer && !is_whole(v) {
        let shown = shown();
        sink.problem(
            Check::NotWholeNumber,
            row,
            heading,
            Some(&shown),
            format!("{shown} is not a whole number of {}", rule.unit),
            None,
        );
    }
}

/// Whether a SIMD decile reads as one: a whole number from 1 to 10.
pub(super) fn is_decile(d: f64) -> bool {
    (1.0..=10.0).contains(&d) && is_whole(d)
}

/// Whether a value (finite, at most `MAX_MAGNITUDE` in size) is a whole number: below
/// 2^63 in size, exactly when it survives a round trip through an integer (and a
/// NaN never does). No libm call, unlike `fract`, on every value checked.
pub(super) fn is_whole(v: f64) -> bool {
    v == (v as i64) as f64
}

/// "%d/%m/%Y" → "DD/MM/YYYY" for messages.
fn human_format(fmt: &str) -> String {
    fmt.replace("%d", "DD").replace("%m", "MM").replace("%Y", "YYYY").replace("%y", "YY")
}

/// What is wrong with a date that did not read, and what to do: the message and the
/// hint. `fmt` is the map's date format (None: ISO), `fmt_word` it as a person reads it.
fn date_problem(
    raw: &str,
    problem: DateProblem,
    fmt: Option<&str>,
    fmt_word: &str,
    century_start: i32,
) -> (String, String) {
    match problem {
        DateProblem::Impossible => (
            format!("\"{raw}\" is not a real date"),
            format!("dates are read as {fmt_word}; check the day and month"),
        ),
        DateProblem::ShortYear => (
            format!("\"{raw}\" has a two-digit year, but dates are read as {fmt_word}"),
            format!(
                "write the year in full, or read two-digit years with %y in the column map's date_format (they are taken as {}–{}; [source] century_start moves them)",
                century_start,
                century_start + 99
            ),
        ),
        DateProblem::Format => {
            // The year as written: four digits (%Y) or two (%y).
            let y = if raw.trim().rsplit(['/', '-', '.']).next().is_some_and(|y| y.len() == 2) { "%y" } else { "%Y" };
            let not_in_form = format!("\"{raw}\" is not a date in the form {fmt_word}");
            match (fmt, day_and_month(raw)) {
                (None, Some((a, b))) if a <= 12 && b <= 12 && a != b => (
                    format!("\"{raw}\" could be {} or {}", spelled(a, b, raw), spelled(b, a, raw)),
                    format!("say which in a column map: [source] date_format = \"%d/%m/{y}\" (day first, as in the UK) or \"%m/%d/{y}\" (month first)"),
                ),
                (None, Some((_, b))) if b > 12 => (
                    not_in_form,
                    format!("for month-first dates, use a column map with [source] date_format = \"%m/%d/{y}\""),
                ),
                (None, Some(_)) => (
                    not_in_form,
                    format!("for day-first dates, use a column map with [source] date_format = \"%d/%m/{y}\""),
                ),
                _ => (not_in_form, format!("write dates as {fmt_word}")),
            }
        }
    }
}

/// Words people type for yes and no in a return.
fn is_yes_or_no(text: &str) -> bool {
    matches!(text.trim().to_lowercase().as_str(), "yes" | "no" | "y" | "n" | "✓" | "✔" | "x" | "✗" | "true" | "false")
}

/// The first two numbers of a date written as 5/6/2024 or 05-06-24 (day and month, in
/// some order), when the text has that shape.
fn day_and_month(text: &str) -> Option<(u32, u32)> {
    let parts: Vec<&str> = text.trim().split(['/', '-', '.']).collect();
    let [a, b, y] = parts.as_slice() else { return None };
    let digits =
        |s: &str, n: std::ops::RangeInclusive<usize>| n.contains(&s.len()) && s.bytes().all(|c| c.is_ascii_digit());
    if !(digits(a, 1..=2) && digits(b, 1..=2) && (digits(y, 2..=2) || digits(y, 4..=4))) {
        return None;
    }
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// "5 June 2024" for day 5, month 6 of `text`'s year (as written).
fn spelled(day: u32, month: u32, text: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let year = text.trim().rsplit(['/', '-', '.']).next().unwrap_or("");
    format!("{day} {} {year}", MONTHS[(month as usize).clamp(1, 12) - 1])
}
