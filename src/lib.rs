//! impactkit: social impact measurement and reporting.
//!
//! Data flows one way: indicator library + data files → ingest → validate →
//! records (polars) → aggregate → figures → outputs. Each stage is a module; the
//! `impact` command line is a thin layer over them. From the library to one board
//! pack's bytes:
//!
//! ```
//! use std::collections::HashMap;
//! use std::path::{Path, PathBuf};
//! use impactkit::{data, indicator::Library, report, value::Assumptions};
//!
//! let library = Library::load(Path::new("indicators"))?;
//! let spec = report::Spec::load(Path::new("reports/board.toml"), &library)?;
//! let window = spec.window()?;
//! // Records, checked: the valid ones, and the rejected ones for the data-quality section.
//! let files = [PathBuf::from("samples/outcomes.csv")];
//! let loaded = data::load(&files, &library, None, &data::CheckOptions::default())?;
//! let (valid, rejected) = data::keep_valid(loaded, false)?;
//! // Figures for every subject, small numbers withheld (under 5).
//! let figures =
//!     report::figures_from_records(&spec, &window, &valid.records, Some(&rejected), &library, None, Some(5))?;
//! let (names, values, comparisons) = (HashMap::new(), HashMap::new(), HashMap::new());
//! let assumptions = Assumptions::default();
//! let inputs = report::Inputs {
//!     spec: &spec,
//!     window: &window,
//!     library: &library,
//!     figures: &figures,
//!     names: &names,
//!     values: &values,
//!     assumptions: &assumptions,
//!     commitments: &[],
//!     comparisons: &comparisons,
//!     date: None,
//!     fingerprint: "example",
//!     everything: false,
//! };
//! let pack = report::render(&inputs, "ORG02")?;
//! assert!(pack.pdf.starts_with(b"%PDF") && pack.pages > 1);
//! # Ok::<(), impactkit::Error>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod aggregate;
pub mod assumptions;
pub mod base;
pub mod builtin;
pub mod commitments;
pub mod compare;
pub mod data;
pub mod diagnostics;
pub mod error;
pub mod indicator;
pub mod output;
pub mod pipeline;
pub mod privacy;
pub mod project;
pub mod report;
pub mod samples;
pub mod template;
#[doc(hidden)]
pub mod timing;
pub mod value;

pub use error::{Error, Result};

// The entry points of each stage, for `use impactkit::…`.
pub use aggregate::{aggregate, Dimension, Filters, Grain, Request, Unit};
pub use data::{CheckOptions, ColumnMap, Report};
pub use indicator::{Indicator, Library};
pub use pipeline::{Input, Output};
pub use report::{render, Inputs, Rendered, Spec};
pub use value::Assumptions;
