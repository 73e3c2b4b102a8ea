//! A published figure: one indicator's value for one group of one subject, with
//! whether (and why) it is withheld.

use crate::privacy::Withheld;

/// One figure of a need: an indicator's value for one group.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Values of the grouping dimensions, in order (subject excluded).
    pub keys: Vec<String>,
    /// The indicator id.
    pub indicator: String,
    /// The value (None when withheld or not computable).
    pub value: Option<f64>,
    /// Records behind the value.
    pub records: i64,
    /// The target for the group, when set.
    pub target: Option<f64>,
    /// Withheld to protect privacy, and why (value is None when withheld).
    pub withheld: Withheld,
}
