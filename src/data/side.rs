//! Side tables (organisations, programmes, areas, targets, commitments): read as
//! strictly as the data. A cell that cannot be read (a date such as 31/02/2022, an
//! amount such as "tbc", a blank where a value is needed) is refused with its file,
//! row and column, never dropped: a programme whose start was dropped would be charged
//! its whole investment in one year. Rows blank in every cell are passed over; an id
//! given in two rows is refused.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use polars::prelude::*;

use super::parse::{parse_amount, parse_date, DateProblem};
use super::read::read_table;
use super::schema::{column_letter, normalise_heading, ROW};
use crate::error::{Error, Result};

/// A side table's cells as text, trimmed (blank cells absent), by row.
#[derive(Debug, Clone)]
pub struct SideTable {
    path: PathBuf,
    /// Normalised heading → (the heading as written, its column letter).
    headings: HashMap<String, (String, String)>,
    /// The headings as written, in the file's order.
    order: Vec<String>,
    /// (spreadsheet row, normalised heading → text) for every row with a cell filled.
    rows: Vec<(i64, HashMap<String, String>)>,
}

impl SideTable {
    /// Reads a table (CSV or workbook) that must have the `required` columns (matched
    /// as data headings are: ignoring case, spaces and dashes); `what` names the table
    /// and what its columns are, for the message when one is missing.
    pub fn read(path: &Path, required: &[&str], what: &str) -> Result<SideTable> {
        let table = SideTable::load(path)?;
        table.require(required, what)?;
        Ok(table)
    }

    /// Refuse a table without every one of the `required` columns; `what` says what
    /// its columns are.
    pub fn require(&self, required: &[&str], what: &str) -> Result<()> {
        match required.iter().find(|r| !self.headings.contains_key(**r)) {
            None => Ok(()),
            Some(r) => Err(Error::read(
                &self.path,
                format!("missing column `{r}`; the columns found are: {}", self.order.join(", ")),
            )
            .with_hint(what.to_string())),
        }
    }

    /// Reads a table whatever its columns (see `require`).
    pub fn load(path: &Path) -> Result<SideTable> {
        let raw = read_table(path, None)?;
        let df = raw.df;
        let names: Vec<String> = df.get_column_names().iter().map(|n| n.to_string()).filter(|n| n != ROW).collect();
        let headings: HashMap<String, (String, String)> = names
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let letter = raw.letters.get(h).cloned().unwrap_or_else(|| column_letter(i));
                (normalise_heading(h), (h.clone(), letter))
            })
            .collect();
        let numbers: Vec<i64> = df.column(ROW)?.i64()?.iter().map(|r| r.unwrap_or(0)).collect();
        let mut rows: Vec<(i64, HashMap<String, String>)> = numbers.iter().map(|r| (*r, HashMap::new())).collect();
        for h in &names {
            let values = df.column(h)?.cast(&DataType::String)?;
            for (i, v) in values.str()?.iter().enumerate() {
                if let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) {
                    rows[i].1.insert(normalise_heading(h), v.to_string());
                }
            }
        }
        rows.retain(|(_, cells)| !cells.is_empty());
        Ok(SideTable { path: path.to_path_buf(), headings, order: names, rows })
    }

    /// The number of rows (with at least one cell filled).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Whether the table has the column.
    pub fn has(&self, column: &str) -> bool {
        self.headings.contains_key(column)
    }

    /// Row `i`'s number as a spreadsheet shows it.
    pub fn row_number(&self, i: usize) -> i64 {
        self.rows[i].0
    }

    /// The file read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// An error about row `i`'s cell in `column`, naming the file, row and column.
    pub fn error(&self, i: usize, column: &str, message: impl std::fmt::Display) -> Error {
        let place = match self.headings.get(column) {
            Some((heading, letter)) => format!("column {letter} \"{heading}\""),
            None => format!("column `{column}`"),
        };
        Error::read(&self.path, format!("row {}, {place}: {message}", self.rows[i].0))
    }

    /// Row `i`'s text in `column`, if filled.
    pub fn optional(&self, i: usize, column: &str) -> Option<&str> {
        self.rows[i].1.get(column).map(String::as_str)
    }

    /// Row `i`'s text in `column`: a blank is refused.
    pub fn text(&self, i: usize, column: &str) -> Result<String> {
        self.optional(i, column).map(str::to_string).ok_or_else(|| self.error(i, column, "no value given"))
    }

    /// Row `i`'s `;`-separated list in `column` (empty when blank).
    pub fn list(&self, i: usize, column: &str) -> Vec<String> {
        self.optional(i, column)
            .map_or_else(Vec::new, |v| v.split(';').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
    }

    /// Row `i`'s date in `column` (ISO, or DD/MM/YYYY as UK spreadsheets write it),
    /// if filled; a cell that is not a real date is refused.
    pub fn optional_date(&self, i: usize, column: &str) -> Result<Option<NaiveDate>> {
        let Some(t) = self.optional(i, column) else { return Ok(None) };
        parse_date(t, Some("%d/%m/%Y")).map(Some).map_err(|problem| {
            let why = match problem {
                DateProblem::Impossible => "is not a real date",
                _ => "is not a date",
            };
            self.error(i, column, format!("\"{}\" {why}", crate::output::escape_controls(t)))
                .with_hint("write dates as YYYY-MM-DD (or DD/MM/YYYY); check the day and month")
        })
    }

    /// Row `i`'s date in `column`: a blank is refused.
    pub fn date(&self, i: usize, column: &str) -> Result<NaiveDate> {
        self.optional_date(i, column)?.ok_or_else(|| self.error(i, column, "no date given"))
    }

    /// Row `i`'s amount in `column` (`£1,200` is fine), if filled: a cell that is not
    /// a number, or is negative, is refused.
    pub fn optional_amount(&self, i: usize, column: &str) -> Result<Option<f64>> {
        let Some(t) = self.optional(i, column) else { return Ok(None) };
        match parse_amount(t) {
            Some(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
            Some(v) if v.is_finite() => Err(self.error(i, column, format!("{v} is below 0"))),
            _ => Err(self
                .error(i, column, format!("\"{}\" is not a number", crate::output::escape_controls(t)))
                .with_hint("write a number such as 1200, 1200.50 or £1,200")),
        }
    }

    /// Row `i`'s number in `column` (any sign), if filled: a cell that is not a number
    /// is refused.
    pub fn optional_number(&self, i: usize, column: &str) -> Result<Option<f64>> {
        let Some(t) = self.optional(i, column) else { return Ok(None) };
        match parse_amount(t).filter(|v| v.is_finite()) {
            Some(v) => Ok(Some(v)),
            None => Err(self
                .error(i, column, format!("\"{}\" is not a number", crate::output::escape_controls(t)))
                .with_hint("write a number such as 12 or 1200.50")),
        }
    }

    /// Row `i`'s amount in `column`: a blank is refused.
    pub fn amount(&self, i: usize, column: &str) -> Result<f64> {
        self.optional_amount(i, column)?.ok_or_else(|| self.error(i, column, "no value given"))
    }

    /// Refuse an id given in two rows (which one's name or investment would count?).
    pub fn unique(&self, column: &str) -> Result<()> {
        let mut first: HashMap<&str, i64> = HashMap::new();
        for (i, (row, cells)) in self.rows.iter().enumerate() {
            let Some(id) = cells.get(column) else { continue };
            if let Some(earlier) = first.insert(id, *row) {
                return Err(self
                    .error(i, column, format!("id \"{}\" is already given in row {earlier}", crate::output::escape_controls(id)))
                    .with_hint("give each id one row; put other ways of writing its name in an `aliases` column (separated by ;)"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> (tempfile::TempDir, SideTable) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).unwrap();
        let t = SideTable::read(&path, &["id"], "a table of ids").unwrap();
        (dir, t)
    }

    #[test]
    fn unreadable_cells_are_refused_with_their_row_and_column() {
        let (_d, t) = table("id,start,investment\nP1,31/02/2022,tbc\nP2,01/04/2022,\"£1,200\"\n,,\n");
        assert_eq!(t.len(), 2, "the blank row is passed over");
        let err = t.optional_date(0, "start").unwrap_err().to_string();
        assert!(err.ends_with("row 2, column B \"start\": \"31/02/2022\" is not a real date"), "{err}");
        let err = t.optional_amount(0, "investment").unwrap_err().to_string();
        assert!(err.contains("row 2, column C \"investment\": \"tbc\" is not a number"), "{err}");
        assert_eq!(t.optional_date(1, "start").unwrap(), NaiveDate::from_ymd_opt(2022, 4, 1));
        assert_eq!(t.optional_date(0, "end").unwrap(), None);
        assert!(t.text(0, "end").is_err());
    }

    #[test]
    fn an_id_twice_is_refused() {
        let (_d, t) = table("id,name\nA,One\nB,Two\nA,Three\n");
        let err = t.unique("id").unwrap_err().to_string();
        assert!(err.contains("row 4, column A \"id\": id \"A\" is already given in row 2"), "{err}");
    }
}
