//! From a file's own headings to the canonical columns: rename, constants, and
//! melting a wide sheet (one column per indicator) into long form.

use std::collections::HashMap;

use polars::prelude::*;

use super::colmap::ColumnMap;
use super::read::RawTable;
use super::schema::{normalise_heading, FIELDS, ROW};
use crate::diagnostics::{Check, Diagnostic, Severity};
use crate::error::Result;

/// One file in canonical columns (still text where the file had text).
#[derive(Debug)]
pub struct Canonical {
    /// The file's path, as given.
    pub file: String,
    /// Every canonical column (absent optional ones are all-null) plus `__row`.
    pub df: DataFrame,
    /// Canonical column → how to name its source in messages, e.g. `C "Date of outcome"`.
    pub headings: HashMap<&'static str, String>,
    /// For wide sheets: indicator id → the column its values came from.
    pub wide_headings: HashMap<String, String>,
    /// File-level problems (missing columns, warnings from reading).
    pub diagnostics: Vec<Diagnostic>,
    /// False when a required column is missing: the rows cannot be checked.
    pub usable: bool,
}

/// Renames, fills and (for wide files) unpivots one file's table into the canonical columns.
pub fn to_canonical(raw: RawTable, map: Option<&ColumnMap>) -> Result<Canonical> {
    let default_map = ColumnMap::default();
    let map = map.unwrap_or(&default_map);
    let file = raw.path.display().to_string();
    let df = drop_blank_and_note_rows(raw.df, &map.source.skip_rows_starting_with)?;
    let found = Found {
        headings: df.get_column_names().iter().filter(|n| n.as_str() != ROW).map(|n| n.to_string()).collect(),
        letters: &raw.letters,
    };
    let mut diagnostics = raw.warnings;
    let mut missing = Missing { absent: Vec::new(), usable: true };
    let (mut columns, headings) = rename_and_fill(&df, map, &found, &file, &mut diagnostics, &mut missing)?;
    if raw.labelled {
        read_labelled_ids(&mut columns)?;
    }
    read_names_and_labels(&mut columns, map)?;
    columns.push(df.column(ROW)?.clone());
    let base = DataFrame::new(df.height(), columns)?;
    let (df, wide_headings) =
        if map.wide.is_empty() { (base, HashMap::new()) } else { melt_wide(base, &df, map, &found, &mut missing)? };
    if !missing.absent.is_empty() {
        diagnostics.push(missing_columns(&missing.absent, &found.headings, found.wrong_separator(), map, &file));
    }
    Ok(Canonical { file, df, headings, wide_headings, diagnostics, usable: missing.usable })
}

/// The headings a file has, and how to name them in messages.
struct Found<'a> {
    headings: Vec<String>,
    /// Heading → spreadsheet column letter.
    letters: &'a HashMap<String, String>,
}

impl Found<'_> {
    /// A heading as a message names it: `C "Date of outcome"`.
    fn display(&self, heading: &str) -> String {
        match self.letters.get(heading) {
            Some(letter) => format!("{letter} \"{heading}\""),
            None => format!("\"{heading}\""),
        }
    }

    /// The file's heading that reads as `wanted` (case, spaces and punctuation aside).
    fn find(&self, wanted: &str) -> Option<String> {
        let w = normalise_heading(wanted);
        self.headings.iter().find(|h| normalise_heading(h) == w).cloned()
    }

    /// One heading holding separators means the file was split on the wrong character.
    fn wrong_separator(&self) -> Option<char> {
        match self.headings.as_slice() {
            [only] => [';', '\t', '|', ','].into_iter().find(|c| only.contains(*c)),
            _ => None,
        }
    }
}

/// Columns not found, each with its hint (said in one message), and whether the rows
/// can still be checked.
struct Missing {
    absent: Vec<(String, String)>,
    usable: bool,
}

/// Every canonical column but a wide sheet's indicator and value: the file's column
/// under its canonical name, the map's constant, or all-null when the file has none.
/// Returns the columns and how to name each in messages.
fn rename_and_fill(
    df: &DataFrame,
    map: &ColumnMap,
    found: &Found,
    file: &str,
    diagnostics: &mut Vec<Diagnostic>,
    missing: &mut Missing,
) -> Result<(Vec<Column>, HashMap<&'static str, String>)> {
    let wide = !map.wide.is_empty();
    let height = df.height();
    let mut headings = HashMap::new();
    let mut columns: Vec<Column> = Vec::new();
    for field in FIELDS {
        let melted = wide && matches!(field.name, "indicator" | "value");
        if melted {
            continue;
        }
        if let Some(value) = map.constants.get(field.name) {
            let one = Series::new(field.name.into(), [value.as_str()]);
            columns.push(one.new_from_index(0, height).into_column());
            headings.insert(field.name, format!("`{}` (constant in the column map)", field.name));
            continue;
        }
        let wanted = map.heading_for(field.name);
        // Two headings that both read as this column: which one is meant is a guess.
        let all: Vec<&String> = found
            .headings
            .iter()
            .filter(|h| normalise_heading(as_headed(h)) == normalise_heading(wanted.unwrap_or(field.name)))
            .collect();
        if all.len() > 1 {
            missing.usable = false;
            diagnostics.push(Diagnostic {
                severity: Severity::Error,
                check: Check::AmbiguousColumn,
                file: file.to_string(),
                row: None,
                column: None,
                value: None,
                message: format!(
                    "{} columns are headed as `{}`: {}",
                    all.len(),
                    field.name,
                    all.iter()
                        .map(|h| found.display(h).replace(h.as_str(), as_headed(h)))
                        .collect::<Vec<_>>()
                        .join(" and ")
                ),
                hint: Some("keep one of them, or rename the other".into()),
            });
        }
        match found.find(wanted.unwrap_or(field.name)) {
            Some(heading) => {
                let mut c = df.column(&heading)?.clone();
                c.rename(field.name.into());
                headings.insert(field.name, found.display(&heading));
                columns.push(c);
            }
            None => {
                if let Some(w) = wanted {
                    missing.usable &= !field.required;
                    missing.absent.push((
                        format!("\"{w}\" (mapped to `{}`)", field.name),
                        "fix the heading in the column map, or the heading in the file".into(),
                    ));
                } else if field.required {
                    missing.usable = false;
                    let near = crate::base::suggest::nearest(field.name, found.headings.iter().map(String::as_str));
                    missing.absent.push((
                        format!("`{}`", field.name),
                        match near {
                            Some(n) => format!(
                                "is \"{n}\" the {} column? map it with --map: [columns] {} = \"{n}\"",
                                field.name, field.name
                            ),
                            None => String::new(),
                        },
                    ));
                }
                columns.push(Column::full_null(field.name.into(), height, &DataType::String));
            }
        }
    }
    Ok((columns, headings))
}

/// A wide sheet (one column per indicator, the map's `[wide]`) as one record per
/// non-blank cell: `base` (every other column) repeated under each indicator.
/// Returns the records and, per indicator, the heading its values came from.
fn melt_wide(
    base: DataFrame,
    df: &DataFrame,
    map: &ColumnMap,
    found: &Found,
    missing: &mut Missing,
) -> Result<(DataFrame, HashMap<String, String>)> {
    let height = df.height();
    let mut wide_headings = HashMap::new();
    let mut parts: Vec<DataFrame> = Vec::new();
    for (heading, id) in &map.wide {
        let Some(source) = found.find(heading) else {
            missing.usable = false;
            missing.absent.push((
                format!("\"{heading}\" (the wide column for `{id}`)"),
                "fix the [wide] heading in the column map".to_string(),
            ));
            continue;
        };
        wide_headings.insert(id.clone(), found.display(&source));
        let values = df.column(&source)?.cast(&DataType::String)?;
        // A blank cell in a wide sheet means nothing was recorded for that indicator.
        let recorded =
            values.str()?.iter().map(|v| v.is_some_and(|s| !s.trim().is_empty())).collect::<BooleanChunked>();
        let mut part = base.clone();
        part.with_column(Series::new("indicator".into(), [id.as_str()]).new_from_index(0, height).into_column())?;
        let mut v = values;
        v.rename("value".into());
        part.with_column(v)?;
        parts.push(part.filter(&recorded)?);
    }
    let order: Vec<&str> = FIELDS.iter().map(|f| f.name).chain([ROW]).collect();
    let mut out = DataFrame::empty();
    for part in parts {
        let part = part.select(order.iter().copied())?;
        if out.width() == 0 {
            out = part;
        } else {
            out.vstack_mut(&part)?;
        }
    }
    let out = if out.width() == 0 {
        base.select(order.iter().copied().filter(|c| !matches!(*c, "indicator" | "value")))?
    } else {
        out
    };
    Ok((out, wide_headings))
}

/// The columns a return template's drop-downs write as "Name (id)".
const LABELLED: [&str; 4] = ["organisation", "programme", "indicator", "area"];

/// A return template's "Fàilte Works (ORG02)" read as ORG02 (the id in the last
/// brackets), in its id columns.
fn read_labelled_ids(columns: &mut [Column]) -> Result<()> {
    for column in columns.iter_mut().filter(|c| LABELLED.contains(&c.name().as_str())) {
        let text = column.cast(&DataType::String)?;
        let read: Vec<Option<String>> = text.str()?.iter().map(|v| v.map(|v| id_of_label(v).to_string())).collect();
        *column = Column::new(column.name().clone(), read);
    }
    Ok(())
}

/// The id of a label "Name (id)"; any other text as it is.
fn id_of_label(text: &str) -> &str {
    let t = text.trim();
    match t.strip_suffix(')').and_then(|rest| rest.rsplit_once(" (")) {
        Some((name, id)) if !name.trim().is_empty() && !id.is_empty() && !id.contains(['(', ')']) => id.trim(),
        _ => text,
    }
}

/// Names and aliases from the map's name tables read as their ids ("Fàilte Works" is
/// ORG02), and category labels the map reads as another; other values as written.
fn read_names_and_labels(columns: &mut [Column], map: &ColumnMap) -> Result<()> {
    // Names and aliases from the map's name tables read as their ids ("Fàilte Works"
    // is ORG02); other values are kept as written.
    for column in columns.iter_mut() {
        let Some(ids) = map.name_ids.get(column.name().as_str()) else { continue };
        let text = column.cast(&DataType::String)?;
        let resolved: Vec<Option<String>> = text
            .str()?
            .iter()
            .map(|v| v.map(|v| ids.get(&v.trim().to_lowercase()).cloned().unwrap_or_else(|| v.to_string())))
            .collect();
        *column = Column::new(column.name().clone(), resolved);
    }
    // Category labels the map reads as another.
    if !map.labels.is_empty() {
        let labels: HashMap<String, &str> =
            map.labels.iter().map(|(k, v)| (k.trim().to_lowercase(), v.as_str())).collect();
        for column in columns.iter_mut().filter(|c| super::labels::CATEGORY_COLUMNS.contains(&c.name().as_str())) {
            let text = column.cast(&DataType::String)?;
            let read: Vec<Option<String>> = text
                .str()?
                .iter()
                .map(|v| {
                    v.map(|v| labels.get(&v.trim().to_lowercase()).map_or_else(|| v.to_string(), |l| l.to_string()))
                })
                .collect();
            *column = Column::new(column.name().clone(), read);
        }
    }
    Ok(())
}

/// One error for every missing column, with the hints that apply: a likely heading
/// for each, a shared suggestion for the rest, or, when the heading row itself looks
/// wrong, the map setting that fixes it.
fn missing_columns(
    absent: &[(String, String)],
    found: &[String],
    wrong_separator: Option<char>,
    map: &ColumnMap,
    file: &str,
) -> Diagnostic {
    let names: Vec<&str> = absent.iter().map(|(c, _)| c.as_str()).collect();
    let mut hints: Vec<&str> = absent.iter().map(|(_, h)| h.as_str()).filter(|h| !h.is_empty()).collect();
    hints.dedup();
    // Columns with no likely heading get one shared suggestion.
    let unmatched: Vec<&str> = absent.iter().filter(|(_, h)| h.is_empty()).map(|(c, _)| c.as_str()).collect();
    let shared = match unmatched.as_slice() {
        [] => None,
        [one] => Some(format!(
            "add a {one} column, or map one of your headings to it with --map ([columns] {} = \"Your heading\")",
            one.trim_matches('`')
        )),
        many => Some(format!(
            "add columns {}, or map your headings to them with --map (see \"Column maps\" in the README)",
            many.join(", ")
        )),
    };
    hints.extend(shared.as_deref());
    // Mostly unnamed columns: the heading row read was a title or a blank row.
    let unnamed = found.iter().filter(|h| h.starts_with("column ")).count();
    let title_row = unnamed * 2 > found.len();
    let hint = match wrong_separator {
        None if title_row => format!(
            "row {} looks like a title, not headings: set `header_row` under [source] in a column map to the row that holds them",
            map.header_row()
        ),
        Some(c) => format!(
            "the heading row is one column containing `{}`: the file seems to use that separator; set `delimiter` under [source] in a column map",
            if c == '\t' { "tab".to_string() } else { c.to_string() }
        ),
        None => hints.join("; "),
    };
    Diagnostic {
        severity: Severity::Error,
        check: Check::MissingColumn,
        file: file.to_string(),
        row: None,
        column: None,
        value: None,
        message: format!(
            "missing column{} {}; the columns found are: {}",
            if names.len() > 1 { "s" } else { "" },
            names.join(", "),
            found.join(", ")
        ),
        hint: Some(hint),
    }
}

/// A heading as the file has it: the reader renames a repeated heading
/// `NAME_duplicated_N`, which the user never wrote.
pub(crate) fn as_headed(heading: &str) -> &str {
    match heading.rsplit_once("_duplicated_") {
        Some((base, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => base,
        _ => heading,
    }
}

/// Drop rows with no cells at all, and notes/total rows whose first filled text
/// cell starts with one of `prefixes` (compared ignoring case).
fn drop_blank_and_note_rows(df: DataFrame, prefixes: &[String]) -> Result<DataFrame> {
    let text_cols: Vec<Expr> = df
        .columns()
        .iter()
        .filter(|c| c.name().as_str() != ROW && c.dtype() == &DataType::String)
        .map(|c| col(c.name().clone()))
        .collect();
    if text_cols.is_empty() {
        return Ok(df);
    }
    // Typed columns come from Parquet, which has no blank or notes rows to drop.
    let has_typed = text_cols.len() + 1 < df.width();
    if prefixes.is_empty() {
        if has_typed {
            return Ok(df);
        }
        // Only blank rows to drop. A column with no gaps (the record ids, usually)
        // settles it with no look at the rows: a query per batch cost a tenth of the
        // checks of one report's file.
        if df.columns().iter().any(|c| c.name().as_str() != ROW && c.null_count() == 0) {
            return Ok(df);
        }
        let blank = all_horizontal(text_cols.iter().map(|c| c.clone().is_null()).collect::<Vec<_>>())?;
        let blanks = df.clone().lazy().select([blank.clone().sum().alias("n")]).collect()?;
        if blanks.column("n")?.cast(&DataType::UInt64)?.u64()?.get(0).unwrap_or(0) == 0 {
            return Ok(df);
        }
        return Ok(df.lazy().filter(blank.not()).collect()?);
    }
    let first_text = df.clone().lazy().select([coalesce(&text_cols).alias("first")]).collect()?;
    let lowered: Vec<String> = prefixes.iter().map(|p| p.to_lowercase()).collect();
    let keep: BooleanChunked = first_text
        .column("first")?
        .str()?
        .iter()
        .map(|first| match first {
            None => has_typed,
            Some(text) => {
                let t = text.trim().to_lowercase();
                !lowered.iter().any(|p| t.starts_with(p.as_str()))
            }
        })
        .collect();
    Ok(df.filter(&keep)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(columns: &[(&str, &[Option<&str>])]) -> DataFrame {
        let height = columns[0].1.len();
        let mut cols: Vec<Column> =
            columns.iter().map(|(name, cells)| Column::new((*name).into(), cells.to_vec())).collect();
        cols.push(Column::new(ROW.into(), (2..2 + height as i64).collect::<Vec<i64>>()));
        DataFrame::new(height, cols).unwrap()
    }

    #[test]
    fn only_rows_blank_in_every_column_are_dropped() {
        // Every column has a gap, but only row 4 is blank throughout.
        let df = table(&[("a", &[Some("x"), None, None, Some("y")]), ("b", &[None, Some("z"), None, Some("w")])]);
        let kept = drop_blank_and_note_rows(df, &[]).unwrap();
        let rows: Vec<i64> = kept.column(ROW).unwrap().i64().unwrap().into_no_null_iter().collect();
        assert_eq!(rows, [2, 3, 5]);
        // A column with no gaps means no row is blank: all kept.
        let df = table(&[("a", &[Some("x"), Some("v"), Some("u")]), ("b", &[None, None, None])]);
        assert_eq!(drop_blank_and_note_rows(df, &[]).unwrap().height(), 3);
    }
}
