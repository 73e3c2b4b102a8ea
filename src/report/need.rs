//! What a report's sections ask of the figures: groupings over a time span (`Need`),
//! the period's totals, peer comparisons, social value and commitments, gathered
//! from every section (`Needs`) so the figures are computed once in one pass.

use std::collections::BTreeMap;

use super::terms::Window;
use crate::aggregate::{Dimension, Grain, Unit, RECORD_DIMS};
use crate::compare::Per;

/// What a section asks for: a grouping and a time span.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Need {
    /// Grouping dimensions, in order.
    pub dims: Vec<String>,
    /// Within the report's period, or everything up to its end.
    pub span: SpanKey,
}

/// The time a need covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SpanKey {
    /// The report's period.
    Period,
    /// Every record up to the period's end.
    ToDate,
}

/// The KPI grouping: the period's financial year when it is one (so targets keyed by
/// it join), otherwise none.
pub fn kpi_need(window: &Window) -> Need {
    Need { dims: window.financial_year.iter().map(|_| "financial_year".to_string()).collect(), span: SpanKey::Period }
}

/// Everything a spec's sections ask for, gathered section by section.
#[derive(Debug, Clone, Default)]
pub struct Needs {
    /// Indicators by grouping.
    groupings: BTreeMap<Need, Vec<String>>,
    /// Indicators whose period totals are read (the KPI grouping).
    totals: Vec<String>,
    /// Peer comparisons: indicators by (peers, per).
    peers: BTreeMap<(Unit, Per), Vec<String>>,
    /// A section reads the subject's social value.
    pub value: bool,
    /// A section reads the commitments table.
    pub commitments: bool,
    /// A section compares subjects with each other (one report about all of them).
    pub compares_peers: bool,
}

impl Needs {
    /// Indicators grouped as `need` says.
    pub fn grouping(&mut self, need: Need, ids: impl IntoIterator<Item = String>) {
        self.groupings.entry(need).or_default().extend(ids);
    }

    /// Indicators whose totals for the period are read.
    pub fn totals(&mut self, ids: impl IntoIterator<Item = String>) {
        self.totals.extend(ids);
    }

    /// An indicator compared among peers `by`, per investment or participant.
    pub fn peers(&mut self, by: Unit, per: Per, id: String) {
        self.peers.entry((by, per)).or_default().push(id);
    }

    /// Every grouping with its indicators (sorted, each once), the period totals in
    /// the KPI grouping of `window`.
    pub fn groupings(&self, window: &Window) -> BTreeMap<Need, Vec<String>> {
        let mut out = self.groupings.clone();
        out.entry(kpi_need(window)).or_default().extend(self.totals.iter().cloned());
        for ids in out.values_mut() {
            ids.sort();
            ids.dedup();
        }
        out
    }

    /// The peer comparisons, each indicator list sorted and each once.
    pub fn peer_comparisons(&self) -> BTreeMap<(Unit, Per), Vec<String>> {
        let mut out = self.peers.clone();
        for ids in out.values_mut() {
            ids.sort();
            ids.dedup();
        }
        out
    }
}

/// Parse a dimension name used in a spec (checked at load).
pub fn dimension(name: &str) -> Dimension {
    if let Some(g) = Grain::parse(name) {
        return Dimension::Period(g);
    }
    RECORD_DIMS.iter().find(|d| **d == name).map_or(Dimension::Field("organisation"), |d| Dimension::Field(d))
}
