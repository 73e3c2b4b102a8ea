use crate::util::{impact, s, write};

#[test]
fn the_shipped_library_is_large_and_clean() {
    let run = impact(&["indicators", "check"]).ok();
    assert!(run.stdout.contains("0 problem(s)"), "{}", run.stdout);
    let list = impact(&["indicators", "list"]).ok();
    let count: usize = list
        .stdout
        .lines()
        .last()
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("count line");
    assert!(count >= 40, "at least 40 indicators, got {count}");
    for theme in ["employment", "skills", "volunteering", "local_economy", "community", "health_wellbeing", "justice", "environment", "public_purse"] {
        assert!(list.stdout.contains(theme), "theme {theme} missing");
    }
}

#[test]
fn the_library_has_stocks_distincts_and_ratios() {
    let json = impact(&["indicators", "list", "--json"]).ok().stdout;
    let all: serde_json::Value = serde_json::from_str(&json).expect("json");
    let all = all.as_array().expect("array");
    let has = |key: &str, value: &str| all.iter().any(|i| i[key] == value);
    assert!(has("across_time", "last"), "a stock indicator (last across time)");
    assert!(has("aggregation", "distinct"));
    assert!(has("aggregation", "ratio"));
    assert!(all.iter().filter(|i| i.get("proxy").is_some()).count() >= 10, "financial proxies");
    // Framework codes, where given, have their framework's shape.
    for i in all {
        if let Some(t) = i["frameworks"].get("toms") {
            assert!(t.as_str().is_some_and(|t| t.starts_with("NT")), "{i}");
        }
    }
}

#[test]
fn show_explains_the_roll_up_and_proxy() {
    let out = impact(&["indicators", "show", "people_in_work"]).ok().stdout;
    assert!(out.contains("a stock"), "{out}");
    assert!(out.contains("latest"), "{out}");
    let out = impact(&["indicators", "show", "job_sustainment_rate_26w"]).ok().stdout;
    assert!(out.contains("jobs_sustained_26w ÷ jobs_created × 100"), "{out}");
    let out = impact(&["indicators", "show", "jobs_created"]).ok().stdout;
    assert!(out.contains("proxy:       GBP 12,000"), "{out}");
    assert!(out.contains("deadweight 25%"), "{out}");
}

#[test]
fn unknown_id_suggests_the_nearest() {
    let run = impact(&["indicators", "show", "jobs_creatd"]).expect_code(2);
    assert!(run.stderr.contains("error: unknown indicator `jobs_creatd`"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: did you mean `jobs_created`?"), "{}", run.stderr);
}

#[test]
fn check_lists_every_problem_in_a_broken_library() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.toml",
        r#"
[[indicator]]
id = "jobs"
name = "Jobs"
theme = "employment"
unit = "jobs"
aggregation = "sum"
direction = "higher"
description = "d"
min = 5
max = 1

[[indicator]]
id = "rate"
name = "Rate"
theme = "employment"
unit = "%"
aggregation = "ratio"
numerator = "jobs"
denominator = "nothing"
direction = "higher"
description = "d"
proxy = { value = 10, currency = "GBP", price_year = 2024, source = "s", deadweight = 1.5 }
"#,
    );
    write(dir.path(), "b.toml", "[[indicator]]\nid = \"jobs\"\nname = \"Again\"\ntheme = \"t\"\nunit = \"u\"\naggregation = \"sum\"\ndirection = \"higher\"\ndescription = \"d\"\n");
    let run = impact(&["indicators", "check", s(dir.path())]).expect_code(1);
    for expected in ["`jobs`, key `min`: min 5 is above max 1", "key `denominator`: `nothing` is not in the library", "key `proxy.deadweight`", "duplicate id"] {
        assert!(run.stdout.contains(expected), "missing {expected:?} in\n{}", run.stdout);
    }
    assert!(run.stdout.contains("4 problem(s)"), "{}", run.stdout);
    // Other commands refuse a broken library.
    let run = impact(&["--indicators", s(dir.path()), "indicators", "list"]).expect_code(1);
    assert!(run.stderr.contains("indicator library has 4 problem(s)"), "{}", run.stderr);
}

#[test]
fn a_typo_in_a_key_names_the_line_and_the_right_key() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.toml", "[[indicator]]\nid = \"jobs\"\nname = \"Jobs\"\ntheme = \"e\"\nunti = \"jobs\"\naggregation = \"sum\"\ndirection = \"higher\"\ndescription = \"d\"\n");
    let run = impact(&["indicators", "check", s(dir.path())]).expect_code(1);
    assert!(run.stderr.contains("a.toml: line 5"), "{}", run.stderr);
    assert!(run.stderr.contains("unknown field `unti`"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: did you mean `unit`?"), "{}", run.stderr);
}
