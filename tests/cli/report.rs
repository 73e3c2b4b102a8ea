//! Report PDFs, checked by parsing them: pages, text, fonts, vector drawing, metadata.

use std::path::Path;

use crate::util::{impact, listing, s, write};

const BOARD: [&str; 12] = [
    "report",
    "reports/board.toml",
    "--data",
    "samples/outcomes.csv",
    "--targets",
    "samples/targets.csv",
    "--organisations",
    "samples/organisations.csv",
    "--programmes",
    "samples/programmes.csv",
    "--areas",
    "samples/areas.csv",
];

fn board(extra: &[&str]) -> crate::util::Run {
    let mut args: Vec<&str> = BOARD.to_vec();
    args.extend_from_slice(extra);
    impact(&args)
}

fn pdf(path: &Path) -> lopdf::Document {
    lopdf::Document::load(path).unwrap_or_else(|e| panic!("{} does not parse as PDF: {e}", path.display()))
}

fn text(doc: &lopdf::Document) -> String {
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).expect("text")
}

/// Every font is embedded (a font program stream) and subset (TAG+Name).
fn assert_fonts_embedded_and_subset(doc: &lopdf::Document) {
    let mut fonts = 0;
    for (_, obj) in doc.objects.iter() {
        let Ok(dict) = obj.as_dict() else { continue };
        if dict.get(b"Type").and_then(|t| t.as_name()).ok() != Some(b"FontDescriptor") {
            continue;
        }
        fonts += 1;
        let name =
            String::from_utf8_lossy(dict.get(b"FontName").and_then(|n| n.as_name()).expect("FontName")).into_owned();
        assert!(name.len() > 7 && name.as_bytes()[6] == b'+' && name.contains("DejaVuSans"), "subset name: {name}");
        let file = dict.get(b"FontFile2").expect("embedded TrueType program").as_reference().expect("reference");
        let stream = doc.get_object(file).and_then(|o| o.as_stream()).expect("font stream");
        assert!(stream.content.len() > 1000, "font program present");
    }
    assert_eq!(fonts, 2, "regular and bold");
}

/// Charts are drawn as paths: many path operators, and no images anywhere.
fn assert_vector_only(doc: &lopdf::Document) -> usize {
    for (_, obj) in doc.objects.iter() {
        if let Ok(stream) = obj.as_stream() {
            assert_ne!(
                stream.dict.get(b"Subtype").and_then(|t| t.as_name()).ok(),
                Some(&b"Image"[..]),
                "an image in the PDF"
            );
        }
    }
    let mut path_ops = 0;
    for (_, page) in doc.get_pages() {
        let content = doc.get_and_decode_page_content(page).expect("content");
        path_ops += content.operations.iter().filter(|op| matches!(op.operator.as_str(), "re" | "l" | "m")).count();
    }
    path_ops
}

#[test]
fn board_pack_for_one_organisation() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("board.pdf");
    let run = board(&["--subject", "ORG02", "--out", s(&out)]).ok();
    assert!(run.stdout.contains("wrote"), "{}", run.stdout);
    let doc = pdf(&out);
    let pages = doc.get_pages().len();
    assert!(pages >= 4, "a multi-page pack: {pages}");
    let t = text(&doc);
    for expected in [
        "Board pack",
        "Fàilte Works",
        "At a glance",
        &format!("Page 1 of {pages}"),
        &format!("Page {pages} of {pages}"),
        "Data quality",
        "Methodology",
        "2024-25",
    ] {
        assert!(t.contains(expected), "missing {expected:?} in\n{t}");
    }
    // The job-starts tile shows the same figure `impact aggregate` gives for the subject and period.
    let fig = impact(&[
        "aggregate",
        "samples/outcomes.csv",
        "--organisation",
        "ORG02",
        "--from",
        "2024-04-01",
        "--to",
        "2025-03-31",
        "--indicator",
        "jobs_created",
        "--format",
        "csv",
    ])
    .ok()
    .stdout;
    let jobs: f64 = fig.lines().nth(1).and_then(|l| l.split(',').nth(1)).and_then(|v| v.parse().ok()).expect("figure");
    assert!(t.contains(&format!("{jobs:.0} jobs")) || t.contains(&format!("{jobs:.0}\njobs")), "KPI {jobs} in\n{t}");
    // ORG02's 2024-25 job target in samples/targets.csv is 51: the narrative quotes it,
    // and says 40 of 51 missed it (the records run to the year's end).
    assert!(t.contains("(78% of the target of 51, ✗ missed)"), "40 of 51 is 78.4%: {t}");
    assert_fonts_embedded_and_subset(&doc);
    assert!(assert_vector_only(&doc) > 200, "charts drawn as vector paths");
    let info =
        doc.trailer.get(b"Info").and_then(|r| r.as_reference()).and_then(|r| doc.get_dictionary(r)).expect("info");
    let title = info.get(b"Title").expect("title");
    let title = lopdf::decode_text_string(title).expect("title text");
    assert_eq!(title, "Board pack — Fàilte Works");
    assert!(std::fs::metadata(&out).unwrap().len() < 150_000, "small PDF");
}

#[test]
fn reports_are_byte_identical_and_batch_equals_single() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.pdf");
    let two = dir.path().join("two.pdf");
    board(&["--subject", "ORG05", "--out", s(&one)]).ok();
    board(&["--subject", "ORG05", "--out", s(&two)]).ok();
    assert!(std::fs::read(&one).unwrap() == std::fs::read(&two).unwrap(), "same inputs, same bytes");
    let batch = dir.path().join("all");
    let run = board(&["--each", "organisation", "--out-dir", s(&batch)]).ok();
    assert!(run.stdout.contains("wrote 12 PDF(s)"), "{}", run.stdout);
    // Aggregated once for all twelve, the ORG05 report is the same as one made alone.
    assert!(std::fs::read(batch.join("ORG05.pdf")).unwrap() == std::fs::read(&one).unwrap(), "batch and single agree");
    let names = listing(&batch);
    assert_eq!(names.len(), 12, "{names:?}");
    for n in &names {
        let p = batch.join(n);
        let size = std::fs::metadata(&p).unwrap().len();
        assert!(size < 150_000, "{n}: {size} bytes");
        assert!(pdf(&p).get_pages().len() >= 3, "{n}");
    }
}

/// `--subject` reads only its subject's records when no section compares peers: every
/// subject's report and figures files must be byte for byte those the batch (which
/// aggregates everyone) writes for it, for both subject kinds, a spec with social
/// value, targets and suppression, with the report period set to each financial year
/// of the samples (a cohort's follow-ups are looked for in every record, whatever the
/// subject).
#[test]
fn one_subject_alone_is_the_batch_report_for_every_subject() {
    let dir = tempfile::tempdir().unwrap();
    let common = [
        "--data",
        "samples/outcomes.csv",
        "--targets",
        "samples/targets.csv",
        "--organisations",
        "samples/organisations.csv",
        "--programmes",
        "samples/programmes.csv",
        "--assumptions",
        "samples/assumptions.toml",
    ];
    let mut compared = 0;
    for year in ["2022-23", "2023-24", "2024-25"] {
        for (spec, kind) in [("reports/board.toml", "organisation"), ("reports/funder.toml", "programme")] {
            let text = std::fs::read_to_string(crate::util::repo().join(spec)).unwrap();
            let period = text.lines().find(|l| l.starts_with("period = ")).unwrap();
            let text = text.replace(period, &format!("period = {{ financial_year = \"{year}\" }}"));
            let name = spec.trim_start_matches("reports/").trim_end_matches(".toml");
            let spec = dir.path().join(format!("{name}-{year}.toml"));
            std::fs::write(&spec, text).unwrap();
            let tag = format!("{name}-{year}");
            let batch = dir.path().join(format!("{tag}-batch"));
            let batch_figures = dir.path().join(format!("{tag}-batch-figures"));
            let mut args = vec!["report", s(&spec)];
            args.extend(common);
            args.extend(["--each", kind, "--out-dir", s(&batch), "--figures-dir", s(&batch_figures)]);
            impact(&args).ok();
            let pdfs = listing(&batch);
            assert!(pdfs.len() >= 4, "{tag}: {pdfs:?}");
            for name in pdfs {
                let subject = name.trim_end_matches(".pdf");
                let one = dir.path().join(format!("{tag}-{subject}.pdf"));
                let figures = dir.path().join(format!("{tag}-{subject}-figures"));
                let mut args = vec!["report", s(&spec)];
                args.extend(common);
                args.extend(["--subject", subject, "--out", s(&one), "--figures-dir", s(&figures)]);
                impact(&args).ok();
                assert!(
                    std::fs::read(batch.join(&name)).unwrap() == std::fs::read(&one).unwrap(),
                    "{tag} {subject}: alone and in the batch differ"
                );
                // A subject's files are in a folder named as its PDF, alone or in a batch.
                let files = listing(&figures.join(subject));
                assert!(!files.is_empty(), "{tag} {subject}: no figures files");
                assert_eq!(files, listing(&batch_figures.join(subject)), "{tag} {subject}");
                for file in files {
                    assert!(
                        std::fs::read(batch_figures.join(subject).join(&file)).unwrap()
                            == std::fs::read(figures.join(subject).join(&file)).unwrap(),
                        "{tag} {subject}: {file} differs"
                    );
                }
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 3 * (12 + 4), "every organisation and programme in each year");
}

#[test]
fn funder_report_and_svg_charts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("funder.pdf");
    let charts = dir.path().join("charts");
    impact(&[
        "report",
        "reports/funder.toml",
        "--data",
        "samples/outcomes.csv",
        "--targets",
        "samples/targets.csv",
        "--organisations",
        "samples/organisations.csv",
        "--programmes",
        "samples/programmes.csv",
        "--assumptions",
        "samples/assumptions.toml",
        "--subject",
        "EMP-FWD",
        "--out",
        s(&out),
        "--charts-dir",
        s(&charts),
        "--proxies",
        "tests/fixtures/proxies",
    ])
    .ok();
    let t = text(&pdf(&out));
    // Partners by name, and the programme's 2024-25 job target (220) from samples/targets.csv.
    for expected in [
        "Fair Start Forward employability programme",
        "Clyde Reuse Hub",
        "Target 220",
        "Outcomes by delivery partner",
        "Impact map",
        "How sensitive is the SROI ratio?",
    ] {
        assert!(t.contains(expected), "missing {expected:?} in\n{t}");
    }
    // The SROI tile equals `impact value` for the same programme, period and assumptions.
    let csv = impact(&[
        "value",
        "samples/outcomes.csv",
        "--programmes",
        "samples/programmes.csv",
        "--assumptions",
        "samples/assumptions.toml",
        "--from",
        "2024-04-01",
        "--to",
        "2025-03-31",
        "--format",
        "csv",
        "--proxies",
        "tests/fixtures/proxies",
    ])
    .ok()
    .stdout;
    let total = csv.lines().find(|l| l.starts_with("EMP-FWD,total,")).expect("total row");
    let sroi: f64 = total.split(',').nth(8).and_then(|v| v.parse().ok()).expect("sroi");
    assert!(t.contains(&format!("£{sroi:.2}")), "SROI £{sroi:.2} in\n{t}");

    // With the shipped open proxies, the employment programme has no valued outcome:
    // its report says so and names what was counted but not valued.
    let open = dir.path().join("open.pdf");
    impact(&[
        "report",
        "reports/funder.toml",
        "--data",
        "samples/outcomes.csv",
        "--programmes",
        "samples/programmes.csv",
        "--assumptions",
        "samples/assumptions.toml",
        "--subject",
        "EMP-FWD",
        "--out",
        s(&open),
    ])
    .ok();
    let t = text(&pdf(&open)).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(t.contains("so no social value is stated"), "{t}");
    assert!(t.contains("Recorded but not valued, as the indicator library has no openly published proxy for them: Participants starting paid work"), "{t}");
    let svgs = listing(&charts.join("EMP-FWD"));
    assert_eq!(svgs.len(), 5, "four charts and the tornado: {svgs:?}");
    let svg = std::fs::read_to_string(charts.join("EMP-FWD").join(&svgs[0])).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..60]);
}

#[test]
fn the_date_flag_changes_the_footer_only_when_given() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dated.pdf");
    board(&["--subject", "ORG10", "--out", s(&out), "--date", "2025-06-30"]).ok();
    let t = text(&pdf(&out));
    assert!(t.contains("Produced 30 June 2025"), "{t}");
    let plain = dir.path().join("plain.pdf");
    board(&["--subject", "ORG10", "--out", s(&plain)]).ok();
    // Without --date, the footer gives the subject's latest record in the period.
    let t = text(&pdf(&plain));
    assert!(t.contains("Latest record 30 March 2025"), "ORG10's last record in 2024-25 is dated 2025-03-30: {t}");
}

#[test]
fn spec_mistakes_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let base =
        "title = \"T\"\naudience = \"A\"\nperiod = { financial_year = \"2024-25\" }\nindicators = [\"jobs_created\"]\n";
    let cases = [
        ("[[section]]\nkind = \"kpi\"\nindicators = [\"jobs_created\"]\n", "unknown variant `kpi`", "did you mean `kpis`?"),
        ("[[section]]\nkind = \"kpis\"\nindicators = [\"jobs_creatd\"]\n", "section 1 (kpis): unknown indicator `jobs_creatd`", "did you mean `jobs_created`?"),
        ("[[section]]\nkind = \"text\"\ntext = \"{jobs_created.totl}\"\n", "`totl` is not one of total, records, target, pct_of_target, vs_target", ""),
        ("[[section]]\nkind = \"chart\"\ntitle = \"x\"\nchart = \"bar\"\nindicator = \"jobs_created\"\nby = \"organisaton\"\n", "cannot group by `organisaton`", ""),
    ];
    for (i, (section, message, hint)) in cases.iter().enumerate() {
        let spec = write(dir.path(), &format!("s{i}.toml"), &format!("{base}{section}"));
        let out = dir.path().join("r.pdf");
        let run = impact(&["report", s(&spec), "--data", "samples/outcomes.csv", "--out", s(&out)]).expect_code(1);
        assert!(run.stderr.contains(message), "case {i}: {}", run.stderr);
        assert!(run.stderr.contains(hint), "case {i}: {}", run.stderr);
        assert!(!out.exists(), "no PDF on error");
    }
    let bad_period = write(dir.path(), "p.toml", &base.replace("2024-25", "2024-26"));
    let spec_text = format!("{}[[section]]\nkind = \"methodology\"\n", std::fs::read_to_string(&bad_period).unwrap());
    let bad_period = write(dir.path(), "p.toml", &spec_text);
    let run =
        impact(&["report", s(&bad_period), "--data", "samples/outcomes.csv", "--out", "/tmp/never.pdf"]).expect_code(1);
    assert!(run.stderr.contains("`2024-26` is not a financial year"), "{}", run.stderr);
}

#[test]
fn subject_choice_is_checked() {
    let run = board(&["--out", "/tmp/never.pdf"]).expect_code(2);
    assert!(run.stderr.contains("is a report about one organisation"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: give --subject ID"), "{}", run.stderr);
    let run = board(&["--subject", "ORG2", "--out", "/tmp/never.pdf"]).expect_code(2);
    assert!(run.stderr.contains("no records for organisation `ORG2`"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `ORG02`?"), "{}", run.stderr);
    let run = board(&["--each", "organisation"]).expect_code(2);
    assert!(run.stderr.contains("--out-dir"), "{}", run.stderr);
    assert!(!Path::new("/tmp/never.pdf").exists());
}

#[test]
fn invalid_data_is_refused_or_counted_as_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = std::fs::read_to_string(crate::util::repo().join("samples/outcomes.csv")).unwrap();
    text.push_str("X1,ORG02,EMP-FWD,jobs_created,2024-06-01,lots,,,,,,,\n");
    let data = write(dir.path(), "bad.csv", &text);
    let out = dir.path().join("r.pdf");
    let args = |extra: &[&str]| {
        let mut a = vec!["report", "reports/board.toml", "--data", s(&data), "--subject", "ORG02", "--out", s(&out)];
        a.extend_from_slice(extra);
        a.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let run = impact(&args(&[]).iter().map(String::as_str).collect::<Vec<_>>()).expect_code(1);
    assert!(run.stderr.contains("\"lots\" is not a number"), "{}", run.stderr);
    assert!(!out.exists());
    impact(&args(&["--skip-invalid"]).iter().map(String::as_str).collect::<Vec<_>>()).ok();
    let t = text_of(&out);
    assert!(t.contains("Records rejected by validation"), "{t}");
    // One rejected record for ORG02 in 2024-25: the figure printed right after the label.
    let after = &t[t.find("Records rejected by validation").unwrap() + "Records rejected by validation".len()..];
    assert_eq!(after.split_whitespace().next(), Some("1"), "{after}");
}

fn text_of(path: &Path) -> String {
    text(&pdf(path))
}

/// `report --data a.csv spec.toml`: --data takes several files, so the spec written
/// after them was read as data; it is taken back. No spec at all is a usage error.
#[test]
fn a_spec_written_after_the_data_files_is_still_the_spec() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.pdf");
    let run = impact(&[
        "report",
        "--data",
        "samples/outcomes.csv",
        "reports/board.toml",
        "--subject",
        "ORG04",
        "--out",
        s(&out),
    ])
    .ok();
    assert!(run.stdout.contains("wrote"), "{}", run.stdout);
    assert!(text(&pdf(&out)).contains("ORG04"));
    let run =
        impact(&["report", "--data", "samples/outcomes.csv", "--subject", "ORG04", "--out", s(&out)]).expect_code(2);
    assert!(run.stderr.contains("no report spec given"), "{}", run.stderr);
}

/// From a folder that is not the repository (no `indicators/`, `proxies/` or
/// `reports/` in it), every command uses the library, proxies and specs built into the
/// binary: a new user's session with their own file.
#[test]
fn a_session_in_any_folder_uses_the_built_in_library_and_specs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(crate::util::repo().join("samples/outcomes.csv"), dir.path().join("returns.csv")).unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_impact"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("run impact");
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        assert!(out.status.success(), "{args:?}: {}{}", text(&out.stdout), text(&out.stderr));
        text(&out.stdout)
    };
    assert!(run(&["indicators", "list"]).contains("72 indicator(s)"));
    assert!(run(&["indicators", "show", "co2e_avoided"]).contains("proxy from:  <built-in>/proxies/open.toml"));
    assert!(run(&["validate", "returns.csv"]).contains("20000 valid: 0 error(s)"));
    assert!(run(&["aggregate", "returns.csv", "--by", "programme"]).contains("EMP-FWD"));
    let out = run(&["report", "board", "--data", "returns.csv", "--each", "organisation", "--out-dir", "packs"]);
    assert!(out.contains("wrote 12 PDF(s)"), "{out}");
    run(&["report", "funder", "--data", "returns.csv", "--subject", "HB-WELL", "--out", "hb.pdf"]);
    let t = text(&pdf(&dir.path().join("hb.pdf"))).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(t.contains("Office for National Statistics, Annual Survey of Hours and Earnings 2024"), "{t}");
    // The methodology's inputs fingerprint covers the built-in files' contents: the same report
    // made in the repository from its folders prints the same fingerprint.
    impact(&[
        "report",
        "reports/funder.toml",
        "--data",
        "samples/outcomes.csv",
        "--subject",
        "HB-WELL",
        "--out",
        s(&dir.path().join("repo.pdf")),
    ])
    .ok();
    let fingerprint = |t: &str| {
        t.split("Inputs fingerprint: ").nth(1).map(|r| r.split_whitespace().next().unwrap_or_default().to_string())
    };
    let repo = text(&pdf(&dir.path().join("repo.pdf")));
    assert!(
        fingerprint(&t).is_some() && fingerprint(&t) == fingerprint(&repo),
        "{:?} vs {:?}",
        fingerprint(&t),
        fingerprint(&repo)
    );
}
