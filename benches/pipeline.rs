//! End-to-end benchmark of the `impact` binary (release build):
//!
//!   cargo bench --bench pipeline
//!
//! Generates data with `impact samples generate` (kept in target/bench-data between
//! runs), then times, as the median of several runs, with each run's peak memory:
//! polars alone reading the CSV (the floor), aggregating 10M rows from CSV and from
//! Parquet by organisation × indicator × financial year, validating 10M rows, and
//! rendering 1,000 organisation board packs with `--each organisation`. The floor and
//! the two aggregates run interleaved, a round at a time, and each round's ratios are
//! printed too. Prints a table and writes it to target/bench-data/results.md.
//!
//! Environment: BENCH_ROWS (default 10,000,000), BENCH_RUNS (3), BENCH_ORGS (1,000),
//! BENCH_50M=1 to add the 50M-row Parquet aggregate (about 1.2 GB; the file is 0.6 GB),
//! BENCH_ONLY_PDF=1 to time only the board packs, BENCH_NO_PEERS=1 to leave out the
//! peer rows (python-polars and DuckDB, run only when python3 can import both).
//!
//! A release of the 1,000 board packs and 50 funder reports is timed protected together
//! and audited, and unprotected.
//!
//! The board packs are rendered twice: with --no-suppress (with 300 synthetic records
//! per organisation most counts are under 5, so this draws full charts) and as
//! published, with small-number protection of each report as a whole. A last row
//! times the protection alone: a wide aggregate with and without suppression, and
//! the number of cells it protects (BENCH_CELLS_BY sets the grouping).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use polars::prelude::*;

const IMPACT: &str = env!("CARGO_BIN_EXE_impact");

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(default)
}

/// The peak allocated bytes of the last `measure`d run (the binary counts them and
/// prints them when `IMPACT_ALLOC_STATS` is set), and the highest since `repeat` began.
static LAST_ALLOC: AtomicU64 = AtomicU64::new(0);
static REPEAT_ALLOC: AtomicU64 = AtomicU64::new(0);

/// Wall time and peak resident memory (VmHWM, polled) of one child process; its peak
/// allocated memory goes to `LAST_ALLOC`.
fn measure(args: &[&str]) -> (Duration, u64) {
    let started = Instant::now();
    let mut child = Command::new(IMPACT)
        .env("IMPACT_ALLOC_STATS", "1")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn impact");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0u64;
    loop {
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            if let Some(kb) = text
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
            {
                peak_kb = peak_kb.max(kb);
            }
        }
        if let Ok(Some(status)) = child.try_wait() {
            assert!(status.success(), "impact {args:?} failed");
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut e, &mut err);
            }
            let alloc = err
                .lines()
                .find_map(|l| l.strip_prefix("alloc: peak ")?.strip_suffix(" bytes")?.parse().ok())
                .unwrap_or(0);
            LAST_ALLOC.store(alloc, Ordering::Relaxed);
            REPEAT_ALLOC.fetch_max(alloc, Ordering::Relaxed);
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    (started.elapsed(), peak_kb * 1024)
}

/// Peers, when `python3` can import polars and duckdb (never in CI): the same
/// aggregate (organisation × indicator × financial year, values summed) by
/// python-polars and by DuckDB, bare, and python-polars reading every column as text
/// (the reader's own cost, what impactkit's CSV path also does). Whole-process wall
/// time, as for `impact`.
const PEER_SCRIPTS: [(&str, &str); 3] = [
    (
        "python-polars, bare aggregate",
        "import polars as pl,sys\nf=sys.argv[1]\nlf=pl.scan_parquet(f) if f.endswith('.parquet') else pl.scan_csv(f, try_parse_dates=True)\nd=pl.col('date')\nfy=pl.when(d.dt.month()>=4).then(d.dt.year()).otherwise(d.dt.year()-1)\nlf.group_by(['organisation','indicator',fy.alias('fy')]).agg(pl.col('value').cast(pl.Float64).sum()).collect()",
    ),
    (
        "python-polars, read every column as text",
        "import polars as pl,sys\nf=sys.argv[1]\nassert not f.endswith('.parquet')\npl.read_csv(f, infer_schema_length=0, row_index_name='__row')",
    ),
    (
        "DuckDB, bare aggregate",
        "import duckdb,sys\nf=sys.argv[1]\nsrc=f\"read_parquet('{f}')\" if f.endswith('.parquet') else f\"read_csv('{f}')\"\nduckdb.sql(f\"select organisation, indicator, case when month(date)>=4 then year(date) else year(date)-1 end as fy, sum(cast(value as double)) from {src} group by all\").fetchall()",
    ),
];

fn peers_available() -> bool {
    std::env::var_os("BENCH_NO_PEERS").is_none()
        && Command::new("python3")
            .args(["-c", "import polars, duckdb"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

/// Wall time of one peer script on a file.
fn peer(script: &str, file: &Path) -> Duration {
    let started = Instant::now();
    let status = Command::new("python3").args(["-c", script, file.to_str().unwrap()]).status().expect("python3");
    assert!(status.success(), "peer script failed on {}", file.display());
    started.elapsed()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

struct Row {
    what: String,
    median: Duration,
    runs: Vec<Duration>,
    peak: Option<u64>,
    /// Peak allocated memory (what the program asked for), beside `peak` (resident).
    alloc: Option<u64>,
    note: String,
}

fn repeat_alloc() -> Option<u64> {
    Some(REPEAT_ALLOC.load(Ordering::Relaxed)).filter(|a| *a > 0)
}

/// `runs` runs of `f`: the median time, every time, the peak resident memory; the
/// peak allocated memory is left in `REPEAT_ALLOC` (see `repeat_alloc`).
fn repeat(runs: u64, f: impl Fn() -> (Duration, u64)) -> (Duration, Vec<Duration>, u64) {
    REPEAT_ALLOC.store(0, Ordering::Relaxed);
    let mut times = Vec::new();
    let mut peak = 0;
    for _ in 0..runs {
        let (t, m) = f();
        times.push(t);
        peak = peak.max(m);
    }
    (median(times.clone()), times, peak)
}

fn generate(rows: u64, out: &Path, extra: &[&str]) {
    if out.exists() {
        return;
    }
    let rows_s = rows.to_string();
    let mut args = vec!["samples", "generate", "--rows", &rows_s, "--seed", "7", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let (t, _) = measure(&args);
    eprintln!("generated {} in {:.1}s", out.display(), t.as_secs_f64());
}

/// Organisations and programmes tables with `n` organisations spread over the programmes.
fn big_scenario(dir: &Path, n: usize) -> (PathBuf, PathBuf) {
    let orgs = dir.join(format!("organisations-{n}.csv"));
    let progs = dir.join(format!("programmes-{n}.csv"));
    let mut o = String::from("id,name,kind,area\n");
    for i in 0..n {
        o.push_str(&format!("B{i:04},Benchmark Enterprise {i},social enterprise,S12000049\n"));
    }
    std::fs::write(&orgs, o).unwrap();
    let ids: Vec<String> = (0..n).map(|i| format!("B{i:04}")).collect();
    let p = format!(
        "id,name,funder,start,end,investment,themes,partners,groups\n\
         EMP,Employability,Council,2022-04-01,2025-03-31,2400000,employment;skills,{},long_term_unemployed;disabled;young_person\n\
         VOL,Volunteering,Trust,2022-04-01,2025-03-31,900000,volunteering;community,{},young_person;carer\n",
        ids.join(";"),
        ids.join(";")
    );
    std::fs::write(&progs, p).unwrap();
    (orgs, progs)
}

fn main() {
    // `cargo bench` passes --bench; any other argument is a filter we do not use.
    let rows = env_num("BENCH_ROWS", 10_000_000);
    let runs = env_num("BENCH_RUNS", 3);
    let orgs = env_num("BENCH_ORGS", 1000) as usize;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join(format!("outcomes-{rows}.csv"));
    let pq = dir.join(format!("outcomes-{rows}.parquet"));
    let mut table: Vec<Row> = Vec::new();
    let only_pdf = std::env::var("BENCH_ONLY_PDF").is_ok();
    if !only_pdf {
        generate(rows, &csv, &[]);
        generate(rows, &pq, &[]);

        // The floor (polars alone reading the same CSV, types inferred, in this process)
        // and the two aggregates are interleaved, one of each per round, so that all three
        // see the machine in the same state: it drifts by ±30% over minutes. Each round's
        // own ratios are shown beside the ratio of the medians.
        let out = dir.join("figures.csv");
        let aggregate = |data: &Path| {
            measure(&[
                "aggregate",
                data.to_str().unwrap(),
                "--by",
                "organisation,financial_year",
                "--out",
                out.to_str().unwrap(),
            ])
        };
        let (mut floor_runs, mut r_csv, mut r_pq, mut m_csv, mut m_pq) = (Vec::new(), Vec::new(), Vec::new(), 0, 0);
        let (mut a_csv, mut a_pq) = (0u64, 0u64);
        for _ in 0..runs {
            let t = Instant::now();
            let df = LazyCsvReader::new(PlRefPath::try_from_path(&csv).unwrap())
                .with_has_header(true)
                .finish()
                .unwrap()
                .collect()
                .unwrap();
            assert_eq!(df.height() as u64, rows);
            drop(df);
            floor_runs.push(t.elapsed());
            let (t, m) = aggregate(&csv);
            r_csv.push(t);
            m_csv = m_csv.max(m);
            a_csv = a_csv.max(LAST_ALLOC.load(Ordering::Relaxed));
            let (t, m) = aggregate(&pq);
            r_pq.push(t);
            m_pq = m_pq.max(m);
            a_pq = a_pq.max(LAST_ALLOC.load(Ordering::Relaxed));
        }
        let ratios = |a: &[Duration], b: &[Duration]| {
            a.iter()
                .zip(b)
                .map(|(a, b)| format!("{:.2}", a.as_secs_f64() / b.as_secs_f64()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (floor, t_csv, t_pq) = (median(floor_runs.clone()), median(r_csv.clone()), median(r_pq.clone()));
        table.push(Row {
            what: format!("polars alone: read {rows} rows of CSV"),
            median: floor,
            runs: floor_runs.clone(),
            peak: None,
            alloc: None,
            note: "the floor".into(),
        });
        table.push(Row {
            what: format!("aggregate {rows} rows from CSV"),
            median: t_csv,
            runs: r_csv.clone(),
            peak: Some(m_csv),
            alloc: Some(a_csv),
            note: format!(
                "{:.2}× the floor (target ≤ 1.5×); per round {}",
                t_csv.as_secs_f64() / floor.as_secs_f64(),
                ratios(&r_csv, &floor_runs)
            ),
        });
        table.push(Row {
            what: format!("aggregate {rows} rows from Parquet"),
            median: t_pq,
            runs: r_pq.clone(),
            peak: Some(m_pq),
            alloc: Some(a_pq),
            note: format!(
                "{:.2}× faster than CSV (target ≥ 3×); per round {}",
                t_csv.as_secs_f64() / t_pq.as_secs_f64(),
                ratios(&r_csv, &r_pq)
            ),
        });
        // Peers, interleaved with impactkit's own aggregate a round at a time, so each
        // ratio compares runs made seconds apart.
        if peers_available() {
            for file in [&csv, &pq] {
                let kind = if file == &pq { "Parquet" } else { "CSV" };
                for (name, script) in PEER_SCRIPTS {
                    if kind == "Parquet" && name.contains("as text") {
                        continue;
                    }
                    let (mut theirs, mut ours) = (Vec::new(), Vec::new());
                    for _ in 0..runs {
                        theirs.push(peer(script, file));
                        ours.push(aggregate(file).0);
                    }
                    let ratios = ratios(&ours, &theirs);
                    let (t_theirs, t_ours) = (median(theirs.clone()), median(ours));
                    table.push(Row {
                        what: format!("{name}, {rows} rows of {kind}"),
                        median: t_theirs,
                        runs: theirs,
                        peak: None,
                        alloc: None,
                        note: format!(
                            "impactkit {:.2}× this (medians); per round {ratios}",
                            t_ours.as_secs_f64() / t_theirs.as_secs_f64()
                        ),
                    });
                }
            }
        }
        let (t_val, r_val, m_val) = {
            let d = csv.to_str().unwrap().to_string();
            repeat(runs, move || measure(&["validate", &d]))
        };
        table.push(Row {
            what: format!("validate {rows} rows of CSV"),
            median: t_val,
            runs: r_val,
            peak: Some(m_val),
            alloc: repeat_alloc(),
            note: String::new(),
        });
        // The other figure commands are pipeline passes too: their peak memory should
        // follow the groups, not the records (#13: within 1.5 GB at 10M rows).
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let programmes = root.join("samples/programmes.csv").to_str().unwrap().to_string();
        let commitments = root.join("samples/commitments.csv").to_str().unwrap().to_string();
        let d = pq.to_str().unwrap().to_string();
        let o = out.to_str().unwrap().to_string();
        let passes: [(&str, Vec<String>); 3] = [
            (
                "value",
                vec!["value".into(), d.clone(), "--programmes".into(), programmes.clone(), "--out".into(), o.clone()],
            ),
            (
                "compare",
                vec![
                    "compare".into(),
                    d.clone(),
                    "--by".into(),
                    "programme".into(),
                    "--programmes".into(),
                    programmes,
                    "--out".into(),
                    o.clone(),
                ],
            ),
            (
                "commitments",
                vec!["commitments".into(), "--commitments".into(), commitments, d.clone(), "--out".into(), o.clone()],
            ),
        ];
        for (name, args) in passes {
            let (t, r, m) = repeat(runs, move || measure(&args.iter().map(String::as_str).collect::<Vec<_>>()));
            table.push(Row {
                what: format!("{name} {rows} rows of Parquet"),
                median: t,
                runs: r,
                peak: Some(m),
                alloc: repeat_alloc(),
                note: "one streaming pass (target ≤ 1.5 GB peak)".into(),
            });
        }
    }
    let out = dir.join("figures.csv");

    // 1,000 board packs: a dataset with that many organisations, 300 records each.
    let (o, p) = big_scenario(&dir, orgs);
    let report_data = dir.join(format!("outcomes-{orgs}-orgs.csv"));
    generate(
        orgs as u64 * 300,
        &report_data,
        &["--organisations", o.to_str().unwrap(), "--programmes", p.to_str().unwrap()],
    );
    let pdfs = dir.join("board");
    let (t_pdf, r_pdf, m_pdf) = {
        let (d, out, o) = (
            report_data.to_str().unwrap().to_string(),
            pdfs.to_str().unwrap().to_string(),
            o.to_str().unwrap().to_string(),
        );
        repeat(runs, move || {
            measure(&[
                "report",
                "reports/board.toml",
                "--data",
                &d,
                "--organisations",
                &o,
                "--each",
                "organisation",
                "--out-dir",
                &out,
                "--no-suppress",
            ])
        })
    };
    let sizes: Vec<u64> = std::fs::read_dir(&pdfs)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .collect();
    let max_kb = sizes.iter().max().copied().unwrap_or(0) / 1024;
    let mean_kb = sizes.iter().sum::<u64>() / sizes.len().max(1) as u64 / 1024;
    table.push(Row {
        what: format!("render {} board PDFs (--each organisation), --no-suppress", sizes.len()),
        median: t_pdf,
        runs: r_pdf,
        peak: Some(m_pdf),
        alloc: repeat_alloc(),
        note: format!("{mean_kb} KB mean, {max_kb} KB largest (targets ≤ 10 s, ≤ 150 KB)"),
    });
    let (t_pub, r_pub, m_pub) = {
        let (d, out, o) = (
            report_data.to_str().unwrap().to_string(),
            pdfs.to_str().unwrap().to_string(),
            o.to_str().unwrap().to_string(),
        );
        repeat(runs, move || {
            measure(&[
                "report",
                "reports/board.toml",
                "--data",
                &d,
                "--organisations",
                &o,
                "--each",
                "organisation",
                "--out-dir",
                &out,
            ])
        })
    };
    table.push(Row {
        what: format!("render {} board PDFs (--each organisation), small numbers protected", sizes.len()),
        median: t_pub,
        runs: r_pub,
        peak: Some(m_pub),
        alloc: repeat_alloc(),
        note: format!("{:.2}× the --no-suppress run (target ≤ 10 s)", t_pub.as_secs_f64() / t_pdf.as_secs_f64()),
    });

    // A release of the 1,000 board packs and 50 funder reports (a programme each for 20
    // partners), protected together and audited; the same release unprotected; beside
    // the 1,000 packs alone above (target: the release within 2× of them).
    let release_dir = dir.join(format!("release-{orgs}"));
    std::fs::create_dir_all(&release_dir).unwrap();
    let programmes = release_dir.join("programmes.csv");
    let mut table_text = String::from("id,name,funder,start,end,investment,themes,partners,groups\n");
    for k in 0..50 {
        let partners: Vec<String> = (0..orgs).filter(|i| i % 50 == k).map(|i| format!("B{i:04}")).collect();
        let _ = writeln!(
            table_text,
            "P{k:02},Programme {k},Funder {},2022-04-01,2025-03-31,{},employment;skills,{},long_term_unemployed;disabled;young_person",
            k % 5,
            200_000 + 10_000 * k,
            partners.join(";")
        );
    }
    std::fs::write(&programmes, table_text).unwrap();
    let release_data = release_dir.join("outcomes.csv");
    generate(
        orgs as u64 * 300,
        &release_data,
        &["--organisations", o.to_str().unwrap(), "--programmes", programmes.to_str().unwrap()],
    );
    let project = |name: &str, defaults: &str| {
        let folder = release_dir.join(name);
        std::fs::create_dir_all(&folder).unwrap();
        let text = format!(
            "[[source]]\npath = {:?}\n\n[tables]\norganisations = {:?}\nprogrammes = {:?}\n\n[defaults]\n{defaults}\n\n[[release]]\nname = \"bench\"\nout_dir = \"out\"\ndocuments = [{{ spec = \"board\", each = \"organisation\" }}, {{ spec = \"funder\", each = \"programme\" }}]\n",
            release_data, o, programmes
        );
        std::fs::write(folder.join("impact.toml"), text).unwrap();
        folder.to_str().unwrap().to_string()
    };
    let (joint, open) = (project("protected", "suppress_below = 5"), project("open", "no_suppress = true"));
    let (t_rel, r_rel, m_rel) = {
        let joint = joint.clone();
        repeat(runs, move || measure(&["--project", &joint, "release"]))
    };
    table.push(Row {
        what: format!("release of {orgs} board PDFs + 50 funder PDFs, protected together and audited"),
        median: t_rel,
        runs: r_rel,
        peak: Some(m_rel),
        alloc: repeat_alloc(),
        note: format!(
            "{:.2}× the {orgs} packs alone, protected (target ≤ 2×)",
            t_rel.as_secs_f64() / t_pub.as_secs_f64()
        ),
    });
    let (t_open, r_open, m_open) = repeat(runs, move || measure(&["--project", &open, "release"]));
    table.push(Row {
        what: "the same release, --no-suppress (no protection, no audit)".to_string(),
        median: t_open,
        runs: r_open,
        peak: Some(m_open),
        alloc: repeat_alloc(),
        note: format!("protection and audit add {:.2} s", t_rel.as_secs_f64() - t_open.as_secs_f64()),
    });

    // One pack alone: `--subject` reads only its subject's records when no section
    // compares peers (target ≤ 0.2 s), beside aggregating the same file, which reads
    // and checks every record as the report must.
    let one = dir.join("one.pdf");
    let (t_one, r_one, m_one) = {
        let (d, one, o) = (
            report_data.to_str().unwrap().to_string(),
            one.to_str().unwrap().to_string(),
            o.to_str().unwrap().to_string(),
        );
        repeat(runs, move || {
            measure(&[
                "report",
                "reports/board.toml",
                "--data",
                &d,
                "--organisations",
                &o,
                "--subject",
                "B0500",
                "--out",
                &one,
            ])
        })
    };
    let a_one = repeat_alloc();
    let (t_agg1k, r_agg1k, _) = {
        let (d, out) = (report_data.to_str().unwrap().to_string(), out.to_str().unwrap().to_string());
        repeat(runs, move || measure(&["aggregate", &d, "--out", &out]))
    };
    table.push(Row {
        what: format!("one board PDF (--subject) from the {orgs}-organisation file"),
        median: t_one,
        runs: r_one,
        peak: Some(m_one),
        alloc: a_one,
        note: format!("target ≤ 0.2 s; aggregating the same file takes {:.2} s", t_agg1k.as_secs_f64()),
    });
    table.push(Row {
        what: format!("aggregate the {orgs}-organisation file ({} rows)", orgs * 300),
        median: t_agg1k,
        runs: r_agg1k,
        peak: None,
        alloc: None,
        note: "the read-and-check floor of one pack".into(),
    });

    // Small-number protection alone: the same wide aggregate with and without it, on
    // the big Parquet file (about a million cells) unless only the PDFs are timed.
    let by = std::env::var("BENCH_CELLS_BY")
        .unwrap_or_else(|_| "organisation,beneficiary_group,gender,age_band,month".into());
    let cells_data = if only_pdf { report_data.clone() } else { pq.clone() };
    let cells_out = dir.join("cells.csv");
    let wide = |extra: &[&str]| {
        let mut args =
            vec!["aggregate", cells_data.to_str().unwrap(), "--by", by.as_str(), "--out", cells_out.to_str().unwrap()];
        args.extend_from_slice(extra);
        measure(&args)
    };
    let (mut plain, mut protected) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        plain.push(wide(&["--no-suppress"]).0);
        protected.push(wide(&[]).0);
    }
    let cells = std::fs::read_to_string(&cells_out).map_or(0, |t| t.lines().count().saturating_sub(1));
    let (t_plain, t_prot) = (median(plain.clone()), median(protected.clone()));
    table.push(Row {
        what: format!("aggregate --by {by}: {cells} cells, --no-suppress"),
        median: t_plain,
        runs: plain,
        peak: None,
        alloc: None,
        note: String::new(),
    });
    table.push(Row {
        what: format!("the same, small numbers protected ({cells} cells)"),
        median: t_prot,
        runs: protected,
        peak: None,
        alloc: None,
        note: format!("protection adds {:.2} s", t_prot.as_secs_f64() - t_plain.as_secs_f64()),
    });

    // #13: one streaming pass feeds every report of a batch, so a batch over 10M rows
    // of 1,000 organisations stays within 2 GB (it held every record before: 3.3 GB).
    if !only_pdf {
        let big = dir.join(format!("outcomes-{rows}-{orgs}-orgs.parquet"));
        generate(rows, &big, &["--organisations", o.to_str().unwrap(), "--programmes", p.to_str().unwrap()]);
        let packs = dir.join("board-big");
        let (d, out_dir) = (big.to_str().unwrap().to_string(), packs.to_str().unwrap().to_string());
        let (t, r, m) = repeat(runs, move || {
            measure(&["report", "reports/board.toml", "--data", &d, "--each", "organisation", "--out-dir", &out_dir])
        });
        table.push(Row {
            what: format!("{orgs} board PDFs from {rows} Parquet rows of {orgs} organisations"),
            median: t,
            runs: r,
            peak: Some(m),
            alloc: repeat_alloc(),
            note: "target ≤ 2 GB peak".into(),
        });
    }

    if std::env::var("BENCH_50M").is_ok() {
        let big = dir.join("outcomes-50000000.parquet");
        generate(50_000_000, &big, &[]);
        let (t, m) = measure(&[
            "aggregate",
            big.to_str().unwrap(),
            "--by",
            "organisation,financial_year",
            "--out",
            out.to_str().unwrap(),
        ]);
        table.push(Row {
            what: "aggregate 50M rows from Parquet".into(),
            median: t,
            runs: vec![t],
            peak: Some(m),
            alloc: Some(LAST_ALLOC.load(Ordering::Relaxed)),
            note: "target peak ≤ 2 GB".into(),
        });
    }

    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mut md = format!("Machine: {cpus} cores; medians of {runs} run(s); peak = resident memory high-water mark of the `impact` process.\n\n");
    md.push_str(
        "| what | median | runs | peak memory (resident) | peak allocated | note |\n|---|---:|---|---:|---:|---|\n",
    );
    for r in &table {
        let runs: Vec<String> = r.runs.iter().map(|d| format!("{:.2}", d.as_secs_f64())).collect();
        let mb = |b: Option<u64>| b.map_or("–".to_string(), |b| format!("{:.0} MB", b as f64 / 1e6));
        let _ = writeln!(
            md,
            "| {} | {:.2} s | {} | {} | {} | {} |",
            r.what,
            r.median.as_secs_f64(),
            runs.join(", "),
            mb(r.peak),
            mb(r.alloc),
            r.note
        );
    }
    println!("{md}");
    std::fs::write(dir.join("results.md"), &md).unwrap();
    eprintln!("written to {}", dir.join("results.md").display());
}
