//! Money invested in each programme (the programmes table's `investment`, spread
//! over its dates) or organisation (the assumptions' `[investment]`): the
//! denominator of SROI ratios and of comparisons per £10k.

use super::Assumptions;
use crate::error::Result;

/// Money invested in a programme (or organisation), optionally over known dates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Investment {
    /// Pounds invested.
    pub amount: f64,
    /// First day of the investment.
    pub start: Option<chrono::NaiveDate>,
    /// Last day of the investment.
    pub end: Option<chrono::NaiveDate>,
}

impl Investment {
    /// The share of the investment falling in [from, to], spreading it evenly over
    /// its start–end dates (all of it when the dates or the window are unknown).
    pub fn share(&self, from: Option<chrono::NaiveDate>, to: Option<chrono::NaiveDate>) -> f64 {
        let (Some(start), Some(end)) = (self.start, self.end) else { return self.amount };
        let from = from.unwrap_or(start).max(start);
        let to = to.unwrap_or(end).min(end);
        let total = (end - start).num_days() + 1;
        let overlap = ((to - from).num_days() + 1).max(0);
        if total <= 0 {
            return self.amount;
        }
        self.amount * overlap as f64 / total as f64
    }
}

/// Investments from a table with `id` and `investment` columns and optional `start`
/// and `end` dates (programmes.csv); none when the table has no `investment` column.
fn investments_from(path: &std::path::Path) -> Result<std::collections::HashMap<String, Investment>> {
    let table = crate::data::side::SideTable::load(path)?;
    if !table.has("investment") {
        return Ok(std::collections::HashMap::new());
    }
    table.require(&["id"], "an investments table needs an `id` column beside `investment`")?;
    table.unique("id")?;
    let mut out = std::collections::HashMap::new();
    for i in 0..table.len() {
        // A programme with no investment given is not valued; one with an investment
        // must have readable dates, or its money would be charged to the wrong years.
        let Some(amount) = table.optional_amount(i, "investment")? else { continue };
        let (start, end) = (table.optional_date(i, "start")?, table.optional_date(i, "end")?);
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                return Err(table.error(i, "end", format!("{e} is before the start, {s}")));
            }
        }
        out.insert(table.text(i, "id")?, Investment { amount, start, end });
    }
    Ok(out)
}

/// Every investment known: the programmes table's (when given and it has an
/// `investment` column) and the assumptions file's `[investment]`, which wins.
pub fn gather_investments(
    programmes: Option<&std::path::Path>,
    assumptions: &Assumptions,
) -> Result<std::collections::HashMap<String, Investment>> {
    let mut out = match programmes {
        Some(p) => investments_from(p)?,
        None => std::collections::HashMap::new(),
    };
    out.extend(
        assumptions.investment.iter().map(|(k, v)| (k.clone(), Investment { amount: *v, start: None, end: None })),
    );
    Ok(out)
}
