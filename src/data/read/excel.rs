//! Excel and OpenDocument workbooks, through calamine: a bounded sheet, cells as text
//! as a person reads them, error cells and formulas without a saved result refused.

use super::*;

/// The most cells a sheet's used range may span (rows × columns): 20 million is a
/// full sheet (1,048,576 rows) of 19 columns, or 40 columns of 500k rows. A workbook
/// is held in memory whole, about 120 bytes a cell (2.4 GB at the limit, measured);
/// bigger tables belong in CSV or Parquet, which are read in batches.
pub const MAX_SHEET_CELLS: u64 = 20_000_000;

/// A formula cell saved without its result (written by a program that does not
/// calculate, or saved with calculation off): its value is unknown, not empty.
#[derive(Debug, Clone)]
pub(super) struct UnsavedFormula {
    row: u32,
    column: u32,
    formula: String,
}

/// The sheet's filled cells, read one by one; refused, before anything is allocated
/// for it, when they span more than `MAX_SHEET_CELLS` or number more than that. Also
/// the first formula cell with no saved value, if any.
pub(super) fn bounded_xlsx_range<R: std::io::Read + std::io::Seek>(
    xlsx: &mut calamine::Xlsx<R>,
    sheet: &str,
) -> std::result::Result<(calamine::Range<Data>, Vec<UnsavedFormula>), String> {
    let cannot = |e: calamine::XlsxError| format!("sheet \"{sheet}\" cannot be read: {e}");
    let mut reader = xlsx.worksheet_cells_reader(sheet).map_err(cannot)?;
    let mut cells = Vec::new();
    let mut unsaved = Vec::new();
    let (mut top, mut bottom, mut left, mut right) = (u32::MAX, 0u32, u32::MAX, 0u32);
    while let Some(cell) = reader.next_cell_with_formula().map_err(cannot)? {
        let (r, c) = cell.pos;
        if matches!(cell.value, calamine::DataRef::Empty) {
            if let Some(formula) = cell.formula.filter(|f| !f.trim().is_empty()) {
                unsaved.push(UnsavedFormula { row: r, column: c, formula });
            }
            continue;
        }
        (top, bottom, left, right) = (top.min(r), bottom.max(r), left.min(c), right.max(c));
        let span = (u64::from(bottom - top) + 1) * (u64::from(right - left) + 1);
        if span > MAX_SHEET_CELLS || cells.len() as u64 >= MAX_SHEET_CELLS {
            return Err(format!(
                "sheet \"{sheet}\" has cells from {}{} to {}{}, a range of {span} cells, more than the {} million that can be read",
                column_letter(left as usize),
                top + 1,
                column_letter(right as usize),
                bottom + 1,
                MAX_SHEET_CELLS / 1_000_000
            ));
        }
        cells.push(calamine::Cell::new((r, c), calamine::Data::from(cell.value)));
    }
    Ok((calamine::Range::from_sparse(cells), unsaved))
}

/// A workbook's sheets, in order (for choosing one to read).
pub fn sheet_names(path: &Path) -> Result<Vec<String>> {
    let book = calamine::open_workbook_auto(path).map_err(|e| {
        Error::read(path, format!("not a readable workbook: {e}"))
            .with_hint("open it in Excel and save it again as .xlsx")
    })?;
    Ok(book.sheet_names().to_vec())
}

pub(super) fn read_excel(path: &Path, map: &ColumnMap) -> Result<RawTable> {
    let mut book = calamine::open_workbook_auto(path).map_err(|e| {
        Error::read(path, format!("not a readable workbook: {e}"))
            .with_hint("open it in Excel and save it again as .xlsx")
    })?;
    let sheets = book.sheet_names().to_vec();
    let Some(first) = sheets.first().cloned() else {
        return Err(Error::read(path, "the workbook has no sheets"));
    };
    let sheet = match &map.source.sheet {
        Some(wanted) => sheets.iter().find(|s| s.eq_ignore_ascii_case(wanted)).cloned().ok_or_else(|| {
            Error::read(path, format!("no sheet named \"{wanted}\""))
                .with_hint(format!("the sheets are: {}", quoted_list(&sheets)))
        })?,
        None => first,
    };
    let mut warnings = Vec::new();
    let template = sheets == crate::data::TEMPLATE_SHEETS;
    if map.source.sheet.is_none() && sheets.len() > 1 && !template {
        warnings.push(Diagnostic {
            severity: Severity::Warning,
            check: Check::OtherSheets,
            file: path.display().to_string(),
            row: None,
            column: None,
            value: None,
            message: format!("the workbook has {} sheets; reading the first, \"{sheet}\"", sheets.len()),
            hint: Some(format!(
                "set `sheet` under [source] in a column map to choose one of: {}",
                quoted_list(&sheets)
            )),
        });
    }
    let (range, unsaved) = match &mut book {
        // .xlsx is read cell by cell, so a sheet whose cells span more than a table
        // can hold (one stray cell at XFD1048576) is refused, not allocated.
        calamine::Sheets::Xlsx(xlsx) => bounded_xlsx_range(xlsx, &sheet).map_err(|e| Error::read(path, e))?,
        // .xls and .ods are read whole by the workbook reader: .xls holds at most
        // 65,536 × 256 cells, and calamine stops an .ods at 100 million.
        _ => (
            book.worksheet_range(&sheet)
                .map_err(|e| Error::read(path, format!("sheet \"{sheet}\" cannot be read: {e}")))?,
            Vec::new(),
        ),
    };
    let cells = range.height() as u64 * range.width() as u64;
    if cells > MAX_SHEET_CELLS {
        return Err(Error::read(
            path,
            format!(
                "sheet \"{sheet}\" spans {cells} cells, more than the {} million that can be read",
                MAX_SHEET_CELLS / 1_000_000
            ),
        ));
    }
    let header_abs = map.header_row() - 1; // 0-based sheet row of the headings
    let (top, left) = range.start().map_or((0, 0), |(r, c)| (r as u64, c as usize));
    refuse_formula_trouble(path, &range, &unsaved, (top, left), header_abs)?;
    if range.is_empty() || header_abs < top || header_abs >= top + range.height() as u64 {
        return Err(Error::read(path, format!("sheet \"{sheet}\" has no heading row at row {}", header_abs + 1))
            .with_hint("set `header_row` under [source] in a column map to the row holding the headings"));
    }
    let header_rel = (header_abs - top) as usize;
    let width = range.width();
    let mut headings: Vec<String> = Vec::with_capacity(width);
    let mut letters = HashMap::new();
    for c in 0..width {
        let letter = column_letter(left + c);
        let mut name = range.get((header_rel, c)).and_then(cell_text).unwrap_or_default().trim().to_string();
        if name.is_empty() {
            // Merged or blank heading cells: name them by letter so messages can still point at them.
            name = format!("column {letter}");
        }
        while headings.contains(&name) {
            name = format!("{name} ({letter})");
        }
        letters.insert(name.clone(), letter);
        headings.push(name);
    }
    let mut columns: Vec<Vec<Option<String>>> = vec![Vec::new(); width];
    let mut rows: Vec<i64> = Vec::new();
    for r in header_rel + 1..range.height() {
        let cells: Vec<Option<String>> = (0..width).map(|c| range.get((r, c)).and_then(cell_text)).collect();
        if cells.iter().all(Option::is_none) {
            continue; // blank spreadsheet rows carry no outcome
        }
        for (column, cell) in columns.iter_mut().zip(cells) {
            column.push(cell);
        }
        rows.push((top + r as u64 + 1) as i64);
    }
    let mut cols: Vec<Column> =
        headings.iter().zip(columns).map(|(name, values)| Column::new(name.as_str().into(), values)).collect();
    cols.push(Column::new(ROW.into(), rows));
    let df = DataFrame::new_infer_height(cols)?;
    let labelled = template && map.source.sheet.as_deref().is_none_or(|s| s == crate::data::TEMPLATE_SHEETS[0]);
    Ok(RawTable { path: path.to_path_buf(), df, letters, warnings, labelled })
}

/// Formula cells in the table (at or below the heading row) that hold no value a
/// record could use: an error (`#NAME?`, `#DIV/0!`: the formula failed) or no saved
/// result at all. Read as text they would become an organisation called `#NAME?` or
/// a blank; the workbook must be put right instead.
pub(super) fn refuse_formula_trouble(
    path: &Path,
    range: &calamine::Range<Data>,
    unsaved: &[UnsavedFormula],
    (top, left): (u64, usize),
    header_abs: u64,
) -> Result<()> {
    const LISTED: usize = 5;
    let at = |row: u64, column: usize| format!("{}{}", column_letter(column), row + 1);
    let errors: Vec<String> = range
        .used_cells()
        .filter(|(r, _, _)| top + *r as u64 >= header_abs)
        .filter_map(|(r, c, cell)| match cell {
            Data::Error(e) => Some(format!("{} {e}", at(top + r as u64, left + c))),
            _ => None,
        })
        .collect();
    if !errors.is_empty() {
        let more = errors.len().saturating_sub(LISTED);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        let message = match errors.as_slice() {
            [one] => format!("cell {one} holds a formula's error, not a value"),
            many => format!(
                "{} cells hold a formula's error, not a value: {}{more}",
                many.len(),
                many.iter().take(LISTED).cloned().collect::<Vec<_>>().join(", ")
            ),
        };
        return Err(Error::read(path, message)
            .with_hint("correct the formulas in the workbook (or clear those cells) and save it again"));
    }
    let unsaved: Vec<&UnsavedFormula> = unsaved.iter().filter(|f| u64::from(f.row) >= header_abs).collect();
    if let Some(f) = unsaved.first() {
        let others = if unsaved.len() > 1 {
            format!(" (and {} more formula cells like it)", unsaved.len() - 1)
        } else {
            String::new()
        };
        return Err(Error::read(
            path,
            format!(
                "cell {} holds the formula ={} with no saved result, so its value is unknown{others}",
                at(u64::from(f.row), f.column as usize),
                crate::data::validate::clip(&f.formula)
            ),
        )
        .with_hint(
            "open the workbook in Excel (or LibreOffice), let it calculate, and save it; or paste the column as values",
        ));
    }
    Ok(())
}

/// A cell as text; dates become ISO dates so they parse whatever the map's date format.
pub(super) fn cell_text(cell: &Data) -> Option<String> {
    let text = match cell {
        Data::Empty => return None,
        Data::String(s) => s.clone(),
        Data::Float(f) => format_number(*f),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        // Excel's dates run from serial 1 (1900-01-01) to 2958465 (9999-12-31); any
        // other serial in a date-styled cell is shown as the number it is (the date
        // conversion would panic on some), and refused where a date is wanted.
        Data::DateTime(d) if (0.0..2_958_466.0).contains(&d.as_f64()) => match d.as_datetime() {
            Some(dt) => dt.date().format("%Y-%m-%d").to_string(),
            None => format_number(d.as_f64()),
        },
        Data::DateTime(d) => format_number(d.as_f64()),
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(), // as Excel shows it: #DIV/0!, #N/A, #NAME?
    };
    if text.trim().is_empty() {
        None
    } else {
        Some(text)
    }
}

/// Whole floats print without ".0" (Excel stores every number as a float).
pub fn format_number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}
