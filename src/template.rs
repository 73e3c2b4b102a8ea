//! Partner return templates: the Excel workbook a funder sends to its delivery
//! partners, laid out as canonical records so a filled-in return validates with no
//! column map. Drop-down lists (data validation) hold the programme's indicators, its
//! partners, beneficiary groups, areas, genders and age bands (ids shown with their
//! names, "Fàilte Works (ORG02)", read back as the id); dates, deciles and each value
//! against its own indicator are checked as they are typed; a second sheet says how to
//! fill in every column.

use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, ExcelDateTime, Format, Formula, Workbook, Worksheet,
    XlsxError,
};

use crate::data::tables::{Programme, Tables};
use crate::error::{Error, Result};
use crate::indicator::{Indicator, Library};

/// The sheet a return's records go in (the first, which `validate` reads).
pub const DATA_SHEET: &str = crate::data::TEMPLATE_SHEETS[0];
/// The sheet that says how to fill it in.
const HELP_SHEET: &str = crate::data::TEMPLATE_SHEETS[1];
/// The sheet of the drop-downs' choices.
const LISTS_SHEET: &str = crate::data::TEMPLATE_SHEETS[2];
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
    /// The gender and age band choices.
    pub lists: Lists,
}

/// The choices of the gender and age band drop-downs: the standard sets
/// (`data::schema::GENDERS`, `AGE_BANDS`) unless a project's `[lists]` says otherwise.
#[derive(Debug, Clone)]
pub struct Lists {
    /// Gender choices.
    pub gender: Vec<String>,
    /// Age band choices.
    pub age_band: Vec<String>,
}

impl Default for Lists {
    fn default() -> Self {
        Lists {
            gender: crate::data::schema::GENDERS.iter().map(|s| s.to_string()).collect(),
            age_band: crate::data::schema::AGE_BANDS.iter().map(|s| s.to_string()).collect(),
        }
    }
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
    let chosen: Vec<&str> = match ask.organisation {
        Some(o) if partners.contains(&o) => vec![o],
        Some(o) => {
            return Err(Error::usage(format!("`{o}` is not a delivery partner of {}", programme.id))
                .with_hint(format!("its partners: {}", partners.join(", "))))
        }
        None => partners,
    };
    let organisations: Vec<(&str, &str)> = chosen
        .iter()
        .map(|id| (*id, tables.organisations.iter().find(|o| o.id == *id).map_or("", |o| o.name.as_str())))
        .collect();
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
        .chain(organisations.iter().flat_map(|(id, name)| [("organisation", *id), ("organisation name", *name)]))
        .chain(ask.areas.iter().flat_map(|(c, n)| [("area", c.as_str()), ("area name", n.as_str())]))
        .chain(programme.groups.iter().map(|g| ("beneficiary group", g.as_str())));
    for (what, text) in texts {
        crate::output::fits_a_cell(text, what)?;
    }
    build(programme, &organisations, &indicators, &ask.areas, &ask.lists).map_err(|e| match e {
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
    organisations: &[(&str, &str)],
    indicators: &[&Indicator],
    areas: &[(String, String)],
    lists: &Lists,
) -> std::result::Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    // A fixed creation date: the same tables give the same bytes.
    book.set_properties(
        &rust_xlsxwriter::DocProperties::new().set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?),
    );
    let bold = Format::new().set_bold();

    // The lists the drop-downs read (a list typed into a validation is limited to 255
    // characters and split at commas; a range of this sheet is not). Ids show with
    // their names, "Fàilte Works (ORG02)", and are read back as the id.
    let mut sheet_of_lists = Worksheet::new();
    sheet_of_lists.set_name(LISTS_SHEET)?;
    let labelled =
        |name: &str, id: &str| if name.is_empty() || name == id { id.to_string() } else { format!("{name} ({id})") };
    let indicator_labels: Vec<String> = indicators.iter().map(|i| labelled(&i.name, &i.id)).collect();
    let organisation_labels: Vec<String> = organisations.iter().map(|(id, name)| labelled(name, id)).collect();
    let area_labels: Vec<String> = areas.iter().map(|(code, name)| labelled(name, code)).collect();
    let programme_labels = vec![labelled(&programme.name, &programme.id)];
    let columns: Vec<(&str, Vec<String>)> = vec![
        ("indicator", indicator_labels),
        ("organisation", organisation_labels),
        ("beneficiary_group", programme.groups.clone()),
        ("area", area_labels),
        ("programme", programme_labels),
        ("gender", lists.gender.clone()),
        ("age_band", lists.age_band.clone()),
    ];
    for (c, (name, values)) in columns.iter().enumerate() {
        sheet_of_lists.write_string_with_format(0, c as u16, *name, &bold)?;
        for (r, v) in values.iter().enumerate() {
            sheet_of_lists.write_string(r as u32 + 1, c as u16, v)?;
        }
    }
    // Each indicator's least value and whether it counts whole things, beside its
    // label, for the value check.
    let (min_col, whole_col) = (columns.len() as u16, columns.len() as u16 + 1);
    sheet_of_lists.write_string_with_format(0, min_col, "least value", &bold)?;
    sheet_of_lists.write_string_with_format(0, whole_col, "whole numbers", &bold)?;
    for (r, ind) in indicators.iter().enumerate() {
        sheet_of_lists.write_number(r as u32 + 1, min_col, ind.min.unwrap_or(-1e300))?;
        sheet_of_lists.write_number(r as u32 + 1, whole_col, if ind.integer { 1.0 } else { 0.0 })?;
    }
    sheet_of_lists.autofit();

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
    let letter = |c: u16| rust_xlsxwriter::utility::column_number_to_name(c);
    for (c, (name, values)) in columns.iter().enumerate() {
        if values.is_empty() {
            continue;
        }
        let l = letter(c as u16);
        let range = Formula::new(format!("=Lists!${l}$2:${l}${}", values.len() + 1));
        let article = crate::base::text::with_article(&name.replace('_', " "));
        let v = strict(
            DataValidation::new().allow_list_formula(range),
            &clip(&format!("Not {article} listed"), 32),
            &clip(&format!("Choose {article} from the list (the Lists sheet)."), 255),
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
    // Each value against its own indicator: at least the indicator's least value, and
    // whole where it counts whole things (looked up by the row's indicator).
    let (ind, val) = (letter(col("indicator")), letter(col("value")));
    let rows = indicators.len() + 1;
    let table = format!("Lists!$A$2:${}${rows}", letter(whole_col));
    let (min_at, whole_at) = (min_col + 1, whole_col + 1);
    let rule = format!(
        "=AND(ISNUMBER({val}2),{val}2>=IFERROR(VLOOKUP(${ind}2,{table},{min_at},FALSE),-1E+300),OR(IFERROR(VLOOKUP(${ind}2,{table},{whole_at},FALSE),0)=0,{val}2=INT({val}2)))"
    );
    let values = strict(
        DataValidation::new().allow_custom(Formula::new(rule)),
        "Not a value for this indicator",
        "Type a number in the indicator's unit: at least its least value, and a whole number for a count (see How to fill in).",
    )?;
    sheet.add_data_validation(1, col("value"), ROWS, col("value"), &values)?;
    let deciles = strict(
        DataValidation::new().allow_whole_number(DataValidationRule::Between(1, 10)),
        "Not a SIMD decile",
        "Type a whole number from 1 (most deprived) to 10.",
    )?;
    sheet.add_data_validation(1, col("simd_decile"), ROWS, col("simd_decile"), &deciles)?;
    // Widths that fit the headings and the longest choice of each list.
    for (c, name) in columns_of_return.iter().enumerate() {
        let longest = columns
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0, |(_, v)| v.iter().map(|t| t.chars().count()).max().unwrap_or(0));
        let width = name.len().max(longest).max(if *name == "date" { 11 } else { 8 }) + 2;
        sheet.set_column_width(c as u16, width.min(60) as f64)?;
    }

    let mut help = Worksheet::new();
    help.set_name(HELP_SHEET)?;
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
    line(
        &mut help,
        "One row on the Return sheet for each outcome: a job start, a qualification, an hour volunteered.",
        None,
    )?;
    line(&mut help, "Leave a cell blank if it is not known; do not type 0 for 'not recorded'.", None)?;
    r += 1;
    for (c, head) in ["column", "needed", "what to write"].iter().enumerate() {
        help.write_string_with_format(r, c as u16, *head, &bold)?;
    }
    r += 1;
    for (column, needed, what) in [
        (
            "record_id",
            "no",
            "Your own reference for the row, if you keep one (each row's different): it catches a row sent twice.",
        ),
        ("organisation", "yes", "Your organisation: choose it from the list."),
        ("programme", "yes", "The programme: choose it from the list."),
        ("indicator", "yes", "What happened: choose it from the list (the indicators are explained below)."),
        ("date", "yes", "The day it happened, within the programme's dates (YYYY-MM-DD)."),
        ("value", "yes", "How many, in the indicator's unit (1 for one job start; hours for hours)."),
        (
            "participant",
            "for people",
            "Your own reference for the person (never a name): people are counted once by it, and followed up by it.",
        ),
        ("beneficiary_group", "if known", "The group the person belongs to: choose from the list."),
        ("gender", "if known", "As the person describes themselves: choose from the list."),
        ("age_band", "if known", "The person's age band when it happened: choose from the list."),
        ("area", "if known", "Where the person lives (council area): choose from the list, or type its code."),
        ("simd_decile", "if known", "SIMD decile of the person's home postcode, 1 (most deprived) to 10."),
        ("evidence", "if known", "Where the proof lives (payslip, certificate, timesheet)."),
    ] {
        help.write_string(r, 0, column)?;
        help.write_string(r, 1, needed)?;
        help.write_string(r, 2, what)?;
        r += 1;
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
    help.set_column_width(2, 24)?;

    // The records' sheet first: `validate` reads the first sheet.
    book.push_worksheet(sheet);
    book.push_worksheet(help);
    book.push_worksheet(sheet_of_lists);
    book.save_to_buffer()
}
