//! The organisations and programmes tables read as a whole (side tables of the
//! canonical schema): who delivers which programme, its themes, groups and dates.
//! Return templates are made from them, and synthetic data is drawn from them.

use std::path::Path;

use chrono::NaiveDate;

use crate::data::side::SideTable;
use crate::error::Result;

/// An organisation of the organisations table.
#[derive(Debug, Clone, PartialEq)]
pub struct Organisation {
    /// The id records use.
    pub id: String,
    /// Its name.
    pub name: String,
    /// What kind of organisation it is (optional in the table).
    pub kind: String,
    /// The area code it works in.
    pub area: String,
}

/// A programme of the programmes table.
#[derive(Debug, Clone, PartialEq)]
pub struct Programme {
    /// The id records use.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Who funds it (optional in the table).
    pub funder: String,
    /// Its first day.
    pub start: NaiveDate,
    /// Its last day.
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

/// The two tables, partners resolved to organisations.
#[derive(Debug, Clone, PartialEq)]
pub struct Tables {
    /// The organisations, in the table's order.
    pub organisations: Vec<Organisation>,
    /// The programmes, in the table's order.
    pub programmes: Vec<Programme>,
}

impl Tables {
    /// Reads both tables strictly (see `side`), each programme's partners resolved.
    pub fn load(organisations: &Path, programmes: &Path) -> Result<Tables> {
        let orgs = SideTable::read(
            organisations,
            &["id", "name", "area"],
            "an organisations table has id, name, area and optional kind and aliases",
        )?;
        orgs.unique("id")?;
        let mut list = Vec::new();
        for i in 0..orgs.len() {
            list.push(Organisation {
                id: orgs.text(i, "id")?,
                name: orgs.text(i, "name")?,
                kind: orgs.optional(i, "kind").unwrap_or_default().to_string(),
                area: orgs.text(i, "area")?,
            });
        }
        let progs = SideTable::read(
            programmes,
            &["id", "name", "start", "end", "investment", "themes", "partners"],
            "a programmes table has id, name, start, end, investment, themes, partners and optional funder, groups",
        )?;
        progs.unique("id")?;
        let mut programmes_out = Vec::new();
        for i in 0..progs.len() {
            let mut partners = Vec::new();
            for p in progs.list(i, "partners") {
                let index = list.iter().position(|o| o.id == p).ok_or_else(|| {
                    progs.error(i, "partners", format!("`{p}` is not in {}", organisations.display()))
                })?;
                partners.push(index);
            }
            if partners.is_empty() {
                return Err(progs.error(i, "partners", "no delivery partners"));
            }
            programmes_out.push(Programme {
                id: progs.text(i, "id")?,
                name: progs.text(i, "name")?,
                funder: progs.optional(i, "funder").unwrap_or_default().to_string(),
                start: progs.date(i, "start")?,
                end: progs.date(i, "end")?,
                investment: progs.amount(i, "investment")?,
                themes: progs.list(i, "themes"),
                partners,
                groups: progs.list(i, "groups"),
            });
        }
        Ok(Tables { organisations: list, programmes: programmes_out })
    }
}
