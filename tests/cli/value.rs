//! `impact value` and `impact commitments` on small data worked out by hand.

use crate::util::{s, write};

/// The hand-worked figures here use the test proxies (`tests/fixtures/proxies`: the
/// jobs_created proxy the arithmetic below is worked from), not the shipped open set.
fn impact(args: &[&str]) -> crate::util::Run {
    let mut with = args.to_vec();
    with.extend(["--proxies", "tests/fixtures/proxies"]);
    crate::util::impact(&with)
}

fn rows(csv: &str) -> Vec<Vec<String>> {
    crate::util::csv_rows(csv)
}

fn cell(rows: &[Vec<String>], first: &[&str], column: &str) -> String {
    let at = rows[0].iter().position(|h| h == column).unwrap_or_else(|| panic!("{column} in {:?}", rows[0]));
    rows.iter().find(|r| r.iter().zip(first).all(|(a, b)| a == b)).unwrap_or_else(|| panic!("{first:?} in {rows:?}"))
        [at]
        .clone()
}

fn fixture(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let mut data = String::from("record_id,organisation,programme,indicator,date,value,participant\n");
    for i in 0..10 {
        data.push_str(&format!("J{i},ORG_A,P1,jobs_created,2024-0{}-10,1,p{i}\n", 4 + i % 5));
    }
    let data = write(dir, "d.csv", &data);
    let programmes = write(dir, "programmes.csv", "id,name,investment\nP1,Programme one,\"£100,000\"\n");
    (data, programmes)
}

/// The test jobs_created proxy (tests/fixtures/proxies): £12,000, deadweight 25%, attribution 20%,
/// displacement 10%, drop-off 30%, 2 years. 10 job starts:
///   gross 120,000; year 1: 120,000 × 0.75 × 0.8 × 0.9 = 64,800; year 2: × 0.7 = 45,360.
///   PV = 64,800 ÷ 1.035 + 45,360 ÷ 1.035² = 62,608.70 + 42,344.05 = 104,952.74
///   SROI = 104,952.74 ÷ 100,000 = 1.05; NPV = 4,952.74
///   payback: 35,200 left after year 1, at 45,360 ÷ 12 = 3,780 a month → 9.31 months → 21.3.
#[test]
fn library_defaults_to_the_penny() {
    let dir = tempfile::tempdir().unwrap();
    let (data, programmes) = fixture(dir.path());
    let out = impact(&["value", s(&data), "--programmes", s(&programmes), "--format", "csv"]).ok().stdout;
    let r = rows(&out);
    assert_eq!(cell(&r, &["P1", "jobs_created"], "gross_value"), "120000.0");
    assert_eq!(cell(&r, &["P1", "jobs_created"], "impact_year1"), "64800.0");
    assert_eq!(cell(&r, &["P1", "total"], "present_value"), "104952.74");
    assert_eq!(cell(&r, &["P1", "total"], "sroi"), "1.05");
    assert_eq!(cell(&r, &["P1", "total"], "npv"), "4952.74");
    assert_eq!(cell(&r, &["P1", "total"], "payback_months"), "21.3");
    let map = rows(&impact(&["value", s(&data), "--impact-map", "--format", "csv"]).ok().stdout);
    assert_eq!(map[0][..5], ["programme", "stakeholder", "outcome", "indicator", "quantity"].map(String::from));
    assert_eq!(cell(&map, &["P1", "participants"], "deadweight"), "0.25");
    assert_eq!(cell(&map, &["P1", "participants"], "present_value"), "104952.74");
}

/// An override: proxy £1,000, deadweight 20%, attribution 10%, displacement 5%,
/// drop-off 25% over 5 years (the unit test's case): year 1 6,840 then 5,130,
/// 3,847.50, 2,885.63, 2,164.22; PV at 3.5% = 19,204.70 for 10 jobs.
/// Against £8,000: SROI 2.40; payback 12 + 1,160 ÷ 427.50 = 14.7 months.
#[test]
fn overrides_drop_off_and_five_years_of_discounting() {
    let dir = tempfile::tempdir().unwrap();
    let (data, _) = fixture(dir.path());
    let programmes = write(dir.path(), "p.csv", "id,investment\nP1,8000\n");
    let assumptions = write(
        dir.path(),
        "a.toml",
        "[[override]]\nindicator = \"jobs_created\"\nvalue = 1000\nprice_year = 2024\ndeadweight = 0.2\nattribution = 0.1\ndisplacement = 0.05\ndrop_off = 0.25\nduration_years = 5\n",
    );
    let out = impact(&[
        "value",
        s(&data),
        "--programmes",
        s(&programmes),
        "--assumptions",
        s(&assumptions),
        "--format",
        "csv",
    ])
    .ok()
    .stdout;
    let r = rows(&out);
    assert_eq!(cell(&r, &["P1", "total"], "present_value"), "19204.7");
    assert_eq!(cell(&r, &["P1", "total"], "sroi"), "2.4");
    assert_eq!(cell(&r, &["P1", "total"], "payback_months"), "14.7");
    // Break-even proxy: SROI scales with the proxy, so × 1 ÷ 2.4006 = 0.417.
    let sens = impact(&[
        "value",
        s(&data),
        "--programmes",
        s(&programmes),
        "--assumptions",
        s(&assumptions),
        "--sensitivity",
        "--format",
        "csv",
    ])
    .ok()
    .stdout;
    let r = rows(&sens);
    assert_eq!(cell(&r, &["P1", "value"], "break_even_multiplier"), "0.417");
    // ±50% of the proxy: SROI 1.2 and 3.6.
    assert_eq!(cell(&r, &["P1", "value"], "sroi_low"), "1.2");
    assert_eq!(cell(&r, &["P1", "value"], "sroi_high"), "3.601");
}

#[test]
fn a_price_index_moves_proxies_to_the_report_year() {
    let dir = tempfile::tempdir().unwrap();
    let (data, programmes) = fixture(dir.path());
    // Report in 2025 prices with index 2024 = 100, 2025 = 103: the £12,000 proxy becomes £12,360.
    let a = write(dir.path(), "a.toml", "report_year = 2025\n[index]\n2024 = 100\n2025 = 103\n");
    let out = impact(&["value", s(&data), "--programmes", s(&programmes), "--assumptions", s(&a), "--format", "csv"])
        .ok()
        .stdout;
    assert_eq!(cell(&rows(&out), &["P1", "jobs_created"], "proxy_value"), "12360.0");
    let missing = write(dir.path(), "m.toml", "report_year = 2025\n");
    // An error in the assumptions file, like its other errors: it names the file, exit 1.
    let run = impact(&["value", s(&data), "--assumptions", s(&missing)]).expect_code(1);
    assert!(
        run.stderr.contains("m.toml: `jobs_created` is valued in 2024 prices and the report in 2025 prices, but the GDP deflators built in cover 2015 to 2024 only"),
        "{}",
        run.stderr
    );
}

#[test]
fn invalid_assumptions_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (data, _) = fixture(dir.path());
    for (text, message) in [
        (
            "[[override]]\nindicator = \"jobs_created\"\ndeadweight = 25\n",
            "override 1: deadweight = 25 is outside 0–1 (write 25% as 0.25)",
        ),
        ("[[override]]\nduration_years = -2\n", "override 1: duration_years = -2 must be from 1 to 100 years"),
        ("discount_rate = 3.5\n", "discount_rate = 3.5 is outside 0–1"),
        (
            "[[override]]\nindicator = \"jobs_creatd\"\n",
            "unknown indicator `jobs_creatd` (did you mean `jobs_created`?)",
        ),
        ("[sensitivity]\nvalue = { low = 2, high = 1 }\n", "must be multipliers with 0 ≤ low ≤ high"),
        ("[[overide]]\n", "unknown field `overide`"),
    ] {
        let a = write(dir.path(), "a.toml", text);
        let run = impact(&["value", s(&data), "--assumptions", s(&a)]).expect_code(1);
        assert!(run.stderr.contains(message), "{text}: {}", run.stderr);
    }
}

#[test]
fn no_investment_means_no_ratio_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (data, _) = fixture(dir.path());
    let run = impact(&["value", s(&data)]).ok();
    assert!(run.stdout.contains("note: no investment for P1"), "{}", run.stdout);
}

/// Commitments on 2024-07-01 (as of), contracts 2024-01-01 to 2024-12-31 (365 days, 182 elapsed):
///   A: 10 of 10 jobs → met; B: 4 of 10 → expected 10 × 182/365 = 4.99, 90% = 4.49 → at risk;
///   C: 5 of 10 → on track; D (due 2024-06-30, passed) 3 of 10 → missed.
#[test]
fn commitment_statuses_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = String::from("organisation,programme,indicator,date,value\n");
    for (org, n) in [("SA", 10), ("SB", 4), ("SC", 5), ("SD", 3)] {
        for i in 0..n {
            data.push_str(&format!("{org},CBC,jobs_created,2024-0{}-15,1\n", 1 + i % 5));
        }
    }
    let data = write(dir.path(), "d.csv", &data);
    let c = write(
        dir.path(),
        "c.csv",
        "contract,supplier,programme,indicator,committed,start,due,contract_value\n\
         K1,SA,CBC,jobs_created,10,2024-01-01,2024-12-31,\"£1,000,000\"\n\
         K2,SB,CBC,jobs_created,10,2024-01-01,2024-12-31,500000\n\
         K3,SC,CBC,jobs_created,10,2024-01-01,2024-12-31,500000\n\
         K4,SD,CBC,jobs_created,10,2024-01-01,2024-06-30,500000\n",
    );
    let out = impact(&[
        "commitments",
        "--commitments",
        s(&c),
        s(&data),
        "--as-of",
        "2024-07-01",
        "--format",
        "csv",
        "--no-suppress",
    ])
    .ok()
    .stdout;
    let r = rows(&out);
    assert_eq!(cell(&r, &["K1", "SA", "jobs_created"], "status"), "met");
    assert_eq!(cell(&r, &["K2", "SB", "jobs_created"], "status"), "at risk");
    assert_eq!(cell(&r, &["K2", "SB", "jobs_created"], "expected_to_date"), "4.99");
    assert_eq!(cell(&r, &["K3", "SC", "jobs_created"], "status"), "on track");
    assert_eq!(cell(&r, &["K4", "SD", "jobs_created"], "status"), "missed");
    assert_eq!(cell(&r, &["K4", "SD", "jobs_created"], "pct_delivered"), "30.0");
    // Social value: 10 jobs × £12,000 = £120,000 = 12% of K1's £1,000,000.
    assert_eq!(cell(&r, &["K1", "SA", "total"], "social_value"), "120000.0");
    assert_eq!(cell(&r, &["K1", "SA", "total"], "social_value_pct"), "12.0");
}

#[test]
fn the_cbc_register_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cbc.pdf");
    impact(&[
        "report",
        "reports/cbc.toml",
        "--data",
        "samples/outcomes.csv",
        "--commitments",
        "samples/commitments.csv",
        "--organisations",
        "samples/organisations.csv",
        "--out",
        s(&out),
    ])
    .ok();
    let doc = lopdf::Document::load(&out).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let t = doc.extract_text(&pages).unwrap();
    for expected in [
        "Community benefit register",
        "Commitments and delivery",
        "Lanark Road",
        "CBC-CIVIC-04",
        "met",
        "at risk",
        "on track",
        "of the contract's £3,200,000",
    ] {
        assert!(t.contains(expected), "missing {expected:?} in\n{t}");
    }
    // Without --commitments the spec cannot be rendered.
    let run =
        impact(&["report", "reports/cbc.toml", "--data", "samples/outcomes.csv", "--out", s(&out)]).expect_code(2);
    assert!(run.stderr.contains("hint: give --commitments FILE"), "{}", run.stderr);
}

/// The SROI cases a Green Book appraisal needs, through the command, on a library of
/// two outcomes (10 people each, in P1, with £20,000 invested):
///   wellbeing: £13,000 a person-year in 2019 prices (low £10,000, high £16,000), the
///     index 80 → 100 making it £16,250 (£12,500 to £20,000) in 2024 prices; from
///     year 0 for 2 years at its own 1.5%; deadweight 50%, so 10 × 16,250 × 0.5 =
///     81,250 a year: PV = 81,250 + 81,250 ÷ 1.015 = 81,250 + 80,049.26 = 161,299.26.
///   harm: a dis-benefit of £1,000 a person (2024 prices), year 1, at 3.5%:
///     −10,000 ÷ 1.035 = −9,661.84.
///   Total 161,299.261 − 9,661.836 = 151,637.43 (from the unrounded lines); SROI
///   151,637.43 ÷ 20,000 = 7.58.
///   Value test: wellbeing at £12,500 and £20,000 (its stated range), harm × 0.5 and
///   × 1.5: low = 10 × 12,500 × 0.5 × (1 + 1 ÷ 1.015) − 5,000 ÷ 1.035 = 124,076.35
///   − 4,830.92 = 119,245.44 → 5.962; high = 10 × 20,000 × 0.5 × (1 + 1 ÷ 1.015)
///   − 15,000 ÷ 1.035 = 198,522.17 − 14,492.75 = 184,029.41 → 9.201.
/// As an evaluation (year 1 is past), harm is not discounted: 161,299.26 − 10,000 =
/// 151,299.26 (the wellbeing years 0 and 1 are both past: 81,250 × 2 = 162,500, so
/// 152,500.00).
#[test]
fn start_years_own_rates_ranges_disbenefits_and_evaluations_to_the_penny() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    let indicator = |id: &str, proxy: &str| {
        format!("[[indicator]]\nid = \"{id}\"\nname = \"{id}\"\ntheme = \"t\"\nunit = \"people\"\naggregation = \"sum\"\ndirection = \"higher\"\ndescription = \"d\"\nmin = 0\nstakeholder = \"participants\"\nproxy = {{ {proxy} }}\n\n")
    };
    let text = indicator("wellbeing", "value = 13000, low = 10000, high = 16000, currency = \"GBP\", price_year = 2019, source = \"s\", deadweight = 0.5, duration_years = 2, start_year = 0, discount_rate = 0.015")
        + &indicator(
            "harm",
            "value = 1000, currency = \"GBP\", price_year = 2024, source = \"s\", disbenefit = true, adjustments = \"none: a test\"",
        );
    std::fs::write(lib.join("t.toml"), text).unwrap();
    let mut data = String::from("record_id,organisation,programme,indicator,date,value\n");
    for (i, id) in ["wellbeing", "harm"].iter().enumerate() {
        data.push_str(&format!("R{i},ORG_A,P1,{id},2024-05-01,10\n"));
    }
    let data = write(dir.path(), "d.csv", &data);
    let programmes = write(dir.path(), "p.csv", "id,name,investment\nP1,Programme one,20000\n");
    let index = "report_year = 2024\n[index]\n2019 = 80.0\n2024 = 100.0\n";
    let forecast = write(dir.path(), "a.toml", index);
    let run = |assumptions: &std::path::Path, extra: &[&str]| {
        let mut args = vec![
            "value",
            s(&data),
            "--indicators",
            s(&lib),
            "--programmes",
            s(&programmes),
            "--assumptions",
            s(assumptions),
            "--format",
            "csv",
            "--no-suppress",
        ];
        args.extend_from_slice(extra);
        rows(&crate::util::impact(&args).ok().stdout)
    };
    let r = run(&forecast, &[]);
    assert_eq!(cell(&r, &["P1", "wellbeing"], "proxy_value"), "16250.0");
    assert_eq!(cell(&r, &["P1", "wellbeing"], "present_value"), "161299.26");
    assert_eq!(cell(&r, &["P1", "harm"], "gross_value"), "-10000.0");
    assert_eq!(cell(&r, &["P1", "harm"], "present_value"), "-9661.84");
    assert_eq!(cell(&r, &["P1", "total"], "present_value"), "151637.43");
    assert_eq!(cell(&r, &["P1", "total"], "sroi"), "7.58");
    let sens = run(&forecast, &["--sensitivity"]);
    assert_eq!(cell(&sens, &["P1", "value"], "sroi_low"), "5.962");
    assert_eq!(cell(&sens, &["P1", "value"], "sroi_high"), "9.201");
    let map = run(&forecast, &["--impact-map"]);
    assert_eq!(cell(&map, &["P1", "participants", "wellbeing"], "start_year"), "0");
    assert_eq!(cell(&map, &["P1", "participants", "wellbeing"], "discount_rate"), "0.015");
    let evaluation = write(dir.path(), "e.toml", &format!("appraisal = \"evaluative\"\n{index}"));
    let r = run(&evaluation, &[]);
    assert_eq!(cell(&r, &["P1", "harm"], "present_value"), "-10000.0");
    assert_eq!(cell(&r, &["P1", "wellbeing"], "present_value"), "162500.0");
    assert_eq!(cell(&r, &["P1", "total"], "present_value"), "152500.0");

    // The report says what a reader needs to know of each: its own rate, its first
    // year, the dis-benefit, the evaluation, and the stated range.
    let spec = write(dir.path(), "s.toml", "title = \"T\"\naudience = \"A\"\nsubject = \"programme\"\nperiod = { financial_year = \"2024-25\" }\nindicators = [\"wellbeing\", \"harm\"]\n[[section]]\nkind = \"social_value\"\n[[section]]\nkind = \"methodology\"\n");
    let pdf = dir.path().join("r.pdf");
    crate::util::impact(&[
        "report",
        s(&spec),
        "--data",
        s(&data),
        "--indicators",
        s(&lib),
        "--programmes",
        s(&programmes),
        "--assumptions",
        s(&evaluation),
        "--subject",
        "P1",
        "--no-suppress",
        "--out",
        s(&pdf),
    ])
    .ok();
    let text = crate::util::pdf_text(&pdf).split_whitespace().collect::<Vec<_>>().join(" ");
    for words in [
        "1.5% for wellbeing",
        "This is an evaluation: the year valued has passed and is not discounted",
        "wellbeing is valued from the year of the activity itself (year 0)",
        "harm is a dis-benefit: its value is taken off the total",
        "Credible range £12,500 to £20,000 per unit",
        "A dis-benefit, taken off the total",
    ] {
        assert!(text.contains(words), "{words:?} in {text}");
    }
}
