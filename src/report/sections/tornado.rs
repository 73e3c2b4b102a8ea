//! The tornado section: the SROI ratio recomputed with each assumption varied alone.

use super::super::chart::{ChartKind, Series};
use super::*;

/// Sensitivity of the SROI ratio to each assumption, as a tornado chart.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tornado {
    /// Heading (None: the section's default).
    #[serde(default)]
    pub title: Option<String>,
}

impl SectionKind for Tornado {
    fn name(&self) -> &'static str {
        "tornado"
    }

    fn needs(&self, needs: &mut Needs) {
        needs.value = true;
    }

    fn blocks(&self, ctx: &Context, n: usize, out: &mut Blocks) -> Result<()> {
        blocks(ctx, n, self.title.as_deref(), out);
        Ok(())
    }

    fn table(&self, ctx: &Context) -> Result<Option<DataFrame>> {
        value_table(ctx, true)
    }
}

fn blocks(ctx: &Context, n: usize, title: Option<&str>, out: &mut Blocks) {
    let title = title.unwrap_or("How sensitive is the SROI ratio?");
    let withheld = withheld_values(ctx);
    if !withheld.is_empty() {
        out.heading(title);
        out.paragraph(&value_withheld_words(ctx, &withheld), BODY, Rgb::MUTED);
        return;
    }
    match tornado_data(ctx) {
        None => {
            out.heading(title);
            out.paragraph(
                "No SROI ratio to test: it needs outcomes with financial proxies and an investment.",
                BODY,
                Rgb::MUTED,
            );
        }
        Some((data, notes)) => {
            let height = (data.categories.len() as f32 * 22.0 + 56.0).clamp(140.0, 320.0);
            out.keep_chart(height);
            out.heading(title);
            out.chart(data, height, slug(n, title));
            out.space(4.0);
            for line in notes {
                out.paragraph(&line, 8.0, Rgb::MUTED);
            }
            out.space(10.0);
        }
    }
}

fn tornado_data(ctx: &Context) -> Option<(ChartData, Vec<String>)> {
    let g = ctx.value.filter(|g| !g.lines.is_empty())?;
    let base = g.ratio()?;
    // A test that changes nothing (a displacement of 0% scaled) has no bar to draw.
    let all = crate::value::sensitivity::analyse(g, ctx.assumptions);
    let rows: Vec<&crate::value::sensitivity::Sensitivity> = all.iter().filter(|r| r.words().is_some()).collect();
    let label = |p: &str| {
        match p {
            "value" => "Proxy values",
            "deadweight" => "Deadweight",
            "attribution" => "Attribution",
            "displacement" => "Displacement",
            "drop_off" => "Drop-off",
            "duration_years" => "Duration",
            "discount_rate" => "Discount rate",
            other => other,
        }
        .to_string()
    };
    let data = ChartData {
        kind: ChartKind::Tornado,
        categories: rows
            .iter()
            .filter_map(|r| r.words())
            .map(|w| {
                let mut c = w.chars();
                c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
            })
            .collect(),
        series: vec![
            Series {
                name: "SROI with the lower assumption".into(),
                values: rows.iter().map(|r| Some(r.sroi_low)).collect(),
                outline: false,
            },
            Series {
                name: "SROI with the higher assumption".into(),
                values: rows.iter().map(|r| Some(r.sroi_high)).collect(),
                outline: false,
            },
        ],
        unit: String::new(),
        axis: "SROI ratio: £ of social value per £1 invested".into(),
        base: Some(base),
        ..Default::default()
    };
    let mut notes = vec![format!("The line is the SROI ratio with every assumption as stated: £{base:.2} per £1.")];
    let breaks: Vec<String> = rows
        .iter()
        .filter_map(|r| r.break_even.map(|m| format!("{} ×{m:.2}", label(r.parameter).to_lowercase())))
        .collect();
    notes.push(if breaks.is_empty() {
        "No single assumption, varied alone, brings the ratio to £1 per £1.".into()
    } else {
        format!("The ratio reaches £1 per £1 (break-even) at: {}.", breaks.join("; "))
    });
    Some((data, notes))
}
