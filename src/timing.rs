//! Phase timings on standard error when IMPACT_TIMING is set: for profiling, not output.

use std::sync::OnceLock;
use std::time::Instant;

/// When the first timer started (the process's start, near enough): each line says
/// when it was printed, so the phases' overlap and the run's tail can be read off.
static FIRST: OnceLock<Instant> = OnceLock::new();

fn at() -> f64 {
    FIRST.get_or_init(Instant::now).elapsed().as_secs_f64()
}

/// Start the clock the lines' times are counted from (`at`), when timing is on.
pub fn begin() {
    if std::env::var_os("IMPACT_TIMING").is_some() {
        FIRST.get_or_init(Instant::now);
    }
}

pub struct Timer(Option<std::cell::Cell<Instant>>);

pub fn start() -> Timer {
    Timer(std::env::var_os("IMPACT_TIMING").map(|_| std::cell::Cell::new(Instant::now())))
}

/// Say when the command finished (before the process hands its memory back).
pub fn end() {
    if FIRST.get().is_some() {
        eprintln!("timing: done (at {:.3}s)", at());
    }
}

/// Print the time since the last lap (or the start) under `what`.
pub fn lap(t: &Timer, what: &str) {
    if let Some(cell) = &t.0 {
        let now = Instant::now();
        eprintln!("timing: {what}: {:.3}s (at {:.3}s)", (now - cell.get()).as_secs_f64(), at());
        cell.set(now);
    }
}

/// Time summed over many short spans (e.g. per batch), printed by `report`.
#[derive(Default)]
pub struct Total(Option<std::time::Duration>);

impl Total {
    pub fn new() -> Total {
        Total(std::env::var_os("IMPACT_TIMING").map(|_| std::time::Duration::ZERO))
    }

    /// Run `f`, adding its time to the total.
    pub fn time<T>(&mut self, f: impl FnOnce() -> T) -> T {
        match &mut self.0 {
            None => f(),
            Some(total) => {
                let t = Instant::now();
                let out = f();
                *total += t.elapsed();
                out
            }
        }
    }

    pub fn report(&self, what: &str) {
        if let Some(total) = self.0 {
            eprintln!("timing: {what} (summed): {:.3}s (at {:.3}s)", total.as_secs_f64(), at());
        }
    }
}
