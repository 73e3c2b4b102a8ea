use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::Outcome;
use impactkit::error::{Error, Result};
use impactkit::indicator::{Indicator, Library};

#[derive(Debug, Subcommand)]
pub enum IndicatorsCommand {
    /// One line per indicator: id, theme, unit, roll-up, name.
    List {
        /// Only this theme (employment, skills, volunteering, …).
        #[arg(long)]
        theme: Option<String>,
        /// text: a table; json: every field of each indicator.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        /// The same as --format json.
        #[arg(long, hide = true)]
        json: bool,
    },
    /// Everything about one indicator.
    Show {
        /// The indicator's id (`impact indicators list` shows every id).
        id: String,
    },
    /// Check a library folder and list every problem.
    Check {
        /// The folder of indicator definitions [default: the library in use: --indicators,
        /// else indicators/ here, else the built-in one]
        dir: Option<PathBuf>,
    },
}

/// How `indicators list` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    /// A table.
    Text,
    /// JSON.
    Json,
}

pub fn run(cmd: IndicatorsCommand, dir: &Path, proxies: Option<&Path>, added: Option<&Path>) -> Result<Outcome> {
    match cmd {
        IndicatorsCommand::List { theme, format, json } => {
            let json = json || format == ListFormat::Json;
            let library = super::load_library(dir, proxies, added)?;
            let chosen: Vec<&Indicator> = library
                .iter()
                .filter(|i| theme.as_ref().is_none_or(|t| i.theme.eq_ignore_ascii_case(t.trim())))
                .collect();
            if let (Some(t), true) = (&theme, chosen.is_empty()) {
                let mut themes: Vec<&str> = library.iter().map(|i| i.theme.as_str()).collect();
                themes.dedup();
                themes.sort_unstable();
                themes.dedup();
                return Err(Error::usage(format!("no indicators with theme `{t}`"))
                    .with_hint(format!("themes: {}", themes.join(", "))));
            }
            if json {
                let text = serde_json::to_string_pretty(&chosen).map_err(|e| Error::usage(e.to_string()))?;
                return Ok(Outcome::ok(text + "\n"));
            }
            Ok(Outcome::ok(list_table(&chosen)))
        }
        IndicatorsCommand::Show { id } => {
            let library = super::load_library(dir, proxies, added)?;
            let ind = library.require(&id)?;
            Ok(Outcome::ok(show(ind, library.source_of(&id), library.proxy_source_of(&id))))
        }
        IndicatorsCommand::Check { dir: given } => {
            let dir = given.as_deref().unwrap_or(dir);
            let proxies = super::proxies_dir(dir, proxies)?;
            let dirs: Vec<&Path> = std::iter::once(dir).chain(added).collect();
            let (library, problems) = Library::load_unchecked_from(&dirs, &proxies)?;
            let mut out = String::new();
            for p in &problems {
                let _ = writeln!(out, "error: {p}");
            }
            let proxies = library.iter().filter(|i| i.proxy.is_some()).count();
            let mut themes: Vec<&str> = library.iter().map(|i| i.theme.as_str()).collect();
            themes.sort_unstable();
            themes.dedup();
            let _ = writeln!(
                out,
                "{}: {} indicator(s) in {} theme(s), {} with a financial proxy: {} problem(s)",
                dir.display(),
                library.len(),
                themes.len(),
                proxies,
                problems.len()
            );
            Ok(Outcome { stdout: out.into_bytes(), exit_code: i32::from(!problems.is_empty()) })
        }
    }
}

fn list_table(list: &[&Indicator]) -> String {
    let rows: Vec<[String; 5]> = list
        .iter()
        .map(|i| [i.id.clone(), i.theme.clone(), i.unit.clone(), roll_up_short(i), i.name.clone()])
        .collect();
    let heads = ["id", "theme", "unit", "roll-up", "name"];
    let widths: Vec<usize> =
        (0..5).map(|c| rows.iter().map(|r| r[c].chars().count()).chain([heads[c].len()]).max().unwrap_or(0)).collect();
    let mut out = String::new();
    let line = |cells: [&str; 5]| -> String {
        let parts: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}", w = *w)).collect();
        parts.join("  ").trim_end().to_string() + "\n"
    };
    out.push_str(&line(heads));
    for r in &rows {
        out.push_str(&line([&r[0], &r[1], &r[2], &r[3], &r[4]]));
    }
    let _ = writeln!(out, "{} indicator(s)", rows.len());
    out
}

fn roll_up_short(i: &Indicator) -> String {
    use impactkit::indicator::RollUp;
    match i.roll_up() {
        RollUp::Flow(a) => format!("{a:?}").to_lowercase(),
        RollUp::Stock { time, units } => {
            format!("{}/{}", format!("{units:?}").to_lowercase(), format!("{time:?}").to_lowercase())
        }
        RollUp::Distinct => "distinct".into(),
        RollUp::Ratio => "ratio".into(),
        RollUp::Cohort => "cohort".into(),
    }
}

fn show(i: &Indicator, source: Option<&Path>, proxy_source: Option<&Path>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", i.id, i.name);
    let _ = writeln!(out, "  {}", i.description);
    let _ = writeln!(out, "theme:       {}", i.theme);
    let _ = writeln!(out, "unit:        {}", i.unit);
    let _ = writeln!(out, "roll-up:     {}", i.roll_up_text());
    let _ = writeln!(
        out,
        "direction:   {} is better",
        if i.direction == impactkit::indicator::Direction::Higher { "higher" } else { "lower" }
    );
    let range = match (i.min, i.max) {
        (Some(lo), Some(hi)) => format!("{lo} to {hi}"),
        (Some(lo), None) => format!("at least {lo}"),
        (None, Some(hi)) => format!("at most {hi}"),
        (None, None) => "any".into(),
    };
    let _ = writeln!(out, "values:      {range}{}", if i.integer { ", whole numbers" } else { "" });
    let f = &i.frameworks;
    for (label, code) in [("National TOMs", &f.toms), ("IRIS+", &f.iris), ("SDG target", &f.sdg)] {
        if let Some(code) = code {
            let _ = writeln!(out, "{label:<13}{code}");
        }
    }
    if let Some(p) = &i.proxy {
        let _ = writeln!(
            out,
            "proxy:       {} {} per {} ({} prices), {}",
            p.currency,
            impactkit::output::format_figure(p.value),
            i.unit.trim_end_matches('s'),
            p.price_year,
            p.source
        );
        let _ = writeln!(
            out,
            "             deadweight {:.0}%, attribution {:.0}%, displacement {:.0}%, drop-off {:.0}%/yr over {} yr",
            p.deadweight * 100.0,
            p.attribution * 100.0,
            p.displacement * 100.0,
            p.drop_off * 100.0,
            p.duration_years
        );
        if let (Some(low), Some(high)) = (p.low, p.high) {
            let _ = writeln!(
                out,
                "             credible range {} to {}",
                impactkit::output::format_figure(low),
                impactkit::output::format_figure(high)
            );
        }
        let _ = writeln!(out, "             licence: {}", p.licence.as_deref().unwrap_or("not stated"));
        if let Some(url) = &p.url {
            let _ = writeln!(
                out,
                "             {url}{}",
                p.retrieved.as_deref().map(|d| format!(" (taken {d})")).unwrap_or_default()
            );
        }
    } else {
        let _ = writeln!(out, "proxy:       none (the outcome is counted, not valued)");
    }
    if let Some(s) = source {
        let _ = writeln!(out, "defined in:  {}", s.display());
    }
    if let Some(s) = proxy_source {
        let _ = writeln!(out, "proxy from:  {}", s.display());
    }
    out
}
