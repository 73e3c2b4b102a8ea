//! Rows checked column by column: when every record passes every check (the usual
//! case in a big file), the typed frame is made from whole columns: a typed file's
//! own (Parquet), or a text file's read one column at a time. Any doubt, and the rows
//! are checked one by one (`check_slice`), which finds and words each problem. So
//! this never changes what is reported, only how fast a clean file is read.

use polars::prelude::*;

use super::fields::{is_decile, is_whole};
use super::{is_blank, NumbersOrText, Rule, MAX_MAGNITUDE};
use crate::data::parse::{epoch_days, parse_amount, parse_date_in};

/// A slice's value, date and decile columns as numbers and days, each text column
/// read a column at a time (`Already`: none is text). `Unreadable` when a value or
/// date is blank or does not read, or a decile does not: a record has a problem,
/// which the rows checked one by one will word.
pub(super) enum AsTyped {
    Already,
    Read { value: NumbersOrText, days: Int32Chunked, decile: NumbersOrText },
    Unreadable,
}

/// Read the text columns among a slice's value, date and decile as the row checks
/// would, a column at a time. `date_format` and `century_start` as in the options.
pub(super) fn read_text_columns(
    value: &NumbersOrText,
    date_text: Option<&StringChunked>,
    days: Option<&Int32Chunked>,
    decile: &NumbersOrText,
    date_format: Option<&str>,
    century_start: i32,
) -> AsTyped {
    let texts = matches!(value, NumbersOrText::Text(_))
        || date_text.is_some()
        || matches!(decile, NumbersOrText::Text(d) if d.null_count() < d.len());
    if !texts {
        return AsTyped::Already;
    }
    // Every value and date given and readable; a decile blank or readable.
    let read = || -> Option<AsTyped> {
        let value = match value {
            NumbersOrText::Numbers(n) => NumbersOrText::Numbers(n.clone()),
            NumbersOrText::Text(t) => {
                let numbers = t
                    .iter()
                    .map(|c| c.filter(|c| !is_blank(c)).and_then(parse_amount))
                    .collect::<Option<Vec<f64>>>()?;
                NumbersOrText::Numbers(Float64Chunked::from_vec(PlSmallStr::EMPTY, numbers))
            }
        };
        let days = match (date_text, days) {
            (Some(t), _) => {
                let read = |c: &str| parse_date_in(c, date_format, century_start).ok().map(epoch_days);
                let days = t.iter().map(|c| c.filter(|c| !is_blank(c)).and_then(read)).collect::<Option<Vec<i32>>>()?;
                Int32Chunked::from_vec(PlSmallStr::EMPTY, days)
            }
            (None, Some(d)) => d.clone(),
            (None, None) => return None,
        };
        let decile = match decile {
            NumbersOrText::Numbers(n) => NumbersOrText::Numbers(n.clone()),
            NumbersOrText::Text(t) => {
                let cells = t.iter().map(|c| match c.filter(|c| !is_blank(c)) {
                    None => Some(None),
                    Some(c) => parse_amount(c).map(Some),
                });
                NumbersOrText::Numbers(Float64Chunked::from_iter_options(
                    PlSmallStr::EMPTY,
                    cells.collect::<Option<Vec<Option<f64>>>>()?.into_iter(),
                ))
            }
        };
        Some(AsTyped::Read { value, days, decile })
    };
    read().unwrap_or(AsTyped::Unreadable)
}

/// What the column-by-column test reads of a slice.
pub(super) struct Typed<'a> {
    pub(super) organisation: &'a StringChunked,
    pub(super) participant: &'a StringChunked,
    pub(super) value: &'a NumbersOrText,
    /// The dates as days since 1970, when the file typed them as dates.
    pub(super) days: Option<&'a Int32Chunked>,
    pub(super) decile: &'a NumbersOrText,
    /// The deciles as whole numbers, when the file typed them so (`whole_numbers`).
    pub(super) whole_deciles: Option<&'a Int32Chunked>,
    /// Each row's indicator rule (None: unknown or missing id).
    pub(super) rules: &'a [Option<&'a Rule<'a>>],
}

/// A column of whole numbers (a Parquet file's deciles) as 32-bit ones, when every
/// number fits: checked and kept as they are, not made decimals to be checked and
/// made whole again (which took a third of a clean slice's checks).
pub(super) fn whole_numbers(column: &Column) -> PolarsResult<Option<Int32Chunked>> {
    if !column.dtype().is_integer() {
        return Ok(None);
    }
    let whole = column.cast(&DataType::Int32)?;
    // A number too big for 32 bits becomes a gap in the cast: the slow way words it.
    (whole.null_count() == column.null_count()).then(|| whole.i32().cloned()).transpose()
}

/// The slice's value, date and decile columns as the checks would type them, when
/// every record is sure to pass: (values, days, deciles). None when a record might
/// not, or a column is still text (`read_text_columns` reads it first).
pub(super) fn when_all_clean(
    t: &Typed,
    earliest: i32,
    today: i32,
) -> Option<(Float64Chunked, Int32Chunked, Int32Chunked)> {
    let NumbersOrText::Numbers(values) = t.value else { return None };
    let days = t.days?;
    if let Some(whole) = t.whole_deciles {
        // Blank or 1 to 10, checked on the whole numbers themselves.
        let in_range = whole.min().is_none_or(|d| d >= 1) && whole.max().is_none_or(|d| d <= 10);
        return (in_range && others_clean(t, values, days, earliest, today))
            .then(|| (values.clone(), days.clone(), whole.clone()));
    }
    let deciles = match t.decile {
        NumbersOrText::Numbers(d) => Some(d),
        // A text column with no text in it: no decile given anywhere.
        NumbersOrText::Text(d) if d.null_count() == d.len() => None,
        NumbersOrText::Text(_) => return None,
    };
    let clean = others_clean(t, values, days, earliest, today) && deciles.is_none_or(deciles_are_whole_1_to_10);
    if !clean {
        return None;
    }
    let deciles = match deciles {
        Some(d) => d.cast(&DataType::Int32).ok()?.i32().ok()?.clone(),
        None => Int32Chunked::full_null(PlSmallStr::EMPTY, values.len()),
    };
    Some((values.clone(), days.clone(), deciles))
}

/// Every check of `when_all_clean` but the deciles': dates, organisations,
/// participants where needed, values and indicators.
fn others_clean(t: &Typed, values: &Float64Chunked, days: &Int32Chunked, earliest: i32, today: i32) -> bool {
    let dates_in_range =
        days.null_count() == 0 && days.min().is_some_and(|d| d >= earliest) && days.max().is_some_and(|d| d <= today);
    dates_in_range
        && all_filled(t.organisation, None)
        && all_filled(t.participant, Some(&|i| t.rules[i].is_some_and(|r| r.needs_participant)))
        && values_fit_rules(values, t.rules)
}

/// Whether every text (or every one of the rows `wanted` says) is given and starts
/// with a visible character, read from the views (a text's first bytes are in its
/// view). A text starting with a space or another character may still be filled;
/// the rows are then checked one by one.
fn all_filled(texts: &StringChunked, wanted: Option<&dyn Fn(usize) -> bool>) -> bool {
    // Which rows have a text, when some have none.
    let given = (texts.null_count() > 0).then(|| texts.is_not_null().rechunk().into_owned());
    let given = given.as_ref().and_then(|g| g.downcast_iter().next());
    let mut row = 0;
    for arr in texts.downcast_iter() {
        for (i, view) in arr.views().iter().enumerate() {
            let at = row + i;
            if wanted.is_some_and(|w| !w(at)) {
                continue;
            }
            let given = given.is_none_or(|g| g.value(at));
            let first = view.prefix.to_le_bytes()[0];
            if !given || view.length == 0 || !first.is_ascii_graphic() {
                return false;
            }
        }
        row += arr.len();
    }
    true
}

/// Whether every value is given, finite, no bigger than any real figure, and within
/// its indicator's range, whole where the indicator counts; and every row's indicator
/// is known and recorded (not computed).
fn values_fit_rules(values: &Float64Chunked, rules: &[Option<&Rule>]) -> bool {
    if values.null_count() > 0 || values.len() != rules.len() {
        return false;
    }
    let mut row = 0;
    for arr in values.downcast_iter() {
        for (&v, rule) in arr.values().iter().zip(&rules[row..]) {
            let Some(rule) = rule else { return false };
            let fits = v.abs() <= MAX_MAGNITUDE
                && rule.computed_from.is_none()
                && rule.min.is_none_or(|m| v >= m)
                && rule.max.is_none_or(|m| v <= m)
                && (!rule.integer || is_whole(v));
            if !fits {
                return false;
            }
        }
        row += arr.len();
    }
    true
}

/// Whether every decile given is a whole number from 1 to 10.
fn deciles_are_whole_1_to_10(deciles: &Float64Chunked) -> bool {
    deciles.downcast_iter().all(|arr| {
        let validity = arr.validity();
        arr.values().iter().enumerate().all(|(i, &d)| validity.is_some_and(|v| !v.get_bit(i)) || is_decile(d))
    })
}
