//! The social value section: SROI summary tiles, how the values were made, the
//! ratio's sensitivity range, and a warning where outcomes may be double counted.

use super::*;

/// Present value, investment, SROI ratio, NPV and payback (needs --programmes or
/// `[investment]` in --assumptions for the ratio).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SocialValue {
    /// Heading (None: the section's default).
    #[serde(default)]
    pub title: Option<String>,
}

impl SectionKind for SocialValue {
    fn name(&self) -> &'static str {
        "social_value"
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
    out.heading(title.unwrap_or("Social value"));
    let unvalued = not_valued(ctx);
    let Some(g) = ctx.value.filter(|g| !g.lines.is_empty()) else {
        let mut text = format!(
            "No outcomes with a financial proxy were recorded for {} in this period, so no social value is stated.",
            ctx.subject_name
        );
        if !unvalued.is_empty() {
            text.push_str(&format!(" {}", not_valued_words(&unvalued)));
        }
        out.paragraph(&text, BODY, Rgb::MUTED);
        return;
    };
    let withheld = withheld_values(ctx);
    if !withheld.is_empty() {
        out.paragraph(&value_withheld_words(ctx, &withheld), BODY, Rgb::MUTED);
        return;
    }
    let pv = g.present_value();
    let tile = |big: String, name: &str, unit: &str| Tile {
        big,
        muted: false,
        unit: unit.to_string(),
        name: name.to_string(),
        footer: None,
    };
    let tiles = vec![
        tile(money(pv), "Social value (present value)", ""),
        tile(g.investment.map_or("–".into(), money), "Investment in the period", ""),
        // The headline ratio says at once when it rests on one outcome (the caveat below).
        Tile {
            footer: g.caveats().iter().find_map(|c| match c {
                crate::value::Caveat::Dominant { share, .. } => {
                    Some(format!("{}% from one outcome: see the note", (share * 100.0).floor()))
                }
                crate::value::Caveat::RestsOn { .. } => Some("Rests on a few people: see the note".to_string()),
                _ => None,
            }),
            ..tile(g.ratio().map_or("–".into(), |r| format!("£{r:.2}")), "Social value per £1 invested (SROI)", "")
        },
        tile(g.npv().map_or("–".into(), money), "Net present value", ""),
        // No payback within the outcomes' duration is said in words, not as "– months".
        match (g.investment, g.payback_months()) {
            (_, Some(m)) => tile(format!("{m:.0}"), "Payback period", "months"),
            (Some(_), None) => {
                Tile { muted: true, ..tile("Not reached".into(), "Payback period (within the outcomes' duration)", "") }
            }
            (None, None) => Tile { muted: true, ..tile("No investment".into(), "Payback period", "") },
        },
        tile(money(g.lines.iter().map(|l| l.gross()).sum()), "Gross value in the first year, before adjustments", ""),
    ];
    out.tiles(TileStyle::Value, tiles);
    let rate = g.rate * 100.0;
    let mut text = format!(
        "Values use {} with financial proxies, adjusted for deadweight, attribution and displacement, lasting each outcome's duration with drop-off, and discounted at {rate:.1}% a year{}{}.",
        crate::base::text::counted(g.lines.len(), "outcome", "outcomes"),
        if (g.rate - crate::value::assumptions::GREEN_BOOK_RATE).abs() < 1e-12 { " (HM Treasury Green Book)" } else { "" },
        own_rates(g)
    );
    text.push_str(&timing_words(g));
    text.push_str(&price_words(ctx, g));
    // The headline ratio never stands without the range the sensitivity tests give it.
    if let Some(ratio) = g.ratio() {
        let tests = crate::value::sensitivity::analyse(g, ctx.assumptions);
        let all = tests.iter().flat_map(|t| [t.sroi_low, t.sroi_high]).chain([ratio]);
        let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
        if !tests.is_empty() {
            text.push_str(&format!(
                " The SROI ratio of £{ratio:.2} per £1 ranges from £{lo:.2} to £{hi:.2} when each assumption is varied on its own ({}).",
                tests.iter().filter_map(crate::value::sensitivity::Sensitivity::words).collect::<Vec<_>>().join("; ")
            ));
            if g.lines.iter().any(|l| l.params.value_range.is_some()) {
                text.push_str(" An outcome whose proxy states its lowest and highest credible values is tried at those in the value test.");
            }
        }
    }
    if !unvalued.is_empty() {
        text.push_str(&format!(" {} The ratio counts the valued outcomes only.", not_valued_words(&unvalued)));
    }
    if g.investment.is_none() {
        text.push_str(" No investment is recorded for this subject, so there is no ratio: give a programmes table or [investment] in the assumptions file.");
    } else {
        text.push_str(" Investment is the programme's funding spread evenly over its dates, for the share falling in this period.");
    }
    out.paragraph(&text, 8.5, Rgb::MUTED);
    for warning in double_counting(ctx, g) {
        out.space(4.0);
        out.paragraph(&warning, 8.5, Rgb::WARNING);
    }
    // What the figures alone do not say: outcomes credited whole, one outcome giving
    // most of the value, values beside the people they rest on.
    for caveat in g.caveats() {
        let people = match &caveat {
            crate::value::Caveat::RestsOn { people, .. } => people_shown(ctx, people),
            _ => String::new(),
        };
        out.space(4.0);
        out.paragraph(&caveat.words(&people), 8.5, Rgb::WARNING);
    }
    out.space(6.0);
}

/// A warning for each chain of outcomes (library `chain`) with more than one valued
/// step: the steps happen to the same people, so adding their values counts twice.
fn double_counting(ctx: &Context, g: &crate::value::GroupValue) -> Vec<String> {
    let mut chains: std::collections::BTreeMap<&str, Vec<&str>> = std::collections::BTreeMap::new();
    for line in &g.lines {
        if let Some(ind) = ctx.library.get(&line.indicator) {
            if let Some(chain) = &ind.chain {
                let steps = chains.entry(chain.as_str()).or_default();
                if !steps.contains(&ind.name.as_str()) {
                    steps.push(ind.name.as_str());
                }
            }
        }
    }
    chains
        .into_iter()
        .filter(|(_, steps)| steps.len() > 1)
        .map(|(chain, steps)| {
            format!(
                "Possible double counting: {} are steps of one chain of outcomes (\"{}\") for the same people, and the social value above adds all of them. Value the chain once (for example its last step only) before publishing this total.",
                match steps.split_last() {
                    Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
                    _ => steps.join(""),
                },
                chain.replace('_', " ")
            )
        })
        .collect()
}

/// ", 1.5% for Wellbeing improved" for outcomes discounted at a rate of their own.
fn own_rates(g: &crate::value::GroupValue) -> String {
    let own: Vec<String> = g
        .lines
        .iter()
        .filter(|l| (l.params.discount_rate - g.rate).abs() > 1e-12)
        .map(|l| format!("{:.1}% for {}", l.params.discount_rate * 100.0, l.outcome))
        .collect();
    if own.is_empty() {
        String::new()
    } else {
        format!(", {}", own.join(", "))
    }
}

/// Sentences for what differs from an outcome valued from year 1 in a forecast: an
/// evaluation's past year, outcomes valued from another year, and dis-benefits.
fn timing_words(g: &crate::value::GroupValue) -> String {
    let mut words = String::new();
    if g.past_years > 0 {
        words.push_str(" This is an evaluation: the year valued has passed and is not discounted (the Green Book never discounts the past); later years are discounted from it.");
    }
    for l in &g.lines {
        match l.params.start_year {
            1 => {}
            0 => words.push_str(&format!(" {} is valued from the year of the activity itself (year 0).", l.outcome)),
            y => words
                .push_str(&format!(" {} is valued from year {y}, when the outcome is expected to show.", l.outcome)),
        }
        if l.params.disbenefit {
            words.push_str(&format!(" {} is a dis-benefit: its value is taken off the total.", l.outcome));
        }
    }
    words
}

/// The prices every value is in: the report year's, brought there with the price
/// index named (the assumptions' own, or HM Treasury's GDP deflators built in).
fn price_words(ctx: &Context, g: &crate::value::GroupValue) -> String {
    let Some(year) = ctx.assumptions.report_year else {
        // Without a report year, the values share one price year (or are refused).
        return g.lines.first().map_or(String::new(), |l| format!(" Values are in {} prices.", l.params.price_year));
    };
    let moved: Vec<i32> = {
        let mut y: Vec<i32> = ctx
            .library
            .iter()
            .filter(|i| g.lines.iter().any(|l| l.indicator == i.id))
            .filter_map(|i| i.proxy.as_ref().map(|p| p.price_year))
            .filter(|y| *y != year)
            .collect();
        y.sort();
        y.dedup();
        y
    };
    if moved.is_empty() {
        return format!(" Values are in {year} prices.");
    }
    let index = match (ctx.assumptions.index.is_empty(), crate::value::deflators::built_in()) {
        (true, Some(d)) => format!("HM Treasury's GDP deflators ({}, {})", d.title, d.base),
        _ => "the price index in the assumptions".to_string(),
    };
    format!(
        " Values are in {year} prices: those stated in {} prices are brought to {year}'s with {index}.",
        moved.iter().map(i32::to_string).collect::<Vec<_>>().join(" and ")
    )
}

/// The report's outcomes the subject recorded whose indicator carries no proxy: they
/// are counted in the report but not valued (no illustrative number stands in).
fn not_valued(ctx: &Context) -> Vec<String> {
    // The people a valued quantity rests on (people whose wellbeing improved, behind
    // WELLBYs) are valued through it: not "recorded but not valued".
    let basis: Vec<&str> =
        ctx.library.iter().filter(|i| i.proxy.is_some()).filter_map(|i| i.people.as_deref()).collect();
    ctx.about
        .indicators
        .iter()
        .filter(|id| !basis.contains(&id.as_str()))
        .filter_map(|id| {
            let ind = ctx.library.get(id)?;
            (ind.is_unvalued_outcome() && recorded(total(ctx, id))).then(|| ind.name.clone())
        })
        .collect()
}

fn not_valued_words(names: &[String]) -> String {
    format!(
        "Recorded but not valued, as the indicator library has no openly published proxy for them: {}.",
        names.join("; ")
    )
}
