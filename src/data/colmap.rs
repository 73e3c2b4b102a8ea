//! Column maps: how a spreadsheet with its own headings becomes canonical records.
//!
//! ```toml
//! [source]
//! sheet = "Returns"            # xlsx: which sheet (default: the first)
//! header_row = 3               # the row holding the headings (default 1)
//! date_format = "%d/%m/%Y"     # how dates are written (default ISO %Y-%m-%d)
//! century_start = 1950         # with %y: two-digit years run 1950–2049 (the default)
//! delimiter = ";"              # CSV only (default: sniffed from the heading row)
//! skip_rows_starting_with = ["Note"]   # drop notes/total rows by their first cell
//!
//! [columns]                    # canonical name = heading in the file
//! organisation = "Delivery partner"
//!
//! [constants]                  # canonical name = a value for every row
//! programme = "EMP-FWD"
//!
//! [wide]                       # heading in the file = indicator id (melted to long form)
//! "Jobs started" = "jobs_created"
//!
//! [labels]                     # a category label read as another
//! "long term unemployed" = "long_term_unemployed"
//!
//! [values]                     # a word in a value cell = the count it stands for
//! "Yes" = 1
//! "No" = 0
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::schema;
use crate::error::{Error, Result};
use crate::indicator::Library;

/// How a file that is not in the canonical layout is read: its headings, constants, wide columns and value words.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ColumnMap {
    /// Sheet, heading row, delimiter and date format of the file.
    #[serde(default)]
    pub source: SourceOptions,
    /// Canonical field → the file's heading.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Canonical field → a value for every record (e.g. the organisation of a partner's return).
    #[serde(default)]
    pub constants: BTreeMap<String, String>,
    /// The file's heading → indicator id, for a file with one column per indicator.
    #[serde(default)]
    pub wide: BTreeMap<String, String>,
    /// Words typed in value cells and the numbers they stand for ("Yes" = 1), for
    /// indicators that count whole things.
    #[serde(default)]
    pub values: BTreeMap<String, f64>,
    /// Name tables: canonical column (organisation, programme) = a table (path from
    /// the map's folder) with `id`, `name` and optional `aliases` (;-separated): a
    /// cell holding a name or alias is read as its id.
    #[serde(default)]
    pub names: BTreeMap<String, PathBuf>,
    /// Category labels read as another (`"long term unemployed" = "long_term_unemployed"`),
    /// matched ignoring case, in the beneficiary group, gender and age band columns.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// The name tables read: column → (lower-case name or alias → id).
    #[serde(skip)]
    pub name_ids: BTreeMap<String, std::collections::HashMap<String, String>>,
    /// The name tables' words as written: column → (name, alias or id, its id), for
    /// "did you mean" when a value is in no table.
    #[serde(skip)]
    pub name_words: BTreeMap<String, Vec<(String, String)>>,
    /// Where the map was read from, for messages.
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SourceOptions {
    pub sheet: Option<String>,
    pub header_row: Option<u64>,
    pub date_format: Option<String>,
    /// Two-digit years (%y in `date_format`) are this year to 99 after it.
    pub century_start: Option<i32>,
    pub delimiter: Option<String>,
    #[serde(default)]
    pub skip_rows_starting_with: Vec<String>,
}

impl ColumnMap {
    /// Reads a column map (TOML), checking its fields and indicators against the library.
    pub fn load(path: &Path, library: &Library) -> Result<ColumnMap> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut map: ColumnMap = toml::from_str(&text).map_err(|e| crate::error::toml_error(path, &e))?;
        map.path = Some(path.to_path_buf());
        map.check(path, library)?;
        let folder = path.parent().unwrap_or(Path::new("."));
        for (column, table) in map.names.clone() {
            let (ids, words) = read_name_table(&folder.join(&table))?;
            map.name_ids.insert(column.clone(), ids);
            map.name_words.insert(column, words);
        }
        Ok(map)
    }

    /// The spreadsheet row that holds the headings (1 unless the map says).
    pub fn header_row(&self) -> u64 {
        self.source.header_row.unwrap_or(1)
    }

    /// The CSV delimiter the map asks for, if any ("tab" and "\t" both mean tab).
    pub fn delimiter(&self) -> Option<u8> {
        self.source.delimiter.as_deref().map(|d| match d {
            "tab" | "\\t" | "\t" => b'\t',
            other => other.as_bytes().first().copied().unwrap_or(b','),
        })
    }

    /// The heading (as the map writes it) that feeds canonical column `name`.
    pub fn heading_for(&self, name: &str) -> Option<&str> {
        self.columns.get(name).map(String::as_str)
    }

    fn check(&self, path: &Path, library: &Library) -> Result<()> {
        let bad = |key: String, message: String| Error::config(path, format!("key `{key}`: {message}"));
        for name in self.columns.keys().chain(self.constants.keys()) {
            if schema::field(name).is_none() {
                let err = bad(name.clone(), "is not a canonical column".into());
                return Err(match crate::base::suggest::nearest(name, schema::names()) {
                    Some(near) => {
                        err.with_hint(format!("did you mean `{near}`? canonical columns: {}", canonical_list()))
                    }
                    None => err.with_hint(format!("canonical columns: {}", canonical_list())),
                });
            }
        }
        for name in self.constants.keys() {
            if self.columns.contains_key(name) {
                return Err(bad(format!("constants.{name}"), "is also mapped in [columns]; keep one".into()));
            }
        }
        // An empty prefix starts every row: it would skip the whole file.
        if self.source.skip_rows_starting_with.iter().any(|p| p.trim().is_empty()) {
            return Err(bad("source.skip_rows_starting_with".into(), "an empty prefix would skip every row; give the words notes or total rows start with, e.g. [\"Note\", \"Total\"]".into()));
        }
        // Two canonical columns fed by one heading is almost always a slip (e.g.
        // area and organisation both = "Partner"); refuse it so nothing is silently doubled.
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for (name, heading) in &self.columns {
            if let Some(first) = seen.insert(schema::normalise_heading(heading), name) {
                return Err(bad(
                    format!("columns.{name}"),
                    format!("heading \"{heading}\" is already mapped to `{first}`; each heading feeds one column"),
                ));
            }
        }
        if !self.wide.is_empty() {
            for name in ["indicator", "value"] {
                if self.columns.contains_key(name) || self.constants.contains_key(name) {
                    return Err(bad(
                        format!("columns.{name}"),
                        "a wide map makes `indicator` and `value` from the [wide] headings; do not map them too".into(),
                    ));
                }
            }
            // One heading with two meanings, or two headings giving one indicator, is
            // a slip that would read job counts as participant ids or count twice.
            let mut indicators: BTreeMap<&str, &str> = BTreeMap::new();
            for (heading, id) in &self.wide {
                if let Some(first) = seen.get(&schema::normalise_heading(heading)) {
                    return Err(bad(
                        format!("wide.\"{heading}\""),
                        format!("heading \"{heading}\" is also mapped to `{first}` in [columns]; each heading feeds one column"),
                    ));
                }
                if let Some(first) = indicators.insert(id, heading) {
                    return Err(bad(
                        format!("wide.\"{heading}\""),
                        format!("headings \"{first}\" and \"{heading}\" are both mapped to `{id}`; give each indicator one heading"),
                    )
                    .with_hint("add the two columns up in the sheet, or keep one of them"));
                }
            }
            let mut wide_seen: BTreeMap<String, &str> = BTreeMap::new();
            for heading in self.wide.keys() {
                if let Some(first) = wide_seen.insert(schema::normalise_heading(heading), heading) {
                    return Err(bad(
                        format!("wide.\"{heading}\""),
                        format!("headings \"{first}\" and \"{heading}\" name the same column (headings match ignoring case and spaces)"),
                    ));
                }
            }
            for (heading, id) in &self.wide {
                if library.get(id).is_none() {
                    let err = bad(format!("wide.\"{heading}\""), format!("`{id}` is not an indicator in the library"));
                    return Err(match library.nearest(id) {
                        Some(near) => err.with_hint(format!("did you mean `{near}`?")),
                        None => err.with_hint("`impact indicators list` shows every indicator id"),
                    });
                }
            }
        }
        if self.source.header_row == Some(0) {
            return Err(bad("source.header_row".into(), "rows count from 1".into()));
        }
        if let Some(d) = &self.source.delimiter {
            if !matches!(d.as_str(), "," | ";" | "tab" | "\\t" | "\t" | "|") {
                return Err(bad("source.delimiter".into(), format!("`{d}` is not one of , ; | tab")));
            }
        }
        if let Some(fmt) = &self.source.date_format {
            if !["%d", "%e", "%j"].iter().any(|day| fmt.contains(day)) {
                return Err(bad("source.date_format".into(), format!("`{fmt}` has no day (%d)")));
            }
        }
        for column in self.names.keys() {
            if !matches!(column.as_str(), "organisation" | "programme" | "area") {
                return Err(bad(
                    format!("names.{column}"),
                    "name tables are for organisation, programme or area".to_string(),
                ));
            }
        }
        for (word, v) in &self.values {
            if word.trim().is_empty() || !v.is_finite() || *v < 0.0 || v.fract() != 0.0 {
                return Err(bad(
                    format!("values.\"{word}\""),
                    format!("{v} is not a count a word can stand for (a whole number, 0 or more)"),
                ));
            }
        }
        if let Some(c) = self.source.century_start {
            if !(1900..=2100).contains(&c) {
                return Err(bad("source.century_start".into(), format!("{c} is not a year from 1900 to 2100")));
            }
        }
        Ok(())
    }
}

/// The words of a name table and their ids.
pub(crate) type NameWords = Vec<(String, String)>;

/// A name table: lower-case name, alias and id → id, and each (name, id) as written
/// (names first, for suggestions). Two ids claiming one name is an error naming the row.
pub(crate) fn read_name_table(path: &Path) -> Result<(std::collections::HashMap<String, String>, NameWords)> {
    let mut out: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut shown: NameWords = Vec::new();
    for r in super::names::read_names(path)? {
        let words = std::iter::once(&r.id).chain(&r.name).chain(&r.aliases);
        for word in words.clone() {
            shown.push((word.clone(), r.id.clone()));
        }
        for word in words {
            if let Some(other) = out.insert(word.to_lowercase(), r.id.clone()).filter(|other| *other != r.id) {
                return Err(Error::read(
                    path,
                    format!("row {}: \"{word}\" names both `{other}` and `{}`", r.row, r.id),
                ));
            }
        }
    }
    Ok((out, shown))
}

fn canonical_list() -> String {
    schema::names().collect::<Vec<_>>().join(", ")
}
