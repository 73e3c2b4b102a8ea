//! Partner return templates: the Excel workbook a funder sends to its delivery
//! partners, laid out as canonical records so a filled-in return validates with no
//! column map. Drop-down lists (data validation) hold the programme's indicators, its
//! partners, beneficiary groups and areas; dates and numbers are checked as they are
//! typed; a second sheet says how to fill it in.

use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, ExcelDateTime, Format, Formula, Workbook, Worksheet,
    XlsxError,
};

use crate::data::tables::{Programme, Tables};
use crate::error::{Error, Result};
use crate::indicator::{Indicator, Library};

/// The sheet a return's records go in (the first, which `validate` reads).
pub const DATA_SHEET: &str = "Return";
/// Rows prepared with validation below the heading row.
pub const ROWS: u32 = 2000;

/// What a template is for: one programme, optionally one of its partners.
pub struct Ask<'a> {
    /// The programme whose return it is.
    pub programme: &'a str,
    /// The partner it is for (None: any partner fills in their organisation).
    pub organisation: Option<&'a str>,
    /// Area codes and names for the area drop-down (none: the column is free text).
    pub areas: Vec<(String, String)>,
}

/// The workbook's bytes. The programme (and organisation) must be in the tables's
/// tables; the indicators are the recorded ones of the programme's themes.
pub fn workbook(tables: &Tables, library: &Library, ask: &Ask) -> Result<Vec<u8>> {
    let programme = tables.programmes.iter().find(|p| p.id == ask.programme).ok_or_else(|| {
        let ids: Vec<&str> = tables.programmes.iter().map(|p| p.id.as_str()).collect();
        let err = Error::usage(format!("no programme `{}` in the programmes table", ask.programme));
        match crate::base::suggest::nearest(ask.programme, ids.iter().copied()) {
            Some(n) => err.with_hint(format!("did you mean `{n}`?")),
            None => err.with_hint(format!("programmes: {}", ids.join(", "))),
        }
    })?;
    let partners: Vec<&str> =
        programme.partners.iter().map(|&i| tables.organisations[i].id.as_str()).collect::<Vec<_>>();
    let organisations: Vec<&str> = match ask.organisation {
        Some(o) if partners.contains(&o) => vec![o],
        Some(o) => {
            return Err(Error::usage(format!("`{o}` is not a delivery partner of {}", programme.id))
                .with_hint(format!("its partners: {}", partners.join(", "))))
        }
        None => partners,
    };
    let indicators: Vec<&Indicator> =
        library.iter().filter(|i| programme.themes.contains(&i.theme) && !i.is_computed()).collect();
    if indicators.is_empty() {
        return Err(Error::usage(format!("no recorded indicator has the themes of {}", programme.id)));
    }
    if programme.end < programme.start {
        return Err(Error::usage(format!(
            "programme `{}` ends ({}) before it starts ({}) in the programmes table",
            escape(&programme.id),
            programme.end,
            programme.start
        ))
        .with_hint("correct its start and end: the return's date check would accept no date"));
    }
    // Excel holds at most 32,767 characters in a cell: an id or name past that is
    // refused by name rather than written cut short.
    let texts = std::iter::once(("programme", programme.id.as_str()))
        .chain(std::iter::once(("programme name", programme.name.as_str())))
        .chain(organisations.iter().map(|o| ("organisation", *o)))
        .chain(ask.areas.iter().flat_map(|(c, n)| [("area", c.as_str()), ("area name", n.as_str())]))
        .chain(programme.groups.iter().map(|g| ("beneficiary group", g.as_str())));
    for (what, text) in texts {
        crate::output::fits_a_cell(text, what)?;
    }
    build(programme, &organisations, &indicators, &ask.areas).map_err(|e| match e {
        XlsxError::MaxStringLengthExceeded => {
            Error::usage("a text is longer than an Excel cell holds (32,767 characters)")
        }
        e => Error::internal(format!("writing a template: {e}")),
    })
}

/// Text from the tables as a message shows it (control characters escaped, at most
/// 80 characters).
fn escape(text: &str) -> String {
    let shown = crate::output::escape_controls(text);
    match shown.char_indices().nth(80) {
        Some((at, _)) => format!("{}… ({} characters)", &shown[..at], text.chars().count()),
        None => shown.into_owned(),
    }
}

/// `text` shortened to at most `max` characters with an ellipsis (Excel's limits on a
/// validation's title, 32, and message, 255).
fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max.saturating_sub(1)) {
        Some((at, _)) if text.chars().count() > max => format!("{}…", &text[..at]),
        _ => text.to_string(),
    }
}

fn build(
    programme: &Programme,
    organisations: &[&str],
    indicators: &[&Indicator],
    areas: &[(String, String)],
) -> std::result::Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    // A fixed creation date: the same tables give the same bytes.
    book.set_properties(
        &rust_xlsxwriter::DocProperties::new().set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?),
    );
    let bold = Format::new().set_bold();

    // The lists the drop-downs read (a list typed into a validation is limited to 255
    // characters; a range is not).
    let mut lists = Worksheet::new();
    lists.set_name("Lists")?;
    let groups: Vec<&str> = programme.groups.iter().map(String::as_str).collect();
    let area_codes: Vec<&str> = areas.iter().map(|(c, _)| c.as_str()).collect();
    // Every list is a range of this sheet, never typed into the validation: a typed
    // list splits an item at its commas and stops at 255 characters.
    let columns: [(&str, Vec<&str>); 5] = [
        ("indicator", indicators.iter().map(|i| i.id.as_str()).collect()),
        ("organisation", organisations.to_vec()),
        ("beneficiary_group", groups),
        ("area", area_codes),
        ("programme", vec![programme.id.as_str()]),
    ];
    for (c, (name, values)) in columns.iter().enumerate() {
        lists.write_string_with_format(0, c as u16, *name, &bold)?;
        for (r, v) in values.iter().enumerate() {
            lists.write_string(r as u32 + 1, c as u16, *v)?;
        }
    }

    // The canonical record's columns, in its order (see `data::schema`).
    let columns_of_return: Vec<&str> = crate::data::schema::names().collect();
    let mut sheet = Worksheet::new();
    sheet.set_name(DATA_SHEET)?;
    for (c, name) in columns_of_return.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let col = |name: &str| columns_of_return.iter().position(|c| *c == name).unwrap_or(0) as u16;
    let strict = |v: DataValidation, title: &str, message: &str| -> std::result::Result<DataValidation, XlsxError> {
        v.set_error_style(DataValidationErrorStyle::Stop).set_error_title(title)?.set_error_message(message)
    };
    for (c, (name, values)) in columns.iter().enumerate() {
        if values.is_empty() {
            continue;
        }
        let letter = (b'A' + c as u8) as char;
        let range = Formula::new(format!("=Lists!${letter}$2:${letter}${}", values.len() + 1));
        let v = strict(
            DataValidation::new().allow_list_formula(range),
            &clip(&format!("Not a {name} listed"), 32),
            &clip(&format!("Choose a {name} from the list (the Lists sheet)."), 255),
        )?;
        sheet.add_data_validation(1, col(name), ROWS, col(name), &v)?;
    }
    let (start, end) = (programme.start, programme.end);
    // Programme dates are checked dates (1990 on), well inside Excel's years.
    let day = |d: chrono::NaiveDate| {
        use chrono::Datelike;
        ExcelDateTime::from_ymd(d.year().clamp(1900, 9999) as u16, d.month() as u8, d.day() as u8)
    };
    let dates = strict(
        DataValidation::new().allow_date(DataValidationRule::Between(day(start)?, day(end)?)),
        "Not a date of the programme",
        &format!("Type a date from {start} to {end}."),
    )?;
    sheet.add_data_validation(1, col("date"), ROWS, col("date"), &dates)?;
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    sheet.set_column_format(col("date"), &date_format)?;
    // The lowest value any of the indicators allows (their own ranges are checked by
    // `validate`; a cell can carry one rule only).
    let lowest = indicators.iter().map(|i| i.min).try_fold(f64::INFINITY, |lo, m| m.map(|m| lo.min(m)));
    if let Some(lo) = lowest.filter(|lo| lo.is_finite()) {
        let values = strict(
            DataValidation::new().allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(lo)),
            "Not a value",
            &format!("Type a number, {lo} or more, in the indicator's unit (see How to fill in)."),
        )?;
        sheet.add_data_validation(1, col("value"), ROWS, col("value"), &values)?;
    }
    let deciles = strict(
        DataValidation::new().allow_whole_number(DataValidationRule::Between(1, 10)),
        "Not a SIMD decile",
        "Type a whole number from 1 (most deprived) to 10.",
    )?;
    sheet.add_data_validation(1, col("simd_decile"), ROWS, col("simd_decile"), &deciles)?;
    sheet.autofit();
    sheet.set_column_width(col("indicator"), 30)?;

    let mut help = Worksheet::new();
    help.set_name("How to fill in")?;
    let mut r = 0u32;
    let mut line = |sheet: &mut Worksheet, text: &str, format: Option<&Format>| -> std::result::Result<(), XlsxError> {
        match format {
            Some(f) => sheet.write_string_with_format(r, 0, text, f)?,
            None => sheet.write_string(r, 0, text)?,
        };
        r += 1;
        Ok(())
    };
    line(&mut help, &format!("Return for {} ({})", programme.name, programme.id), Some(&bold))?;
    for text in [
        "One row on the Return sheet for each outcome: a job start, a qualification, an hour volunteered.",
        "organisation, programme, indicator, date and value are needed; choose them from the drop-down lists.",
        "date: the day the outcome happened, within the programme's dates.",
        "value: how many, in the indicator's unit (1 for one job start).",
        "participant: your own reference for the person (never a name): people are counted once by it.",
        "beneficiary_group, area and simd_decile (1 most deprived to 10) describe the person, where known.",
        "evidence: where the proof lives (payslip, certificate, timesheet).",
        "Leave a cell blank if it is not known; do not type 0 for 'not recorded'.",
    ] {
        line(&mut help, text, None)?;
    }
    r += 1;
    for (c, head) in ["indicator", "name", "unit", "what to record"].iter().enumerate() {
        help.write_string_with_format(r, c as u16, *head, &bold)?;
    }
    r += 1;
    for ind in indicators {
        help.write_string(r, 0, &ind.id)?;
        help.write_string(r, 1, &ind.name)?;
        help.write_string(r, 2, &ind.unit)?;
        help.write_string(r, 3, &ind.description)?;
        r += 1;
    }
    help.set_column_width(0, 34)?;
    help.set_column_width(1, 40)?;

    // The records' sheet first: `validate` reads the first sheet.
    book.push_worksheet(sheet);
    book.push_worksheet(help);
    book.push_worksheet(lists);
    book.save_to_buffer()
}
