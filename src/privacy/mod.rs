//! Small-number suppression for published outputs. A count of people between 1 and
//! the threshold is withheld (primary suppression); then, along every dimension, a
//! group of sibling cells with exactly one withheld cell has its smallest other cell
//! withheld too (secondary suppression), so no withheld value can be recovered by
//! subtracting the others from a total. Rates built on a withheld count are withheld.

use std::collections::{BTreeMap, HashSet};

use polars::prelude::*;

use crate::error::Result;
use crate::indicator::{Aggregation, Library};

/// The default threshold: counts of people under 5 are not published.
pub const DEFAULT_THRESHOLD: u32 = 5;

/// Indicators whose values are counts of people.
pub fn people_indicators(library: &Library) -> HashSet<String> {
    library.iter().filter(|i| i.counts_people || i.aggregation == Aggregation::Distinct).map(|i| i.id.clone()).collect()
}

/// Which rows of a figures table (dims…, indicator, value) to withhold.
pub fn flags(df: &DataFrame, dims: &[&str], people: &HashSet<String>, threshold: u32) -> Result<Vec<bool>> {
    let n = df.height();
    let keys: Vec<Vec<String>> = {
        let cols: Vec<StringChunked> = dims.iter().map(|d| Ok(df.column(d)?.cast(&DataType::String)?.str()?.clone())).collect::<Result<_>>()?;
        (0..n).map(|i| cols.iter().map(|c| c.get(i).unwrap_or("").to_string()).collect()).collect()
    };
    let indicator: Vec<String> = df.column("indicator")?.str()?.iter().map(|s| s.unwrap_or("").to_string()).collect();
    let value: Vec<f64> = df.column("value")?.cast(&DataType::Float64)?.f64()?.iter().map(|v| v.unwrap_or(0.0)).collect();
    let limit = f64::from(threshold);
    let is_people: Vec<bool> = indicator.iter().map(|i| people.contains(i)).collect();
    let mut withheld: Vec<bool> = (0..n).map(|i| is_people[i] && value[i] > 0.0 && value[i] < limit).collect();
    if dims.is_empty() {
        return Ok(withheld);
    }
    // Secondary suppression, repeated until no group has a lone withheld cell.
    loop {
        let mut changed = false;
        for d in 0..dims.len() {
            let mut groups: BTreeMap<(String, Vec<String>), Vec<usize>> = BTreeMap::new();
            for i in (0..n).filter(|i| is_people[*i]) {
                let mut rest = keys[i].clone();
                rest.remove(d);
                groups.entry((indicator[i].clone(), rest)).or_default().push(i);
            }
            for members in groups.values() {
                let hidden = members.iter().filter(|i| withheld[**i]).count();
                if hidden != 1 || members.len() < 2 {
                    continue;
                }
                // The smallest other cell keeps the lone one safe. Ties go by the cells'
                // keys, not table order (which the engine does not fix), so the same data
                // always withholds the same cells.
                if let Some(&pick) = members.iter().filter(|i| !withheld[**i]).min_by(|a, b| value[**a].total_cmp(&value[**b]).then(keys[**a].cmp(&keys[**b]))) {
                    withheld[pick] = true;
                    changed = true;
                }
            }
        }
        if !changed {
            return Ok(withheld);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(orgs: &[&str], values: &[f64]) -> DataFrame {
        df!(
            "organisation" => orgs,
            "indicator" => vec!["jobs_created"; orgs.len()],
            "value" => values
        )
        .unwrap()
    }

    fn people() -> HashSet<String> {
        HashSet::from(["jobs_created".to_string()])
    }

    #[test]
    fn a_lone_small_count_takes_the_next_smallest_with_it() {
        // 3 is under 5; alone it could be recovered from the total (3 + 10 + 20 = 33),
        // so the next smallest (10) is withheld too; 20 and 0 stay.
        let df = table(&["A", "B", "C", "D"], &[3.0, 10.0, 20.0, 0.0]);
        let f = flags(&df, &["organisation"], &people(), 5).unwrap();
        assert_eq!(f, vec![true, false, false, true]);
    }

    #[test]
    fn two_small_counts_protect_each_other() {
        let df = table(&["A", "B", "C"], &[3.0, 4.0, 20.0]);
        assert_eq!(flags(&df, &["organisation"], &people(), 5).unwrap(), vec![true, true, false]);
    }

    #[test]
    fn other_indicators_and_large_counts_are_untouched() {
        let mut df = table(&["A", "B"], &[3.0, 50.0]);
        df.with_column(Column::new("indicator".into(), ["volunteer_hours", "volunteer_hours"])).unwrap();
        assert_eq!(flags(&df, &["organisation"], &people(), 5).unwrap(), vec![false, false]);
        let df = table(&["A", "B"], &[30.0, 50.0]);
        assert_eq!(flags(&df, &["organisation"], &people(), 5).unwrap(), vec![false, false]);
    }

    #[test]
    fn two_dimensions_are_protected_both_ways() {
        // Organisation × year:      2023  2024
        //                      A       2    30
        //                      B      40    50
        // 2 is withheld; across years A's other cell (30) goes; across organisations in
        // 2023, B's 40 goes; then 2024 has a lone withheld 30, so B 2024 (50) goes.
        let df = df!(
            "organisation" => ["A", "A", "B", "B"],
            "year" => ["2023", "2024", "2023", "2024"],
            "indicator" => ["jobs_created"; 4],
            "value" => [2.0, 30.0, 40.0, 50.0]
        )
        .unwrap();
        let f = flags(&df, &["organisation", "year"], &people(), 5).unwrap();
        assert_eq!(f, vec![true, true, true, true]);
    }
}
