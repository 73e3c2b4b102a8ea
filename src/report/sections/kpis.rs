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
}

impl SectionKind for Kpis {
    fn name(&self) -> &'static str {
        "kpis"
    }

    fn indicator_ids(&self) -> Vec<&str> {
        self.indicators.iter().map(String::as_str).collect()
    }

    fn needs(&self, needs: &mut Needs) {
        needs.totals(self.indicators.iter().cloned());
    }

    fn blocks(&self, ctx: &Context, _n: usize, out: &mut Blocks) -> Result<()> {
        blocks(ctx, self, self.title.as_deref(), out);
        Ok(())
    }

    fn table(&self, ctx: &Context) -> Result<Option<DataFrame>> {
        table(ctx, self).map(Some)
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
            let target = row.filter(|r| r.target.is_some()).map(|r| {
                let pct = pct_of_target(ctx, r).map_or("–".to_string(), |p| format!("{p:.0}%"));
                (value(r.target, &ind.unit), pct)
            });
            // A cohort rate says how many of its people are still inside their window
            // (shorter beside a target, so that the line fits the tile).
            let footer = match (target, pending_words(ctx, id)) {
                (Some((t, pct)), Some(n)) => Some(format!("Target {t} ({pct}) · {n} not yet due")),
                (Some((t, pct)), None) => Some(format!("Target {t} · {pct} of target")),
                (None, Some(n)) => Some(format!("{n} people not yet due")),
                (None, None) => None,
            };
            Some(Tile { big, muted, unit, name: ind.name.clone(), footer })
        })
        .collect();
    out.tiles(TileStyle::Kpi, tiles);
    out.space(4.0);
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
