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
            eprintln!("timing: {what} (summed): {:.3}s", total.as_secs_f64());
        }
    }
}
