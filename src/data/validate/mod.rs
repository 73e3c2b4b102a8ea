//! Row checks: every problem in a file, each with file, row, column, value and
//! what was expected. Produces the typed canonical frame alongside the report.

use std::collections::HashMap;

use chrono::NaiveDate;
use polars::prelude::*;
use rayon::prelude::*;

mod fields;

use fields::{Cells, Fields};

use super::mapping::Canonical;
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

/// Check a slice of a file's rows (all of them, or one thread's share): each row's
/// fields in turn (see `fields`), one pass over the columns.
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
    let mut fields = Fields::new(c, library, opts);
    let rules = rules(library);

    let rows = df.column(ROW)?.cast(&DataType::Int64)?;
    let rows = rows.i64()?;
    let org = text(df, "organisation")?;
    let ind = text(df, "indicator")?;
    let part = text(df, "participant")?;
    // Typed files get the checks text gets: only a number column is read as numbers;
    // true/false (or anything else) is read as its text and refused as not a number.
    let value = numbers_or_text(df.column("value")?)?;
    // Only a date column is read as dates: a number (19844, days since 1970 to a
    // program, a mystery to a person) is read as its text and refused as not a date.
    let date_col = df.column("date")?;
    let date_col = &match date_col.dtype() {
        DataType::Date | DataType::Datetime(_, _) | DataType::String => date_col.clone(),
        _ => date_col.cast(&DataType::String)?,
    };
    let date_text = (date_col.dtype() == &DataType::String).then(|| date_col.str().cloned()).transpose()?;
    let date_days = match date_col.dtype() {
        DataType::Date | DataType::Datetime(_, _) => Some(date_col.cast(&DataType::Date)?.date()?.physical().clone()),
        _ => None,
    };
    // SIMD deciles typed as numbers (Parquet) are checked as numbers, not via text.
    let decile = numbers_or_text(df.column("simd_decile")?)?;

    // Each row's rule, looked up once per distinct id (see `views`).
    let row_rules = super::views::code_texts(&ind, |id| id.map(str::trim).and_then(|id| rules.get(id)));
    let mut rule_cells = row_rules.into_iter();
    let mut org_cells = org.iter();
    let mut ind_cells = ind.iter();
    let mut part_cells = part.iter();
    let mut value_cells = value.cells();
    let mut date_cells =
        Cells { text: date_text.as_ref().map(|c| c.iter()), typed: date_days.as_ref().map(|c| c.iter()) };
    let mut decile_cells = decile.cells();

    let mut values: Vec<Option<f64>> = Vec::with_capacity(height);
    let mut dates: Vec<Option<i32>> = Vec::with_capacity(height);
    let mut deciles: Vec<Option<i32>> = Vec::with_capacity(height);
    let mut ok_flags: Vec<bool> = Vec::with_capacity(height);
    let mut valid = 0u64;
    for row in rows.iter() {
        let row = row.unwrap_or(0);
        sink.flagged = false;
        let indicator = ind_cells.next().flatten();
        fields.organisation(&mut sink, row, org_cells.next().flatten());
        let rule = fields.indicator(&mut sink, row, indicator, rule_cells.next().flatten());
        values.push(fields.value(&mut sink, row, rule, indicator, value_cells.next_cell()));
        dates.push(fields.date(&mut sink, row, date_cells.next_cell()));
        deciles.push(fields.decile(&mut sink, row, decile_cells.next_cell()));
        fields.participant(&mut sink, row, rule, part_cells.next().flatten());
        if !sink.flagged {
            valid += 1;
        }
        ok_flags.push(!sink.flagged);
    }
    sink.report.records_valid = valid;
    let typed = typed_frame(df, file_index, values, dates, deciles, ok_flags)?;
    Ok((typed, sink.report))
}

/// Each indicator's checks, by id.
fn rules(library: &Library) -> PlHashMap<&str, Rule<'_>> {
    library
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
        .collect()
}

/// A column meant to hold numbers: its numbers when the file typed it so, else its
/// text (to be parsed, and refused when it is not a number).
enum NumbersOrText {
    Numbers(Float64Chunked),
    Text(StringChunked),
}

fn numbers_or_text(column: &Column) -> Result<NumbersOrText> {
    Ok(if column.dtype().is_primitive_numeric() {
        NumbersOrText::Numbers(column.cast(&DataType::Float64)?.f64()?.clone())
    } else {
        NumbersOrText::Text(column.cast(&DataType::String)?.str()?.clone())
    })
}

impl NumbersOrText {
    fn cells(&self) -> Cells<impl Iterator<Item = Option<&str>> + '_, impl Iterator<Item = Option<f64>> + '_> {
        match self {
            NumbersOrText::Numbers(n) => Cells { text: None, typed: Some(n.iter()) },
            NumbersOrText::Text(t) => Cells { text: Some(t.iter()), typed: None },
        }
    }
}

/// A cell holding nothing but white space. Most cells start with a visible ASCII
/// character, which settles it without trimming.
fn is_blank(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(b) if b.is_ascii_graphic() => false,
        _ => s.trim().is_empty(),
    }
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
