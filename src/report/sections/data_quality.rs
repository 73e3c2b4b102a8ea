//! The data-quality section: records used and rejected, dates, completeness.

use super::*;

/// Records, rejections and completeness of fields.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataQuality {
    /// Heading (None: the section's default).
    #[serde(default)]
    pub title: Option<String>,
}

impl SectionKind for DataQuality {
    fn name(&self) -> &'static str {
        "data_quality"
    }

    fn blocks(&self, ctx: &Context, n: usize, out: &mut Blocks) -> Result<()> {
        let _ = n;
        blocks(ctx, self.title.as_deref(), out);
        Ok(())
    }

    fn table(&self, ctx: &Context) -> Result<Option<DataFrame>> {
        table(ctx).map(Some)
    }
}

fn blocks(ctx: &Context, title: Option<&str>, out: &mut Blocks) {
    out.heading(title.unwrap_or("Data quality"));
    let q = ctx.figures.quality(ctx.subject);
    // Shares of a withheld record count are withheld with it.
    let tiny = records_published(ctx, q.records).is_none();
    let pct = |share: f64| if tiny { crate::privacy::RATE_MARK.to_string() } else { format!("{:.0}%", share * 100.0) };
    let mut rows = vec![
        vec!["Records used".to_string(), records_shown(ctx, q.records)],
        vec!["Records rejected by validation".to_string(), crate::output::format_figure(q.rejected as f64)],
        vec![
            "First and last outcome dates".to_string(),
            format!("{} to {}", long_date(q.first.as_deref()), long_date(q.last.as_deref())),
        ],
    ];
    for (field, share) in &q.completeness {
        let label = match field.as_str() {
            "evidence" => "Evidence coverage (records naming their evidence)".to_string(),
            "participant" => "Records with a participant id (the reference that counts a person once)".to_string(),
            "simd_decile" => {
                "Records with an SIMD decile (Scottish Index of Multiple Deprivation of the person's home)".to_string()
            }
            "beneficiary_group" => "Records with a beneficiary group".to_string(),
            "age_band" => "Records with an age band".to_string(),
            f => format!("Records with {}", crate::base::text::with_article(&f.replace('_', " "))),
        };
        rows.push(vec![label, pct(*share)]);
    }
    if q.unstarted_follow_ups > 0 {
        rows.push(vec![
            "Follow-ups with no start recorded before them".to_string(),
            records_shown(ctx, q.unstarted_follow_ups),
        ]);
    }
    out.table(vec!["Measure".to_string(), "Value".to_string()], rows, vec![false, true]);
    out.paragraph(
        "Records are checked on the way in: a record with an unknown indicator, a value that is not a number or is out of range, an impossible or future date, or a repeated record id is rejected and not counted.",
        8.5,
        Rgb::MUTED,
    );
    // The run's rejected records, so the reports of a batch add up to what the command said.
    let total = ctx.figures.rejected_total;
    if total > 0 {
        let unattributed = ctx.figures.rejected_unattributed();
        let n = |v: u64| crate::output::format_figure(v as f64);
        let mut text = format!(
            "In all, {} {} in the data {} rejected: {} counted above for this report's period",
            n(total),
            if total == 1 { "record" } else { "records" },
            if total == 1 { "was" } else { "were" },
            n(q.rejected)
        );
        if unattributed > 0 && ctx.about.subject != crate::report::terms::SubjectKind::All {
            text.push_str(&format!(
                ", {} in the period that name no {} and so belong to no report",
                n(unattributed),
                ctx.about.subject.column().unwrap_or("subject")
            ));
        }
        text.push_str(
            ", and the rest belong to other reports or fall outside the period. Checking the data lists each one.",
        );
        out.paragraph(&text, 8.5, Rgb::MUTED);
    }
    out.space(6.0);
}

/// The section's measures as a table.
fn table(ctx: &Context) -> Result<DataFrame> {
    let q = ctx.figures.quality(ctx.subject);
    let published = records_published(ctx, q.records);
    let mut measure = vec!["records".to_string(), "rejected".to_string()];
    let mut value = vec![published.map(|n| n as f64), Some(q.rejected as f64)];
    if q.unstarted_follow_ups > 0 {
        measure.push("follow_ups_without_start".to_string());
        value.push(records_published(ctx, q.unstarted_follow_ups).map(|n| n as f64));
    }
    for (f, share) in &q.completeness {
        measure.push(format!("{f}_filled_share"));
        value.push(published.map(|_| *share));
    }
    Ok(polars::prelude::df!("measure" => measure, "value" => value)?)
}

/// An ISO date as the report writes dates ("1 April 2024"), or a dash.
fn long_date(iso: Option<&str>) -> String {
    iso.and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .map_or_else(|| "–".to_string(), |d| d.format("%-d %B %Y").to_string())
}
