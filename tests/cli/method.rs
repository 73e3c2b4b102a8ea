//! The method under every filter: cohort follow-ups are looked for in every record,
//! participant ids name people within a declared scope, follow-ups without a start
//! are warned of, side tables are read strictly.

use crate::util::{csv_rows, impact, s, value_of, write};

/// Job starts and 26-week sustainments (a cohort of 200 days), worked by hand.
///
/// Organisation A, programme P1: a1, a2, a3 and a4 start work on 10 April 2024.
/// - a1 is sustained on 10 September 2024, recorded under programme P2 (A's own);
/// - a2 is sustained on 10 September 2024 under P1;
/// - a3 and a4 have no sustainment.
///
/// Organisation B numbers its own people: its a3 is sustained on 10 September 2024.
/// A record on 31 March 2025 closes every window (10 April + 200 days = 27 October).
const COHORT: &str = "\
organisation,programme,indicator,date,value,participant
A,P1,jobs_created,2024-04-10,1,a1
A,P1,jobs_created,2024-04-10,1,a2
A,P1,jobs_created,2024-04-10,1,a3
A,P1,jobs_created,2024-04-10,1,a4
A,P2,jobs_sustained_26w,2024-09-10,1,a1
A,P1,jobs_sustained_26w,2024-09-10,1,a2
B,P1,jobs_sustained_26w,2024-09-10,1,a3
B,P1,volunteer_hours,2025-03-31,5,
";

fn rate(args: &[&str], key: &[&str]) -> (f64, f64, f64) {
    let mut all = vec!["aggregate"];
    all.extend(args);
    all.extend(["--indicator", "job_sustainment_rate_26w", "--no-suppress", "--format", "csv"]);
    let rows = csv_rows(&impact(&all).ok().stdout);
    let at = |suffix: &str| {
        let id = format!("job_sustainment_rate_26w{suffix}");
        let mut k: Vec<&str> = key.to_vec();
        k.push(&id);
        value_of(&rows, &k)
    };
    (at(""), at(".achieved"), at(".not_achieved"))
}

/// Filters choose a cohort's members, never its outcomes: A's P1 cohort is
/// a1 (sustained under P2), a2 (sustained) achieved, a3 and a4 not: 2 ÷ 4 = 50%,
/// whether the records are filtered by programme, by organisation or not at all.
/// B's a3 is another person (ids are A's and B's own), so it does not complete A's.
#[test]
fn filters_choose_members_and_outcomes_are_searched_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "c.csv", COHORT);
    let d = s(&data);
    let by = ["--by", "organisation,programme"];
    let unfiltered = rate(&[d, by[0], by[1]], &["A", "P1"]);
    assert_eq!(unfiltered, (50.0, 2.0, 2.0), "2 of 4 achieved");
    // Filtered to P1, a1's sustainment (under P2) used to be dropped: 1 ÷ 4 = 25%.
    assert_eq!(rate(&[d, by[0], by[1], "--programme", "P1"], &["A", "P1"]), unfiltered);
    assert_eq!(rate(&[d, by[0], by[1], "--organisation", "A"], &["A", "P1"]), unfiltered);
    // With ids shared across organisations, B's a3 is A's a3: 3 ÷ 4 = 75%.
    assert_eq!(
        rate(&[d, by[0], by[1], "--participant-ids", "shared"], &["A", "P1"]),
        (75.0, 3.0, 1.0),
        "a1, a2 and a3 achieved"
    );
}

/// Distinct people follow the scope: two partners' person 1 are two people, unless
/// the project says ids are shared.
#[test]
fn distinct_people_are_counted_within_the_declared_scope() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "p.csv",
        "organisation,programme,indicator,date,value,participant\nA,P1,learners,2024-05-01,1,1\nA,P2,learners,2024-05-02,1,1\nB,P1,learners,2024-05-01,1,1\nB,P1,learners,2024-05-03,1,2\n",
    );
    let count = |scope: &str| {
        let out = impact(&[
            "aggregate",
            s(&data),
            "--indicator",
            "learners",
            "--participant-ids",
            scope,
            "--no-suppress",
            "--format",
            "csv",
        ])
        .ok()
        .stdout;
        value_of(&csv_rows(&out), &["learners"])
    };
    // A's 1 (in two programmes) + B's 1 + B's 2.
    assert_eq!(count("organisation"), 3.0);
    // P1's 1 (A's and B's) + P1's 2 + P2's 1.
    assert_eq!(count("programme"), 3.0);
    // 1 and 2.
    assert_eq!(count("shared"), 2.0);
    // A project says so once for every command.
    std::fs::create_dir(dir.path().join("data")).unwrap();
    std::fs::copy(&data, dir.path().join("data/p.csv")).unwrap();
    write(
        dir.path(),
        "impact.toml",
        "[[source]]\npath = \"data/*.csv\"\n[defaults]\nparticipant_ids = \"shared\"\nno_suppress = true\n",
    );
    let out = crate::util::impact_in(dir.path(), &["aggregate", "--indicator", "learners", "--format", "csv"]).ok();
    assert_eq!(value_of(&csv_rows(&out.stdout), &["learners"]), 2.0);
}

/// A follow-up with no start for its participant in the window before it is a
/// warning naming the record; the report's data quality counts them.
#[test]
fn follow_ups_without_their_start_are_warned_of() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "f.csv",
        "organisation,programme,indicator,date,value,participant
A,P1,jobs_created,2024-04-10,1,p1
A,P1,jobs_sustained_26w,2024-09-10,1,p1
A,P1,jobs_sustained_26w,2024-09-10,1,p2
A,P1,jobs_created,2024-10-01,1,p3
A,P1,jobs_sustained_26w,2024-09-10,1,p3
A,P1,jobs_created,2023-04-10,1,p4
A,P1,jobs_sustained_26w,2024-09-10,1,p4
B,P1,jobs_sustained_26w,2024-09-10,1,p1
",
    );
    let run = impact(&["validate", s(&data)]).ok();
    let warned: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("warning:")).collect();
    // p1's follow-up in A has its start; p2 has none; p3's is dated before its start;
    // p4's start is 519 days before; B's p1 is B's own person, with no start in B.
    assert_eq!(warned.len(), 4, "{}", run.stdout);
    assert!(warned[0].contains("row 4: jobs_sustained_26w follows up a jobs_created within 200 days, but no jobs_created record for this participant"), "{}", warned[0]);
    assert!(
        warned[1].contains("row 6:") && warned[1].contains("dated before the participant's jobs_created record"),
        "{}",
        warned[1]
    );
    assert!(warned[2].contains("row 8:") && warned[2].contains("more than 200 days before it"), "{}", warned[2]);
    assert!(warned[3].contains("row 9:") && warned[3].contains("no jobs_created record"), "{}", warned[3]);
    assert!(run.stdout.contains("0 error(s), 4 warning(s) (4 follow-up without its start)"), "{}", run.stdout);
    // In A's board pack: three follow-ups without a start (under 5: withheld as <5
    // when published; shown with --no-suppress).
    let pdf = dir.path().join("a.pdf");
    impact(&["report", "board", "--data", s(&data), "--subject", "A", "--out", s(&pdf), "--no-suppress"]).ok();
    let text = crate::util::pdf_text(&pdf).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("Follow-ups with no start recorded before them 3"), "{text}");
}
