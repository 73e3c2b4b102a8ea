//! Name tables (organisations, programmes, areas): an `id` (or `code`) and a `name`
//! per row, with optional `aliases` (separated by `;`). Read by reports (display
//! names), column maps (names in a return read as ids) and return templates (areas).

use std::path::Path;

use super::side::SideTable;
use crate::error::Result;

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

/// Reads a name table (CSV: id or code, name, aliases), strictly (see `side`): an
/// id given twice is refused; a row with a name but no id is refused.
pub fn read_names(path: &Path) -> Result<Vec<NameRow>> {
    let table = SideTable::load(path)?;
    let id = if table.has("id") { "id" } else { "code" };
    table.require(
        &[id, "name"],
        "a names table has an `id` (or `code`) column, a `name` column and optional `aliases` (separated by ;)",
    )?;
    table.unique(id)?;
    let aliases = if table.has("aliases") { "aliases" } else { "alias" };
    (0..table.len())
        .map(|i| {
            Ok(NameRow {
                id: table.text(i, id)?,
                name: table.optional(i, "name").map(str::to_string),
                aliases: table.list(i, aliases),
                row: table.row_number(i),
            })
        })
        .collect()
}
