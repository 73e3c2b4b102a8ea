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
}

impl SourcePath {
    /// Every one of `paths`, with the same map.
    pub fn all(paths: &[PathBuf], map: Option<&Path>) -> Vec<SourcePath> {
        paths.iter().map(|p| SourcePath { path: p.clone(), map: map.map(Path::to_path_buf) }).collect()
    }
}

/// The column maps of a set of sources, each read once however many files share it.
pub struct Maps {
    loaded: Vec<(PathBuf, ColumnMap)>,
    /// For files with no map of their own, when there are shared name tables.
    unmapped: Option<ColumnMap>,
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
        let with_tables = |mut map: ColumnMap| {
            for (column, ids) in &tables {
                map.name_ids.entry(column.clone()).or_insert_with(|| ids.clone());
            }
            map
        };
        let mut loaded: Vec<(PathBuf, ColumnMap)> = Vec::new();
        for path in sources.iter().filter_map(|s| s.map.as_ref()) {
            if !loaded.iter().any(|(p, _)| p == path) {
                loaded.push((path.clone(), with_tables(ColumnMap::load(path, library)?)));
            }
        }
        let unmapped = (!tables.is_empty()).then(|| with_tables(ColumnMap::default()));
        Ok(Maps { loaded, unmapped })
    }

    /// The sources as files to read, each with its loaded map.
    pub fn files<'a>(&'a self, sources: &'a [SourcePath]) -> Vec<DataFile<'a>> {
        sources
            .iter()
            .map(|s| DataFile {
                path: &s.path,
                map: match &s.map {
                    Some(m) => self.loaded.iter().find(|(p, _)| p == m).map(|(_, map)| map),
                    None => self.unmapped.as_ref(),
                },
            })
            .collect()
    }
}
