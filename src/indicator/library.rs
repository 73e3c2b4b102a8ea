//! Loading the indicator library from a folder of TOML files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::check::{check_indicators, LibraryProblem};
use super::model::Indicator;
use crate::error::{Error, Result};

/// The folder used when `--indicators` is not given.
pub const DEFAULT_DIR: &str = "indicators";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorFile {
    #[serde(default)]
    indicator: Vec<Indicator>,
}

/// A checked set of indicators, keyed by id (sorted, so output order is stable).
#[derive(Debug, Clone, Default)]
pub struct Library {
    indicators: BTreeMap<String, Indicator>,
    /// Which file each indicator came from, for messages.
    sources: BTreeMap<String, PathBuf>,
    /// Which proxies file each proxy came from (proxies given in an indicator file
    /// are not listed).
    proxy_sources: BTreeMap<String, PathBuf>,
}

impl Library {
    /// Load every `*.toml` in `dir` (sorted by name), with the proxies in `proxies/`
    /// beside it, and check the whole library. Fails with every problem listed if any
    /// file or definition is wrong.
    pub fn load(dir: &Path) -> Result<Library> {
        Self::load_with_proxies(dir, &super::proxies::beside(dir))
    }

    /// As `load`, with proxies from the folder given.
    pub fn load_with_proxies(dir: &Path, proxies: &Path) -> Result<Library> {
        let (library, problems) = Self::load_unchecked_with_proxies(dir, proxies)?;
        refuse_problems(&problems, format!("run `impact indicators check {}` for the full list", dir.display()))?;
        Ok(library)
    }

    /// Load without failing on semantic problems; returns them for `indicators check`.
    /// Syntax errors (a file that is not valid TOML, an unknown key) still fail.
    pub fn load_unchecked(dir: &Path) -> Result<(Library, Vec<LibraryProblem>)> {
        Self::load_unchecked_with_proxies(dir, &super::proxies::beside(dir))
    }

    /// As `load_unchecked`, with proxies from the folder given.
    pub fn load_unchecked_with_proxies(dir: &Path, proxies: &Path) -> Result<(Library, Vec<LibraryProblem>)> {
        Self::load_unchecked_from(&[dir], proxies)
    }

    /// The library of `dirs[0]` with the folders after it added (a user's own
    /// indicators beside the standard set), then checked.
    pub fn load_added(dirs: &[&Path], proxies: &Path) -> Result<Library> {
        let (library, problems) = Self::load_unchecked_from(dirs, proxies)?;
        refuse_problems(
            &problems,
            "give each added indicator an id of its own, or `replaces = true` to take the place of the standard one"
                .into(),
        )?;
        Ok(library)
    }

    /// Every folder's indicators, in order; a definition marked `replaces` takes the
    /// place of an earlier one with its id (and must have one to replace).
    pub fn load_unchecked_from(dirs: &[&Path], proxies: &Path) -> Result<(Library, Vec<LibraryProblem>)> {
        let mut all: Vec<(PathBuf, Indicator)> = Vec::new();
        let mut problems = Vec::new();
        // (id, the unit it had) of each definition replaced.
        let mut replaced: Vec<(String, String)> = Vec::new();
        for dir in dirs {
            for (file, ind) in Self::read_folder(dir)? {
                if ind.replaces {
                    let before = all.len();
                    if let Some((_, earlier)) = all.iter().find(|(_, earlier)| earlier.id == ind.id) {
                        replaced.push((ind.id.clone(), earlier.unit.clone()));
                    }
                    all.retain(|(_, earlier)| earlier.id != ind.id);
                    if all.len() == before {
                        problems.push(LibraryProblem {
                            file: file.clone(),
                            id: ind.id.clone(),
                            key: "replaces",
                            message: "no earlier definition has this id to replace".into(),
                        });
                    }
                }
                all.push((file, ind));
            }
        }
        problems.extend(unit_changes(&all, &replaced));
        Self::finish(all, problems, proxies)
    }

    /// One folder's definitions, file by file in name order.
    fn read_folder(dir: &Path) -> Result<Vec<(PathBuf, Indicator)>> {
        let mut files: Vec<PathBuf> = match crate::builtin::files_in(dir) {
            Some(built_in) => built_in.iter().map(|(name, _)| dir.join(name)).collect(),
            None => std::fs::read_dir(dir)
                .map_err(|e| Error::io(dir, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect(),
        };
        files.sort();
        if files.is_empty() {
            return Err(Error::config(dir, "no indicator files (*.toml) in this folder")
                .with_hint("point --indicators at the folder holding the library, e.g. indicators/"));
        }
        let mut all = Vec::new();
        for file in &files {
            for ind in parse_file(file)? {
                all.push((file.clone(), ind));
            }
        }
        Ok(all)
    }

    fn finish(
        mut all: Vec<(PathBuf, Indicator)>,
        mut problems: Vec<LibraryProblem>,
        proxies: &Path,
    ) -> Result<(Library, Vec<LibraryProblem>)> {
        let (proxy_sources, proxy_problems) = attach_proxies(&mut all, super::proxies::load(proxies)?);
        problems.extend(proxy_problems);
        problems.extend(check_indicators(&all).into_iter().map(|mut p| {
            // A proxy's problem is in the proxies file it came from.
            if let Some(file) = proxy_sources.get(&p.id).filter(|_| p.key.starts_with("proxy")) {
                p.file = file.clone();
            }
            p
        }));
        let mut library = Library { proxy_sources, ..Library::default() };
        for (file, ind) in all {
            library.sources.entry(ind.id.clone()).or_insert(file);
            library.indicators.entry(ind.id.clone()).or_insert(ind);
        }
        Ok((library, problems))
    }

    /// The proxies file a proxy came from, when it came from one.
    pub fn proxy_source_of(&self, id: &str) -> Option<&Path> {
        self.proxy_sources.get(id).map(PathBuf::as_path)
    }

    /// Build from indicators already in memory (tests, embedding applications).
    pub fn from_indicators(list: Vec<Indicator>) -> Result<Library> {
        let all: Vec<(PathBuf, Indicator)> = list.into_iter().map(|i| (PathBuf::from("<memory>"), i)).collect();
        let problems = check_indicators(&all);
        if let Some(p) = problems.first() {
            return Err(Error::config(&p.file, p.to_string()));
        }
        let mut library = Library::default();
        for (file, ind) in all {
            library.sources.insert(ind.id.clone(), file);
            library.indicators.insert(ind.id.clone(), ind);
        }
        Ok(library)
    }

    /// The indicator with this id.
    pub fn get(&self, id: &str) -> Option<&Indicator> {
        self.indicators.get(id)
    }

    /// Like `get`, but an unknown id is an error that suggests the nearest id.
    pub fn require(&self, id: &str) -> Result<&Indicator> {
        self.get(id).ok_or_else(|| {
            let err = Error::usage(format!("unknown indicator `{id}`"));
            match self.nearest(id) {
                Some(near) => {
                    err.with_hint(format!("did you mean `{near}`? (`impact indicators list` shows them all)"))
                }
                None => err.with_hint("`impact indicators list` shows every indicator id"),
            }
        })
    }

    /// The id nearest to a misspelt one, for a hint.
    pub fn nearest(&self, id: &str) -> Option<&str> {
        crate::base::suggest::nearest(id, self.indicators.keys().map(String::as_str))
    }

    /// Every indicator, in id order.
    pub fn iter(&self) -> impl Iterator<Item = &Indicator> {
        self.indicators.values()
    }

    /// Every id, in order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.indicators.keys().map(String::as_str)
    }

    /// How many indicators.
    pub fn len(&self) -> usize {
        self.indicators.len()
    }

    /// No indicators.
    pub fn is_empty(&self) -> bool {
        self.indicators.is_empty()
    }

    /// The file that defines the indicator.
    pub fn source_of(&self, id: &str) -> Option<&Path> {
        self.sources.get(id).map(PathBuf::as_path)
    }
}

/// Every problem in one error, at the first problem's file.
fn refuse_problems(problems: &[LibraryProblem], hint: String) -> Result<()> {
    let Some(first) = problems.first() else { return Ok(()) };
    let listed: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    Err(Error::Config {
        path: first.file.clone(),
        message: format!("indicator library has {} problem(s):\n  {}", problems.len(), listed.join("\n  ")),
        hint: Some(hint),
    })
}

/// Give each indicator its proxy from the proxies files: a proxy for an unknown
/// indicator, or for one that already has a proxy (in its own definition or in
/// another proxies file), is a problem naming both places.
fn attach_proxies(
    all: &mut [(PathBuf, Indicator)],
    entries: Vec<super::proxies::Entry>,
) -> (BTreeMap<String, PathBuf>, Vec<LibraryProblem>) {
    let mut sources: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut problems = Vec::new();
    for entry in entries {
        let Some((file, ind)) = all.iter_mut().find(|(_, i)| i.id == entry.indicator) else {
            let near = crate::base::suggest::nearest(&entry.indicator, all.iter().map(|(_, i)| i.id.as_str()));
            let near = near.map(|n| format!(" (did you mean `{n}`?)")).unwrap_or_default();
            problems.push(LibraryProblem {
                file: entry.file,
                id: entry.indicator,
                key: "proxy.indicator",
                message: format!("no indicator has this id{near}"),
            });
            continue;
        };
        if ind.proxy.is_some() {
            let first = sources.get(&ind.id).unwrap_or(file).display().to_string();
            problems.push(LibraryProblem {
                file: entry.file,
                id: entry.indicator,
                key: "proxy",
                message: format!("the indicator already has a proxy, in {first}: give each indicator one proxy"),
            });
            continue;
        }
        ind.proxy = Some(entry.proxy);
        sources.insert(entry.indicator, entry.file);
    }
    (sources, problems)
}

fn parse_file(path: &Path) -> Result<Vec<Indicator>> {
    let text = crate::builtin::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let parsed: IndicatorFile = toml::from_str(&text).map_err(|e| crate::error::toml_error(path, &e))?;
    Ok(parsed.indicator)
}

/// A replacing definition that changes the unit of an indicator that others are
/// built on (a ratio's part, a cohort's event or outcome, a `within` whole): the
/// indicators built on it would mix units (jobs ÷ pounds), so it is refused at load,
/// naming each one.
fn unit_changes(all: &[(PathBuf, Indicator)], replaced: &[(String, String)]) -> Vec<LibraryProblem> {
    let mut problems = Vec::new();
    for (id, old_unit) in replaced {
        let Some((file, new)) = all.iter().find(|(_, i)| i.id == *id) else { continue };
        if new.unit == *old_unit {
            continue;
        }
        let users: Vec<&str> = all
            .iter()
            .filter(|(_, i)| {
                [&i.numerator, &i.denominator, &i.cohort, &i.outcome, &i.within]
                    .iter()
                    .any(|part| part.as_deref() == Some(id.as_str()))
            })
            .map(|(_, i)| i.id.as_str())
            .collect();
        if users.is_empty() {
            continue;
        }
        problems.push(LibraryProblem {
            file: file.clone(),
            id: id.clone(),
            key: "unit",
            message: format!(
                "replaces a definition in {old_unit} with one in {}, but {} {} built on it",
                new.unit,
                users.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", "),
                if users.len() == 1 { "is" } else { "are" }
            ),
        });
    }
    problems
}
