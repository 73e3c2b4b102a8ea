//! Distinct participants per group over every record in a window, whatever its
//! indicator (the people an organisation worked with, for outcomes per participant).

use super::*;

/// Distinct participants per group over every record in a window, whatever its
/// indicator (the people an organisation worked with, for outcomes per participant).
pub struct PeopleFold {
    pub(super) column: &'static str,
    /// Who a participant id names.
    pub participants: ParticipantScope,
    pub(super) from: Option<i32>,
    pub(super) to: Option<i32>,
    pub(super) groups: Codes,
    /// Per group code − 1.
    pub(super) people: Vec<People>,
}

impl PeopleFold {
    /// Counts distinct people (by `column`) per group within the dates given.
    pub fn new(column: &'static str, from: Option<chrono::NaiveDate>, to: Option<chrono::NaiveDate>) -> PeopleFold {
        PeopleFold {
            column,
            participants: ParticipantScope::default(),
            from: from.map(epoch_days),
            to: to.map(epoch_days),
            groups: Codes::default(),
            people: Vec::new(),
        }
    }

    /// Add a batch; records that failed a check (`__ok` false) are left out.
    pub fn add(&mut self, records: &DataFrame) -> Result<()> {
        let group = text(records, self.column)?;
        let participant = text(records, "participant")?;
        let (organisation, programme) = (text(records, "organisation")?, text(records, "programme")?);
        let (organisation, programme) = (TextAt::new(&organisation), TextAt::new(&programme));
        let date = records.column("date")?.cast(&DataType::Date)?;
        let date = date.date()?.physical().clone();
        let ok: Vec<bool> = match records.column(crate::data::schema::OK) {
            Ok(c) => c.bool()?.iter().map(|v| v.unwrap_or(false)).collect(),
            Err(_) => vec![true; records.height()],
        };
        for (i, (((g, p), d), ok)) in group.iter().zip(participant.iter()).zip(date.iter()).zip(ok).enumerate() {
            let (Some(g), Some(p), Some(d), true) = (g, p, d, ok) else { continue };
            if self.from.is_some_and(|f| d < f) || self.to.is_some_and(|t| d > t) {
                continue;
            }
            let code = self.groups.code(Some(g)) as usize;
            if self.people.len() < code {
                self.people.resize_with(code, People::default);
            }
            self.people[code - 1].add(self.participants.person128(organisation.get(i), programme.get(i), p));
        }
        Ok(())
    }

    /// Each group (with a participant in the window) and its distinct participants.
    pub fn finish(mut self) -> Vec<(String, usize)> {
        self.people.iter_mut().for_each(People::settle);
        self.groups.names.into_iter().zip(self.people.iter().map(People::count)).collect()
    }
}

impl Records for PeopleFold {
    fn batch(&mut self, records: DataFrame) -> Result<()> {
        self.add(&records)
    }
    fn restart(&mut self) {
        self.groups = Codes::default();
        self.people.clear();
    }
}
