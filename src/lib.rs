//! impactkit: social impact measurement and reporting.
//!
//! Data flows one way: indicator library + data files → ingest → validate →
//! records (polars) → aggregate → figures → value, comparisons, commitments →
//! reports. Each stage is a module; the `impact` command line (the binary, behind the
//! default feature `cli`) is a thin layer over them. A board pack for every
//! organisation in the samples, made from one pass over the data:
//!
//! ```
//! use std::path::{Path, PathBuf};
//! use impactkit::{data::SourcePath, indicator::Library, report};
//!
//! let library = Library::load(Path::new("indicators"))?;
//! let options = report::Options {
//!     spec: PathBuf::from("reports/board.toml"),
//!     data: SourcePath::all(&[PathBuf::from("samples/outcomes.csv")], None),
//!     names: vec![PathBuf::from("samples/organisations.csv")],
//!     suppress_below: Some(5), // withhold counts of people under 5
//!     ..report::Options::default()
//! };
//! let batch = report::prepare(&options, &library)?;
//! let pack = batch.render("ORG02")?; // in memory: the PDF, its tables, its charts
//! assert!(pack.pdf.starts_with(b"%PDF") && pack.pages > 1);
//! // Or every subject's PDF written, as `impact report board --each organisation` does:
//! // batch.write_all(&report::Options { out_dir: Some("packs".into()), ..options })?;
//! # Ok::<(), impactkit::Error>(())
//! ```
//!
//! One streaming pass gives any number of figure tables (`pipeline::run`), with every
//! check `impact validate` makes (`pipeline::validate`).

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
pub use report::{prepare, render, Inputs, Prepared, Rendered, Spec};
pub use value::Assumptions;
