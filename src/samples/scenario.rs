//! The organisations and programmes tables (side tables of the canonical schema),
//! read as the "world" that synthetic data is drawn from, and by reports later.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;

use crate::data::parse::{parse_amount, parse_date};
use crate::data::read::read_table;
use crate::data::schema::{normalise_heading, ROW};
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub area: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Programme {
    pub id: String,
    pub name: String,
    pub funder: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Money invested over the programme's life (£).
    pub investment: f64,
    /// Indicator themes the programme reports on.
    pub themes: Vec<String>,
    /// Indices into `Scenario::organisations` of the delivery partners.
    pub partners: Vec<usize>,
    /// Beneficiary groups the programme serves.
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub organisations: Vec<Organisation>,
    pub programmes: Vec<Programme>,
}

/// A side table as rows of heading → text, with the spreadsheet row number.
struct SideTable<'p> {
    path: &'p Path,
    rows: Vec<(i64, HashMap<String, String>)>,
}

impl<'p> SideTable<'p> {
    fn read(path: &'p Path, required: &[&str]) -> Result<SideTable<'p>> {
        let df = read_table(path, None)?.df;
        let headings: Vec<String> = df.get_column_names().iter().map(|n| n.to_string()).filter(|n| n != ROW).collect();
        for r in required {
            if !headings.iter().any(|h| normalise_heading(h) == *r) {
                return Err(Error::read(
                    path,
                    format!("missing column `{r}`; the columns found are: {}", headings.join(", ")),
                ));
            }
        }
        let row_numbers: Vec<i64> = df.column(ROW)?.i64()?.iter().map(|r| r.unwrap_or(0)).collect();
        let mut rows: Vec<(i64, HashMap<String, String>)> = row_numbers.iter().map(|r| (*r, HashMap::new())).collect();
        for h in &headings {
            let values = df.column(h)?.cast(&polars::prelude::DataType::String)?;
            for (i, v) in values.str()?.iter().enumerate() {
                if let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) {
                    rows[i].1.insert(normalise_heading(h), v.to_string());
                }
            }
        }
        Ok(SideTable { path, rows })
    }

    fn text(&self, i: usize, key: &str) -> Result<String> {
        let (row, cells) = &self.rows[i];
        cells
            .get(key)
            .cloned()
            .ok_or_else(|| Error::read(self.path, format!("row {row}, column `{key}`: no value given")))
    }

    fn list(&self, i: usize, key: &str) -> Vec<String> {
        self.rows[i]
            .1
            .get(key)
            .map_or_else(Vec::new, |v| v.split(';').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
    }

    fn date(&self, i: usize, key: &str) -> Result<NaiveDate> {
        let t = self.text(i, key)?;
        parse_date(&t, None).map_err(|_| {
            Error::read(
                self.path,
                format!("row {}, column `{key}`: \"{t}\" is not a date (YYYY-MM-DD)", self.rows[i].0),
            )
        })
    }

    fn number(&self, i: usize, key: &str) -> Result<f64> {
        let t = self.text(i, key)?;
        parse_amount(&t).ok_or_else(|| {
            Error::read(self.path, format!("row {}, column `{key}`: \"{t}\" is not a number", self.rows[i].0))
        })
    }
}

impl Scenario {
    pub fn load(organisations: &Path, programmes: &Path) -> Result<Scenario> {
        let orgs = SideTable::read(organisations, &["id", "name", "area"])?;
        let mut list = Vec::new();
        for i in 0..orgs.rows.len() {
            list.push(Organisation {
                id: orgs.text(i, "id")?,
                name: orgs.text(i, "name")?,
                kind: orgs.text(i, "kind").unwrap_or_default(),
                area: orgs.text(i, "area")?,
            });
        }
        let progs = SideTable::read(programmes, &["id", "name", "start", "end", "investment", "themes", "partners"])?;
        let mut programmes_out = Vec::new();
        for i in 0..progs.rows.len() {
            let mut partners = Vec::new();
            for p in progs.list(i, "partners") {
                let index = list.iter().position(|o| o.id == p).ok_or_else(|| {
                    Error::read(
                        programmes,
                        format!(
                            "row {}, column `partners`: `{p}` is not in {}",
                            progs.rows[i].0,
                            organisations.display()
                        ),
                    )
                })?;
                partners.push(index);
            }
            if partners.is_empty() {
                return Err(Error::read(
                    programmes,
                    format!("row {}, column `partners`: no delivery partners", progs.rows[i].0),
                ));
            }
            programmes_out.push(Programme {
                id: progs.text(i, "id")?,
                name: progs.text(i, "name")?,
                funder: progs.text(i, "funder").unwrap_or_default(),
                start: progs.date(i, "start")?,
                end: progs.date(i, "end")?,
                investment: progs.number(i, "investment")?,
                themes: progs.list(i, "themes"),
                partners,
                groups: progs.list(i, "groups"),
            });
        }
        Ok(Scenario { organisations: list, programmes: programmes_out })
    }
}
