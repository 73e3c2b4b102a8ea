//! impactkit used as a crate, not through the binary: the pipeline's streaming pass
//! and its in-memory form give the same figures, worked out by hand.

use impactkit::aggregate::{Dimension, Filters, Request};
use impactkit::data::{self, CheckOptions};
use impactkit::indicator::Library;
use impactkit::pipeline::{self, Input};

use crate::util::{repo, write};

fn value(df: &polars::prelude::DataFrame, key: &[&str]) -> Option<f64> {
    let text =
        |name: &str| df.column(name).unwrap().cast(&polars::prelude::DataType::String).unwrap().str().unwrap().clone();
    let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
    let keys: Vec<_> = names[..key.len()].iter().map(|n| text(n)).collect();
    let values = df.column("value").unwrap().f64().unwrap().clone();
    (0..df.height())
        .find(|i| keys.iter().zip(key).all(|(k, want)| k.get(*i) == Some(*want)))
        .and_then(|i| values.get(i))
}

#[test]
fn one_pass_answers_several_requests() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "d.csv",
        "record_id,organisation,programme,indicator,date,value,participant\n\
         1,ORG_A,P1,jobs_created,2024-05-01,1,a1\n\
         2,ORG_A,P1,jobs_created,2024-06-01,1,a2\n\
         3,ORG_B,P1,jobs_created,2025-05-01,1,b1\n\
         4,ORG_B,P2,volunteer_hours,2024-07-01,12.5,\n\
         5,ORG_B,P2,volunteer_hours,2024-08-01,7.5,\n",
    );
    let library = Library::load(&repo().join("indicators")).unwrap();
    let by_org = Request { by: vec![Dimension::Field("organisation")], ..Request::default() };
    let in_2024_25 = Request {
        by: vec![Dimension::Field("programme")],
        filters: Filters {
            from: chrono::NaiveDate::from_ymd_opt(2024, 4, 1),
            to: chrono::NaiveDate::from_ymd_opt(2025, 3, 31),
            ..Filters::default()
        },
        ..Request::default()
    };
    let requests = [by_org, in_2024_25];
    let paths = [file.clone()];
    let options =
        CheckOptions { today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), ..CheckOptions::default() };
    let input = Input { options: options.clone(), ..Input::files(&paths) };
    let out = pipeline::run(&input, &library, &requests).unwrap();
    // By organisation: ORG_A 1 + 1 = 2 job starts; ORG_B 1 job start and 12.5 + 7.5 = 20 hours.
    assert_eq!(value(&out.figures[0], &["ORG_A", "jobs_created"]), Some(2.0));
    assert_eq!(value(&out.figures[0], &["ORG_B", "jobs_created"]), Some(1.0));
    assert_eq!(value(&out.figures[0], &["ORG_B", "volunteer_hours"]), Some(20.0));
    // In 2024-25 by programme: P1 has the two May and June 2024 starts (ORG_B's is in 2025-26).
    assert_eq!(value(&out.figures[1], &["P1", "jobs_created"]), Some(2.0));
    assert_eq!(out.latest, chrono::NaiveDate::from_ymd_opt(2025, 5, 1));
    assert_eq!(out.report.records_valid, 5);
    // The same figures from records in memory.
    let loaded = data::load(&paths, &library, None, &options).unwrap();
    let (valid, _) = data::keep_valid(loaded, false).unwrap();
    let again = pipeline::from_records(&valid.records, &library, &requests).unwrap();
    for (a, b) in out.figures.iter().zip(&again.figures) {
        assert!(a.equals_missing(b), "{a}\n{b}");
    }
}
