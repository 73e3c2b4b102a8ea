//! Phase timings on standard error when IMPACT_TIMING is set: for profiling, not output.

use std::time::Instant;

pub struct Timer(Option<std::cell::Cell<Instant>>);

pub fn start() -> Timer {
    Timer(std::env::var_os("IMPACT_TIMING").map(|_| std::cell::Cell::new(Instant::now())))
}

/// Print the time since the last lap (or the start) under `what`.
pub fn lap(t: &Timer, what: &str) {
    if let Some(cell) = &t.0 {
        let now = Instant::now();
        eprintln!("timing: {what}: {:.3}s", (now - cell.get()).as_secs_f64());
        cell.set(now);
    }
}
