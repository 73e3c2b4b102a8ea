//! A project folder: `impact.toml` names the data sources (each file or pattern with
//! its own column map), the tables beside them, the indicator library and defaults,
//! so commands run in the folder (or below it) need no long flag lists. Found like
//! Cargo finds `Cargo.toml`: in the working folder or the nearest one above it.
//! Paths in the file are relative to the file's folder.
//!
//! ```toml
//! [[source]]
//! path = "data/*.csv"                     # * and ? match within a file name
//!
//! [[source]]
//! path = "returns/partner_return.xlsx"
//! map = "maps/partner_return.toml"        # this file's own headings and layout
//! sheet = "Q4 return"                     # the sheet to read (default: the map's, or the first)
//!
//! [tables]
//! organisations = "organisations.csv"     # names, and aliases that read as ids
//! programmes = "programmes.csv"           # names, and investment for SROI
//! targets = "targets.csv"
//!
//! [defaults]
//! suppress_below = 5                      # withhold counts of people under this
//! out_dir = "out"                         # where reports are written
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::data::SourcePath;
use crate::error::{Error, Result};

/// The project file's name.
pub const FILE_NAME: &str = "impact.toml";

/// A project: its file, and what it names, with paths made relative to the folder a
/// command runs in.
#[derive(Debug, Clone)]
pub struct Project {
    /// The project file.
    pub file: PathBuf,
    /// Its folder (empty when it is the working folder), which paths are joined to.
    pub root: PathBuf,
    /// Data sources, in order, as written (patterns not yet expanded).
    pub sources: Vec<Source>,
    /// Tables read beside the data.
    pub tables: Tables,
    /// The indicator library.
    pub library: LibraryDirs,
    /// Defaults for flags not given.
    pub defaults: Defaults,
    /// Documents published together, each `[[release]]` protected as one.
    pub releases: Vec<Release>,
    /// The choices a return template offers for gender and age band.
    pub lists: Lists,
}

/// `[lists]`: the gender and age band choices of a return template (None: the
/// standard sets, `data::schema::GENDERS` and `AGE_BANDS`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lists {
    /// Gender choices.
    pub gender: Option<Vec<String>>,
    /// Age band choices.
    pub age_band: Option<Vec<String>>,
}

/// One `[[release]]`: documents published together, made by `impact release` into one
/// folder and protected jointly, so that no withheld count can be worked out from
/// all of them together.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// Its name (`impact release NAME`).
    pub name: String,
    /// Where its documents are written (relative to the project folder), with the
    /// tables behind them in `figures/`.
    pub out_dir: PathBuf,
    /// Its documents.
    pub documents: Vec<ReleaseDocument>,
}

/// One document (or one per subject) of a release.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReleaseDocument {
    /// The report spec: a built-in name (board, funder, cbc, compare), one of the
    /// project's `reports/NAME.toml`, or a file.
    pub spec: String,
    /// One document per `organisation` or `programme`.
    #[serde(default)]
    pub each: Option<String>,
    /// The one organisation or programme the document is about.
    #[serde(default)]
    pub subject: Option<String>,
}

/// Releases with names, each document with one of `each` and `subject` at most, an
/// `each` of organisation or programme, and no spec twice in a release (its documents
/// are written in a folder named by the spec).
fn check_releases(file: &Path, releases: &[Release]) -> Result<()> {
    let mut names = std::collections::BTreeSet::new();
    for r in releases {
        if r.name.trim().is_empty() || !names.insert(r.name.as_str()) {
            return Err(Error::config(
                file,
                format!("[[release]] name = {:?}: each release needs a name of its own", r.name),
            ));
        }
        if r.documents.is_empty() {
            return Err(Error::config(file, format!("release {} has no documents", r.name))
                .with_hint("documents = [{ spec = \"board\", each = \"organisation\" }, { spec = \"cbc\" }]"));
        }
        let mut specs = std::collections::BTreeSet::new();
        for d in &r.documents {
            if let Some(each) = d.each.as_deref().filter(|e| !matches!(*e, "organisation" | "programme")) {
                return Err(Error::config(file, format!("release {}: each = {each:?}", r.name))
                    .with_hint("each takes \"organisation\" or \"programme\""));
            }
            if d.each.is_some() && d.subject.is_some() {
                return Err(Error::config(
                    file,
                    format!("release {}: spec {} has both each and subject", r.name, d.spec),
                )
                .with_hint("keep one: each for one document per subject, subject for one document"));
            }
            let stem = Path::new(&d.spec).file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
            if !specs.insert(stem.clone()) {
                return Err(Error::config(file, format!("release {}: spec {stem} is listed twice", r.name)).with_hint(
                    "a release writes each spec's documents in a folder named by the spec: list each spec once",
                ));
            }
        }
    }
    Ok(())
}

/// One `[[source]]`: a file or a pattern, and the column map its files are read with.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// A file, or a pattern with `*` and `?` in its file name (`data/*.csv`).
    pub path: String,
    /// The column map for its files (None: the canonical layout).
    #[serde(default)]
    pub map: Option<String>,
    /// The sheet to read in its workbooks (None: the map's, else the first).
    #[serde(default)]
    pub sheet: Option<String>,
}

/// `[tables]`: files read beside the data (None: not given).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tables {
    /// Organisations (id, name, aliases).
    pub organisations: Option<PathBuf>,
    /// Programmes (id, name, aliases; investment, start, end for SROI).
    pub programmes: Option<PathBuf>,
    /// Areas (code, name).
    pub areas: Option<PathBuf>,
    /// Targets and baselines.
    pub targets: Option<PathBuf>,
    /// Valuation assumptions (TOML).
    pub assumptions: Option<PathBuf>,
    /// Community Benefit Clause commitments.
    pub commitments: Option<PathBuf>,
}

/// `[library]`: where indicator definitions and proxies come from.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibraryDirs {
    /// A whole library in place of the standard one.
    pub indicators: Option<PathBuf>,
    /// Your own definitions, added to the standard ones.
    pub add: Option<PathBuf>,
    /// Financial proxies in place of the open set.
    pub proxies: Option<PathBuf>,
}

/// `[defaults]`: values for flags not given on the command line.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// Withhold counts of people under this (`--suppress-below`).
    pub suppress_below: Option<u32>,
    /// Publish every count (`--no-suppress`): for internal projects only.
    #[serde(default)]
    pub no_suppress: bool,
    /// Where reports are written (`--out-dir`).
    pub out_dir: Option<PathBuf>,
    /// Who a participant id names (`--participant-ids`): `organisation` (the
    /// default: each partner numbers its own people), `programme` or `shared`.
    pub participant_ids: Option<crate::data::ParticipantScope>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectFile {
    #[serde(default, rename = "source")]
    sources: Vec<Source>,
    #[serde(default)]
    tables: Tables,
    #[serde(default)]
    library: LibraryDirs,
    #[serde(default)]
    defaults: Defaults,
    #[serde(default, rename = "release")]
    releases: Vec<Release>,
    #[serde(default)]
    lists: Lists,
}

impl Project {
    /// The project of the folder `start` (relative to the working folder, `.` for it)
    /// or of the nearest folder above it that has an `impact.toml`; None if none has.
    pub fn find(start: &Path) -> Result<Option<Project>> {
        let absolute = std::path::absolute(start).map_err(|e| Error::io(start, e))?;
        let mut up = PathBuf::new();
        for dir in absolute.ancestors() {
            if dir.join(FILE_NAME).is_file() {
                let root = if start == Path::new(".") { up } else { start.join(up) };
                return Project::load(&root.join(FILE_NAME)).map(Some);
            }
            up.push("..");
        }
        Ok(None)
    }

    /// Reads a project file; its paths are taken relative to its folder.
    pub fn load(file: &Path) -> Result<Project> {
        let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?;
        let parsed: ProjectFile = toml::from_str(&text).map_err(|e| crate::error::toml_error(file, &e))?;
        let root = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let at = |p: Option<PathBuf>| p.map(|p| root.join(p));
        if let Some(n) = parsed.defaults.suppress_below.filter(|n| *n < 2) {
            return Err(Error::config(file, format!("[defaults] suppress_below = {n}: it must be 2 or more"))
                .with_hint("a threshold of 1 withholds nothing; say no_suppress = true to publish every count"));
        }
        if parsed.defaults.no_suppress {
            if let Some(n) = parsed.defaults.suppress_below {
                return Err(Error::config(
                    file,
                    format!("[defaults] says both suppress_below = {n} and no_suppress = true"),
                )
                .with_hint(
                    "keep one: suppress_below to withhold small counts, no_suppress = true to publish every count",
                ));
            }
        }
        check_releases(file, &parsed.releases)?;
        let t = parsed.tables;
        let releases = parsed.releases.into_iter().map(|r| Release { out_dir: root.join(&r.out_dir), ..r }).collect();
        Ok(Project {
            releases,
            lists: parsed.lists,
            file: file.to_path_buf(),
            sources: parsed.sources,
            tables: Tables {
                organisations: at(t.organisations),
                programmes: at(t.programmes),
                areas: at(t.areas),
                targets: at(t.targets),
                assumptions: at(t.assumptions),
                commitments: at(t.commitments),
            },
            library: LibraryDirs {
                indicators: at(parsed.library.indicators),
                add: at(parsed.library.add),
                proxies: at(parsed.library.proxies),
            },
            defaults: Defaults { out_dir: at(parsed.defaults.out_dir), ..parsed.defaults },
            root,
        })
    }

    /// The release of this name; with no name, the project's only release.
    pub fn release(&self, name: Option<&str>) -> Result<&Release> {
        let names = || self.releases.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", ");
        match name {
            Some(n) => self.releases.iter().find(|r| r.name == n).ok_or_else(|| {
                let hint = match crate::base::suggest::nearest(n, self.releases.iter().map(|r| r.name.as_str())) {
                    Some(near) => format!("did you mean {near}? The releases are: {}", names()),
                    None if self.releases.is_empty() => "add a [[release]] to impact.toml".to_string(),
                    None => format!("the releases are: {}", names()),
                };
                Error::usage(format!("{} has no release {n}", self.file.display())).with_hint(hint)
            }),
            None => match self.releases.as_slice() {
                [one] => Ok(one),
                [] => Err(Error::usage(format!("{} has no [[release]]", self.file.display())).with_hint(
                    "add one: [[release]] name = \"2024-25\", out_dir = \"out/2024-25\", documents = [{ spec = \"board\", each = \"organisation\" }]",
                )),
                _ => Err(Error::usage(format!("{} has several releases: name one", self.file.display()))
                    .with_hint(format!("the releases are: {}", names()))),
            },
        }
    }

    /// Every source's files, in the order the sources are written (a pattern's files in
    /// name order), each with its map. A source that names no file is an error: data
    /// left out silently would make every figure wrong.
    pub fn source_paths(&self) -> Result<Vec<SourcePath>> {
        Ok(self.source_files()?.files)
    }

    /// `source_paths`, with the links a pattern met and did not follow (a link to a
    /// file outside the project folder, or to nothing), for the caller to report.
    pub fn source_files(&self) -> Result<SourceFiles> {
        if self.sources.is_empty() {
            return Err(Error::config(&self.file, "no [[source]] names the data").with_hint(
                "add [[source]] with path = \"data/*.csv\" (and map = \"maps/….toml\" for a file with its own headings)",
            ));
        }
        let mut out = Vec::new();
        let mut skipped = Vec::new();
        let inside = std::fs::canonicalize(if self.root.as_os_str().is_empty() { Path::new(".") } else { &self.root })
            .map_err(|e| Error::io(&self.root, e))?;
        for (n, source) in self.sources.iter().enumerate() {
            let map = source.map.as_ref().map(|m| self.root.join(m));
            let pattern = self.root.join(&source.path);
            let Expanded { files, skipped: links } = expand(&pattern, &inside).map_err(|e| Error::io(&pattern, e))?;
            skipped.extend(links);
            if files.is_empty() {
                return Err(Error::config(
                    &self.file,
                    format!("[[source]] {}: path = \"{}\" names no file", n + 1, source.path),
                )
                .with_hint(format!(
                    "put the data files there, or change the path (relative to {})",
                    self.file.display()
                )));
            }
            let workbook = |p: &Path| matches!(crate::data::read::Format::of(p), Ok(crate::data::read::Format::Excel));
            if let (Some(sheet), Some(other)) = (&source.sheet, files.iter().find(|p| !workbook(p))) {
                return Err(Error::config(
                    &self.file,
                    format!("[[source]] {}: sheet = \"{sheet}\", but {} is not a workbook", n + 1, other.display()),
                )
                .with_hint("give sheet only for .xlsx, .xlsm, .xls or .ods files"));
            }
            let sheet = source.sheet.clone();
            out.extend(files.into_iter().map(|path| SourcePath { path, map: map.clone(), sheet: sheet.clone() }));
        }
        Ok(SourceFiles { files: out, skipped })
    }

    /// Every file the project reads: the project file, its tables, its sources (as
    /// patterns, so a file not made yet that a pattern would take counts too), their
    /// column maps and the maps' name tables, the report specs in `reports/` and its
    /// library folders. No command writes over one of them, nor into its own sources.
    pub fn read_set(&self) -> ReadSet {
        let mut set = ReadSet::default();
        set.file(&self.file, "the project file");
        let t = &self.tables;
        let tables = [
            ("organisations", &t.organisations),
            ("programmes", &t.programmes),
            ("areas", &t.areas),
            ("targets", &t.targets),
            ("assumptions", &t.assumptions),
            ("commitments", &t.commitments),
        ];
        for (name, table) in tables {
            if let Some(table) = table {
                set.file(table, &format!("the project's {name} table"));
            }
        }
        for (n, source) in self.sources.iter().enumerate() {
            set.pattern(&self.root.join(&source.path), &format!("[[source]] {} (path = \"{}\")", n + 1, source.path));
            let Some(map) = &source.map else { continue };
            let map = self.root.join(map);
            set.file(&map, &format!("the column map of [[source]] {}", n + 1));
            // The map's own name tables ([names]), read with it.
            let folder = map.parent().unwrap_or(Path::new("")).to_path_buf();
            let names = std::fs::read_to_string(&map)
                .ok()
                .and_then(|text| toml::from_str::<MapNames>(&text).ok())
                .map(|m| m.names.into_values().collect::<Vec<_>>())
                .unwrap_or_default();
            for table in names {
                set.file(&folder.join(table), &format!("a name table of the column map of [[source]] {}", n + 1));
            }
        }
        set.pattern(&self.root.join("reports").join("*.toml"), "the project's report specs");
        for dir in [&self.library.indicators, &self.library.add, &self.library.proxies].into_iter().flatten() {
            set.folder(dir, &format!("the project's library folder {}", dir.display()));
        }
        set
    }
}

/// The files a command reads, which none of its outputs may replace: files by their
/// resolved paths, patterns of files in a resolved folder, and whole folders, each
/// with how a message names it.
#[derive(Debug, Clone, Default)]
pub struct ReadSet {
    files: Vec<(PathBuf, String)>,
    patterns: Vec<(PathBuf, String, String)>,
    folders: Vec<(PathBuf, String)>,
}

impl ReadSet {
    /// A file read (ignored if it does not exist: nothing to overwrite).
    pub fn file(&mut self, path: &Path, what: &str) {
        if let Ok(real) = std::fs::canonicalize(path) {
            self.files.push((real, what.to_string()));
        }
    }

    /// A path that may be a pattern (`*` and `?` in its last part): every file it
    /// takes now or would take once made.
    pub fn pattern(&mut self, path: &Path, what: &str) {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else { return };
        if !name.contains(['*', '?']) {
            return self.file(path, what);
        }
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if let Ok(dir) = std::fs::canonicalize(dir) {
            self.patterns.push((dir, name.to_string(), what.to_string()));
        }
    }

    /// Every file in a folder (and below it).
    pub fn folder(&mut self, dir: &Path, what: &str) {
        if let Ok(real) = std::fs::canonicalize(dir) {
            self.folders.push((real, what.to_string()));
        }
    }

    /// What `out` (which need not exist yet) is among the files read, if it is one.
    pub fn reads(&self, out: &Path) -> Option<&str> {
        let target = resolve(out)?;
        if let Some((_, what)) = self.files.iter().find(|(p, _)| *p == target) {
            return Some(what);
        }
        let (dir, name) = (target.parent()?, target.file_name()?.to_str()?);
        if let Some((_, _, what)) = self.patterns.iter().find(|(d, pattern, _)| d == dir && matches(pattern, name)) {
            return Some(what);
        }
        self.folders.iter().find(|(d, _)| target.starts_with(d)).map(|(_, what)| what.as_str())
    }

    /// Refuse to write `out` over a file read (or into a source's pattern).
    pub fn check(&self, out: &Path) -> Result<()> {
        match self.reads(out) {
            None => Ok(()),
            Some(what) => Err(Error::usage(format!(
                "{} is {what}: writing it would replace what this command reads",
                crate::output::escape_controls(&out.display().to_string())
            ))
            .with_hint("write the output somewhere else (a file or folder the project does not read)")),
        }
    }
}

/// A project's source files, and the links its patterns did not follow.
#[derive(Debug, Clone, Default)]
pub struct SourceFiles {
    /// The files, in the order the sources are written, each with its map.
    pub files: Vec<SourcePath>,
    /// Links a pattern matched but did not follow, each with why.
    pub skipped: Vec<String>,
}

/// The `[names]` of a column map, read leniently (the map itself is checked when read).
#[derive(Deserialize)]
struct MapNames {
    #[serde(default)]
    names: std::collections::BTreeMap<String, PathBuf>,
}

/// A path made absolute with its links resolved; for a file not yet made, its
/// folder's resolved path joined to its name (None when the folder does not exist).
fn resolve(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = std::fs::canonicalize(path) {
        return Some(p);
    }
    let name = path.file_name()?;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::canonicalize(dir).ok().map(|d| d.join(name))
}

/// What a source's path names, and the links it did not follow.
struct Expanded {
    files: Vec<PathBuf>,
    skipped: Vec<String>,
}

/// The files a path names: itself, or for a pattern (`*` and `?` in its last part)
/// the files in its folder that match, sorted by name. A matching link is followed
/// when it leads to a file inside the project folder (`inside`, resolved); a link
/// that leads out of it, or to nothing, is listed as skipped rather than read: a
/// shared folder's link must not pull another team's data into the figures unseen.
fn expand(path: &Path, inside: &Path) -> std::io::Result<Expanded> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if !name.contains(['*', '?']) {
        let files = if path.is_file() { vec![path.to_path_buf()] } else { Vec::new() };
        return Ok(Expanded { files, skipped: Vec::new() });
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut out = Expanded { files: Vec::new(), skipped: Vec::new() };
    if !dir.is_dir() {
        return Ok(out);
    }
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let file = entry.file_name();
        let Some(file) = file.to_str() else { continue };
        // Lock files a spreadsheet leaves beside an open workbook are not data.
        if file.starts_with("~$") || !matches(name, file) {
            continue;
        }
        let kind = entry.file_type()?;
        let found = path.parent().unwrap_or(Path::new("")).join(file);
        if kind.is_symlink() {
            match std::fs::canonicalize(&found) {
                Ok(target) if target.starts_with(inside) && target.is_file() => out.files.push(found),
                Ok(target) if target.is_file() => out.skipped.push(format!(
                    "{} is a link to {}, outside the project folder",
                    found.display(),
                    target.display()
                )),
                Ok(_) => {}
                Err(_) => out.skipped.push(format!("{} is a link to nothing", found.display())),
            }
        } else if kind.is_file() {
            out.files.push(found);
        }
    }
    out.files.sort();
    out.skipped.sort();
    Ok(out)
}

/// Whether `text` matches `pattern`, where `*` is any run of characters and `?` one.
fn matches(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // Classic two-pointer wildcard match with backtracking to the last `*`.
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || p[i] == t[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_within_a_name() {
        assert!(matches("*.csv", "a.csv"));
        assert!(matches("*.csv", ".csv"));
        assert!(!matches("*.csv", "a.csv.bak"));
        assert!(matches("return-??.xlsx", "return-01.xlsx"));
        assert!(!matches("return-??.xlsx", "return-1.xlsx"));
        assert!(matches("a*b*c", "axxbyyc"));
        assert!(!matches("a*b*c", "axxbyy"));
        assert!(matches("*", "anything"));
    }

    #[test]
    fn a_project_is_found_in_the_folder_or_above_and_its_paths_are_joined() {
        let dir = tempfile::tempdir().expect("temp dir");
        let top = dir.path();
        std::fs::create_dir_all(top.join("data/sub")).expect("dirs");
        std::fs::write(top.join("data/b.csv"), "x").expect("write");
        std::fs::write(top.join("data/a.csv"), "x").expect("write");
        std::fs::write(top.join("data/~$a.csv"), "x").expect("write");
        std::fs::write(
            top.join(FILE_NAME),
            "[[source]]\npath = \"data/*.csv\"\nmap = \"m.toml\"\n[tables]\ntargets = \"t.csv\"\n",
        )
        .expect("write");
        let found = Project::find(&top.join("data/sub")).expect("read").expect("found");
        assert_eq!(found.root, top.join("data/sub/../.."));
        assert_eq!(found.tables.targets, Some(top.join("data/sub/../../t.csv")));
        let files = found.source_paths().expect("sources");
        let names: Vec<_> = files.iter().map(|s| s.path.file_name().unwrap().to_string_lossy().to_string()).collect();
        assert_eq!(names, ["a.csv", "b.csv"], "sorted, the lock file left out");
        assert!(files.iter().all(|s| s.map == Some(top.join("data/sub/../../m.toml"))));
    }

    #[test]
    fn a_misspelt_key_names_the_line_and_the_nearest_key() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join(FILE_NAME);
        std::fs::write(&file, "[tables]\norganisation = \"o.csv\"\n").expect("write");
        let err = Project::load(&file).expect_err("refused");
        assert!(err.to_string().contains("line 2"), "{err}");
        assert_eq!(err.hint(), Some("did you mean `organisations`?"));
    }

    #[test]
    fn a_source_that_names_no_file_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join(FILE_NAME);
        std::fs::write(&file, "[[source]]\npath = \"data/*.csv\"\n").expect("write");
        let err = Project::load(&file).expect("read").source_paths().expect_err("refused");
        assert!(err.to_string().contains("[[source]] 1: path = \"data/*.csv\" names no file"), "{err}");
    }
}
