//! The README's project tour, followed as a new user would in a fresh folder: `impact
//! init`, the tables, a partner's workbook that writes names (one misspelt), validate,
//! convert to the screen, a converted copy saved beside the data (refused: it would be
//! counted twice), a return template filled in and read back, board packs, and files
//! colleagues can open.

use std::path::Path;

use crate::util::{impact_in, listing, s, write};

/// `impact ARGS…` in `dir` under `umask` (the shell sets it; the binary never does).
fn impact_umask(dir: &Path, umask: &str, args: &[&str]) -> crate::util::Run {
    let quoted: Vec<String> = args.iter().map(|a| format!("'{}'", a.replace('\'', "'\\''"))).collect();
    let script = format!("umask {umask}; exec '{}' {}", env!("CARGO_BIN_EXE_impact"), quoted.join(" "));
    let out = std::process::Command::new("sh").arg("-c").arg(script).current_dir(dir).output().expect("run sh");
    crate::util::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A partner's return in its own layout (the headings `impact init`'s example map
/// reads), writing its organisation by name.
fn partner_workbook(path: &Path, organisation: &str) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Partner", "Date of outcome", "Client ref", "Outcome", "Number"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..=3u32 {
        sheet.write_string(r, 0, organisation).unwrap();
        sheet.write_string(r, 1, format!("1{r}/06/2024")).unwrap();
        sheet.write_string(r, 2, format!("C{r}")).unwrap();
        sheet.write_string(r, 3, "volunteer_hours").unwrap();
        sheet.write_number(r, 4, 4.0).unwrap();
    }
    book.save(path).unwrap();
}

#[test]
fn a_newcomer_goes_from_init_to_board_packs() {
    let top = tempfile::tempdir().unwrap();
    let run = impact_umask(top.path(), "022", &["init", "impact-2024-25"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("organisations.csv  each partner's id, name, area"), "{}", run.stdout);
    let d = top.path().join("impact-2024-25");
    #[cfg(unix)]
    for f in ["impact.toml", "organisations.csv", "maps/return.toml"] {
        assert_eq!(mode(&d.join(f)), 0o644, "{f} under umask 022");
    }
    // The tables and records of the samples, and a partner's workbook in returns/.
    let samples = crate::util::repo().join("samples");
    for f in ["organisations.csv", "programmes.csv", "targets.csv"] {
        std::fs::copy(samples.join(f), d.join(f)).unwrap();
    }
    std::fs::copy(samples.join("outcomes.csv"), d.join("data/outcomes.csv")).unwrap();
    std::fs::create_dir(d.join("returns")).unwrap();
    partner_workbook(&d.join("returns/failte-q1.xlsx"), "Failte Works");
    let toml = std::fs::read_to_string(d.join("impact.toml")).unwrap().replace(
        "# [[source]]\n# path = \"returns/*.xlsx\"\n# map = \"maps/return.toml\"",
        "[[source]]\npath = \"returns/*.xlsx\"\nmap = \"maps/return.toml\"",
    );
    assert!(toml.contains("path = \"returns/*.xlsx\"\nmap"), "init's returns source: {toml}");
    write(&d, "impact.toml", &toml);

    // The misspelt name: a warning with the nearest name, an error with --strict.
    let run = impact_in(&d, &["validate", "--today", "2026-01-01"]).ok();
    assert!(run.stdout.contains("\"Failte Works\" (3 records) in no organisation name table"), "{}", run.stdout);
    assert!(run.stdout.contains("did you mean Fàilte Works (ORG02)?"), "{}", run.stdout);
    impact_in(&d, &["validate", "--strict", "--today", "2026-01-01"]).expect_code(1);
    // Named as an alias, it is ORG02.
    let orgs: String = std::fs::read_to_string(d.join("organisations.csv"))
        .unwrap()
        .lines()
        .map(|line| match line {
            "id,name,kind,area" => "id,name,kind,area,aliases\n".to_string(),
            l if l.starts_with("ORG02,") => format!("{l},Failte Works\n"),
            l => format!("{l},\n"),
        })
        .collect();
    write(&d, "organisations.csv", &orgs);
    let run = impact_in(&d, &["validate", "--strict", "--today", "2026-01-01"]).ok();
    assert!(!run.stdout.contains("no organisation name table"), "{}", run.stdout);

    // convert with no --out: CSV on the screen, the names read as ids.
    let run = impact_in(&d, &["convert", "returns/failte-q1.xlsx", "--map", "maps/return.toml"]).ok();
    assert!(run.stdout.starts_with("record_id,organisation,programme,indicator,date,value"), "{}", run.stdout);
    assert!(run.stdout.contains(",ORG02,,volunteer_hours,2024-06-11,4.0,C1,"), "{}", run.stdout);
    // Saved into data/ beside the records it came from, it would be read twice: refused,
    // naming both files.
    write(&d, "data/failte-q1.csv", &run.stdout);
    let run = impact_in(&d, &["aggregate", "--by", "organisation"]).expect_code(2);
    assert!(
        run.stderr.contains("data/failte-q1.csv row 2") && run.stderr.contains("failte-q1.xlsx row 2"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("hold the same record"), "{}", run.stderr);
    std::fs::remove_file(d.join("data/failte-q1.csv")).unwrap();

    // A return template for the partner, filled in as its drop-downs fill it.
    let run =
        impact_umask(&d, "077", &["template", "--programme", "EMP-FWD", "--organisation", "ORG02", "--out", "t.xlsx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    #[cfg(unix)]
    assert_eq!(mode(&d.join("t.xlsx")), 0o600, "under umask 077");

    // Board packs into the project's out/, readable by colleagues.
    let run = impact_umask(&d, "022", &["report", "board", "--each", "organisation"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let packs = listing(&d.join("out"));
    assert_eq!(packs.len(), 12, "{packs:?}");
    #[cfg(unix)]
    assert_eq!(mode(&d.join("out").join(&packs[0])), 0o644);
    assert!(s(&d).ends_with("impact-2024-25"));
}
