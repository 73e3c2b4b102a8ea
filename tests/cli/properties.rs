//! Aggregation invariants on random data, through the library API.

use impactkit::aggregate::{aggregate, Dimension, Grain, Request};
use impactkit::indicator::Library;
use polars::prelude::*;
use proptest::prelude::*;

fn library() -> Library {
    Library::load(&crate::util::repo().join("indicators")).expect("library")
}

#[derive(Debug, Clone)]
struct Rec {
    org: u8,
    programme: Option<u8>,
    area: u8,
    day: i32,
    value: u16,
    participant: u8,
}

fn records(indicator: &str, recs: &[Rec]) -> DataFrame {
    let n = recs.len();
    let base = 19_083; // 2022-04-01 in days since 1970
    df!(
        "record_id" => vec![None::<&str>; n],
        "organisation" => recs.iter().map(|r| format!("O{}", r.org)).collect::<Vec<_>>(),
        "programme" => recs.iter().map(|r| r.programme.map(|p| format!("P{p}"))).collect::<Vec<_>>(),
        "indicator" => vec![indicator; n],
        "date" => Series::new("date".into(), recs.iter().map(|r| base + r.day).collect::<Vec<i32>>()).cast(&DataType::Date).unwrap(),
        "value" => recs.iter().map(|r| f64::from(r.value)).collect::<Vec<_>>(),
        "participant" => recs.iter().map(|r| format!("p{}", r.participant)).collect::<Vec<_>>(),
        "beneficiary_group" => vec![None::<&str>; n],
        "gender" => vec![None::<&str>; n],
        "age_band" => vec![None::<&str>; n],
        "area" => recs.iter().map(|r| format!("A{}", r.area)).collect::<Vec<_>>(),
        "simd_decile" => vec![None::<i32>; n],
        "evidence" => vec![None::<&str>; n]
    )
    .unwrap()
}

fn rec() -> impl Strategy<Value = Rec> {
    (0u8..5, proptest::option::of(0u8..3), 0u8..4, 0i32..1095, 0u16..50, 0u8..30).prop_map(
        |(org, programme, area, day, value, participant)| Rec { org, programme, area, day, value, participant },
    )
}

fn dims() -> impl Strategy<Value = Vec<Dimension>> {
    let fields = proptest::sample::subsequence(vec!["organisation", "programme", "area"], 0..=3);
    let grain = proptest::option::of(proptest::sample::select(Grain::ALL.to_vec()));
    (fields, grain).prop_map(|(f, g)| {
        let mut d: Vec<Dimension> = f.into_iter().map(Dimension::Field).collect();
        d.extend(g.map(Dimension::Period));
        d
    })
}

/// Rows of one indicator (figures also hold the ratios built on it).
fn only(df: &DataFrame, indicator: &str) -> DataFrame {
    df.clone().lazy().filter(col("indicator").eq(lit(indicator))).collect().unwrap()
}

fn total(df: &DataFrame, indicator: &str) -> f64 {
    only(df, indicator).column("value").unwrap().f64().unwrap().sum().unwrap_or(0.0)
}

fn records_total(df: &DataFrame, indicator: &str) -> i64 {
    only(df, indicator).column("records").unwrap().i64().unwrap().sum().unwrap_or(0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// A summable flow grouped any way adds back up to the grand total, and no record is lost.
    #[test]
    fn any_grouping_of_a_flow_sums_to_the_total(recs in proptest::collection::vec(rec(), 1..120), by in dims()) {
        let lib = library();
        let df = records("jobs_created", &recs);
        let grand = aggregate(&df, &lib, &Request { by: vec![], ..Default::default() }).unwrap();
        let grouped = aggregate(&df, &lib, &Request { by, ..Default::default() }).unwrap();
        let expected: f64 = recs.iter().map(|r| f64::from(r.value)).sum();
        prop_assert_eq!(total(&grand, "jobs_created"), expected);
        prop_assert_eq!(total(&grouped, "jobs_created"), expected);
        prop_assert_eq!(records_total(&grouped, "jobs_created"), recs.len() as i64);
    }

    /// Filtering to some organisations and areas gives what their records alone give,
    /// for a flow and for distinct people (the filter drops records before they are
    /// grouped, so it must keep exactly the ones it names).
    #[test]
    fn a_filter_keeps_exactly_its_units_records(
        recs in proptest::collection::vec(rec(), 1..120),
        orgs in proptest::sample::subsequence(vec![0u8, 1, 2, 3, 4], 1..=3),
        areas in proptest::sample::subsequence(vec![0u8, 1, 2, 3], 0..=2),
        by in dims(),
    ) {
        let lib = library();
        let kept: Vec<Rec> = recs
            .iter()
            .filter(|r| orgs.contains(&r.org) && (areas.is_empty() || areas.contains(&r.area)))
            .cloned()
            .collect();
        let filters = impactkit::aggregate::Filters {
            organisations: orgs.iter().map(|o| format!("O{o}")).collect(),
            areas: areas.iter().map(|a| format!("A{a}")).collect(),
            ..Default::default()
        };
        for indicator in ["jobs_created", "employability_participants"] {
            let filtered = aggregate(
                &records(indicator, &recs),
                &lib,
                &Request { by: by.clone(), filters: filters.clone(), ..Default::default() },
            )
            .unwrap();
            let alone = aggregate(&records(indicator, &kept), &lib, &Request { by: by.clone(), ..Default::default() }).unwrap();
            let sorted = |df: &DataFrame| {
                let df = only(df, indicator);
                let keys: Vec<String> = df.get_column_names().iter().map(|c| c.to_string()).collect();
                df.sort(keys, SortMultipleOptions::default()).unwrap()
            };
            // Not two empty tables: the units kept have figures.
            prop_assert_eq!(only(&alone, indicator).height() > 0, !kept.is_empty());
            prop_assert_eq!(sorted(&filtered), sorted(&alone), "{}", indicator);
        }
    }

    /// A stock grouped by organisation (no period) sums to the total: it is summed across units.
    /// The total is each unit's latest snapshot, which is never more than the sum of all snapshots.
    #[test]
    fn a_stock_sums_across_organisations_but_not_across_time(recs in proptest::collection::vec(rec(), 1..80)) {
        let lib = library();
        let df = records("people_in_work", &recs);
        let grand = total(&aggregate(&df, &lib, &Request::default()).unwrap(), "people_in_work");
        let by_org = Request { by: vec![Dimension::Field("organisation"), Dimension::Field("programme")], ..Default::default() };
        prop_assert_eq!(total(&aggregate(&df, &lib, &by_org).unwrap(), "people_in_work"), grand);
        // Expected by hand: per (organisation, programme), the snapshot on the latest day (summing that day's rows).
        let mut latest: std::collections::BTreeMap<(u8, Option<u8>), (i32, f64)> = Default::default();
        for r in &recs {
            let e = latest.entry((r.org, r.programme)).or_insert((r.day, 0.0));
            if r.day > e.0 { *e = (r.day, 0.0); }
            if r.day == e.0 { e.1 += f64::from(r.value); }
        }
        let expected: f64 = latest.values().map(|(_, v)| v).sum();
        prop_assert_eq!(grand, expected);
        let all: f64 = recs.iter().map(|r| f64::from(r.value)).sum();
        prop_assert!(grand <= all);
    }

    /// Distinct people by any grouping: each group counts at most its records, and the
    /// total is the number of distinct people (groups may overlap, so they need not add
    /// up). An id names a person within its organisation: a person is (organisation, id).
    #[test]
    fn distinct_people_count_each_id_once(recs in proptest::collection::vec(rec(), 1..120), by in dims()) {
        let lib = library();
        let df = records("employability_participants", &recs);
        let ids: std::collections::BTreeSet<(u8, u8)> = recs.iter().map(|r| (r.org, r.participant)).collect();
        prop_assert_eq!(total(&aggregate(&df, &lib, &Request::default()).unwrap(), "employability_participants"), ids.len() as f64);
        let grouped = aggregate(&df, &lib, &Request { by, ..Default::default() }).unwrap();
        prop_assert!(total(&grouped, "employability_participants") >= ids.len() as f64);
    }
}
