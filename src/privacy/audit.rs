//! The audit of what a release publishes: for every withheld cell, the interval a
//! reader can work out from every published figure and every published sum, by
//! integer linear programming (minimise and maximise the cell over all values of the
//! withheld cells that fit the published figures), as τ-ARGUS's audit does. A cell
//! whose interval holds one value only has been given away.
//!
//! What a reader is taken to know: each published value; each sum's relation
//! (a total is the sum of its parts, or at least or at most it); that a count shown
//! as "<t" is 1 to t − 1 and one shown as "[c]" any count; that counts are whole.
//! Withheld cells that share no sum are solved apart (a connected component each).

use good_lp::{microlp, variable, Expression, ProblemVariables, ResolutionError, Solution, SolverModel, Variable};

use super::suppress::{known_range, Relation, Sum};
use super::Withheld;

/// What a release publishes, as the audit reads it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Problem {
    /// Each cell's value where it is published (None where withheld).
    pub value: Vec<Option<f64>>,
    /// Why each cell is withheld (`No` where published).
    pub withheld: Vec<Withheld>,
    /// The published relations between cells (each with its total).
    pub sums: Vec<Sum>,
    /// The threshold the marks speak of.
    pub threshold: u32,
}

impl Problem {
    /// What a reader sees of cells whose true values are `values`: every value but
    /// the withheld ones, why those are withheld, and the published sums.
    pub fn seen(values: &[f64], withheld: &[Withheld], sums: &[Sum], threshold: u32) -> Problem {
        Problem {
            value: values.iter().zip(withheld).map(|(v, w)| (!w.is_withheld()).then_some(*v)).collect(),
            withheld: withheld.to_vec(),
            sums: sums.to_vec(),
            threshold,
        }
    }
}

/// What a reader can work out about one withheld cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Finding {
    /// The cell.
    pub cell: usize,
    /// The least value the published figures allow it.
    pub low: f64,
    /// The greatest (infinite when nothing bounds it).
    pub high: f64,
}

impl Finding {
    /// Only one value is possible: the cell is given away.
    pub fn pinned(&self) -> bool {
        self.high - self.low < 1.0 - 1e-6
    }
}

/// Why an audit could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AuditError {
    /// The published figures contradict the sums (no values of the withheld cells fit).
    #[error("the published figures do not fit their sums around cell {0} (no values of the withheld cells fit)")]
    Inconsistent(usize),
    /// The solver failed.
    #[error("the solver failed on the sums around cell {cell}: {why}")]
    Solver {
        /// A cell of the component.
        cell: usize,
        /// What the solver said.
        why: String,
    },
}

/// Every withheld cell's interval (counts of people only: rates and statistics are
/// withheld with the counts they rest on), in cell order.
pub fn audit(problem: &Problem) -> Result<Vec<Finding>, AuditError> {
    audit_again(problem, None, None)
}

/// `audit`, reusing an earlier audit's findings for the components none of whose cells
/// (nor the cells of their sums) are among `changed` since. With the cells' true
/// values (`truth`, which the publisher has and a reader has not), each finding is
/// only as wide as it must be to show whether the cell is pinned: the true values are
/// one feasible point, and a cell is open as soon as a second feasible point differs
/// in it, which one program over many cells often shows for all of them at once.
pub fn audit_again(
    problem: &Problem,
    earlier: Option<(&[Finding], &[bool])>,
    truth: Option<&[f64]>,
) -> Result<Vec<Finding>, AuditError> {
    let n = problem.value.len();
    let hidden = |i: usize| matches!(problem.withheld[i], Withheld::Small | Withheld::Secondary);
    // Components: withheld cells joined by the sums they share.
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let usable: Vec<&Sum> = problem.sums.iter().filter(|s| s.total.is_some()).collect();
    for sum in &usable {
        let mut members = sum.members().filter(|i| hidden(*i));
        if let Some(first) = members.next() {
            for other in members {
                let (a, b) = (root(&mut parent, first), root(&mut parent, other));
                parent[a] = b;
            }
        }
    }
    let mut components: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for i in (0..n).filter(|i| hidden(*i)) {
        components.entry(root(&mut parent, i)).or_default().push(i);
    }
    let mut sums_of: std::collections::BTreeMap<usize, Vec<&Sum>> = Default::default();
    for sum in &usable {
        if let Some(i) = sum.members().find(|i| hidden(*i)) {
            sums_of.entry(root(&mut parent, i)).or_default().push(sum);
        }
    }
    let mut findings = Vec::new();
    let value: Vec<f64> = problem.value.iter().map(|v| v.unwrap_or(0.0)).collect();
    let known: std::collections::HashMap<usize, Finding> =
        earlier.map(|(f, _)| f.iter().map(|f| (f.cell, *f)).collect()).unwrap_or_default();
    for (root_cell, cells) in components {
        let sums = sums_of.get(&root_cell).map_or(&[][..], Vec::as_slice);
        let unchanged = earlier.is_some_and(|(_, changed)| {
            cells.iter().all(|c| !changed[*c] && known.contains_key(c))
                && sums.iter().all(|s| s.members().all(|m| !changed[m]))
        });
        if unchanged {
            findings.extend(cells.iter().filter_map(|c| known.get(c).copied()));
        } else {
            findings.extend(match truth {
                Some(truth) if sums.len() > 1 => witnessed(problem, truth, &cells, sums)?,
                _ => component(problem, &value, &cells, sums)?,
            });
        }
    }
    findings.sort_by_key(|f| f.cell);
    Ok(findings)
}

/// The intervals of one component's cells.
fn component(problem: &Problem, value: &[f64], cells: &[usize], sums: &[&Sum]) -> Result<Vec<Finding>, AuditError> {
    let limit = f64::from(problem.threshold);
    // A cell tied by no sum keeps its mark's interval.
    if sums.is_empty() {
        return Ok(cells
            .iter()
            .map(|&cell| {
                let (low, high) = known_range(0.0, problem.withheld[cell], limit);
                Finding { cell, low, high }
            })
            .collect());
    }
    // One relation alone: interval arithmetic gives each cell's interval exactly.
    if let [sum] = sums {
        let hidden: Vec<usize> = sum.members().filter(|m| cells.contains(m)).collect();
        return Ok(cells
            .iter()
            .map(|&cell| {
                let (low, high) = super::suppress::interval(sum, cell, &hidden, value, &problem.withheld, limit);
                Finding { cell, low: low.ceil(), high: high.floor() }
            })
            .collect());
    }
    let mut out = Vec::with_capacity(cells.len());
    for &cell in cells {
        let low = extreme(problem, cells, sums, cell, false)?;
        let high = extreme(problem, cells, sums, cell, true)?;
        out.push(Finding { cell, low, high });
    }
    Ok(out)
}

/// Each cell's range as far as feasible points show it, from the true values: first
/// the points that make all undecided cells as large (then as small) as they can be
/// together, then each cell still at its true value on its own.
fn witnessed(problem: &Problem, truth: &[f64], cells: &[usize], sums: &[&Sum]) -> Result<Vec<Finding>, AuditError> {
    let mut range: std::collections::BTreeMap<usize, (f64, f64)> =
        cells.iter().map(|&c| (c, (truth[c], truth[c]))).collect();
    let mut undecided: Vec<usize> = cells.to_vec();
    for greatest in [true, false] {
        if undecided.is_empty() {
            break;
        }
        if let Solved::Point(point) = solve(problem, cells, sums, &undecided, greatest)? {
            for (c, v) in point {
                let r = range.entry(c).or_insert((v, v));
                *r = (r.0.min(v), r.1.max(v));
            }
            undecided.retain(|c| range[c].1 - range[c].0 < 1.0 - 1e-6);
        }
    }
    for cell in undecided {
        let high = extreme(problem, cells, sums, cell, true)?;
        let low =
            if high - truth[cell] >= 1.0 - 1e-6 { truth[cell] } else { extreme(problem, cells, sums, cell, false)? };
        range.insert(cell, (low.min(truth[cell]), high.max(truth[cell])));
    }
    Ok(range.into_iter().map(|(cell, (low, high))| Finding { cell, low, high }).collect())
}

/// The least (or greatest) value of `target` over the component's feasible values.
fn extreme(
    problem: &Problem,
    cells: &[usize],
    sums: &[&Sum],
    target: usize,
    greatest: bool,
) -> Result<f64, AuditError> {
    match solve(problem, cells, sums, &[target], greatest)? {
        Solved::Point(point) => Ok(point.iter().find(|(c, _)| *c == target).map_or(f64::NAN, |(_, v)| *v)),
        Solved::Unbounded => Ok(if greatest { f64::INFINITY } else { f64::NEG_INFINITY }),
    }
}

/// A program's answer: a feasible point (the component's cells and their values), or
/// no bound on the objective.
enum Solved {
    Point(Vec<(usize, f64)>),
    Unbounded,
}

/// A feasible point of the component that makes the sum of `targets` least (or
/// greatest).
fn solve(
    problem: &Problem,
    cells: &[usize],
    sums: &[&Sum],
    targets: &[usize],
    greatest: bool,
) -> Result<Solved, AuditError> {
    let limit = f64::from(problem.threshold);
    let mut vars = ProblemVariables::new();
    let var_of: std::collections::HashMap<usize, Variable> = cells
        .iter()
        .map(|&i| {
            let (lo, hi) = known_range(0.0, problem.withheld[i], limit);
            let def = variable().integer().min(lo);
            (i, vars.add(if hi.is_finite() { def.max(hi) } else { def }))
        })
        .collect();
    let term = |i: usize| -> Expression {
        match var_of.get(&i) {
            Some(v) => Expression::from(*v),
            None => Expression::from(problem.value[i].unwrap_or(0.0)),
        }
    };
    let objective: Expression = targets.iter().map(|t| Expression::from(var_of[t])).sum();
    let target = targets[0];
    let unsolved = if greatest { vars.maximise(objective) } else { vars.minimise(objective) };
    let mut model = unsolved.using(microlp);
    for sum in sums {
        let Some(total_cell) = sum.total else { continue };
        let total = term(total_cell);
        let parts: Expression = sum.parts.iter().map(|p| term(*p)).sum();
        model = match sum.relation {
            Relation::Equal => model.with(good_lp::constraint::eq(total, parts)),
            Relation::AtLeast => model.with(good_lp::constraint::geq(total, parts)),
            Relation::AtMost { within } => {
                let mut m = model.with(good_lp::constraint::leq(total.clone(), parts));
                if within {
                    for p in &sum.parts {
                        m = m.with(good_lp::constraint::leq(term(*p), total.clone()));
                    }
                }
                m
            }
            Relation::Within => {
                let mut m = model;
                for p in &sum.parts {
                    m = m.with(good_lp::constraint::leq(term(*p), total.clone()));
                }
                m
            }
        };
    }
    // The solver is not ours: a panic in it is an error of the audit, not a crash.
    let solved = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| model.solve()));
    match solved {
        Ok(Ok(solution)) => Ok(Solved::Point(cells.iter().map(|c| (*c, solution.value(var_of[c]).round())).collect())),
        Ok(Err(ResolutionError::Unbounded)) => Ok(Solved::Unbounded),
        Ok(Err(ResolutionError::Infeasible)) => Err(AuditError::Inconsistent(target)),
        Ok(Err(e)) => Err(AuditError::Solver { cell: target, why: e.to_string() }),
        Err(_) => Err(AuditError::Solver { cell: target, why: "the solver stopped".into() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(value: &[f64], withheld: &[Withheld], sums: Vec<Sum>) -> Problem {
        Problem {
            value: value.iter().zip(withheld).map(|(v, w)| (!w.is_withheld()).then_some(*v)).collect(),
            withheld: withheld.to_vec(),
            sums,
            threshold: 5,
        }
    }

    #[test]
    fn a_total_less_its_published_parts_gives_a_lone_cell_away() {
        use Withheld::*;
        // 20 = [<5] + 17: the small count is 3.
        let p = problem(
            &[20.0, 3.0, 17.0],
            &[No, Small, No],
            vec![Sum { total: Some(0), parts: vec![1, 2], relation: Relation::Equal }],
        );
        let f = audit(&p).unwrap();
        assert_eq!((f[0].low, f[0].high), (3.0, 3.0));
        assert!(f[0].pinned());
        // With the 17 withheld too: 3 + c = 20 leaves 1 to 4 and 16 to 19.
        let p = problem(
            &[20.0, 3.0, 17.0],
            &[No, Small, Secondary],
            vec![Sum { total: Some(0), parts: vec![1, 2], relation: Relation::Equal }],
        );
        let f = audit(&p).unwrap();
        assert_eq!((f[0].low, f[0].high, f[1].low, f[1].high), (1.0, 4.0, 16.0, 19.0));
    }

    #[test]
    fn two_sums_together_can_give_away_what_each_keeps() {
        use Withheld::*;
        // A 2 × 2 table with its margins, the small count and one other cell withheld:
        //   a  b | 10        a = 3 (small), b = 7 withheld ([c])
        //   c  d | 30        c = 12, d = 18 published
        //  15 25 | 40
        // Row 1: a + b = 10; column 1: a + 12 = 15, so a = 3: given away through the column.
        let cells = [3.0, 7.0, 12.0, 18.0, 10.0, 30.0, 15.0, 25.0];
        let w = [Small, Secondary, No, No, No, No, No, No];
        let sums = vec![
            Sum { total: Some(4), parts: vec![0, 1], relation: Relation::Equal },
            Sum { total: Some(5), parts: vec![2, 3], relation: Relation::Equal },
            Sum { total: Some(6), parts: vec![0, 2], relation: Relation::Equal },
            Sum { total: Some(7), parts: vec![1, 3], relation: Relation::Equal },
        ];
        let f = audit(&problem(&cells, &w, sums.clone())).unwrap();
        assert!(f[0].pinned() && f[1].pinned(), "{f:?}");
        // From the true values, the same verdict: no second point differs in a or b.
        let f = audit_again(&problem(&cells, &w, sums.clone()), None, Some(&cells)).unwrap();
        assert!(f[0].pinned() && f[1].pinned(), "{f:?}");
        // With c withheld too, a second point shows each open (a = 4, b = 6, c = 11, …).
        let w = [Small, Secondary, Secondary, Secondary, No, No, No, No];
        let f = audit_again(&problem(&cells, &w, sums), None, Some(&cells)).unwrap();
        assert!(f.iter().all(|f| !f.pinned()), "{f:?}");
    }

    #[test]
    fn a_cell_no_sum_ties_keeps_its_marks_interval() {
        let p = problem(&[3.0], &[Withheld::Small], Vec::new());
        let f = audit(&p).unwrap();
        assert_eq!((f[0].low, f[0].high), (1.0, 4.0));
    }
}
