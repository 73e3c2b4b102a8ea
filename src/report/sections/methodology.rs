//! The methodology appendix: how figures are computed and protected, and every
//! indicator's definition, roll-up, frameworks and financial proxy.

use super::*;

/// How each indicator is measured and valued.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Methodology {
    /// Heading (None: the section's default).
    #[serde(default)]
    pub title: Option<String>,
}

impl SectionKind for Methodology {
    fn name(&self) -> &'static str {
        "methodology"
    }

    fn blocks(&self, ctx: &Context, n: usize, out: &mut Blocks) -> Result<()> {
        let _ = n;
        blocks(ctx, self.title.as_deref(), out);
        Ok(())
    }
}

fn blocks(ctx: &Context, title: Option<&str>, out: &mut Blocks) {
    out.heading(title.unwrap_or("Methodology"));
    // The rules the document uses, and only those: a bike recycler's pack says
    // nothing of job cohorts it never records.
    let shown: Vec<&crate::indicator::Indicator> = out.1.iter().filter_map(|id| ctx.library.get(id)).collect();
    let uses = |test: &dyn Fn(RollUp) -> bool| shown.iter().any(|i| test(i.roll_up()));
    let stocks = uses(&|r| matches!(r, RollUp::Stock { .. }));
    let ratios = uses(&|r| r == RollUp::Ratio);
    let cohorts = uses(&|r| r == RollUp::Cohort);
    let people = uses(&|r| matches!(r, RollUp::Distinct | RollUp::Cohort));
    let mut rules = vec!["Each figure is computed from the outcome records by its indicator's rule, given with its definition below: counts and amounts are added up".to_string()];
    if stocks {
        rules.push("figures of a moment (people in work, active volunteers) take each organisation's latest figure in the period and are never added up over time".into());
    }
    if ratios || cohorts {
        rules.push("rates are worked out from their added-up parts, never averaged".into());
    }
    out.paragraph(&format!("{}.", rules.join("; ")), BODY, Rgb::TEXT);
    if cohorts {
        out.space(4.0);
        out.paragraph(
            "Follow-up rates are cohort rates: of the people with a starting event in the period (a job start, say), the share with the follow-up event (still in work at 26 weeks) within the stated number of days, linked by their participant id, including follow-ups after the period's end and those recorded under another programme, area or group than the start. People whose window had not closed by the latest date in the data are not yet due: they are counted apart, not as failures, and the rate is of the people who are due, so it never exceeds 100%. People recorded without a participant id cannot be followed and are not in a cohort.",
            BODY,
            Rgb::TEXT,
        );
    }
    if people {
        out.space(4.0);
        out.paragraph(
            &format!(
                "People are counted once, and followed up, by their participant id {}.",
                ctx.figures.participants.words()
            ),
            BODY,
            Rgb::TEXT,
        );
    }
    if ratios {
        out.space(4.0);
        out.paragraph(
            &format!("Other rates are worked out from their parts' totals in the same group (local spend ÷ all supplier spend). Where the data give a part larger than its whole such a rate exceeds 100%: it is marked {OUT_OF_RANGE_MARK} and is not a share. A rate with no records of its numerator is shown as not recorded, not 0%, unless its definition says a missing record means none."),
            BODY,
            Rgb::TEXT,
        );
    }
    out.space(4.0);
    out.paragraph(
        "Where a subject has no records for an indicator the report says so rather than printing 0.",
        BODY,
        Rgb::TEXT,
    );
    match ctx.figures.suppress_below {
        Some(t) => {
            out.space(4.0);
            let together = match &ctx.figures.release {
                Some(name) => format!("This report is published with the other documents of {name}, and they are protected together: a figure printed in two of them is withheld in both, and no withheld count can be worked out from all of them."),
                None => "A figure printed in two places is withheld in both.".to_string(),
            };
            out.paragraph(
                &format!(
                    "To protect the people counted, a count of 1 to {} people is shown as <{t}. Where such a count could be worked out by adding or subtracting other published figures, some of those are withheld too and shown as {} (any count, large or small): the report's own headline figures are kept wherever another figure can be withheld instead, then totals, then earlier periods. A rate built on a withheld count is shown as {}. {together} Before publication, every withheld figure is checked against everything published: none can be worked out exactly. Figures built on a withheld count (rankings, cost per outcome, commitments delivered, social value) are withheld with it, and so are record counts under {t} and averages over fewer than {t} records.",
                    t - 1,
                    crate::privacy::SECONDARY_MARK,
                    crate::privacy::RATE_MARK
                ),
                BODY,
                Rgb::TEXT,
            );
        }
        None => {
            out.space(4.0);
            out.paragraph(&format!("{INTERNAL_MARKING} Counts of people are shown however small: do not share this report outside the organisation."), BODY, Rgb::WARNING);
        }
    }
    out.space(8.0);
    about_these_figures(ctx, out);
    // The spec's indicators and its sections' that the document shows, then every
    // valued outcome it shows (with its proxy's source), whether or not the spec lists it.
    let mut ids: Vec<&str> = ctx.about.described.iter().map(String::as_str).filter(|id| out.1.contains(*id)).collect();
    let valued = ctx
        .value
        .map(|v| v.lines.iter().map(|l| l.indicator.as_str()).filter(|id| out.1.contains(*id)).collect::<Vec<_>>())
        .unwrap_or_default();
    for id in valued {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if !ids.is_empty() {
        out.keep_together(80.0);
        out.line("Definitions of the figures shown", 11.0, true, 16.0);
    }
    for id in ids {
        let Some(ind) = ctx.library.get(id) else { continue };
        let mut entry = vec![
            Block::Line { text: format!("{} ({})", ind.name, ind.id), size: 10.0, bold: true, advance: 14.0 },
            Block::Paragraph { text: ind.description.clone(), size: 8.5, colour: Rgb::TEXT },
        ];
        let mut facts = vec![format!("Unit: {}", ind.unit), format!("Roll-up: {}", ind.roll_up_text())];
        let f = &ind.frameworks;
        let codes: Vec<String> = [("National TOMs", &f.toms), ("IRIS+", &f.iris), ("SDG target", &f.sdg)]
            .iter()
            .filter_map(|(l, c)| c.as_ref().map(|c| format!("{l} {c}")))
            .collect();
        if !codes.is_empty() {
            facts.push(format!("Frameworks: {}", codes.join(", ")));
        }
        // The proxy as used (assumptions may override the library's), else the library's.
        let used = ctx.value.and_then(|v| v.lines.iter().find(|l| l.indicator == ind.id));
        match (used, &ind.proxy) {
            (Some(l), _) => {
                // The value as used, in report-year prices; the library's value and its
                // price year beside it when the value came from the library.
                let currency = ind.proxy.as_ref().map_or("GBP", |p| p.currency.as_str());
                let origin = ind.proxy.as_ref().map_or(String::new(), |p| {
                    format!("; library value {} in {} prices", price(p.value, &p.currency), p.price_year)
                });
                // Without a report year nothing is indexed: the value is in its own year's prices.
                let prices = match (ctx.assumptions.report_year, &ind.proxy) {
                    (Some(year), _) => format!("{year} prices (the report year)"),
                    (None, _) => format!("{} prices", l.params.price_year),
                };
                facts.push(format!(
                    "Financial proxy used: {} per unit in {prices}{origin}; source: {}; licence: {}",
                    price(l.params.value, currency),
                    l.source,
                    licence(ind)
                ));
                if let Some(url) = ind.proxy.as_ref().and_then(|p| p.url.as_deref()) {
                    let taken = ind
                        .proxy
                        .as_ref()
                        .and_then(|p| p.retrieved.as_deref())
                        .map(|d| match chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                            Ok(day) => format!(" (taken {})", day.format("%-d %B %Y")),
                            Err(_) => format!(" (taken {d})"),
                        })
                        .unwrap_or_default();
                    facts.push(format!("Published at {url}{taken}"));
                }
                if let Some((low, high)) = l.params.value_range {
                    facts.push(format!(
                        "Credible range {} to {} per unit (used in the sensitivity test)",
                        price(low, currency),
                        price(high, currency)
                    ));
                }
                if l.params.start_year != 1 {
                    facts.push(format!("Valued from year {}", l.params.start_year));
                }
                if l.params.disbenefit {
                    facts.push("A dis-benefit, taken off the total".into());
                }
                if let Some(why) = ind.proxy.as_ref().and_then(|p| p.adjustments.as_deref()) {
                    facts.push(format!("Default adjustments: {why}"));
                }
            }
            (None, Some(p)) => facts.push(format!(
                "Financial proxy: {} per unit ({} prices); source: {}; licence: {}",
                price(p.value, &p.currency),
                p.price_year,
                p.source,
                licence(ind)
            )),
            (None, None) => {}
        }
        entry.push(Block::Paragraph { text: facts.join(" · "), size: 8.0, colour: Rgb::MUTED });
        entry.push(Block::Space(8.0));
        out.together(entry);
    }
}

/// Where the figures come from: the records, the latest of them, and the inputs'
/// fingerprint (the same inputs always give the same fingerprint, and the same PDF).
fn about_these_figures(ctx: &Context, out: &mut Blocks) {
    let q = ctx.figures.quality(ctx.subject);
    let latest = q
        .last
        .as_deref()
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .map(|d| format!(", the latest dated {}", d.format("%-d %B %Y")))
        .unwrap_or_default();
    out.keep_together(60.0);
    out.line("About these figures", 11.0, true, 16.0);
    out.paragraph(
        &format!(
            "Made from {} outcome records for {} in the period{latest}. A report made again from the same files has the same inputs fingerprint, and the same figures.",
            records_shown(ctx, q.records),
            ctx.subject_name,
        ),
        8.5,
        Rgb::MUTED,
    );
    out.line(&format!("Inputs fingerprint: {}", ctx.fingerprint), 8.5, false, 12.0);
    out.space(8.0);
}

/// A proxy's licence as stated in the library, or that it is not stated.
fn licence(ind: &crate::indicator::Indicator) -> &str {
    ind.proxy.as_ref().and_then(|p| p.licence.as_deref()).unwrap_or("not stated in the indicator library")
}
