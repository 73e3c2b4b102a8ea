//! The impact map section: stakeholder → outcome → quantity → proxy → adjustments → value.

use super::*;

pub(super) fn blocks(ctx: &Context, title: Option<&str>, out: &mut Blocks) {
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
    let head: Vec<String> = ["Stakeholder", "Outcome", "Quantity", "Proxy", "Dead-wt", "Attrib.", "Displ.", "Drop-off", "Years", "Present value"]
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
                money(p.value),
                pct(p.deadweight),
                pct(p.attribution),
                pct(p.displacement),
                pct(p.drop_off),
                p.duration_years.to_string(),
                money(l.present_value(g.rate)),
            ]
        })
        .collect();
    let numeric = vec![false, false, true, true, true, true, true, true, true, true];
    out.table(head, rows, numeric);
    out.paragraph("Dead-wt: deadweight; Attrib.: attribution; Displ.: displacement. Proxy sources are listed in the methodology appendix. Quantity × proxy = gross value; × (1 − deadweight) × (1 − attribution) × (1 − displacement) = first-year impact; later years fall by the drop-off; each year is discounted.", 8.0, Rgb::MUTED);
    out.space(6.0);
}

