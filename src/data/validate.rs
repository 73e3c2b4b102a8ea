//! Row checks: every problem in a file, each with file, row, column, value and
//! what was expected. Produces the typed canonical frame alongside the report.

use std::collections::HashMap;

use chrono::NaiveDate;
use polars::prelude::*;
use rayon::prelude::*;

use super::mapping::Canonical;
use super::parse::{epoch_days, parse_amount, parse_date_in, DateProblem};
use super::schema::{Kind, FIELDS, FILE, OK, ROW};
use crate::diagnostics::{Check, Diagnostic, Report, Severity};
use crate::error::Result;
use crate::indicator::{Aggregation, Library};

/// How strictly records are checked.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Dates after this are "in the future".
    pub today: NaiveDate,
    /// Dates as written in the file (the column map's `date_format`); ISO is always accepted.
    pub date_format: Option<String>,
    /// How many problems of each kind to list per file; the rest are counted.
    pub max_listed: usize,
    /// Two-digit years (%y in `date_format`) are read as this year to 99 after it.
    pub century_start: i32,
    /// Words in value cells and the counts they stand for (a map's `[values]`),
    /// lower case; they apply to whole-number indicators only.
    pub value_words: Vec<(String, f64)>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            today: chrono::Local::now().date_naive(),
            date_format: None,
            max_listed: 50,
            century_start: super::parse::DEFAULT_CENTURY_START,
            value_words: Vec::new(),
        }
    }
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

/// Earliest plausible outcome date: anything before is a typo'd year.
const EARLIEST_YEAR: i32 = 1990;

struct Rule<'a> {
    id: &'a str,
    unit: &'a str,
    min: Option<f64>,
    max: Option<f64>,
    integer: bool,
    needs_participant: bool,
    /// A ratio or cohort rate: computed from these, never recorded.
    computed_from: Option<String>,
}

/// Collects diagnostics for one file, listing up to `max_listed` of each kind.
struct Sink<'a> {
    file: &'a str,
    max_listed: usize,
    listed: HashMap<Check, usize>,
    /// A wide sheet melts one row into several records; a row-level problem
    /// (a bad date) is reported once per row and column, not once per record.
    seen: std::collections::HashSet<(i64, Check, String)>,
    /// Set by any problem in the current record (listed, counted or repeated).
    flagged: bool,
    report: Report,
}

/// No real outcome is larger than this (a thousand trillion): a bigger value, or a
/// NaN or infinity from a typed file, would turn every total into nonsense.
const MAX_MAGNITUDE: f64 = 1e15;

/// Cells longer than this (in bytes) are quoted back cut short.
const CLIP_AT: usize = 80;

/// A cell as quoted back in a message: a long one is cut, and its length said, so a
/// 1 MB cell does not become a 1 MB message.
pub fn clip(value: &str) -> String {
    if value.len() <= CLIP_AT {
        return value.to_string();
    }
    let head: String = value.chars().take(60).collect();
    format!("{head}… ({} characters)", value.chars().count())
}

impl Sink<'_> {
    fn problem(
        &mut self,
        check: Check,
        row: i64,
        column: &str,
        value: Option<&str>,
        message: String,
        hint: Option<String>,
    ) {
        self.flagged = true;
        if !self.seen.insert((row, check, column.to_string())) {
            return;
        }
        let n = self.listed.entry(check).or_default();
        if *n >= self.max_listed {
            self.report.count_more(check, 1);
            return;
        }
        *n += 1;
        // A long cell is quoted back cut short, in the value and in the message.
        let message = match value {
            Some(v) if v.len() > CLIP_AT => message.replace(v, &clip(v)),
            _ => message,
        };
        self.report.push(Diagnostic {
            severity: Severity::Error,
            check,
            file: self.file.to_string(),
            row: u64::try_from(row).ok(),
            column: Some(column.to_string()),
            value: value.map(clip),
            message,
            hint,
        });
    }
}

/// Check canonical rows (a whole file or one batch of it). Returns the typed frame
/// (canonical columns, `__file`, `__row`, `__ok`) and the row problems; rows with
/// problems stay in the frame, flagged, and callers refuse the data.
pub fn check_rows(
    c: &Canonical,
    file_index: u32,
    library: &Library,
    opts: &CheckOptions,
) -> Result<(DataFrame, Report)> {
    let df = &c.df;
    // A column of lists, structs or bytes (from Parquet or JSON) is no cell a person
    // wrote: name it rather than let its text (`{"ORG1",1}`) pass as an id.
    for column in df.columns() {
        let name = column.name().as_str();
        let nested = matches!(column.dtype(), DataType::List(_) | DataType::Binary | DataType::BinaryOffset)
            || column.dtype().is_nested();
        // A time, a duration or a timestamp outside the date column is no id, number
        // or decile (and a timestamp with a zone has no text form in the engine).
        let temporal = matches!(column.dtype(), DataType::Time | DataType::Duration(_))
            || (matches!(column.dtype(), DataType::Datetime(_, _)) && name != "date");
        if (nested || temporal) && name != crate::data::schema::ROW {
            let heading = c.headings.get(name).cloned().unwrap_or_else(|| format!("`{name}`"));
            let wanted = match name {
                "date" => "dates",
                "value" | "simd_decile" => "numbers",
                _ => "text",
            };
            return Err(crate::error::Error::Read {
                path: std::path::PathBuf::from(&c.file),
                message: format!("column {heading} holds {} values, not {wanted}", column.dtype()),
                hint: Some("export that column as plain values (one text, number or date per cell)".into()),
            });
        }
    }
    let height = df.height();
    let mut report = Report::default();
    // Big batches without a wide layout are checked in slices, one per thread; a wide
    // sheet repeats rows across indicators, so it is checked whole (and is small).
    let slices = rayon::current_num_threads().max(1);
    if height < PARALLEL_FROM || slices == 1 || !c.wide_headings.is_empty() {
        let (typed, rows) = check_slice(c, df, file_index, library, opts)?;
        report.merge_rows(rows, opts.max_listed);
        return Ok((typed, report));
    }
    let step = height.div_ceil(slices);
    let parts: Vec<Result<(DataFrame, Report)>> = (0..slices)
        .into_par_iter()
        .map(|k| check_slice(c, &df.slice((k * step) as i64, step), file_index, library, opts))
        .collect();
    let mut typed = DataFrame::empty();
    for part in parts {
        let (frame, rows) = part?;
        report.merge_rows(rows, opts.max_listed);
        if typed.width() == 0 {
            typed = frame;
        } else {
            typed.vstack_mut(&frame)?;
        }
    }
    Ok((typed, report))
}

/// Rows from this many on are checked in parallel slices.
const PARALLEL_FROM: usize = 200_000;

/// Check a slice of a file's rows (all of them, or one thread's share).
fn check_slice(
    c: &Canonical,
    df: &DataFrame,
    file_index: u32,
    library: &Library,
    opts: &CheckOptions,
) -> Result<(DataFrame, Report)> {
    let mut sink = Sink {
        file: &c.file,
        max_listed: opts.max_listed,
        listed: HashMap::new(),
        seen: Default::default(),
        flagged: false,
        report: Report::default(),
    };
    let height = df.height();
    let heading = |name: &str| c.headings.get(name).cloned().unwrap_or_else(|| format!("`{name}`"));
    let h_org = heading("organisation");
    let h_ind = heading("indicator");
    let h_date = heading("date");
    let h_part = heading("participant");
    let h_simd = heading("simd_decile");
    let h_value = heading("value");
    // Headings are looked up per row only for wide sheets; never allocated per row.
    let value_heading = |indicator: Option<&str>| -> &str {
        match indicator.and_then(|i| c.wide_headings.get(i)) {
            Some(h) => h.as_str(),
            None => h_value.as_str(),
        }
    };

    let rules: PlHashMap<&str, Rule> = library
        .iter()
        .map(|i| {
            (
                i.id.as_str(),
                Rule {
                    id: &i.id,
                    unit: &i.unit,
                    min: i.min,
                    max: i.max,
                    integer: i.integer,
                    needs_participant: i.aggregation == Aggregation::Distinct,
                    computed_from: i.is_computed().then(|| {
                        [&i.numerator, &i.denominator, &i.cohort, &i.outcome]
                            .into_iter()
                            .flatten()
                            .map(|p| format!("`{p}`"))
                            .collect::<Vec<_>>()
                            .join(" and ")
                    }),
                },
            )
        })
        .collect();
    let mut suggestions: HashMap<String, Option<String>> = HashMap::new();

    let rows = df.column(ROW)?.cast(&DataType::Int64)?;
    let rows = rows.i64()?;
    let org = text(df, "organisation")?;
    let ind = text(df, "indicator")?;
    let part = text(df, "participant")?;
    let value_col = df.column("value")?;
    // Typed files get the checks text gets: only a number column is read as numbers;
    // true/false (or anything else) is read as its text and refused as not a number.
    let value_col = &if value_col.dtype().is_primitive_numeric() {
        value_col.clone()
    } else {
        value_col.cast(&DataType::String)?
    };
    let value_text = (value_col.dtype() == &DataType::String).then(|| value_col.str().cloned()).transpose()?;
    let value_num = if value_text.is_none() { Some(value_col.cast(&DataType::Float64)?) } else { None };
    let value_num = value_num.as_ref().map(|c| c.f64()).transpose()?;
    let date_col = df.column("date")?;
    // Only a date column is read as dates: a number (19844, days since 1970 to a
    // program, a mystery to a person) is read as its text and refused as not a date.
    let date_col = &match date_col.dtype() {
        DataType::Date | DataType::Datetime(_, _) | DataType::String => date_col.clone(),
        _ => date_col.cast(&DataType::String)?,
    };
    let date_text = (date_col.dtype() == &DataType::String).then(|| date_col.str().cloned()).transpose()?;
    let date_phys = match date_col.dtype() {
        DataType::Date | DataType::Datetime(_, _) => Some(date_col.cast(&DataType::Date)?.date()?.physical().clone()),
        _ => None,
    };
    // SIMD deciles typed as numbers (Parquet) are checked as numbers, not via text.
    let simd_col = df.column("simd_decile")?;
    let simd_typed = simd_col.dtype().is_primitive_numeric().then(|| simd_col.cast(&DataType::Float64)).transpose()?;
    let simd = if simd_typed.is_some() {
        StringChunked::full_null("simd_decile".into(), height)
    } else {
        text(df, "simd_decile")?
    };
    let simd_nums: Vec<Option<f64>> = match &simd_typed {
        Some(c) => c.f64()?.iter().collect(),
        None => Vec::new(),
    };
    let mut simd_num_it = simd_nums.iter();

    let mut values: Vec<Option<f64>> = Vec::with_capacity(height);
    let mut dates: Vec<Option<i32>> = Vec::with_capacity(height);
    let mut deciles: Vec<Option<i32>> = Vec::with_capacity(height);
    let today_days = epoch_days(opts.today);
    let earliest_days = epoch_days(NaiveDate::from_ymd_opt(EARLIEST_YEAR, 1, 1).unwrap_or_default());
    let fmt = opts.date_format.as_deref();
    let fmt_word = fmt.map_or("YYYY-MM-DD".to_string(), human_format);

    let mut org_it = org.iter();
    // Each row's rule, looked up once per distinct id (see `views`).
    let ind_rules = super::views::code_texts(&ind, |id| id.map(str::trim).and_then(|id| rules.get(id)));
    let mut rule_it = ind_rules.into_iter();
    let mut ind_it = ind.iter();
    let mut part_it = part.iter();
    let mut simd_it = simd.iter();
    let mut vt_it = value_text.as_ref().map(|c| c.iter());
    let mut vn_it = value_num.map(|c| c.iter());
    let mut dt_it = date_text.as_ref().map(|c| c.iter());
    let mut dp_it = date_phys.as_ref().map(|c| c.iter());
    let mut valid = 0u64;
    let mut ok_flags: Vec<bool> = Vec::with_capacity(height);

    for row in rows.iter() {
        let row = row.unwrap_or(0);
        sink.flagged = false;
        let org = org_it.next().flatten().filter(|s| !is_blank(s));
        let ind = ind_it.next().flatten();
        // Only distinct-people indicators look at the participant (below).
        let participant = part_it.next().flatten();
        let simd = simd_it.next().flatten().filter(|s| !is_blank(s));
        let ind_rule = rule_it.next().flatten();

        if org.is_none() {
            sink.problem(
                Check::MissingValue,
                row,
                &h_org,
                None,
                "no organisation given".into(),
                Some("every record needs the organisation that delivered it".into()),
            );
        }
        // A known id needs no more looking at; others are trimmed for the message.
        let rule = match ind_rule {
            Some(rule) if rule.computed_from.is_some() => {
                let parts = rule.computed_from.as_deref().unwrap_or_default();
                sink.problem(
                    Check::ComputedIndicator,
                    row,
                    &h_ind,
                    Some(rule.id),
                    format!("`{}` is computed from {parts}, not recorded", rule.id),
                    Some(format!("record {parts} instead; impactkit works the rate out from them")),
                );
                None
            }
            Some(rule) => Some(rule),
            None => {
                match ind.map(str::trim).filter(|s| !s.is_empty()) {
                    None => sink.problem(Check::MissingValue, row, &h_ind, None, "no indicator given".into(), None),
                    Some(id) => {
                        let near = suggestions
                            .entry(id.to_string())
                            .or_insert_with(|| library.nearest(id).map(str::to_string));
                        let hint = match near {
                            Some(n) => format!("did you mean `{n}`? (`impact indicators list` shows every id)"),
                            None => "`impact indicators list` shows every id; add new ones to indicators/".into(),
                        };
                        sink.problem(
                            Check::UnknownIndicator,
                            row,
                            &h_ind,
                            Some(id),
                            format!("unknown indicator `{id}`"),
                            Some(hint),
                        );
                    }
                }
                None
            }
        };

        // Value: number as typed, checked against the indicator's range.
        let v_heading = value_heading(rule.map(|r| r.id).or_else(|| ind.map(str::trim)));
        let (value, raw_value): (Option<f64>, Option<&str>) = match (&mut vt_it, &mut vn_it) {
            (Some(it), _) => {
                let raw = it.next().flatten().filter(|s| !is_blank(s));
                let word = |r: &str| {
                    let r = r.trim().to_lowercase();
                    opts.value_words.iter().find(|(w, _)| *w == r).map(|(_, v)| *v)
                };
                let counts = rule.is_some_and(|r| r.integer);
                (raw.and_then(|r| parse_amount(r).or_else(|| word(r).filter(|_| counts))), raw)
            }
            (None, Some(it)) => (it.next().flatten(), None),
            (None, None) => (None, None),
        };
        match (value, raw_value) {
            (None, None) => sink.problem(Check::MissingValue, row, v_heading, None, "no value given".into(), None),
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
                    v_heading,
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
                    v_heading,
                    Some(&shown),
                    format!("\"{shown}\" is not a figure that can be counted"),
                    Some(format!("values must be finite and at most {MAX_MAGNITUDE:e} in size")),
                );
            }
            (Some(v), _) => {
                if let Some(rule) = rule {
                    check_value(&mut sink, rule, v, row, v_heading);
                }
            }
        }
        values.push(value.filter(|v| v.is_finite() && v.abs() <= MAX_MAGNITUDE));

        // Date: real, not in the future, not implausibly old.
        let date = match (&mut dt_it, &mut dp_it) {
            (Some(it), _) => match it.next().flatten().filter(|s| !is_blank(s)) {
                None => {
                    sink.problem(Check::MissingValue, row, &h_date, None, "no date given".into(), None);
                    None
                }
                Some(raw) => match parse_date_in(raw, fmt, opts.century_start) {
                    Ok(d) => Some((epoch_days(d), Some(raw))),
                    Err(problem) => {
                        let (message, hint) = date_problem(raw, problem, fmt, &fmt_word, opts.century_start);
                        sink.problem(Check::BadDate, row, &h_date, Some(raw), message, Some(hint));
                        None
                    }
                },
            },
            (None, Some(it)) => match it.next().flatten() {
                None => {
                    sink.problem(Check::MissingValue, row, &h_date, None, "no date given".into(), None);
                    None
                }
                Some(days) => Some((days, None)),
            },
            (None, None) => None,
        };
        let date = date.and_then(|(days, raw)| {
            // Only a bad date pays for formatting its value.
            let shown = || raw.map_or_else(|| super::parse::from_epoch_days(days).to_string(), str::to_string);
            if days > today_days {
                let shown = shown();
                sink.problem(
                    Check::FutureDate,
                    row,
                    &h_date,
                    Some(&shown),
                    format!("\"{shown}\" is in the future (today is {})", opts.today),
                    Some("outcomes are recorded once they have happened; check the year".into()),
                );
                None
            } else if days < earliest_days {
                let shown = shown();
                sink.problem(
                    Check::BadDate,
                    row,
                    &h_date,
                    Some(&shown),
                    format!("\"{shown}\" is before {EARLIEST_YEAR}"),
                    Some("check the year".into()),
                );
                None
            } else {
                Some(days)
            }
        });
        dates.push(date);

        let typed_decile = simd_num_it.next().copied().flatten();
        let parsed = match (simd, typed_decile) {
            (Some(raw), _) => Some(parse_amount(raw)),
            (None, Some(d)) => Some(Some(d)),
            (None, None) => None,
        };
        let decile = parsed.map(|parsed| match parsed {
            Some(d) if d.fract() == 0.0 && (1.0..=10.0).contains(&d) => Some(d as i32),
            _ => {
                // Only a bad cell pays for formatting its value.
                let shown = simd.map_or_else(
                    || typed_decile.map(crate::data::read::format_number).unwrap_or_default(),
                    str::to_string,
                );
                sink.problem(
                    Check::BadDecile,
                    row,
                    &h_simd,
                    Some(&shown),
                    format!("\"{shown}\" is not a SIMD decile"),
                    Some("SIMD deciles are whole numbers from 1 (most deprived) to 10".into()),
                );
                None
            }
        });
        deciles.push(decile.flatten());

        if let Some(rule) = rule {
            if rule.needs_participant && participant.is_none_or(is_blank) {
                sink.problem(
                    Check::MissingParticipant,
                    row,
                    &h_part,
                    None,
                    format!("`{}` counts distinct people, so each record needs a participant id", rule.id),
                    Some("use a pseudonymous id (never a name) so a person is counted once".into()),
                );
            }
        }
        if !sink.flagged {
            valid += 1;
        }
        ok_flags.push(!sink.flagged);
    }
    sink.report.records_valid = valid;
    let typed = typed_frame(df, file_index, values, dates, deciles, ok_flags)?;
    Ok((typed, sink.report))
}

/// A cell holding nothing but white space. Most cells start with a visible ASCII
/// character, which settles it without trimming.
fn is_blank(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(b) if b.is_ascii_graphic() => false,
        _ => s.trim().is_empty(),
    }
}

fn check_value(sink: &mut Sink, rule: &Rule, v: f64, row: i64, heading: &str) {
    // Only a value with a problem pays for formatting (most have none).
    let shown = || crate::data::read::format_number(v);
    if let Some(min) = rule.min.filter(|m| v < *m) {
        let shown = shown();
        sink.problem(
            Check::OutOfRange,
            row,
            heading,
            Some(&shown),
            format!(
                "{shown} is below the minimum {} for `{}` ({})",
                crate::data::read::format_number(min),
                rule.id,
                rule.unit
            ),
            Some("a negative count is usually a correction: record the corrected figure instead".into())
                .filter(|_| min == 0.0),
        );
    } else if let Some(max) = rule.max.filter(|m| v > *m) {
        let shown = shown();
        sink.problem(
            Check::OutOfRange,
            row,
            heading,
            Some(&shown),
            format!(
                "{shown} is above the maximum {} for `{}` ({})",
                crate::data::read::format_number(max),
                rule.id,
                rule.unit
            ),
            None,
        );
    } else if rule.integer && v.fract() != 0.0 {
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

/// "%d/%m/%Y" → "DD/MM/YYYY" for messages.
fn human_format(fmt: &str) -> String {
    fmt.replace("%d", "DD").replace("%m", "MM").replace("%Y", "YYYY").replace("%y", "YY")
}

/// A column as text, whatever its type (Parquet may store text columns as numbers).
pub(crate) fn text(df: &DataFrame, name: &str) -> Result<StringChunked> {
    let c = df.column(name)?;
    Ok(match c.dtype() {
        DataType::String => c.str()?.clone(),
        _ => c.cast(&DataType::String)?.str()?.clone(),
    })
}

/// A column of numbers; without gaps (the usual case) straight from a vector.
fn numbers<T: PolarsNumericType>(name: &str, values: &[Option<T::Native>]) -> Column {
    let array: ChunkedArray<T> = if values.iter().all(Option::is_some) {
        ChunkedArray::from_vec(name.into(), values.iter().flatten().copied().collect())
    } else {
        ChunkedArray::from_iter_options(name.into(), values.iter().copied())
    };
    array.into_series().into_column()
}

fn typed_frame(
    df: &DataFrame,
    file_index: u32,
    values: Vec<Option<f64>>,
    dates: Vec<Option<i32>>,
    deciles: Vec<Option<i32>>,
    ok: Vec<bool>,
) -> Result<DataFrame> {
    let height = df.height();
    let mut cols: Vec<Column> = Vec::with_capacity(FIELDS.len() + 2);
    for f in FIELDS {
        let c = match f.kind {
            Kind::Text => {
                let mut c = text(df, f.name)?.into_series().into_column();
                c.rename(f.name.into());
                c
            }
            Kind::Number => numbers::<Float64Type>(f.name, &values),
            Kind::Date => numbers::<Int32Type>(f.name, &dates).cast(&DataType::Date)?,
            Kind::Decile => numbers::<Int32Type>(f.name, &deciles),
        };
        cols.push(c);
    }
    cols.push(Series::new(FILE.into(), [file_index]).new_from_index(0, height).into_column());
    cols.push(df.column(ROW)?.cast(&DataType::Int64)?);
    cols.push(Column::new(OK.into(), ok));
    Ok(DataFrame::new(height, cols)?)
}
