//! The indicator library: standard definitions loaded from `indicators/*.toml`.

pub mod check;
pub mod library;
pub mod model;
pub mod proxies;

pub use check::LibraryProblem;
pub use library::{Library, DEFAULT_DIR};
pub use model::{
    Aggregation, CohortPart, Direction, Frameworks, Indicator, Proxy, RollUp, TimeAggregation, COHORT_PARTS,
};
