use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Fail with the whole output when the exit code is not the expected one.
    #[track_caller]
    pub fn expect_code(self, code: i32) -> Run {
        assert_eq!(self.code, code, "exit code\n--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr);
        self
    }

    #[track_caller]
    pub fn ok(self) -> Run {
        self.expect_code(0)
    }
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run `impact ARGS…` from the repository root (so `indicators/` and `samples/` resolve).
pub fn impact(args: &[&str]) -> Run {
    impact_env(args, &[])
}

/// `impact` with extra environment variables (e.g. thread counts).
pub fn impact_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_impact"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(repo())
        .output()
        .expect("run impact");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Run `impact ARGS…` in `dir` (a project folder, say), with extra environment variables.
pub fn impact_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_impact")).args(args).current_dir(dir).output().expect("run impact");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub use crate::shared::SAMPLE_FILES;

/// The sample project (its data, tables and release) in `dir`.
pub fn sample_project(dir: &Path) {
    let samples = repo().join("samples");
    for f in SAMPLE_FILES.iter().chain(&["impact.toml"]) {
        std::fs::copy(samples.join(f), dir.join(f)).expect("copy a sample file");
    }
}

pub fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write fixture");
    path
}

pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Files in a folder (to prove a failed run wrote nothing).
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Parse CSV output (one record a line) into rows of cells: commas inside quotes stay
/// in their cell, and `""` in a quoted cell is a quote.
pub fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|line| {
            let (mut cells, mut cell, mut quoted) = (Vec::new(), String::new(), false);
            let mut chars = line.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '"' if quoted && chars.peek() == Some(&'"') => {
                        cell.push('"');
                        chars.next();
                    }
                    '"' => quoted = !quoted,
                    ',' if !quoted => cells.push(std::mem::take(&mut cell)),
                    c => cell.push(c),
                }
            }
            cells.push(cell);
            cells
        })
        .collect()
}

/// The value column of the row whose leading cells equal `key` (dims…, indicator).
#[track_caller]
pub fn value_of(rows: &[Vec<String>], key: &[&str]) -> f64 {
    let header = &rows[0];
    let value_at = header.iter().position(|h| h == "value").expect("value column");
    let row = rows[1..]
        .iter()
        .find(|r| r.iter().zip(key).all(|(a, b)| a == b))
        .unwrap_or_else(|| panic!("no row {key:?} in\n{rows:?}"));
    row[value_at].parse().unwrap_or(f64::NAN)
}

/// Every page's text of a PDF, as lopdf extracts it (lines as the PDF draws them).
#[track_caller]
pub fn pdf_text(path: &Path) -> String {
    let doc = lopdf::Document::load(path).unwrap_or_else(|e| panic!("{} does not parse as PDF: {e}", path.display()));
    doc.extract_text(&doc.get_pages().keys().copied().collect::<Vec<_>>()).expect("text")
}
