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
/// values of name-table columns that no table names, with their records.
#[derive(Default)]
pub struct LabelCheck {
    labels: BTreeMap<&'static str, BTreeSet<String>>,
    /// Column → the ids its name table knows (from a column map's `[names]`).
    known: BTreeMap<String, BTreeSet<String>>,
    /// Column → the table's names, aliases and ids as written, with their ids.
    words: BTreeMap<String, Vec<(String, String)>>,
    /// Column → values in no name table, and how many records each has.
    unknown: BTreeMap<String, BTreeMap<String, u64>>,
}

/// Values listed by name in a warning; the rest are counted.
const LISTED: usize = 10;

impl LabelCheck {
    /// Also list the values of the map's name-table columns that no table names.
    pub fn with_names(map: Option<&super::ColumnMap>) -> LabelCheck {
        let known = map
            .map(|m| m.name_ids.iter().map(|(c, ids)| (c.clone(), ids.values().cloned().collect())).collect())
            .unwrap_or_default();
        let words = map.map(|m| m.name_words.clone()).unwrap_or_default();
        LabelCheck { known, words, ..LabelCheck::default() }
    }

    /// A warning (an error when `strict`) for each column's values no name table names,
    /// with their records and the nearest name each could be; and a warning for each
    /// set of labels of one column that differ only in case, spaces, dashes or
    /// underscores.
    pub fn finish(self, report: &mut Report, files: &str, strict: bool) {
        for (column, values) in &self.unknown {
            let mut by_records: Vec<(&String, &u64)> = values.iter().collect();
            by_records.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let listed: Vec<String> = by_records
                .iter()
                .take(LISTED)
                .map(|(v, n)| format!("\"{v}\" ({n} record{})", if **n == 1 { "" } else { "s" }))
                .collect();
            let more = values.len().saturating_sub(LISTED);
            let words = self.words.get(column).map_or(&[][..], Vec::as_slice);
            let guesses: Vec<String> = by_records
                .iter()
                .take(LISTED)
                .filter_map(|(v, _)| {
                    let near = crate::base::suggest::nearest_name(v, words.iter().map(|(w, _)| w.as_str()))?;
                    let id = &words.iter().find(|(w, _)| w == near)?.1;
                    Some(if near == id {
                        format!("For \"{v}\", did you mean {id}?")
                    } else {
                        format!("For \"{v}\", did you mean {near} ({id})?")
                    })
                })
                .collect();
            let mut hint = guesses.join(" ");
            if !hint.is_empty() {
                hint.push(' ');
            }
            hint.push_str(&format!(
                "Add each to the {column} name table (as a name or an alias), or correct it in the file."
            ));
            report.push(Diagnostic {
                severity: if strict { Severity::Error } else { Severity::Warning },
                check: if strict { Check::UnknownNameRefused } else { Check::UnknownName },
                file: files.to_string(),
                row: None,
                column: Some(column.clone()),
                value: None,
                message: format!(
                    "{}{} in no {column} name table: each is read as {} of its own, beside the table's",
                    listed.join(", "),
                    if more > 0 { format!(" and {more} more") } else { String::new() },
                    crate::base::text::with_article(column)
                ),
                hint: Some(hint),
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
            let text = c.cast(&DataType::String)?;
            for value in text.str()?.iter().flatten().filter(|v| !v.is_empty() && !known.contains(*v)) {
                let unknown = self.unknown.entry(column.clone()).or_default();
                match unknown.get_mut(value) {
                    Some(n) => *n += 1,
                    None => {
                        unknown.insert(value.to_string(), 1);
                    }
                }
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
