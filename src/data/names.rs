//! Name tables (organisations, programmes, areas): an `id` (or `code`) and a `name`
//! per row, with optional `aliases` (separated by `;`). Read by reports (display
//! names), column maps (names in a return read as ids) and return templates (areas).

use std::path::Path;

use polars::prelude::*;

use super::schema::{normalise_heading, ROW};
use crate::error::{Error, Result};

/// One row of a name table, trimmed; rows with no id are left out.
#[derive(Debug, Clone, PartialEq)]
pub struct NameRow {
    /// The id used in records.
    pub id: String,
    /// The display name, when the table gives one.
    pub name: Option<String>,
    /// Other ways returns write the same unit.
    pub aliases: Vec<String>,
    /// The row as a spreadsheet shows it.
    pub row: i64,
}

/// Reads a name table (CSV: id or code, name, aliases).
pub fn read_names(path: &Path) -> Result<Vec<NameRow>> {
    let df = super::read::read_table(path, None)?.df;
    let find = |wanted: &[&str]| {
        df.get_column_names().into_iter().find(|h| wanted.contains(&normalise_heading(h).as_str())).cloned()
    };
    let (Some(id), Some(name)) = (find(&["id", "code"]), find(&["name"])) else {
        return Err(Error::read(path, "a names table needs an `id` (or `code`) column and a `name` column"));
    };
    let text = |c: &PlSmallStr| -> Result<Vec<Option<String>>> {
        Ok(df
            .column(c)?
            .cast(&DataType::String)?
            .str()?
            .iter()
            .map(|v| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()))
            .collect())
    };
    let (ids, names) = (text(&id)?, text(&name)?);
    let id_heading = id.clone();
    let aliases = match find(&["aliases", "alias"]) {
        Some(a) => text(&a)?,
        None => vec![None; df.height()],
    };
    let rows = df.column(ROW)?.i64()?.clone();
    // An id given twice would take one of its names silently: refused, naming both rows.
    let mut first_row: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    for (i, id) in ids.iter().enumerate() {
        let Some(id) = id else { continue };
        let row = rows.get(i).unwrap_or(0);
        if let Some(first) = first_row.insert(id, row) {
            return Err(Error::read(
                path,
                format!(
                    "row {row}, column `{id_heading}`: id \"{}\" is already given in row {first}",
                    crate::output::escape_controls(id)
                ),
            )
            .with_hint(
                "give each id one row; put other ways of writing its name in an `aliases` column (separated by ;)",
            ));
        }
    }
    Ok((0..df.height())
        .filter_map(|i| {
            Some(NameRow {
                id: ids[i].clone()?,
                name: names[i].clone(),
                aliases: aliases[i]
                    .iter()
                    .flat_map(|a| a.split(';'))
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
                row: rows.get(i).unwrap_or(0),
            })
        })
        .collect())
}
