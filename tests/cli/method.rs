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

/// Wellbeing (2019 prices) and volunteering (2024 prices) for one programme.
const VALUED: &str = "\
organisation,programme,indicator,date,value,participant
A,P1,life_satisfaction_wellbys,2024-06-01,2,p1
A,P1,wellbeing_improved,2024-06-01,1,p1
A,P1,volunteer_hours,2024-06-01,10,
";

fn value_rows(dir: &std::path::Path, assumptions: Option<&str>, extra: &[&str]) -> crate::util::Run {
    let data = write(dir, "v.csv", VALUED);
    let programmes = write(dir, "p.csv", "id,name,start,end,investment\nP1,Programme,2024-04-01,2025-03-31,10000\n");
    let mut args = vec!["value", s(&data), "--programmes", s(&programmes), "--format", "csv", "--no-suppress"];
    let file;
    if let Some(text) = assumptions {
        file = write(dir, "a.toml", text);
        args.extend(["--assumptions", s(&file)]);
    }
    args.extend(extra);
    impact(&args)
}

/// Values in different years' prices are never added as they are: without a report
/// year they are refused; with one, each is brought to its prices with HM Treasury's
/// GDP deflators (built in), unless the assumptions give an index of their own.
#[test]
fn values_are_added_in_one_price_year() {
    let dir = tempfile::tempdir().unwrap();
    let run = value_rows(dir.path(), None, &[]).expect_code(2);
    assert!(run.stderr.contains("the outcomes valued are in 2019 and 2024 prices"), "{}", run.stderr);
    assert!(run.stderr.contains("set report_year (e.g. report_year = 2024)"), "{}", run.stderr);
    // A WELLBY is £13,000 in 2019 prices; the deflators are 81.1085 (2019) and 100
    // (2024): 13,000 × 100 ÷ 81.1085 = £16,027.91 in 2024 prices.
    let rows = csv_rows(&value_rows(dir.path(), Some("report_year = 2024\n"), &[]).ok().stdout);
    let proxy_at = rows[0].iter().position(|h| h == "proxy_value").unwrap();
    let wellbeing = rows.iter().find(|r| r[1] == "life_satisfaction_wellbys").unwrap();
    assert_eq!(wellbeing[proxy_at], "16027.91");
    // The same from the flag, without a file.
    let flag = csv_rows(&value_rows(dir.path(), None, &["--report-year", "2024"]).ok().stdout);
    assert_eq!(flag, rows);
    // An index of the assumptions' own, giving both years, takes the deflators' place:
    // 13,000 × 110 ÷ 100 = £14,300.
    let own = csv_rows(
        &value_rows(dir.path(), Some("report_year = 2024\n[index]\n2019 = 100.0\n2024 = 110.0\n"), &[]).ok().stdout,
    );
    assert_eq!(own.iter().find(|r| r[1] == "life_satisfaction_wellbys").unwrap()[proxy_at], "14300.0");
    // A year the series does not cover says what to do.
    let run = value_rows(dir.path(), Some("report_year = 2031\n"), &[]).expect_code(1);
    assert!(run.stderr.contains("the GDP deflators built in cover 2015 to 2024 only"), "{}", run.stderr);
}

/// Caveats stand beside the figures: an outcome credited whole, one outcome giving
/// most of the value, and WELLBYs beside the people they rest on.
#[test]
fn a_valuation_says_what_its_figures_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let zero = "report_year = 2024\n[[override]]\nindicator = \"life_satisfaction_wellbys\"\ndeadweight = 0.0\nattribution = 0.0\n";
    let out = value_rows(dir.path(), Some(zero), &[]).ok().stdout;
    assert!(
        out.contains("Life satisfaction gained (WELLBYs) is valued with no deadweight and no attribution"),
        "{out}"
    );
    // 2 WELLBYs × £16,027.91 against 10 hours × £18.64: wellbeing is over 99%.
    assert!(out.contains("Life satisfaction gained (WELLBYs) gives 99% of the present value"), "{out}");
    // One person improved, under the threshold: the caveat does not print the count.
    assert!(out.contains("2 WELLBYs valued at £"), "{out}");
    assert!(out.contains("rest on 1 person counted as \"\"People whose wellbeing improved\"\""), "{out}");
    let protected = csv_rows(&{
        let data = write(dir.path(), "v.csv", VALUED);
        let programmes =
            write(dir.path(), "p.csv", "id,name,start,end,investment\nP1,Programme,2024-04-01,2025-03-31,10000\n");
        let a = write(dir.path(), "a.toml", "report_year = 2024\n");
        impact(&["value", s(&data), "--programmes", s(&programmes), "--assumptions", s(&a), "--format", "csv"])
            .ok()
            .stdout
    })
    .concat()
    .join(",");
    assert!(protected.contains("rest on fewer than 5 people"), "{protected}");
}

/// Sensitivity is labelled as applied: the WELLBY's stated £10,000–£16,000 (2019
/// prices) in 2024 prices, and a duration of 1 year tried at 1 and 2 years.
#[test]
fn sensitivity_is_labelled_as_applied() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "w.csv",
        "organisation,programme,indicator,date,value\nA,P1,life_satisfaction_wellbys,2024-06-01,2\n",
    );
    let programmes =
        write(dir.path(), "p.csv", "id,name,start,end,investment\nP1,Programme,2024-04-01,2025-03-31,10000\n");
    let out = impact(&[
        "value",
        s(&data),
        "--programmes",
        s(&programmes),
        "--report-year",
        "2024",
        "--sensitivity",
        "--format",
        "json",
    ])
    .ok()
    .stdout;
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let of = |p: &str| {
        let r = rows.as_array().unwrap().iter().find(|r| r["assumption"] == p).unwrap();
        (r["low_as_applied"].as_str().unwrap().to_string(), r["high_as_applied"].as_str().unwrap().to_string())
    };
    // £10,000 × 100 ÷ 81.1085 = £12,329.16; £16,000 × 100 ÷ 81.1085 = £19,726.66.
    assert_eq!(of("value"), ("£12,329.16".to_string(), "£19,726.66".to_string()));
    assert_eq!(of("duration_years"), ("1 year".to_string(), "2 years".to_string()));
    assert_eq!(of("deadweight"), ("5%".to_string(), "15%".to_string()));
}

/// A side table is read as strictly as the data: a programme start that is not a
/// real date is refused with its row and column, not dropped (which charged the whole
/// investment to one year).
#[test]
fn side_tables_refuse_what_they_cannot_read() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "v.csv", VALUED);
    let programmes =
        write(dir.path(), "p.csv", "id,name,start,end,investment\nP1,Programme,31/02/2022,2025-03-31,10000\n");
    let run = impact(&["value", s(&data), "--programmes", s(&programmes), "--report-year", "2024"]).expect_code(1);
    assert!(
        run.stderr.contains("p.csv: row 2, column C \"start\": \"31/02/2022\" is not a real date"),
        "{}",
        run.stderr
    );
    let programmes =
        write(dir.path(), "p.csv", "id,name,start,end,investment\nP1,Programme,2024-04-01,2025-03-31,tbc\n");
    let run = impact(&["value", s(&data), "--programmes", s(&programmes), "--report-year", "2024"]).expect_code(1);
    assert!(run.stderr.contains("row 2, column E \"investment\": \"tbc\" is not a number"), "{}", run.stderr);
    let targets = write(dir.path(), "t.csv", "indicator,target,period\nvolunteer_hours,ten,2024-25\n");
    let run = impact(&["aggregate", s(&data), "--by", "financial_year", "--targets", s(&targets)]).expect_code(1);
    assert!(run.stderr.contains("row 2, column B \"target\": \"ten\" is not a number"), "{}", run.stderr);
    let commitments = write(
        dir.path(),
        "c.csv",
        "contract,supplier,indicator,committed,due,contract_value\nC1,A,volunteer_hours,10,30/02/2025,1000\n",
    );
    let run = impact(&["commitments", "--commitments", s(&commitments), s(&data)]).expect_code(1);
    assert!(run.stderr.contains("row 2, column E \"due\": \"30/02/2025\" is not a real date"), "{}", run.stderr);
}

/// A commitment due on the as-of date and not met is missed, records or none (with no
/// delivered figure when nothing was recorded); one not yet due with no records is
/// "none recorded"; counts are whole numbers in JSON.
#[test]
fn commitments_say_missed_and_none_recorded_the_same_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "d.csv",
        "organisation,indicator,date,value\nA,volunteer_hours,2024-06-01,28\nA,volunteer_hours,2025-03-31,0\n",
    );
    let commitments = write(
        dir.path(),
        "c.csv",
        "contract,supplier,indicator,committed,start,due,contract_value\nC1,A,volunteer_hours,100,2024-04-01,2025-03-31,1000\nC1,A,items_reused,50,2024-04-01,2025-03-31,1000\nC1,A,food_parcels,50,2024-04-01,2026-03-31,1000\n",
    );
    let csv = impact(&["commitments", "--commitments", s(&commitments), s(&data), "--format", "csv"]).ok().stdout;
    assert!(csv.contains("C1,A,volunteer_hours,100.0,28.0,28.0,100.0,missed,2025-03-31"), "{csv}");
    assert!(csv.contains("C1,A,items_reused,50.0,,,50.0,missed,"), "{csv}");
    assert!(csv.contains("C1,A,food_parcels,50.0,,,") && csv.contains(",none recorded,2026-03-31"), "{csv}");
    let json = impact(&["commitments", "--commitments", s(&commitments), s(&data), "--format", "json"]).ok().stdout;
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    let missed = rows.as_array().unwrap().iter().find(|r| r["indicator"] == "items_reused").unwrap();
    assert!(missed["delivered"].is_null() && missed["status"] == "missed", "{missed}");
    let none = rows.as_array().unwrap().iter().find(|r| r["indicator"] == "food_parcels").unwrap();
    assert!(none["delivered"].is_null() && none["status"] == "none recorded", "{none}");
    let compare = impact(&[
        "compare",
        "samples/outcomes.csv",
        "--programmes",
        "samples/programmes.csv",
        "--indicator",
        "jobs_created",
        "--format",
        "json",
    ])
    .ok()
    .stdout;
    let rows: serde_json::Value = serde_json::from_str(&compare).unwrap();
    for r in rows.as_array().unwrap() {
        assert!(r["records"].is_u64() || r["records"].is_null(), "{r}");
        assert!(r["participants"].is_u64() || r["participants"].is_null(), "{r}");
    }
}

/// The shipped open proxies carry where their default adjustments come from, and the
/// carbon values are the data tables' published low and high series.
#[test]
fn open_proxies_say_where_their_defaults_come_from() {
    let text = std::fs::read_to_string(crate::util::repo().join("proxies/open.toml")).unwrap();
    let proxies: toml::Value = toml::from_str(&text).unwrap();
    for p in proxies["proxy"].as_array().unwrap() {
        let adjustments = p.get("adjustments").and_then(|a| a.as_str()).unwrap_or("");
        assert!(!adjustments.trim().is_empty(), "{} has no adjustments basis", p["indicator"]);
        assert!(
            p["deadweight"].as_float().unwrap() > 0.0 || p["attribution"].as_float().unwrap() > 0.0,
            "{} defaults to no deadweight and no attribution",
            p["indicator"]
        );
    }
    let carbon =
        proxies["proxy"].as_array().unwrap().iter().find(|p| p["indicator"].as_str() == Some("co2e_avoided")).unwrap();
    assert_eq!((carbon["low"].as_float(), carbon["high"].as_float()), (Some(134.48), Some(403.45)));
    assert!(carbon["source"].as_str().unwrap().contains("data tables"));
}
