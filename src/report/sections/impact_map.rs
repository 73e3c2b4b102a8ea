//! The impact map section: stakeholder → outcome → quantity → proxy → adjustments → value.

use super::*;

/// The SROI impact map: stakeholder, outcome, quantity, proxy, adjustments, value.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImpactMap {
    /// Heading (None: the section's default).
    #[serde(default)]
    pub title: Option<String>,
}

impl SectionKind for ImpactMap {
    fn name(&self) -> &'static str {
        "impact_map"
    }

    fn needs(&self, needs: &mut Needs) {
        needs.value = true;
    }

    fn blocks(&self, ctx: &Context, n: usize, out: &mut Blocks) -> Result<()> {
        let _ = n;
        blocks(ctx, self.title.as_deref(), out);
        Ok(())
    }

    fn table(&self, ctx: &Context) -> Result<Option<DataFrame>> {
        value_table(ctx, false)
    }
}

fn blocks(ctx: &Context, title: Option<&str>, out: &mut Blocks) {
    out.heading(title.unwrap_or("Impact map"));
    let Some(g) = ctx.value.filter(|g| !g.lines.is_empty()) else {
        out.paragraph("No outcomes with a financial proxy in this period.", BODY, Rgb::MUTED);
        return;
    };
    let withheld = withheld_values(ctx);
    if !withheld.is_empty() {
        out.paragraph(&value_withheld_words(ctx, &withheld), BODY, Rgb::MUTED);
        return;
    }
    let pct = |v: f64| format!("{:.0}%", v * 100.0);
    let head: Vec<String> = [
        "Stakeholder",
        "Outcome",
        "Quantity",
        "Proxy",
        "Dead-wt",
        "Attrib.",
        "Displ.",
        "Drop-off",
        "Years",
        "Present value",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rows: Vec<Vec<String>> = g
        .lines
        .iter()
        .map(|l| {
            let p = &l.params;
            vec![
                l.stakeholder.clone(),
                l.outcome.clone(),
                value(Some(l.quantity), &l.unit),
                price(p.value, "GBP"),
                pct(p.deadweight),
                pct(p.attribution),
                pct(p.displacement),
                pct(p.drop_off),
                // "2 from year 0": a start other than year 1 is said beside the duration.
                if p.start_year == 1 {
                    p.duration_years.to_string()
                } else {
                    format!("{} from {}", p.duration_years, p.start_year)
                },
                money(g.line_value(l)),
            ]
        })
        .collect();
    let numeric = vec![false, false, true, true, true, true, true, true, true, true];
    out.table(head, rows, numeric);
    // The last clause is true of every line shown: only the plain case says "each
    // year is discounted".
    let undiscounted = g.past_years > 0 || g.lines.iter().any(|l| l.params.start_year == 0);
    let discounting = if undiscounted {
        "each year is discounted except year 0 and, in an evaluation, the past year valued (\"2 from 0\": 2 years from year 0)"
    } else if g.lines.iter().any(|l| l.params.start_year != 1) {
        "each year is discounted (\"3 from 2\": 3 years from year 2)"
    } else {
        "each year is discounted"
    };
    out.paragraph(&format!("Dead-wt: deadweight; Attrib.: attribution; Displ.: displacement. Proxy sources are listed in the methodology appendix. Quantity × proxy = gross value; × (1 − deadweight) × (1 − attribution) × (1 − displacement) = first-year impact; later years fall by the drop-off; {discounting}."), 8.0, Rgb::MUTED);
    out.space(6.0);
}
