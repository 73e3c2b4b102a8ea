//! The organisations and programmes tables (side tables of the canonical schema),
//! read as the "world" that synthetic data is drawn from, and by reports later.

use std::path::Path;

use chrono::NaiveDate;

use crate::data::side::SideTable;
use crate::error::Result;

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

impl Scenario {
    pub fn load(organisations: &Path, programmes: &Path) -> Result<Scenario> {
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
        Ok(Scenario { organisations: list, programmes: programmes_out })
    }
}
