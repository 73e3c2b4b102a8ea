//! Examples that cannot go stale: every command shown in README.md and docs/*.md is
//! run here, in a fresh copy of the sample project, and its output compared with
//! what the page shows.
//!
//! Each block runs in a fresh folder laid out as the repository is for the commands
//! (`samples/`, `indicators/`, `proxies/`, `reports/`), so a page's `impact --project samples …`
//! and `impact validate samples/outcomes.csv` run as a reader would run them.
//!
//! A ```console block holds commands (`$ impact …`, continued with a trailing `\`),
//! each followed by its output as a terminal shows it (standard output and error
//! together). In the output, a line `...` stands for any number of lines, `[..]`
//! for any text within a line, and a last line `[exit: N]` for a command that must
//! end with code N (else 0). `$ cd DIR` changes folder for the rest of the block.
//! `cargo run -- ARGS` in a page is run as `impact ARGS`. A command in a ```sh block,
//! shown without output, must succeed; those that cannot run inside a test (`cargo
//! test`, `cargo install`, `cargo bench`: CI and the bench run them) are passed over.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Commands a page may show that are not run here: CI runs the tests, the bench runs
/// the bench, and installing is left to the reader.
const NOT_RUN_HERE: [&str; 4] = ["cargo test", "cargo install", "cargo bench", "cargo doc"];

/// One command of a page and the output the page shows for it.
#[derive(Debug)]
struct Example {
    page: String,
    line: usize,
    command: String,
    expected: Vec<String>,
    code: i32,
}

/// A block's examples, or why a page is wrong.
fn examples(page: &str, text: &str) -> Result<Vec<Vec<Example>>, String> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().enumerate().peekable();
    while let Some((n, line)) = lines.next() {
        let fence = line.trim_start();
        let Some(lang) = fence.strip_prefix("```") else { continue };
        let mut body = Vec::new();
        for (k, l) in lines.by_ref() {
            if l.trim_start().starts_with("```") {
                break;
            }
            body.push((k, l));
        }
        match lang.trim() {
            "console" => blocks.push(block(page, &body)?),
            "sh" | "bash" | "shell" => {
                // Commands shown without output: each must succeed (but those that
                // cannot run inside a test).
                let mut block = Vec::new();
                for (k, l) in &body {
                    let command = l.split(" #").next().unwrap_or_default().trim();
                    if command.is_empty()
                        || command.starts_with('#')
                        || NOT_RUN_HERE.iter().any(|c| command.contains(c))
                    {
                        continue;
                    }
                    block.push(Example {
                        page: page.to_string(),
                        line: k + 1,
                        command: command.to_string(),
                        expected: vec!["...".into()],
                        code: 0,
                    });
                }
                if !block.is_empty() {
                    blocks.push(block);
                }
            }
            "" => {
                for (k, l) in &body {
                    if l.trim_start().starts_with("impact ") || l.trim_start().starts_with("cargo run") {
                        return Err(format!("{page}:{}: a command in an unmarked block is not checked", k + 1));
                    }
                }
                let _ = n;
            }
            _ => {}
        }
    }
    Ok(blocks)
}

fn block(page: &str, body: &[(usize, &str)]) -> Result<Vec<Example>, String> {
    let mut out: Vec<Example> = Vec::new();
    let mut i = 0;
    while i < body.len() {
        let (n, line) = body[i];
        let Some(first) = line.strip_prefix("$ ") else {
            return Err(format!("{page}:{}: a console block's first line is a `$ ` command", n + 1));
        };
        let mut command = first.to_string();
        while command.ends_with('\\') && i + 1 < body.len() {
            command.pop();
            i += 1;
            command.push(' ');
            command.push_str(body[i].1.trim());
        }
        i += 1;
        let mut expected = Vec::new();
        while i < body.len() && !body[i].1.starts_with("$ ") {
            expected.push(body[i].1.trim_end().to_string());
            i += 1;
        }
        let mut code = 0;
        if let Some(last) = expected.last().and_then(|l| l.strip_prefix("[exit: ")).and_then(|l| l.strip_suffix(']')) {
            code = last.parse().map_err(|_| format!("{page}:{}: [exit: N] takes a number", n + 1))?;
            expected.pop();
        }
        while expected.last().is_some_and(String::is_empty) {
            expected.pop();
        }
        out.push(Example { page: page.to_string(), line: n + 1, command, expected, code });
    }
    Ok(out)
}

/// Whether `actual` matches `pattern` (`[..]`: any text).
fn line_matches(pattern: &str, actual: &str) -> bool {
    let parts: Vec<&str> = pattern.split("[..]").collect();
    if parts.len() == 1 {
        return pattern == actual;
    }
    let Some(rest) = actual.strip_prefix(parts[0]) else { return false };
    let mut rest = rest;
    for (k, part) in parts.iter().enumerate().skip(1) {
        if k == parts.len() - 1 {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Whether the output's lines match the expected lines (`...`: any lines).
fn output_matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => (0..=actual.len()).any(|skip| output_matches(rest, &actual[skip..])),
        Some((first, rest)) => {
            actual.first().is_some_and(|a| line_matches(first, a)) && output_matches(rest, &actual[1..])
        }
    }
}

/// Runs one block's examples in `dir` (the sample project); the mismatches, in words.
fn run_block(examples: &[Example], dir: &Path) -> Vec<String> {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_impact"));
    let path = format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    let mut cwd = dir.to_path_buf();
    let mut failures = Vec::new();
    for ex in examples {
        let command = match ex.command.strip_prefix("cargo run -- ") {
            Some(rest) => format!("impact {rest}"),
            None => ex.command.clone(),
        };
        if let Some(to) = command.strip_prefix("cd ") {
            cwd = cwd.join(to.trim());
            continue;
        }
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("{command} 2>&1"))
            .current_dir(&cwd)
            .env("PATH", &path)
            .env("COLUMNS", "100")
            .env("NO_COLOR", "1")
            .output()
            .expect("run sh");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut actual: Vec<&str> = text.lines().map(str::trim_end).collect();
        while actual.last().is_some_and(|l| l.is_empty()) {
            actual.pop();
        }
        let code = out.status.code().unwrap_or(-1);
        if code != ex.code || !output_matches(&ex.expected, &actual) {
            failures.push(format!(
                "{}:{}: `{}` exited {code} (the page says {}) and printed:\n{}\n--- the page shows:\n{}",
                ex.page,
                ex.line,
                ex.command,
                ex.code,
                actual.join("\n"),
                ex.expected.join("\n")
            ));
        }
    }
    failures
}

/// A copy of the repository's samples (without their outputs), indicators and specs.
fn workspace(dir: &Path) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                if name != "out" {
                    copy(&path, &to.join(&name));
                }
            } else {
                std::fs::copy(&path, to.join(&name)).unwrap();
            }
        }
    }
    let root = crate::util::repo();
    for folder in ["samples", "indicators", "proxies", "reports"] {
        copy(&root.join(folder), &dir.join(folder));
    }
}

/// The pages whose examples are checked.
fn pages() -> Vec<PathBuf> {
    let root = crate::util::repo();
    let mut pages = vec![root.join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "md")).collect()
        })
        .unwrap_or_default();
    docs.sort();
    pages.extend(docs);
    pages
}

#[test]
fn every_documented_command_prints_what_its_page_shows() {
    let mut failures = Vec::new();
    let mut run = 0;
    for page in pages() {
        let name = page.strip_prefix(crate::util::repo()).unwrap().display().to_string();
        let text = std::fs::read_to_string(&page).unwrap();
        let blocks = match examples(&name, &text) {
            Ok(b) => b,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        for block in blocks {
            let dir = tempfile::tempdir().unwrap();
            workspace(dir.path());
            run += block.len();
            failures.extend(run_block(&block, dir.path()));
        }
    }
    assert!(failures.is_empty(), "{} of the documented commands differ:\n\n{}", failures.len(), failures.join("\n\n"));
    assert!(run >= 30, "the pages show {run} commands");
}

/// The check is not a formality: an example whose output changed, or whose command
/// fails, or a command outside a checked block, is found.
#[test]
fn a_stale_example_fails() {
    let page =
        "```console\n$ impact indicators show jobs_created\nid: jobs_created\nname: Something else entirely\n```\n";
    let blocks = examples("stale.md", page).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let failures = run_block(&blocks[0], dir.path());
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].contains("stale.md:2"), "{failures:?}");
    let failing = "```console\n$ impact validate missing.csv\n...\n```\n";
    assert_eq!(
        run_block(&examples("f.md", failing).unwrap()[0], dir.path()).len(),
        1,
        "a failing command needs [exit: N]"
    );
    let unchecked = "```\nimpact validate data.csv\n```\n";
    assert!(examples("u.md", unchecked).is_err());
    let must_succeed = "```sh\nimpact validate missing.csv   # a comment\ncargo test\n```\n";
    let blocks = examples("s.md", must_succeed).unwrap();
    assert_eq!(blocks[0].len(), 1, "cargo test is passed over");
    assert_eq!(run_block(&blocks[0], dir.path()).len(), 1, "a command shown without output must succeed");
    // The patterns themselves.
    assert!(line_matches("wrote [..] in [..]s", "wrote out/a.pdf in 0.4s"));
    assert!(!line_matches("wrote [..] in [..]s", "wrote out/a.pdf"));
    let lines = ["a", "b", "c", "d"];
    assert!(output_matches(&["a".into(), "...".into(), "d".into()], &lines));
    assert!(!output_matches(&["a".into(), "...".into(), "c".into()], &lines));
}

/// The text of every page of the guide and the README.
fn guide() -> String {
    pages().iter().map(|p| std::fs::read_to_string(p).unwrap()).collect::<Vec<_>>().join("\n")
}

/// Every subcommand `impact --help` lists is run somewhere in the guide.
#[test]
fn the_guide_runs_every_command() {
    let help = crate::util::impact(&["--help"]).ok().stdout;
    let commands: Vec<&str> = help
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() >= 14, "{commands:?}");
    let text = guide();
    for c in commands {
        let shown = [format!("$ impact {c}"), format!("$ cargo run -- {c}"), format!("$ impact --project samples {c}")];
        assert!(shown.iter().any(|s| text.contains(s.as_str())), "the guide never runs `impact {c}`");
    }
}

/// Every key a report spec takes (the fields of the spec's and its sections' serde
/// structs, as the source declares them) is in the guide's spec example, and that
/// example is a spec `impact` accepts.
#[test]
fn the_guide_shows_every_spec_key_in_a_spec_that_loads() {
    let root = crate::util::repo();
    let page = std::fs::read_to_string(root.join("docs/reports.md")).unwrap();
    let example = page.split("```toml\n").nth(1).unwrap().split("```").next().unwrap();
    let shown: std::collections::BTreeSet<String> = example
        .lines()
        .flat_map(|l| {
            if let Some(table) = l.trim().strip_prefix("[[").and_then(|t| t.strip_suffix("]]")) {
                return vec![table.to_string()];
            }
            let l = l.split('#').next().unwrap_or_default();
            l.split(['{', ','])
                .filter_map(|part| part.split('=').next().filter(|_| part.contains('=')))
                .map(|k| k.trim().to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    let mut files = vec![root.join("src/report/spec.rs")];
    let mut sections: Vec<PathBuf> =
        std::fs::read_dir(root.join("src/report/sections")).unwrap().map(|e| e.unwrap().path()).collect();
    sections.sort();
    files.extend(sections);
    let mut missing = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for block in source.split("#[derive(").skip(1) {
            let (derive, rest) = block.split_once(')').unwrap();
            let Some(body) = rest.split_once("pub struct ").map(|(_, b)| b) else { continue };
            if !derive.contains("Deserialize") || rest.find("pub struct") > rest.find("\n}") {
                continue;
            }
            let body = body.split("\n}").next().unwrap();
            let mut attributes = String::new();
            for line in body.lines().map(str::trim) {
                if line.starts_with("#[") {
                    attributes.push_str(line);
                    continue;
                }
                if let Some(field) = line.strip_prefix("pub ").and_then(|l| l.split(':').next()) {
                    let key = attributes
                        .split("rename = \"")
                        .nth(1)
                        .and_then(|r| r.split('"').next())
                        .unwrap_or(field)
                        .to_string();
                    if !attributes.contains("skip") && !shown.contains(&key) {
                        missing.push(format!("{}: {key}", file.display()));
                    }
                }
                if !line.starts_with("///") {
                    attributes.clear();
                }
            }
        }
    }
    assert!(missing.is_empty(), "spec keys the guide's example does not show:\n{}", missing.join("\n"));
    assert!(shown.contains("kind") && shown.contains("report_year"), "{shown:?}");
    let dir = tempfile::tempdir().unwrap();
    crate::util::write(dir.path(), "spec.toml", example);
    let run = crate::util::impact_in(
        dir.path(),
        &[
            "report",
            "spec.toml",
            "--data",
            crate::util::s(&root.join("samples/outcomes.csv")),
            "--subject",
            "ORG01",
            "--out",
            "x.pdf",
        ],
    );
    assert!(!run.stderr.contains("unknown field") && !run.stderr.contains("unknown variant"), "{}", run.stderr);
}
