//! Period keys: the financial year, quarter or month of a day, without a calendar
//! per record.

use super::*;

/// The period keys of a batch's rows, each day's computed once.
#[derive(Default)]
pub(super) struct DayPeriods {
    pub(super) first: i32,
    pub(super) days: usize,
}

impl DayPeriods {
    /// Widen the span of days to take in `day`.
    pub(super) fn cover(&mut self, day: i32) {
        if self.days == 0 {
            (self.first, self.days) = (day, 1);
        } else if day < self.first {
            self.days += (i64::from(self.first) - i64::from(day)) as usize;
            self.first = day;
        } else if i64::from(day) >= i64::from(self.first) + self.days as i64 {
            self.days = (i64::from(day) - i64::from(self.first) + 1) as usize;
        }
    }

    /// Each row's key for `grain`; a row left out takes the first day's, so every
    /// key lies within the keys of the first and last days (see `Dense::new`).
    pub(super) fn keys(&self, grain: Grain, rows: &[Option<(u32, Kind, i32)>]) -> Vec<u32> {
        if self.days == 0 {
            // No row is used.
            return vec![0; rows.len()];
        }
        let first = |r: &Option<(u32, Kind, i32)>| r.map_or(self.first, |(_, _, day)| day);
        // Checked dates span at most decades; a table by day is then a few thousand entries.
        if self.days > 1 << 20 {
            return rows.iter().map(|r| period_key(grain, first(r)) as u32).collect();
        }
        let by_day: Vec<u32> = (0..self.days).map(|d| period_key(grain, self.first + d as i32) as u32).collect();
        rows.iter().map(|r| by_day[(first(r) - self.first) as usize]).collect()
    }
}

/// `Grain::key` for a day number, without polars (same keys: 2024, 20242, 202405, 2024 for 2024-25).
pub(super) fn period_key(grain: Grain, day: i32) -> i32 {
    let (year, month) = civil_from_days(day);
    match grain {
        Grain::Year => year,
        Grain::Quarter => year * 10 + (month as i32 - 1) / 3 + 1,
        Grain::Month => year * 100 + month as i32,
        Grain::FinancialYear => year - i32::from(month < 4),
        Grain::FinancialQuarter => (year - i32::from(month < 4)) * 10 + (month as i32 + 8) % 12 / 3 + 1,
    }
}

/// Year and month of a day counted from 1970-01-01 (H. Hinnant's civil_from_days).
pub(super) fn civil_from_days(days: i32) -> (i32, u32) {
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month)
}
