//! The standard indicator library, its open proxies and the report specs, built into
//! the binary, so `impact` works from any folder. The folders in the repository stay
//! the source of truth: they are embedded at build time, and a test checks that every
//! file in them is here. A folder `indicators/` in the working folder, `--indicators`,
//! `--proxies` or a spec path on disk still take precedence.
//!
//! Built-in files have paths under `<built-in>/` (e.g. `<built-in>/reports/board.toml`)
//! so messages and fingerprints name them; `read_to_string` reads either kind.

use std::path::{Path, PathBuf};

/// The prefix of a built-in file's path.
pub const ROOT: &str = "<built-in>";

macro_rules! files {
    ($dir:literal: $($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../", $dir, "/", $name)))),*]
    };
}

/// (folder, [(file name, text)]) for each built-in folder.
pub const FOLDERS: &[(&str, &[(&str, &str)])] = &[
    (
        "indicators",
        files!("indicators": "community.toml", "contracts.toml", "employment.toml", "environment.toml", "health_wellbeing.toml",
            "justice.toml", "local_economy.toml", "public_purse.toml", "skills.toml", "volunteering.toml"),
    ),
    ("proxies", files!("proxies": "open.toml")),
    ("reports", files!("reports": "board.toml", "cbc.toml", "compare.toml", "funder.toml")),
];

/// The sample organisations and programmes tables (`samples/`), which `impact samples
/// generate` draws its records from in any folder.
pub const SAMPLE_TABLES: [(&str, &str); 2] = [
    ("organisations.csv", include_str!("../samples/organisations.csv")),
    ("programmes.csv", include_str!("../samples/programmes.csv")),
];

/// The built-in folder `name` as a path (`<built-in>/indicators`).
pub fn folder(name: &str) -> PathBuf {
    Path::new(ROOT).join(name)
}

/// The files of a built-in folder, if `dir` names one.
pub fn files_in(dir: &Path) -> Option<&'static [(&'static str, &'static str)]> {
    let name = dir.strip_prefix(ROOT).ok()?.to_str()?;
    FOLDERS.iter().find(|(folder, _)| *folder == name).map(|(_, files)| *files)
}

/// The text of a built-in file, if `path` names one.
pub fn text_of(path: &Path) -> Option<&'static str> {
    let files = files_in(path.parent()?)?;
    let name = path.file_name()?.to_str()?;
    files.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}

/// A file's text, built in or on disk.
pub fn read_to_string(path: &Path) -> std::io::Result<String> {
    match text_of(path) {
        Some(text) => Ok(text.to_string()),
        None => std::fs::read_to_string(path),
    }
}

/// A built-in report spec named like `board`, `board.toml` or `reports/board.toml`,
/// when no such file exists on disk.
pub fn spec(name: &Path) -> Option<PathBuf> {
    if name.exists() {
        return None;
    }
    let parent_ok = name.parent().is_none_or(|p| p.as_os_str().is_empty() || p == Path::new("reports"));
    let stem = name.file_stem()?.to_str()?;
    let extension_ok = name.extension().is_none_or(|e| e == "toml");
    let path = folder("reports").join(format!("{stem}.toml"));
    (parent_ok && extension_ok && text_of(&path).is_some()).then_some(path)
}

/// The names of the built-in report specs.
pub fn spec_names() -> Vec<&'static str> {
    FOLDERS
        .iter()
        .filter(|(f, _)| *f == "reports")
        .flat_map(|(_, files)| files.iter().map(|(n, _)| n.trim_end_matches(".toml")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file of the three folders is built in, unchanged: a new file must be
    /// added to `FOLDERS`.
    #[test]
    fn every_shipped_file_is_built_in() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        for (folder, files) in FOLDERS {
            let mut on_disk: Vec<String> = std::fs::read_dir(repo.join(folder))
                .expect("folder")
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| n.ends_with(".toml"))
                .collect();
            on_disk.sort();
            let built_in: Vec<String> = files.iter().map(|(n, _)| n.to_string()).collect();
            assert_eq!(on_disk, built_in, "{folder}: add the file to builtin::FOLDERS");
            for (name, text) in *files {
                assert_eq!(
                    std::fs::read_to_string(repo.join(folder).join(name)).expect("read"),
                    *text,
                    "{folder}/{name}"
                );
            }
        }
    }

    #[test]
    fn the_sample_tables_are_built_in_unchanged() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        for (name, text) in SAMPLE_TABLES {
            assert_eq!(std::fs::read_to_string(repo.join("samples").join(name)).expect("read"), text, "{name}");
        }
    }

    #[test]
    fn specs_are_found_by_name() {
        assert_eq!(spec(Path::new("board")), Some(folder("reports").join("board.toml")));
        assert_eq!(spec(Path::new("nope")), None);
        assert!(text_of(&folder("indicators").join("employment.toml")).is_some_and(|t| t.contains("jobs_created")));
        assert_eq!(spec_names(), vec!["board", "cbc", "compare", "funder"]);
    }
}
