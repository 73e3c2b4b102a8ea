//! Cohort rates: who starts a cohort, the outcome events followed up, and each
//! member's follow-up (achieved, not achieved, or not yet due).

use super::*;

/// What the library's cohort indicators need from the records.
#[derive(Default)]
pub(super) struct CohortRules {
    /// Per indicator number: the cohort indicators whose cohort event it is.
    pub(super) cohort_of: Vec<Vec<u32>>,
    /// Per indicator number: its place in `events` if it is some cohort's outcome.
    pub(super) outcome_slot: Vec<Option<usize>>,
    /// Per cohort indicator number: (its outcome's place in `events`, window in days).
    pub(super) rule: Vec<Option<(usize, i32)>>,
    /// Per outcome: a `visit` (participant, day) for every record, whatever its date:
    /// a follow-up of someone who started in the period may fall after it.
    pub(super) events: Vec<Vec<u128>>,
    /// The most cohorts one event starts (the width of `Fold::cohort_cells`).
    pub(super) width: usize,
    /// The latest day of any record read: a window still open then is not yet due.
    pub(super) latest_day: Option<i32>,
}

impl CohortRules {
    /// The rules of the cohort indicators among `wanted` (all when it is empty): a
    /// request without cohort rates folds no members or events.
    pub(super) fn new(library: &Library, numbers: &PlHashMap<&str, u32>, wanted: &[String]) -> CohortRules {
        let n = numbers.len();
        let mut rules = CohortRules {
            cohort_of: vec![Vec::new(); n],
            outcome_slot: vec![None; n],
            rule: vec![None; n],
            ..Default::default()
        };
        for (c, ind) in library.iter().enumerate() {
            let (Some(start), Some(end), Some(days)) = (&ind.cohort, &ind.outcome, ind.within_days) else { continue };
            let (Some(&start), Some(&end)) = (numbers.get(start.as_str()), numbers.get(end.as_str())) else { continue };
            if ind.roll_up() != RollUp::Cohort || !(wanted.is_empty() || wanted.contains(&ind.id)) {
                continue;
            }
            rules.cohort_of[start as usize].push(c as u32);
            rules.width = rules.width.max(rules.cohort_of[start as usize].len());
            let slot = *rules.outcome_slot[end as usize].get_or_insert_with(|| {
                rules.events.push(Vec::new());
                rules.events.len() - 1
            });
            rules.rule[c] = Some((slot, days as i32));
        }
        rules
    }

    pub(super) fn any(&self) -> bool {
        !self.events.is_empty()
    }
}

/// A cohort cell's members by what became of them.
#[derive(Default, Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct CohortCounts {
    pub(super) achieved: u64,
    pub(super) not_achieved: u64,
    pub(super) pending: u64,
}

/// A participant's record on a day, packed in one number that sorts by participant,
/// then day: 64 bits of the participant id's hash (two of ten million people share
/// one with probability about 3 in a million), then the day, offset to sort as signed.
pub(super) fn visit(person: u64, day: i32) -> u128 {
    u128::from(person) << 32 | u128::from((day as u32) ^ 0x8000_0000)
}

pub(super) fn person_of(visit: u128) -> u64 {
    (visit >> 32) as u64
}

pub(super) fn day_of(visit: u128) -> i32 {
    ((visit as u32) ^ 0x8000_0000) as i32
}

/// Each participant's earliest event in `members` (sorted and deduplicated here).
/// A member whose window [day, day + window] runs past `latest` (the data's latest
/// day) is pending, whether or not the outcome has come yet: counting early successes
/// of open windows but not their failures would lift the rate. Of the rest, achieved
/// if `events` (sorted) holds one of theirs inside the window, else not achieved.
pub(super) fn follow_up(members: &mut Vec<u128>, events: &[u128], window: i32, latest: i32) -> CohortCounts {
    members.sort_unstable();
    members.dedup_by_key(|m| person_of(*m));
    let mut counts = CohortCounts::default();
    // Members come in order, so each one's search starts where the last one's ended.
    let mut from = 0;
    for &member in members.iter() {
        let (person, day) = (person_of(member), day_of(member));
        let closes = day.saturating_add(window);
        if closes > latest {
            counts.pending += 1;
            continue;
        }
        // The first event of this person on or after the day.
        let at = from + first_not_below(&events[from..], member);
        from = at;
        if events.get(at).is_some_and(|&e| person_of(e) == person && day_of(e) <= closes) {
            counts.achieved += 1;
        } else {
            counts.not_achieved += 1;
        }
    }
    counts
}

/// `events.partition_point(|e| *e < x)`, galloping from the start: a step of 1, 2,
/// 4… then a binary search within the last step. A cohort's members are looked up in
/// order among millions of events, most a short way past the last one found; a
/// binary search over all of them missed the cache about twenty times a member
/// (follow-ups took 0.15 s of a 10M-record aggregate).
pub(super) fn first_not_below(events: &[u128], x: u128) -> usize {
    // events[..low] are all below x.
    let (mut low, mut step) = (0, 1);
    while low + step <= events.len() && events[low + step - 1] < x {
        low += step;
        step *= 2;
    }
    let high = (low + step).min(events.len());
    low + events[low..high].partition_point(|e| *e < x)
}

pub(super) fn count_of(part: CohortPart, c: &CohortCounts) -> u64 {
    match part {
        CohortPart::Achieved => c.achieved,
        CohortPart::NotAchieved => c.not_achieved,
        CohortPart::Pending => c.pending,
    }
}
