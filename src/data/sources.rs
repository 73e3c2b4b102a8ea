//! Data files as options name them, each with the path of its own column map (from
//! flags, or a project's `[[source]]` tables), and the maps loaded once each.

use std::path::{Path, PathBuf};

use super::{ColumnMap, DataFile};
use crate::error::Result;
use crate::indicator::Library;

/// A data file and the path of the column map that fits it (None: the canonical layout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePath {
    /// The data file.
    pub path: PathBuf,
    /// Its column map.
    pub map: Option<PathBuf>,
    /// The workbook sheet to read, in place of the map's (None: the map's, else the
    /// first sheet).
    pub sheet: Option<String>,
}

impl SourcePath {
    /// Every one of `paths`, with the same map.
    pub fn all(paths: &[PathBuf], map: Option<&Path>) -> Vec<SourcePath> {
        paths.iter().map(|p| SourcePath { path: p.clone(), map: map.map(Path::to_path_buf), sheet: None }).collect()
    }
}

/// A source's way of reading: its map file and its sheet.
type Reading = (Option<PathBuf>, Option<String>);

/// The column maps of a set of sources, each read once however many files share it,
/// with each source's sheet and the shared name tables applied.
pub struct Maps {
    /// (map file, sheet) → the map read with them; (None, None) is the map of files
    /// with neither, present only when there are name tables.
    loaded: Vec<(Reading, ColumnMap)>,
}

impl Maps {
    /// Reads every map the sources name (checked against the library).
    pub fn load(sources: &[SourcePath], library: &Library) -> Result<Maps> {
        Maps::load_with_names(sources, &[], library)
    }

    /// `load`, with name tables (column → table of ids, names and aliases) that read
    /// names as ids in every source whose map has none for that column: a project's
    /// organisations table reads "Fàilte Works" as ORG02 in any file.
    pub fn load_with_names(sources: &[SourcePath], names: &[(String, PathBuf)], library: &Library) -> Result<Maps> {
        let mut tables = Vec::new();
        for (column, table) in names {
            tables.push((column.clone(), super::colmap::read_name_table(table)?));
        }
        let mut loaded: Vec<(Reading, ColumnMap)> = Vec::new();
        let mut read: Vec<(PathBuf, ColumnMap)> = Vec::new();
        for source in sources {
            let key = (source.map.clone(), source.sheet.clone());
            if loaded.iter().any(|(k, _)| *k == key) || (key == (None, None) && tables.is_empty()) {
                continue;
            }
            let mut map = match &source.map {
                Some(path) => match read.iter().find(|(p, _)| p == path) {
                    Some((_, map)) => map.clone(),
                    None => {
                        let map = ColumnMap::load(path, library)?;
                        read.push((path.clone(), map.clone()));
                        map
                    }
                },
                None => ColumnMap::default(),
            };
            if let Some(sheet) = &source.sheet {
                map.source.sheet = Some(sheet.clone());
            }
            for (column, (ids, words)) in &tables {
                if !map.name_ids.contains_key(column) {
                    map.name_ids.insert(column.clone(), ids.clone());
                    map.name_words.insert(column.clone(), words.clone());
                }
            }
            loaded.push((key, map));
        }
        Ok(Maps { loaded })
    }

    /// The sources as files to read, each with its map.
    pub fn files<'a>(&'a self, sources: &'a [SourcePath]) -> Vec<DataFile<'a>> {
        sources
            .iter()
            .map(|s| DataFile {
                path: &s.path,
                map: self
                    .loaded
                    .iter()
                    .find(|((map, sheet), _)| *map == s.map && *sheet == s.sheet)
                    .map(|(_, map)| map),
            })
            .collect()
    }
}
