//! Bounds on inputs, each a named constant to raise with a rebuild if a real case
//! needs more (the README's Limits table lists them).

/// The longest an outcome may be valued for: values are computed year by year, and
/// no proxy lasts longer (a larger figure is a typo, refused with this bound named).
pub const MAX_DURATION_YEARS: u32 = 100;

/// The largest multiplier a sensitivity test may apply to an assumption.
pub const MAX_MULTIPLIER: f64 = 10.0;

/// The longest follow-up window a cohort indicator may name (ten years).
pub const MAX_WITHIN_DAYS: u32 = 3653;

/// The most characters an Excel cell holds.
pub const EXCEL_CELL_CHARS: usize = 32_767;
