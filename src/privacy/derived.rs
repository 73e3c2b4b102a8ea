//! Protection for the tables of `value`, `compare` and `commitments`, whose figures
//! are built on counts of people (quantity × proxy, outcomes per £10k, delivered of
//! committed): the counts are protected as in every table (primary and secondary,
//! across the groups of one indicator), and every figure built on a withheld count is
//! left empty with it. A `withheld` column says why.

use std::collections::{BTreeMap, HashSet};

use polars::prelude::*;

use super::{protect, Cells, Sum, Withheld};
use crate::error::Result;

/// Which (group, indicator) counts to withhold: for each people indicator, its
/// groups' counts are one sum (the groups add up to a total a reader can get).
pub fn withheld_counts(
    counts: &[(String, String, f64)],
    people: &HashSet<String>,
    threshold: u32,
) -> BTreeMap<(String, String), Withheld> {
    let mut by_indicator: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, (_, indicator, _)) in counts.iter().enumerate() {
        if people.contains(indicator) {
            by_indicator.entry(indicator.as_str()).or_default().push(i);
        }
    }
    let mut out = BTreeMap::new();
    for members in by_indicator.values() {
        let values: Vec<f64> = members.iter().map(|i| counts[*i].2).collect();
        let order: Vec<Vec<String>> = members.iter().map(|i| vec![counts[*i].0.clone()]).collect();
        let all = Sum::siblings((0..members.len()).collect());
        let (people, cost) = (vec![true; members.len()], vec![0; members.len()]);
        let cells = Cells { value: &values, people: &people, cost: &cost, order: &order };
        for (k, w) in protect(&cells, &[all], &[], threshold).into_iter().enumerate() {
            if w.is_withheld() {
                let (group, indicator, _) = &counts[members[k]];
                out.insert((group.clone(), indicator.clone()), w);
            }
        }
    }
    out
}

/// Empty `columns` on the rows where `why` says a figure is withheld, and add a
/// `withheld` column with the reason (empty where every figure is published).
pub fn blank(frame: &mut DataFrame, why: &[Withheld], columns: &[&str]) -> Result<()> {
    for name in columns {
        let Ok(column) = frame.column(name) else { continue };
        // The column keeps its type: a count stays a whole number (244, not 244.0).
        let dtype = column.dtype().clone();
        let values: Vec<Option<f64>> = column
            .cast(&DataType::Float64)?
            .f64()?
            .iter()
            .zip(why)
            .map(|(v, w)| if w.is_withheld() { None } else { v })
            .collect();
        frame.with_column(Column::new((*name).into(), values).cast(&dtype)?)?;
    }
    frame.with_column(Column::new("withheld".into(), why.iter().map(|w| w.word()).collect::<Vec<_>>()))?;
    Ok(())
}

/// The text of a column, row by row ("" for a gap).
pub fn texts(frame: &DataFrame, name: &str) -> Result<Vec<String>> {
    Ok(frame.column(name)?.cast(&DataType::String)?.str()?.iter().map(|v| v.unwrap_or("").to_string()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_group_and_its_protector_are_withheld_per_indicator() {
        let people = HashSet::from(["jobs_created".to_string()]);
        let counts = vec![
            ("P1".to_string(), "jobs_created".to_string(), 3.0),
            ("P2".to_string(), "jobs_created".to_string(), 40.0),
            ("P3".to_string(), "jobs_created".to_string(), 25.0),
            ("P1".to_string(), "volunteer_hours".to_string(), 2.0),
        ];
        let w = withheld_counts(&counts, &people, 5);
        assert_eq!(w.get(&("P1".into(), "jobs_created".into())), Some(&Withheld::Small));
        assert_eq!(w.get(&("P3".into(), "jobs_created".into())), Some(&Withheld::Secondary));
        assert_eq!(w.len(), 2, "hours are not a count of people: {w:?}");
        let mut frame = df!("v" => [1.0, 2.0]).unwrap();
        blank(&mut frame, &[Withheld::Small, Withheld::No], &["v", "absent"]).unwrap();
        assert_eq!(frame.column("v").unwrap().f64().unwrap().get(0), None);
        assert_eq!(texts(&frame, "withheld").unwrap(), ["small", ""]);
    }
}
