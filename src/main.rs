//! `impact`: parse arguments, call the library, print errors, set the exit code.

// Unsafe only in the counting allocator, which passes every call to the system's,
// and where it sets the system allocator's parameters.
#![deny(unsafe_code)]

#[allow(unsafe_code)]
mod alloc_stats;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
mod cli;

use cli::{run, Cli};
use impactkit::Error;

#[global_allocator]
static ALLOCATOR: alloc_stats::Counting = alloc_stats::Counting;

fn main() -> ExitCode {
    impactkit::timing::begin();
    alloc_stats::keep_freed_memory();
    let code = run_cli();
    alloc_stats::report();
    impactkit::timing::end();
    code
}

fn run_cli() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(outcome) => {
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout.write_all(&outcome.stdout).and_then(|_| stdout.flush()) {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    eprintln!("error: cannot write output: {e}");
                    return ExitCode::from(1);
                }
            }
            ExitCode::from(u8::try_from(outcome.exit_code).unwrap_or(1))
        }
        Err(err) => {
            if let Error::Invalid { report } = &err {
                eprint!("{}", report.to_text());
            }
            // An error can quote a file name or cell: escaped, never raw control codes
            // (line by line: a message of several lines keeps them).
            let message = err.to_string();
            let lines: Vec<_> = message.split('\n').map(impactkit::output::escape_controls).collect();
            eprintln!("error: {}", lines.join("\n"));
            if let Some(hint) = err.hint() {
                eprintln!("hint: {}", impactkit::output::escape_controls(hint));
            }
            ExitCode::from(match err {
                Error::Usage { .. } => 2,
                Error::Internal { .. } => 3,
                _ => 1,
            })
        }
    }
}
