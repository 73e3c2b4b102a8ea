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
    for theme in [
        "employment",
        "skills",
        "volunteering",
        "local_economy",
        "community",
        "health_wellbeing",
        "justice",
        "environment",
        "public_purse",
        "contracts",
    ] {
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
    // Only openly licensed proxies ship, each with its source, licence, address and
    // date taken; no illustrative value remains.
    let proxied: Vec<&serde_json::Value> = all.iter().filter(|i| i.get("proxy").is_some()).collect();
    assert!(proxied.len() >= 2, "financial proxies");
    for i in proxied {
        let p = &i["proxy"];
        for key in ["source", "licence", "url", "retrieved"] {
            assert!(p[key].as_str().is_some_and(|v| !v.trim().is_empty()), "{} proxy lacks {key}: {p}", i["id"]);
        }
        assert!(p["licence"].as_str().is_some_and(|l| l.contains("Open Government Licence")), "{p}");
        assert!(!p["source"].as_str().unwrap_or_default().to_lowercase().contains("illustrative"), "{p}");
    }
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
    assert!(
        out.contains("a cohort rate: of the participants with jobs_created in the period, the share with jobs_sustained_26w within 200 days"),
        "{out}"
    );
    let out = impact(&["indicators", "show", "local_spend_share"]).ok().stdout;
    assert!(out.contains("spend_local_suppliers ÷ supplier_spend_total × 100"), "{out}");
    let out = impact(&["indicators", "show", "co2e_avoided"]).ok().stdout;
    assert!(out.contains("proxy:       GBP 268.97 per tCO2e (2022 prices)"), "{out}");
    assert!(out.contains("licence: Open Government Licence v3.0"), "{out}");
    assert!(out.contains("proxy from:  proxies/open.toml"), "{out}");
    // No open value for a job start: it is counted, not valued.
    let out = impact(&["indicators", "show", "jobs_created"]).ok().stdout;
    assert!(out.contains("proxy:       none"), "{out}");
    // A licensed user's own set replaces the shipped one.
    let out = impact(&["indicators", "show", "jobs_created", "--proxies", "tests/fixtures/proxies"]).ok().stdout;
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
    for expected in [
        "`jobs`, key `min`: min 5 is above max 1",
        "key `denominator`: `nothing` is not in the library",
        "key `proxy.deadweight`",
        "duplicate id",
    ] {
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

/// National TOMs codes say what the measure counts: a code is only on an indicator that
/// counts the same thing. NT1 and NT3–NT6 count full-time equivalents hired on a
/// contract (not job starts); NT9, NT10 and NT13 count weeks; NT14 is spend with
/// VCSEs, NT18 spend in the local supply chain, NT19 with local MSMEs, NT28
/// donations to community projects, NT29 volunteering hours.
#[test]
fn national_toms_codes_sit_on_measures_that_count_what_they_count() {
    let library = impactkit::indicator::Library::load(&crate::util::repo().join("indicators")).expect("library");
    let toms = |id: &str| library.get(id).and_then(|i| i.frameworks.toms.clone());
    for (id, code) in [
        ("local_jobs_on_contract", "NT1"),
        ("fte_hired_long_term_unemployed", "NT3"),
        ("fte_hired_neet", "NT4"),
        ("fte_hired_ex_offenders", "NT5"),
        ("fte_hired_disabled", "NT6"),
        ("training_weeks", "NT9"),
        ("apprenticeship_weeks", "NT10"),
        ("work_placement_weeks", "NT13"),
        ("spend_social_enterprises", "NT14"),
        ("spend_local_suppliers", "NT18"),
        ("spend_local_msmes", "NT19"),
        ("community_donations", "NT28"),
        ("staff_volunteering_hours", "NT29"),
        ("real_living_wage_uplifts", "NT58"),
    ] {
        assert_eq!(toms(id).as_deref(), Some(code), "{id}");
    }
    // Every code on one indicator only, and each in the unit its measure counts.
    let mut seen = std::collections::HashMap::new();
    for ind in library.iter() {
        let Some(code) = &ind.frameworks.toms else { continue };
        assert!(seen.insert(code.clone(), ind.id.clone()).is_none(), "{code} on {} and {}", ind.id, seen[code]);
        let unit = match code.as_str() {
            "NT1" | "NT3" | "NT4" | "NT5" | "NT6" => "jobs (FTE)",
            "NT9" | "NT10" | "NT13" => "weeks",
            "NT14" | "NT18" | "NT19" | "NT28" => "GBP",
            "NT29" => "hours",
            _ => continue,
        };
        assert_eq!(ind.unit, unit, "{} carries {code}", ind.id);
    }
    // Job starts are not FTE hired: no hiring code on them, and they say where it is.
    for id in ["jobs_long_term_unemployed", "jobs_young_people_neet", "jobs_disabled_people"] {
        let ind = library.get(id).expect(id);
        assert_eq!(ind.frameworks.toms, None, "{id}");
        assert!(ind.description.contains("fte_hired_"), "{id}: {}", ind.description);
    }
}

/// Proxies files are checked like the library: a proxy for an unknown indicator, or a
/// second proxy for an indicator that has one, names both files.
#[test]
fn proxies_files_are_checked_and_name_both_places() {
    let dir = tempfile::tempdir().unwrap();
    let proxies = dir.path().join("p");
    std::fs::create_dir(&proxies).unwrap();
    let entry = |id: &str| {
        format!("[[proxy]]\nindicator = \"{id}\"\nvalue = 1\ncurrency = \"GBP\"\nprice_year = 2024\nsource = \"s\"\n")
    };
    std::fs::write(proxies.join("a.toml"), entry("jobs_creatd")).unwrap();
    let run = impact(&["indicators", "check", "--proxies", s(&proxies)]).expect_code(1);
    assert!(run.stdout.contains("a.toml: indicator `jobs_creatd`, key `proxy.indicator`: no indicator has this id (did you mean `jobs_created`?)"), "{}", run.stdout);
    std::fs::write(proxies.join("a.toml"), entry("co2e_avoided")).unwrap();
    std::fs::write(proxies.join("b.toml"), entry("co2e_avoided")).unwrap();
    let run = impact(&["indicators", "check", "--proxies", s(&proxies)]).expect_code(1);
    assert!(
        run.stdout.contains("b.toml: indicator `co2e_avoided`, key `proxy`: the indicator already has a proxy, in"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("a.toml: give each indicator one proxy"), "{}", run.stdout);
    std::fs::write(proxies.join("b.toml"), "[[proxy]]\nindicator = \"waste_diverted\"\nvalu = 1\n").unwrap();
    let run = impact(&["indicators", "check", "--proxies", s(&proxies)]).expect_code(1);
    assert!(run.stderr.contains("proxy 1 (`waste_diverted`): unknown field `valu`"), "{}", run.stderr);
    let run = impact(&["indicators", "list", "--proxies", "no/such/folder"]).expect_code(1);
    assert!(run.stderr.contains("no such folder of proxies"), "{}", run.stderr);
}

#[test]
fn a_theme_is_found_whatever_its_case() {
    let lower = impact(&["indicators", "list", "--theme", "justice"]).ok().stdout;
    let upper = impact(&["indicators", "list", "--theme", "Justice"]).ok().stdout;
    assert_eq!(lower, upper);
    assert!(lower.contains("reconviction_rate"), "{lower}");
    // Every flag of the table commands says what it does in --help.
    for command in ["value", "compare", "commitments", "aggregate"] {
        let help = impact(&[command, "--help"]).ok().stdout;
        // A flag's line is indented six spaces; wrapped descriptions are indented more.
        for line in help.lines().filter(|l| l.trim_start().starts_with("--") && l.len() - l.trim_start().len() <= 6) {
            // clap sets the description two or more spaces after the flag.
            let described =
                line.trim().split_once("  ").is_some_and(|(_, d)| !d.trim().is_empty() && !d.trim().starts_with('['));
            assert!(described, "{command}: `{}` has no description", line.trim());
        }
    }
}

/// A user's own indicators beside the standard set (`--add-indicators`): a new id adds
/// to it; a repeated id is an error naming both files unless it says `replaces = true`.
#[test]
fn own_indicators_extend_the_standard_set() {
    let dir = tempfile::tempdir().unwrap();
    let own = dir.path().join("own");
    std::fs::create_dir(&own).unwrap();
    let define = |id: &str, extra: &str| {
        // Job starts are counted in jobs: the standard sub-counts of them (`within`) need the same unit.
        let unit = if id == "jobs_created" { "jobs" } else { "people" };
        format!("[[indicator]]\nid = \"{id}\"\nname = \"Our {id}\"\ntheme = \"ours\"\nunit = \"{unit}\"\naggregation = \"sum\"\ndirection = \"higher\"\ndescription = \"d\"\nmin = 0\n{extra}\n")
    };
    std::fs::write(own.join("ours.toml"), define("bikes_gifted", "")).unwrap();
    let data = write(
        dir.path(),
        "d.csv",
        "organisation,indicator,date,value\nORG1,bikes_gifted,2024-05-01,7\nORG1,jobs_created,2024-05-01,5\n",
    );
    let out =
        impact(&["aggregate", s(&data), "--add-indicators", s(&own), "--format", "csv", "--no-suppress"]).ok().stdout;
    assert!(out.contains("bikes_gifted,7.0,people"), "{out}");
    assert!(out.contains("jobs_created,5.0"), "the standard set is still there: {out}");
    // The same id as a standard indicator, by accident.
    std::fs::write(own.join("ours.toml"), define("jobs_created", "")).unwrap();
    let run = impact(&["indicators", "check", "--add-indicators", s(&own)]).expect_code(1);
    assert!(
        run.stdout.contains(
            "ours.toml: indicator `jobs_created`, key `id`: duplicate id (also defined in indicators/employment.toml)"
        ),
        "{}",
        run.stdout
    );
    // On purpose.
    std::fs::write(own.join("ours.toml"), define("jobs_created", "replaces = true")).unwrap();
    let shown = impact(&["indicators", "show", "jobs_created", "--add-indicators", s(&own)]).ok().stdout;
    assert!(shown.contains("Our jobs_created") && shown.contains("ours.toml"), "{shown}");
    // Replacing what is not there.
    std::fs::write(own.join("ours.toml"), define("bikes_gifted", "replaces = true")).unwrap();
    let run = impact(&["indicators", "check", "--add-indicators", s(&own)]).expect_code(1);
    assert!(run.stdout.contains("key `replaces`: no earlier definition has this id to replace"), "{}", run.stdout);
}

/// Tab completion for each shell names the commands and their flags; the bash script
/// is valid bash.
#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish", "Bash"] {
        let out = impact(&["completions", shell]).ok().stdout;
        for word in ["aggregate", "report", "add-indicators", "skip-invalid"] {
            assert!(out.contains(word), "{shell}: {word} missing");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let script = write(dir.path(), "impact.bash", &impact(&["completions", "bash"]).ok().stdout);
    let check = std::process::Command::new("bash").args(["-n", s(&script)]).status().expect("bash");
    assert!(check.success(), "the bash completion script does not parse");
}

/// A text table wider than the terminal (COLUMNS, else 120) comes with a note on
/// standard error saying to use CSV; one that fits does not.
#[test]
fn tables_wider_than_the_terminal_say_so() {
    let run = crate::util::impact_env(
        &["value", "samples/outcomes.csv", "--impact-map", "--report-year", "2024"],
        &[("COLUMNS", "120")],
    )
    .ok();
    assert!(run.stderr.contains("wider than the terminal's 120: use --format csv"), "{}", run.stderr);
    let run = crate::util::impact_env(&["aggregate", "samples/outcomes.csv"], &[("COLUMNS", "200")]).ok();
    assert!(!run.stderr.contains("wider than the terminal"), "{}", run.stderr);
}

/// `indicators check` refuses cohort and `within` rules that cannot work.
#[test]
fn check_names_broken_cohort_and_within_rules() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    let head = |id: &str, unit: &str, agg: &str| {
        format!("[[indicator]]\nid = \"{id}\"\nname = \"n\"\ntheme = \"t\"\nunit = \"{unit}\"\naggregation = \"{agg}\"\ndirection = \"higher\"\ndescription = \"d\"\n")
    };
    let text = [
        head("starts", "people", "sum"),
        head("rate", "%", "cohort") + "cohort = \"starts\"\noutcome = \"stayed\"\nwithin_days = 0\n",
        head("part", "£", "sum") + "within = \"starts\"\n",
        head("a", "people", "sum") + "within = \"b\"\n",
        head("b", "people", "sum") + "within = \"a\"\n",
    ]
    .join("\n");
    std::fs::write(lib.join("t.toml"), text).unwrap();
    let run = impact(&["indicators", "check", s(&lib)]).expect_code(1);
    for expected in [
        "indicator `rate`, key `outcome`: `stayed` is not in the library",
        "indicator `rate`, key `within_days`: must be from 1 to 3653 days",
        "indicator `part`, key `within`: `starts` counts people, this counts £: a part must be in its whole's unit",
        "indicator `a`, key `within`: goes round in a circle: a → b → a",
    ] {
        assert!(run.stdout.contains(expected), "{expected} in {}", run.stdout);
    }
}
