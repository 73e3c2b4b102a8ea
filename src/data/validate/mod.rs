//! Row checks: every problem in a file, each with file, row, column, value and
//! what was expected. Produces the typed canonical frame alongside the report.

use std::collections::HashMap;

use chrono::NaiveDate;
use polars::prelude::*;
use rayon::prelude::*;

mod clean;
mod fields;

use fields::{Cells, Fields};

use super::mapping::Canonical;
use super::schema::{Kind, FIELDS, FILE, INDICATOR_NUMBER, OK, ROW};
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
    /// Who a participant id names (see `ParticipantScope`): distinct people and cohort
    /// follow-ups link records by it.
    pub participants: crate::data::ParticipantScope,
    /// Names no name table knows are errors, not warnings (`validate --strict`).
    pub strict: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            today: chrono::Local::now().date_naive(),
            date_format: None,
            max_listed: 50,
            century_start: super::parse::DEFAULT_CENTURY_START,
            value_words: Vec::new(),
            participants: crate::data::ParticipantScope::default(),
            strict: false,
        }
    }
}

/// Earliest plausible outcome date: anything before is a typo'd year.
const EARLIEST_YEAR: i32 = 1990;

struct Rule<'a> {
    /// The indicator's place in the library.
    number: u32,
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
        let (typed, rows) = check_slice(c, df, file_index, library, opts, true)?;
        report.merge_rows(rows, opts.max_listed);
        return Ok((typed, report));
    }
    let step = height.div_ceil(slices);
    let parts: Vec<Result<(DataFrame, Report)>> = (0..slices)
        .into_par_iter()
        .map(|k| check_slice(c, &df.slice((k * step) as i64, step), file_index, library, opts, true))
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

/// Check a slice of a file's rows (all of them, or one thread's share): column by
/// column when every record is sure to pass (`column_first`, see `clean`), else
/// each row's fields in turn (see `fields`), one pass over the columns.
fn check_slice(
    c: &Canonical,
    df: &DataFrame,
    file_index: u32,
    library: &Library,
    opts: &CheckOptions,
    column_first: bool,
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
    let numbers = indicator_numbers(&row_rules);
    // Column by column first: a slice whose every record is sure to pass needs no row
    // looked at on its own (see `clean`). A wide sheet's rows repeat, so it is not.
    let as_typed = match column_first && c.wide_headings.is_empty() {
        true => clean::read_text_columns(
            &value,
            date_text.as_ref(),
            date_days.as_ref(),
            &decile,
            opts.date_format.as_deref(),
            opts.century_start,
        ),
        false => clean::AsTyped::Unreadable,
    };
    let read = match &as_typed {
        clean::AsTyped::Already => Some((&value, date_days.as_ref(), &decile)),
        clean::AsTyped::Read { value, days, decile } => Some((value, Some(days), decile)),
        clean::AsTyped::Unreadable => None,
    };
    if let Some((value, days, decile)) = read {
        let whole_deciles = clean::whole_numbers(df.column("simd_decile")?)?;
        let typed = clean::Typed {
            organisation: &org,
            participant: &part,
            value,
            days,
            decile,
            whole_deciles: whole_deciles.as_ref(),
            rules: &row_rules,
        };
        let (earliest, today) = fields.date_bounds();
        if let Some((values, days, deciles)) = clean::when_all_clean(&typed, earliest, today) {
            sink.report.records_valid = height as u64;
            let ok = BooleanChunked::full(OK.into(), true, height).into_column();
            let typed = typed_columns(
                df,
                file_index,
                values.into_column(),
                days.into_column().cast(&DataType::Date)?,
                deciles.into_column(),
                ok,
                numbers,
            )?;
            return Ok((typed, sink.report));
        }
    }
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
    let typed = typed_frame(df, file_index, values, dates, deciles, ok_flags, numbers)?;
    Ok((typed, sink.report))
}

/// Each row's indicator number (`schema::INDICATOR_NUMBER`) from its rule.
fn indicator_numbers(row_rules: &[Option<&Rule>]) -> Column {
    numbers::<UInt32Type>(INDICATOR_NUMBER, row_rules.iter().map(|r| r.map(|r| r.number)))
}

/// Each indicator's checks, by id.
fn rules(library: &Library) -> PlHashMap<&str, Rule<'_>> {
    library
        .iter()
        .enumerate()
        .map(|(number, i)| {
            (
                i.id.as_str(),
                Rule {
                    number: number as u32,
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

/// A column of numbers; without gaps (the usual case) collected straight into a vector.
fn numbers<T: PolarsNumericType>(name: &str, values: impl Iterator<Item = Option<T::Native>> + Clone) -> Column {
    let array: ChunkedArray<T> = if values.clone().all(|v| v.is_some()) {
        ChunkedArray::from_vec(name.into(), values.flatten().collect())
    } else {
        ChunkedArray::from_iter_options(name.into(), values)
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
    indicator_numbers: Column,
) -> Result<DataFrame> {
    typed_columns(
        df,
        file_index,
        numbers::<Float64Type>("value", values.iter().copied()),
        numbers::<Int32Type>("date", dates.iter().copied()).cast(&DataType::Date)?,
        numbers::<Int32Type>("simd_decile", deciles.iter().copied()),
        Column::new(OK.into(), ok),
        indicator_numbers,
    )
}

/// The typed frame: the text fields as read, the value, date and decile as typed,
/// the file's number, the row, whether the record passed and its indicator's number.
fn typed_columns(
    df: &DataFrame,
    file_index: u32,
    value: Column,
    date: Column,
    decile: Column,
    ok: Column,
    indicator_numbers: Column,
) -> Result<DataFrame> {
    let height = df.height();
    let mut cols: Vec<Column> = Vec::with_capacity(FIELDS.len() + 4);
    for f in FIELDS {
        // A column is shared, not copied, by `clone`.
        let mut c = match f.kind {
            Kind::Text => text(df, f.name)?.into_series().into_column(),
            Kind::Number => value.clone(),
            Kind::Date => date.clone(),
            Kind::Decile => decile.clone(),
        };
        c.rename(f.name.into());
        cols.push(c);
    }
    cols.push(Series::new(FILE.into(), [file_index]).new_from_index(0, height).into_column());
    cols.push(df.column(ROW)?.cast(&DataType::Int64)?);
    cols.push(ok.with_name(OK.into()));
    cols.push(indicator_numbers.with_name(INDICATOR_NUMBER.into()));
    Ok(DataFrame::new(height, cols)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::parse::from_epoch_days;

    fn library() -> Library {
        Library::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("indicators")).unwrap()
    }

    /// One record: organisation, indicator, date (days since 1970), value,
    /// participant, decile.
    type Record = (Option<&'static str>, &'static str, Option<i32>, Option<f64>, Option<&'static str>, Option<f64>);

    /// How a file gives the records: as text (a CSV file), typed (value, date and
    /// decile), or typed with the deciles as whole numbers (a Parquet file's).
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Given {
        Text,
        Typed,
        WholeDeciles,
    }

    fn canonical(records: &[Record], given: Given) -> Canonical {
        let typed = given != Given::Text;
        let n = records.len();
        let text = |f: &dyn Fn(&Record) -> Option<String>| records.iter().map(f).collect::<Vec<Option<String>>>();
        let mut cols = vec![
            Column::new("record_id".into(), (0..n).map(|i| format!("R{i}")).collect::<Vec<_>>()),
            Column::new("organisation".into(), text(&|r| r.0.map(str::to_string))),
            Column::new("programme".into(), vec![None::<&str>; n]),
            Column::new("indicator".into(), text(&|r| Some(r.1.to_string()))),
        ];
        if typed {
            let days: Vec<Option<i32>> = records.iter().map(|r| r.2).collect();
            cols.push(Column::new("date".into(), days).cast(&DataType::Date).unwrap());
            cols.push(Column::new("value".into(), records.iter().map(|r| r.3).collect::<Vec<_>>()));
        } else {
            cols.push(Column::new("date".into(), text(&|r| r.2.map(|d| from_epoch_days(d).to_string()))));
            cols.push(Column::new("value".into(), text(&|r| r.3.map(|v| v.to_string()))));
        }
        cols.push(Column::new("participant".into(), text(&|r| r.4.map(str::to_string))));
        for name in ["beneficiary_group", "gender", "age_band", "area"] {
            cols.push(Column::new(name.into(), vec![None::<&str>; n]));
        }
        cols.push(match given {
            Given::Typed => Column::new("simd_decile".into(), records.iter().map(|r| r.5).collect::<Vec<_>>()),
            Given::WholeDeciles => {
                Column::new("simd_decile".into(), records.iter().map(|r| r.5.map(|d| d as i64)).collect::<Vec<_>>())
            }
            Given::Text => Column::new("simd_decile".into(), text(&|r| r.5.map(|d| d.to_string()))),
        });
        cols.push(Column::new("evidence".into(), vec![None::<&str>; n]));
        cols.push(Column::new(ROW.into(), (1..=n as i64).collect::<Vec<_>>()));
        Canonical {
            file: "records".into(),
            df: DataFrame::new(n, cols).unwrap(),
            headings: HashMap::new(),
            wide_headings: HashMap::new(),
            diagnostics: Vec::new(),
            usable: true,
        }
    }

    /// A problem found: its row, column and kind.
    type Found = (Option<u64>, Option<String>, Check);

    /// What the checks made of the records: the typed columns and which passed, the
    /// records passed and each problem found.
    fn outcome(records: &[Record], given: Given, column_first: bool) -> (DataFrame, u64, Vec<Found>) {
        let opts = CheckOptions { today: NaiveDate::from_ymd_opt(2025, 6, 30).unwrap(), ..CheckOptions::default() };
        let c = canonical(records, given);
        let (frame, report) = check_slice(&c, &c.df, 0, &library(), &opts, column_first).unwrap();
        let frame = frame.select(["value", "date", "simd_decile", OK]).unwrap();
        let problems = report.diagnostics.iter().map(|d| (d.row, d.column.clone(), d.check)).collect();
        (frame, report.records_valid, problems)
    }

    /// Rows are checked column by column when all are sure to pass (`clean`), typed
    /// or text: whatever one record gets wrong, the answer is the one the rows checked
    /// one by one give, and typed records get the checks text gets.
    #[test]
    fn typed_records_get_the_checks_text_gets() {
        let day = 19_900; // 2024-06-26
        let good: Record = (Some("ORG1"), "volunteer_hours", Some(day), Some(2.5), None, Some(3.0));
        let people: Record = (Some("ORG1"), "employability_participants", Some(day), Some(1.0), Some("P1"), None);
        let wrong: Vec<(&str, Record)> = vec![
            ("nothing", good),
            ("no organisation", (None, "volunteer_hours", Some(day), Some(2.5), None, None)),
            ("organisation only spaces", (Some("  "), "volunteer_hours", Some(day), Some(2.5), None, None)),
            ("organisation after a space (fine)", (Some(" ORG1"), "volunteer_hours", Some(day), Some(2.5), None, None)),
            ("unknown indicator", (Some("ORG1"), "volunteer_hour", Some(day), Some(2.5), None, None)),
            ("computed indicator", (Some("ORG1"), "job_sustainment_rate_13w", Some(day), Some(0.5), None, None)),
            ("no value", (Some("ORG1"), "volunteer_hours", Some(day), None, None, None)),
            ("value not a number", (Some("ORG1"), "volunteer_hours", Some(day), Some(f64::NAN), None, None)),
            ("value infinite", (Some("ORG1"), "volunteer_hours", Some(day), Some(f64::INFINITY), None, None)),
            ("value absurd", (Some("ORG1"), "volunteer_hours", Some(day), Some(2e15), None, None)),
            ("value above the maximum", (Some("ORG1"), "volunteer_hours", Some(day), Some(500.5), None, None)),
            ("value below the minimum", (Some("ORG1"), "volunteer_hours", Some(day), Some(-1.0), None, None)),
            ("count not whole", (Some("ORG1"), "community_assets_transferred", Some(day), Some(1.5), None, None)),
            ("no date", (Some("ORG1"), "volunteer_hours", None, Some(2.5), None, None)),
            ("date in the future", (Some("ORG1"), "volunteer_hours", Some(20_270), Some(2.5), None, None)),
            ("date before 1990", (Some("ORG1"), "volunteer_hours", Some(7_000), Some(2.5), None, None)),
            ("decile 0", (Some("ORG1"), "volunteer_hours", Some(day), Some(2.5), None, Some(0.0))),
            ("decile 11", (Some("ORG1"), "volunteer_hours", Some(day), Some(2.5), None, Some(11.0))),
            ("decile not whole", (Some("ORG1"), "volunteer_hours", Some(day), Some(2.5), None, Some(2.5))),
            // Whole, but too big for the 32 bits the checks keep deciles in.
            ("decile 5,000,000,001", (Some("ORG1"), "volunteer_hours", Some(day), Some(2.5), None, Some(5e9 + 1.0))),
            ("no participant", (Some("ORG1"), "employability_participants", Some(day), Some(1.0), None, None)),
            (
                "participant only spaces",
                (Some("ORG1"), "employability_participants", Some(day), Some(1.0), Some(" "), None),
            ),
        ];
        for (what, odd) in wrong {
            let mut records = vec![good; 30];
            records.extend([people; 10]);
            records.insert(17, odd);
            // Row by row, text: what every other way must give.
            let (rows, rows_valid, rows_problems) = outcome(&records, Given::Text, false);
            // Deciles can be given as whole numbers when they are whole.
            let whole = records.iter().all(|r| r.5.is_none_or(|d| d.fract() == 0.0));
            let ways = [(Given::Typed, true), (Given::Typed, false), (Given::Text, true)].into_iter().chain(
                whole.then_some([(Given::WholeDeciles, true), (Given::WholeDeciles, false)]).into_iter().flatten(),
            );
            for (given, column_first) in ways {
                let (frame, valid, problems) = outcome(&records, given, column_first);
                let how = format!("{what} (given {given:?}, column first {column_first})");
                assert!(frame.equals_missing(&rows), "{how}: {frame:?}\nrow by row {rows:?}");
                assert_eq!((valid, &problems), (rows_valid, &rows_problems), "{how}");
            }
            let (typed_valid, typed_problems) = (rows_valid, rows_problems);
            let expected_valid = if what == "nothing" || what.ends_with("(fine)") { 41 } else { 40 };
            assert_eq!(typed_valid, expected_valid, "{what}: {typed_problems:?}");
        }
    }
}
