//! Benchmark of `impact serve` (release build), as its user meets it:
//!
//!   cargo bench --bench serve
//!
//! Starts the server over a copy of the sample project, then times whole HTTP
//! exchanges on loopback, the median of `BENCH_RUNS` (5): an upload of the 20,000-record
//! sample to its problems table; the same for a 1M-row CSV (`impact samples generate
//! --rows 1000000 --seed 7`, kept in target/bench-data/); the figures page over a
//! project of those 1M rows (its first load apart, then the later ones; by year, and by
//! quarter with the figures to date); and a board
//! pack made and downloaded.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const IMPACT: &str = env!("CARGO_BIN_EXE_impact");

#[path = "../tests/cli/shared.rs"]
mod shared;

/// `impact serve` over a project folder, with uploads up to 2 GB.
struct Server {
    serving: shared::Serving,
}

fn start(project: &Path) -> Server {
    Server { serving: shared::Serving::start(project, &["--max-upload", "2048"]) }
}

impl Server {
    /// One exchange; the status and the body.
    fn send(&self, method: &str, path: &str, headers: &[(&str, String)], body: &[u8]) -> (u16, Vec<u8>) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.serving.port)).unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nSec-Fetch-Site: same-origin\r\nContent-Length: {}\r\n",
            self.serving.port,
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let status = String::from_utf8_lossy(&raw[..split]).split_whitespace().nth(1).unwrap().parse().unwrap();
        (status, raw[split + 4..].to_vec())
    }

    /// How long a page takes to come (it must come whole, 200).
    fn time_page(&self, path: &str) -> Duration {
        let started = Instant::now();
        assert_eq!(self.send("GET", path, &[], b"").0, 200);
        started.elapsed()
    }

    fn token(&self) -> String {
        let (_, page) = self.send("GET", "/sources", &[], b"");
        let page = String::from_utf8_lossy(&page).into_owned();
        page.split("name=\"token\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string()
    }

    /// Upload `file`, then open its page (its problems table): the user's wait.
    fn upload_to_problems(&self, token: &str, file: &Path) -> Duration {
        let content = std::fs::read(file).unwrap();
        let started = Instant::now();
        let boundary = "XyZboundary";
        let mut body =
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n{token}\r\n").into_bytes();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n\r\n",
                file.file_name().unwrap().to_str().unwrap()
            )
            .as_bytes(),
        );
        body.extend_from_slice(&content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let mut stream = TcpStream::connect(("127.0.0.1", self.serving.port)).unwrap();
        let head = format!(
            "POST /upload HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nSec-Fetch-Site: same-origin\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
            self.serving.port,
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(&body).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let text = String::from_utf8_lossy(&raw).to_lowercase();
        let location = text.split("location: ").nth(1).expect("a redirect").lines().next().unwrap().trim().to_string();
        let (status, page) = self.send("GET", &location, &[], b"");
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&page));
        assert!(String::from_utf8_lossy(&page).contains("Problems"));
        started.elapsed()
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn sample_project(dir: &Path, data: Option<&Path>) {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    for f in shared::SAMPLE_FILES.iter().chain(&["impact.toml"]) {
        std::fs::copy(samples.join(f), dir.join(f)).unwrap();
    }
    if let Some(data) = data {
        std::fs::copy(data, dir.join("outcomes.csv")).unwrap();
    }
}

fn main() {
    let runs: usize = std::env::var("BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let data_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&data_dir).unwrap();
    let big = data_dir.join("serve-1m.csv");
    if !big.exists() {
        let ok = Command::new(IMPACT)
            .args(["samples", "generate", "--rows", "1000000", "--seed", "7", "--out", big.to_str().unwrap()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "generating the 1M-row CSV");
    }
    let sample = dir_with(None);
    let server = start(sample.path());
    let token = server.token();
    let small = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/outcomes.csv");
    let mut table = Vec::new();
    let times: Vec<Duration> = (0..runs).map(|_| server.upload_to_problems(&token, &small)).collect();
    table.push(("upload the 20,000-record sample CSV to its problems table", times, "target ≤ 0.5 s"));
    let times: Vec<Duration> = (0..runs).map(|_| server.upload_to_problems(&token, &big)).collect();
    table.push(("upload a 1M-row CSV (115 MB) to its problems table", times, "target ≤ 3 s"));
    let form = format!("token={token}&spec=board&subject=ORG01&format=pdf");
    let times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            let (status, pdf) = server.send(
                "POST",
                "/reports/make",
                &[("Content-Type", "application/x-www-form-urlencoded".into())],
                form.as_bytes(),
            );
            assert!(status == 200 && pdf.starts_with(b"%PDF"));
            started.elapsed()
        })
        .collect();
    table.push(("a board pack made and downloaded (the sample project)", times, "target ≤ 0.5 s"));
    drop(server);

    let million = dir_with(Some(&big));
    let server = start(million.path());
    let figures = "/figures?indicator=jobs_created&by=programme&period=financial_year";
    let first = server.time_page(figures);
    let times: Vec<Duration> = (0..runs).map(|_| server.time_page(figures)).collect();
    table.push(("the figures page over 1M rows, after its first load", times, "target ≤ 1 s"));
    // With the figures to date beside each quarter's (and protected with them).
    let to_date = "/figures?indicator=jobs_created&by=programme&period=financial_quarter&to_date=1";
    let times: Vec<Duration> = (0..runs).map(|_| server.time_page(to_date)).collect();
    table.push(("the figures page over 1M rows by quarter, to date", times, "target ≤ 1 s"));
    println!("\n| what | median | runs (s) | note |\n|---|---:|---|---|");
    for (what, times, note) in &table {
        let shown: Vec<String> = times.iter().map(|t| format!("{:.2}", t.as_secs_f64())).collect();
        println!("| {what} | {:.2} s | {} | {note} |", median(times.clone()).as_secs_f64(), shown.join(", "));
    }
    println!("| the figures page over 1M rows, its first load | {:.2} s | – | – |", first.as_secs_f64());
}

fn dir_with(data: Option<&Path>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    sample_project(dir.path(), data);
    dir
}
