//! impactkit: social impact measurement and reporting.
//!
//! Data flows one way: indicator library + data files → ingest → validate →
//! records (polars) → aggregate → figures → outputs. Each stage is a module.

#![forbid(unsafe_code)]

pub mod aggregate;
pub mod builtin;
pub mod cli;
pub mod commitments;
pub mod compare;
pub mod data;
pub mod diagnostics;
pub mod error;
pub mod indicator;
pub mod output;
pub mod pipeline;
pub mod privacy;
pub mod report;
pub mod samples;
pub mod suggest;
pub mod template;
pub mod timing;
pub mod value;

pub use error::{Error, Result};
