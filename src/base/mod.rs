//! The bottom layer: helpers every other module may use, which use none of them:
//! nearest-name suggestions, text escaping for messages, and the input limits.

pub mod limits;
pub mod suggest;
pub mod text;
