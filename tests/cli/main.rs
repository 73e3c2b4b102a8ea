//! All integration tests in one binary (one link, not one per file): each module
//! runs the real `impact` binary from the repository root, on samples/ or on
//! small files written to a temporary folder (`library` uses the crate itself).

mod shared;
mod util;

mod accessible;
mod aggregate;
mod attack;
mod browser;
mod compare;
mod corpus;
mod docs;
mod fuzz;
mod hardening;
mod indicators;
mod layers;
mod library;
mod method;
mod newcomer;
mod project;
mod properties;
mod readable;
mod release;
mod report;
mod samples;
mod serve;
mod streaming;
mod trust;
mod truth;
mod validate;
mod value;
