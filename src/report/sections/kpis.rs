//! KPI tiles: a headline figure per indicator, with its unit, name and target.

use super::*;

/// Headline figures as tiles.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kpis {
    /// Heading (None: the section's default).
    #[serde(default)]
    pub title: Option<String>,
    /// Indicators shown, in order.
    pub indicators: Vec<String>,
    /// Show only the listed indicators the subject has records for, in the listed
    /// order, so one spec fits subjects that record different outcomes.
    #[serde(default)]
    pub only_recorded: bool,
    /// At most this many tiles (with `only_recorded`: the first recorded ones).
    #[serde(default)]
    pub max: Option<usize>,
    /// The cohort rates among the indicators (found by the spec check): their earlier
    /// cohorts are read too (with their parts, which the figures carry beside a rate).
    #[serde(skip)]
    cohorts: Vec<String>,
}

impl SectionKind for Kpis {
    fn name(&self) -> &'static str {
        "kpis"
    }

    fn indicator_ids(&self) -> Vec<&str> {
        self.indicators.iter().map(String::as_str).collect()
    }

    fn check(&mut self, at: &At) -> Result<()> {
        self.cohorts = self
            .indicators
            .iter()
            .filter_map(|id| at.library.get(id))
            .filter(|i| i.roll_up() == RollUp::Cohort)
            .map(|i| i.id.clone())
            .collect();
        Ok(())
    }

    fn needs(&self, needs: &mut Needs) {
        needs.totals(self.indicators.iter().cloned());
        // A cohort rate's earlier years, for the latest cohort whose window has closed.
        if !self.cohorts.is_empty() {
            needs.grouping(cohort_years(), self.cohorts.iter().cloned());
        }
    }

    fn blocks(&self, ctx: &Context, _n: usize, out: &mut Blocks) -> Result<()> {
        blocks(ctx, self, self.title.as_deref(), out);
        Ok(())
    }

    fn table(&self, ctx: &Context) -> Result<Option<DataFrame>> {
        table(ctx, self).map(Some)
    }

    /// The tiles drawn (at most `max`), those with a figure.
    fn shown(&self, ctx: &Context) -> Vec<String> {
        indicators(ctx, self).into_iter().filter(|id| ctx.figures.shows(ctx.subject, id)).collect()
    }
}

fn blocks(ctx: &Context, section: &Kpis, title: Option<&str>, out: &mut Blocks) {
    out.heading(title.unwrap_or("At a glance"));
    let ids = indicators(ctx, section);
    if ids.is_empty() {
        out.paragraph(
            &format!("{} has no records in this period for the headline indicators.", ctx.subject_name),
            BODY,
            Rgb::MUTED,
        );
    }
    let tiles = ids
        .iter()
        .filter_map(|id| {
            let ind = ctx.library.get(id)?;
            let row = total(ctx, id);
            // No records is said in words: a dash or a 0 would read as a figure.
            let (big, muted) = match row.filter(|r| recorded(Some(r)) || not_yet_due(ctx, r)) {
                Some(r) => (shown(ctx, r, &ind.unit), not_yet_due(ctx, r)),
                None => (NOT_RECORDED_WORDS.to_string(), true),
            };
            // The unit stands beside a figure, never beside a mark or "Not recorded".
            let unit = match row {
                Some(r) if recorded(row) && !r.withheld.is_withheld() => {
                    super::super::format::unit_word(&ind.unit).to_string()
                }
                _ => String::new(),
            };
            // A cohort rate not yet due for the period shows the latest cohort whose
            // window has closed, and says when the period's cohort falls due.
            if let Some(tile) = row.filter(|r| not_yet_due(ctx, r)).and_then(|_| closed_cohort(ctx, ind)) {
                return Some(tile);
            }
            let target = row.filter(|r| r.target.is_some()).map(|r| {
                // A share of a target that is itself a share reads badly ("100% of 60%").
                let pct = pct_of_target(ctx, r).map(|p| format!("{p:.0}%")).filter(|_| ind.unit != "%");
                let words = match (pct, track(ctx, r)) {
                    (Some(p), Some(on)) => format!("{p} {on}"),
                    (Some(p), None) => format!("{p} of target"),
                    (None, Some(on)) => on.to_string(),
                    (None, None) => "progress not shown".to_string(),
                };
                (value(r.target, &ind.unit), words)
            });
            // A cohort rate says how many of its people are still inside their window
            // (shorter beside a target, so that the line fits the tile).
            let footer = match (target, pending_words(ctx, id)) {
                (Some((t, words)), Some(n)) => Some(format!("Target {t} ({words}) · {n} not yet due")),
                (Some((t, words)), None) => Some(format!("Target {t} · {words}")),
                (None, Some(n)) => Some(format!("{n} people not yet due")),
                (None, None) => None,
            };
            Some(Tile { big, muted, unit, name: ind.name.clone(), footer })
        })
        .collect();
    out.tiles(TileStyle::Kpi, tiles);
    out.space(4.0);
}

/// Each financial year to the period's end: a cohort rate's earlier cohorts.
fn cohort_years() -> super::super::need::Need {
    super::super::need::Need { dims: vec!["financial_year".to_string()], span: super::super::need::SpanKey::ToDate }
}

/// The tile of a cohort rate's latest cohort whose window has closed (a financial year
/// before the period's, with a published rate), with when the period's cohort is due.
fn closed_cohort(ctx: &Context, ind: &crate::indicator::Indicator) -> Option<Tile> {
    let current = ctx.window.financial_year.clone()?;
    let rows = ctx.figures.rows(&cohort_years(), ctx.subject);
    let latest = rows
        .iter()
        .filter(|r| r.indicator == ind.id && r.keys[0] < current && r.value.is_some() && !r.withheld.is_withheld())
        .max_by(|a, b| a.keys[0].cmp(&b.keys[0]))?;
    let due = ind.within_days.map(|d| ctx.window.to + chrono::Duration::days(i64::from(d)));
    let footer = match due {
        Some(d) => format!("{current} cohort due {}", d.format("%-d %B %Y")),
        None => format!("{current} cohort not yet due"),
    };
    Some(Tile {
        big: shown(ctx, latest, &ind.unit),
        muted: false,
        unit: format!("{} cohort", latest.keys[0]),
        name: ind.name.clone(),
        footer: Some(footer),
    })
}

/// The indicators a KPI section shows for this subject.
fn indicators(ctx: &Context, section: &Kpis) -> Vec<String> {
    let Kpis { indicators, only_recorded, max, .. } = section;
    indicators
        .iter()
        .filter(|id| !*only_recorded || total(ctx, id).is_some_and(|r| recorded(Some(r)) || not_yet_due(ctx, r)))
        .take(max.unwrap_or(usize::MAX))
        .cloned()
        .collect()
}

/// The tiles' figures as a table.
fn table(ctx: &Context, section: &Kpis) -> Result<DataFrame> {
    let rows: Vec<&Row> = indicators(ctx, section).iter().filter_map(|id| total(ctx, id)).collect();
    table::frame_of_rows(ctx, &rows, &[])
}
