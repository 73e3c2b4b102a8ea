//! Category labels typed two ways ("long term unemployed" and "long_term_unemployed")
//! are two groups to the figures. `validate` lists such near-duplicates, and a column
//! map's `[labels]` reads one as the other.

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;

use super::Records;
use crate::diagnostics::{Check, Diagnostic, Report, Severity};
use crate::error::Result;

/// The category columns whose labels are compared.
pub const CATEGORY_COLUMNS: [&str; 3] = ["beneficiary_group", "gender", "age_band"];

/// Distinct labels kept per column: a column with more is not a category.
const MAX_LABELS: usize = 10_000;

/// A label as compared: trimmed, lower case, spaces and dashes as underscores.
pub fn normalised(label: &str) -> String {
    label.trim().to_lowercase().replace([' ', '-'], "_")
}

/// Collects each category column's distinct labels from checked batches, and the
/// values of name-table columns that no table names.
#[derive(Default)]
pub struct LabelCheck {
    labels: BTreeMap<&'static str, BTreeSet<String>>,
    /// Column → the ids its name table knows (from a column map's `[names]`).
    known: BTreeMap<String, BTreeSet<String>>,
    /// Column → values in no name table.
    unknown: BTreeMap<String, BTreeSet<String>>,
}

impl LabelCheck {
    /// Also list the values of the map's name-table columns that no table names.
    pub fn with_names(map: Option<&super::ColumnMap>) -> LabelCheck {
        let known = map
            .map(|m| m.name_ids.iter().map(|(c, ids)| (c.clone(), ids.values().cloned().collect())).collect())
            .unwrap_or_default();
        LabelCheck { known, ..LabelCheck::default() }
    }

    /// A warning for each set of labels of one column that differ only in case,
    /// spaces, dashes or underscores, and for each value no name table names.
    pub fn finish(self, report: &mut Report, files: &str) {
        for (column, values) in &self.unknown {
            let quoted: Vec<String> = values.iter().take(10).map(|v| format!("\"{v}\"")).collect();
            let more = values.len().saturating_sub(10);
            report.push(Diagnostic {
                severity: Severity::Warning,
                check: Check::UnknownName,
                file: files.to_string(),
                row: None,
                column: Some(column.clone()),
                value: None,
                message: format!(
                    "{column}: {}{} not in the name table, so read as written, apart from the table's ids",
                    quoted.join(", "),
                    if more > 0 { format!(" and {more} more") } else { String::new() }
                ),
                hint: Some(format!(
                    "add them to the {column} name table (as a name or an alias), or correct them in the file"
                )),
            });
        }
        for (column, labels) in self.labels {
            let mut groups: BTreeMap<String, Vec<&str>> = BTreeMap::new();
            for label in &labels {
                groups.entry(normalised(label)).or_default().push(label);
            }
            for same in groups.values().filter(|g| g.len() > 1) {
                let quoted: Vec<String> = same.iter().map(|l| format!("\"{l}\"")).collect();
                report.push(Diagnostic {
                    severity: Severity::Warning,
                    check: Check::NearDuplicateLabels,
                    file: files.to_string(),
                    row: None,
                    column: Some(column.to_string()),
                    value: None,
                    message: format!(
                        "{column}: {} differ only in case, spaces or underscores, and are counted as {} groups",
                        quoted.join(" and "),
                        same.len()
                    ),
                    hint: Some(format!(
                        "write them one way, or read them as one with the column map's [labels]: {} = \"{}\"",
                        quoted[1..].join(", "),
                        same[0]
                    )),
                });
            }
        }
    }
}

impl Records for LabelCheck {
    fn batch(&mut self, records: DataFrame) -> Result<()> {
        for (column, known) in &self.known {
            let Ok(c) = records.column(column) else { continue };
            for value in distinct_texts(c)?.into_iter().filter(|v| !known.contains(v)) {
                self.unknown.entry(column.clone()).or_default().insert(value);
            }
        }
        for column in CATEGORY_COLUMNS {
            let Ok(c) = records.column(column) else { continue };
            let set = self.labels.entry(column).or_default();
            if set.len() < MAX_LABELS {
                set.extend(distinct_texts(c)?);
            }
        }
        Ok(())
    }

    fn restart(&mut self) {
        self.labels.clear();
        self.unknown.clear();
    }
}

/// The distinct texts of a column in a batch (a category column repeats a few), found
/// by the engine's hashing rather than row by row.
fn distinct_texts(column: &Column) -> Result<Vec<String>> {
    let unique = column.cast(&DataType::String)?.unique()?;
    Ok(unique.str()?.iter().flatten().map(str::to_string).collect())
}
