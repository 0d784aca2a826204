//! Consistency check of a planner's own funnel table (docs/handbook.md, the funnel: "a plan
//! whose stages do not chain must be reported").
//!
//! The table has one row per stage, in funnel order, with columns `stage` (or `name`),
//! `volume` (the stage's target volume) and `rate` (the planned share that reaches the
//! next stage; for the last stage, the share that converts to the goal event). The
//! check recomputes each link, `implied = volume[i] x rate[i]`, and compares it with the
//! next stage's planned volume: a link is flagged when
//! `|planned - implied| > tolerance x implied` (tolerance 1% by default). The last
//! stage's `volume x rate` are the conversions the plan really implies, and with an
//! average order value their revenue is compared with the goal the same way.
//!
//! Handbook table (25,000 / 15% -> 3,750 / 40% -> 1,500 / 70% -> 1,000 / 90%, aov 150,
//! goal 1,000,000): the link retention -> monetization is flagged (1,500 x 70.0% = 1,050,
//! not 1,000) and the implied revenue 1,000 x 90.0% x 150 = 135,000 falls short of the
//! goal by 865,000.

use super::error::{positive, FunnelError};
use super::plan::{table, Funnel, Stage};
use super::read::{number_cell, rate_cell, stage_column, text_cell};
use crate::table::{Column, Kind, Table};
use crate::units::Rate;

/// What to check the table against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CheckOptions {
    /// The revenue goal, if any.
    pub goal: Option<f64>,
    /// The average order value (needed to turn conversions into revenue).
    pub aov: Option<f64>,
    /// The relative gap beyond which a link or the goal is flagged (default 1%).
    pub tolerance: Rate,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            goal: None,
            aov: None,
            tolerance: Rate::new(0.01, "tolerance").unwrap_or_else(|_| unreachable!()),
        }
    }
}

/// One link of the plan: a stage's volume times its rate against the next stage's
/// planned volume. For the last stage, `to` is `conversions` and `planned` is `None`
/// (unless a goal and an aov give the conversions the goal needs, `goal / aov`).
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// The stage the volume leaves.
    pub from: String,
    /// The next stage (or `conversions` after the last stage).
    pub to: String,
    /// The stage's planned volume.
    pub volume: f64,
    /// The stage's planned rate.
    pub rate: Rate,
    /// `volume x rate`.
    pub implied: f64,
    /// The next stage's planned volume (after the last stage: `goal / aov`, if both
    /// are given).
    pub planned: Option<f64>,
    /// True when `|planned - implied| > tolerance x implied`.
    pub flagged: bool,
}

impl Link {
    /// `planned - implied` (how far the plan's number is from what the chain gives).
    pub fn gap(&self) -> Option<f64> {
        self.planned.map(|p| p - self.implied)
    }
}

/// The outcome of [`check_plan`].
#[derive(Debug, Clone, PartialEq)]
pub struct PlanCheck {
    /// One link per stage, in funnel order.
    pub links: Vec<Link>,
    /// The funnel made of the table's stages and rates (with the aov).
    pub funnel: Funnel,
    /// The conversions the plan implies: the last stage's `volume x rate`.
    pub implied_conversions: f64,
    /// `implied_conversions x aov` (`None` without an aov).
    pub implied_revenue: Option<f64>,
    /// The revenue goal, if given.
    pub goal: Option<f64>,
    /// True when the implied revenue differs from the goal by more than the tolerance.
    pub goal_flagged: bool,
    /// The first stage's volume the table's rates need to reach the goal
    /// (`goal / aov / product of rates`), when goal and aov are given and reachable.
    pub needed_entering: Option<f64>,
    /// The tolerance used.
    pub tolerance: Rate,
    /// One issue per flagged link and for a missed goal (the sentences are written by
    /// `render::check_issue_text`).
    pub issues: Vec<CheckIssue>,
}

/// What a check found wrong, with its facts.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckIssue {
    /// A stage's volume times its rate is not the next stage's planned volume.
    Link {
        /// The stage the volume leaves.
        from: String,
        /// The next stage.
        to: String,
        /// The stage's planned volume.
        volume: f64,
        /// The stage's rate.
        rate: Rate,
        /// `volume x rate`.
        implied: f64,
        /// The next stage's planned volume.
        planned: f64,
    },
    /// The revenue the chain implies misses (or exceeds) the goal.
    Goal {
        /// The last stage's volume.
        volume: f64,
        /// The last stage's rate.
        rate: Rate,
        /// The average order value.
        aov: f64,
        /// `volume x rate x aov`.
        revenue: f64,
        /// The goal.
        goal: f64,
    },
}

/// Checks a planner's table (columns `stage` or `name`, `volume`, `rate`; one row per
/// stage in order). Errors: a missing column, an empty or bad cell (file, line and
/// column named), a rate outside [0, 1], a negative volume, an empty table, repeated
/// stage names, or a goal without an aov.
pub fn check_plan(t: &Table, options: &CheckOptions) -> Result<PlanCheck, FunnelError> {
    let name_col = stage_column(t)?;
    t.require(&["volume", "rate"])?;
    if t.n_rows() == 0 {
        return Err(FunnelError::Invalid(format!(
            "funnel_check: {} has no rows; give one row per stage (stage, volume, rate)",
            t.source()
        )));
    }
    let mut stages = Vec::with_capacity(t.n_rows());
    let mut volumes = Vec::with_capacity(t.n_rows());
    for row in 0..t.n_rows() {
        let name = text_cell(t, row, name_col)?;
        let rate = rate_cell(t, row, "rate")?;
        let volume = number_cell(t, row, "volume")?.ok_or_else(|| {
            FunnelError::from(t.bad_cell(row, "volume", "a volume", "; the cell is empty"))
        })?;
        if !(volume.is_finite() && volume >= 0.0) {
            return Err(t.bad_cell(row, "volume", "a volume >= 0", "").into());
        }
        stages.push(Stage::new(&name, rate));
        volumes.push(volume);
    }
    if let Some(a) = options.aov {
        positive("funnel_check: aov", a)?;
    }
    if let Some(g) = options.goal {
        positive("funnel_check: goal", g)?;
        if options.aov.is_none() {
            return Err(FunnelError::Invalid(
                "funnel_check: a revenue goal needs the average order value, like #{ goal: 1000000, aov: 150 }".to_string(),
            ));
        }
    }
    let funnel = Funnel::new(stages, options.aov)?;
    let tol = options.tolerance.get();
    let off = |planned: f64, implied: f64| (planned - implied).abs() > tol * implied.abs();
    let st = funnel.stages();
    let mut links = Vec::with_capacity(st.len());
    let mut issues = Vec::new();
    for (i, s) in st.iter().enumerate() {
        let implied = volumes[i] * s.rate.get();
        let last = i + 1 == st.len();
        let planned = if last {
            options.goal.zip(options.aov).map(|(g, a)| g / a)
        } else {
            Some(volumes[i + 1])
        };
        let to = if last {
            "conversions".to_string()
        } else {
            st[i + 1].name.clone()
        };
        let flagged = !last && planned.is_some_and(|p| off(p, implied));
        if flagged {
            issues.push(CheckIssue::Link {
                from: s.name.clone(),
                to: to.clone(),
                volume: volumes[i],
                rate: s.rate,
                implied,
                planned: planned.unwrap_or_default(),
            });
        }
        links.push(Link {
            from: s.name.clone(),
            to,
            volume: volumes[i],
            rate: s.rate,
            implied,
            planned,
            flagged,
        });
    }
    let implied_conversions = links.last().map_or(0.0, |l| l.implied);
    let implied_revenue = options.aov.map(|a| implied_conversions * a);
    if let (Some(rev), Some(aov)) = (implied_revenue, options.aov) {
        if !rev.is_finite() {
            return Err(FunnelError::Invalid(format!(
                "funnel_check: the implied revenue ({} conversions x aov {}) is beyond the largest number pacer can hold; check aov",
                crate::units::show_number(implied_conversions),
                crate::units::show_number(aov)
            )));
        }
    }
    let mut goal_flagged = false;
    if let (Some(goal), Some(rev), Some(aov), Some(last)) =
        (options.goal, implied_revenue, options.aov, links.last())
    {
        goal_flagged = off(goal, rev);
        if goal_flagged {
            issues.push(CheckIssue::Goal {
                volume: last.volume,
                rate: last.rate,
                aov,
                revenue: rev,
                goal,
            });
        }
    }
    let needed_entering = match options.goal {
        Some(g) if options.aov.is_some() => funnel.for_revenue(g).ok().map(|p| p.entering),
        _ => None,
    };
    Ok(PlanCheck {
        links,
        funnel,
        implied_conversions,
        implied_revenue,
        goal: options.goal,
        goal_flagged,
        needed_entering,
        tolerance: options.tolerance,
        issues,
    })
}

impl PlanCheck {
    /// True when nothing was flagged.
    pub fn ok(&self) -> bool {
        self.issues.is_empty()
    }

    /// The links as a table `from, to, volume, rate, implied, planned, gap, gap_pct,
    /// flag` (`gap = planned - implied`, `gap_pct = gap / implied`; `flag` is `ok`,
    /// `inconsistent`, or empty when there is nothing to compare).
    pub fn to_table(&self) -> Table {
        let l = &self.links;
        let s = |g: fn(&Link) -> String| Column::text(l.iter().map(|x| Some(g(x))).collect());
        let f = |g: &dyn Fn(&Link) -> Option<f64>| Column::float(l.iter().map(g).collect());
        table(vec![
            ("from", s(|x| x.from.clone())),
            ("to", s(|x| x.to.clone())),
            ("volume", f(&|x| Some(x.volume)).with_kind(Kind::Count)),
            ("rate", f(&|x| Some(x.rate.get())).with_kind(Kind::Rate)),
            ("implied", f(&|x| Some(x.implied)).with_kind(Kind::Count)),
            ("planned", f(&|x| x.planned).with_kind(Kind::Count)),
            ("gap", f(&|x| x.gap()).with_kind(Kind::Count)),
            (
                "gap_pct",
                f(&|x| x.gap().filter(|_| x.implied > 0.0).map(|g| g / x.implied))
                    .with_kind(Kind::Change),
            ),
            (
                "flag",
                Column::text(
                    l.iter()
                        .enumerate()
                        .map(|(i, x)| {
                            let last = i + 1 == l.len();
                            Some(
                                if x.flagged || (last && self.goal_flagged) {
                                    "inconsistent"
                                } else if x.planned.is_none() {
                                    ""
                                } else {
                                    "ok"
                                }
                                .to_string(),
                            )
                        })
                        .collect(),
                ),
            ),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handbook_table() -> Table {
        let t = |v: &[&str]| Column::text(v.iter().map(|s| Some(s.to_string())).collect());
        Table::new(
            "plan.csv",
            vec![
                (
                    "stage".to_string(),
                    t(&["acquisition", "activation", "retention", "monetization"]),
                ),
                (
                    "volume".to_string(),
                    Column::int(vec![Some(25000), Some(3750), Some(1500), Some(1000)]),
                ),
                ("rate".to_string(), t(&["15%", "40%", "70%", "90%"])),
            ],
        )
        .unwrap()
    }

    fn opts() -> CheckOptions {
        CheckOptions {
            goal: Some(1_000_000.0),
            aov: Some(150.0),
            ..CheckOptions::default()
        }
    }

    #[test]
    fn handbook_table_is_flagged() {
        let c = check_plan(&handbook_table(), &opts()).unwrap();
        let flagged: Vec<(&str, &str)> = c
            .links
            .iter()
            .filter(|l| l.flagged)
            .map(|l| (l.from.as_str(), l.to.as_str()))
            .collect();
        assert_eq!(flagged, [("retention", "monetization")]);
        let l = &c.links[2];
        assert!((l.implied - 1050.0).abs() < 1e-9);
        assert_eq!(l.planned, Some(1000.0));
        assert!((l.gap().unwrap() + 50.0).abs() < 1e-9);
        // 1,000 x 90% = 900 conversions; x 150 = 135,000 against 1,000,000.
        assert!((c.implied_conversions - 900.0).abs() < 1e-9);
        assert!((c.implied_revenue.unwrap() - 135_000.0).abs() < 1e-6);
        assert!(c.goal_flagged);
        assert_eq!(c.issues.len(), 2);
        assert!(matches!(
            &c.issues[0],
            CheckIssue::Link { from, to, planned, .. }
                if from == "retention" && to == "monetization" && *planned == 1000.0
        ));
        assert!(matches!(
            c.issues[1],
            CheckIssue::Goal { revenue, goal, .. }
                if (revenue - 135_000.0).abs() < 1e-6 && goal == 1_000_000.0
        ));
        // 1,000,000 / 150 / 0.0378 = 176,366.8
        assert_eq!(format!("{:.1}", c.needed_entering.unwrap()), "176366.8");
        let t = c.to_table();
        assert_eq!(t.n_rows(), 4);
        assert_eq!(t.value(2, "flag").unwrap().as_f64(), None);
    }

    #[test]
    fn consistent_plan_passes_within_tolerance() {
        let mut o = opts();
        o.goal = None;
        let t = Table::new(
            "p.csv",
            vec![
                (
                    "name".to_string(),
                    Column::text(vec![Some("a".into()), Some("b".into())]),
                ),
                (
                    "volume".to_string(),
                    Column::float(vec![Some(1000.0), Some(100.5)]),
                ),
                (
                    "rate".to_string(),
                    Column::float(vec![Some(0.1), Some(0.5)]),
                ),
            ],
        )
        .unwrap();
        let c = check_plan(&t, &o).unwrap();
        assert!(c.ok(), "{:?}", c.issues);
        o.tolerance = Rate::new(0.001, "t").unwrap();
        assert!(!check_plan(&t, &o).unwrap().ok());
    }

    #[test]
    fn bad_tables() {
        let t = handbook_table();
        let dropped = Table::new(
            "plan.csv",
            vec![
                ("stage".to_string(), t.column("stage").unwrap().clone()),
                ("rate".to_string(), t.column("rate").unwrap().clone()),
            ],
        )
        .unwrap();
        let e = check_plan(&dropped, &opts()).unwrap_err().to_string();
        assert!(e.contains("no column named 'volume'"), "{e}");
        let zero = Table::new(
            "z.csv",
            vec![
                (
                    "stage".to_string(),
                    Column::text(vec![Some("a".into()), Some("b".into())]),
                ),
                ("volume".to_string(), Column::int(vec![Some(0), Some(10)])),
                (
                    "rate".to_string(),
                    Column::float(vec![Some(0.5), Some(0.5)]),
                ),
            ],
        )
        .unwrap();
        let c = check_plan(&zero, &CheckOptions::default()).unwrap();
        assert!(matches!(
            c.issues.as_slice(),
            [CheckIssue::Link { implied, planned, .. }] if *implied == 0.0 && *planned == 10.0
        ));
        let e = check_plan(
            &t,
            &CheckOptions {
                goal: Some(0.0),
                ..opts()
            },
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("goal must be a positive number, got 0"), "{e}");
        let e = check_plan(
            &t,
            &CheckOptions {
                aov: None,
                ..opts()
            },
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("needs the average order value"), "{e}");
    }

    fn plan_table(stages: &[(String, f64)], volumes: &[f64]) -> Table {
        Table::new(
            "gen.csv",
            vec![
                (
                    "stage".to_string(),
                    Column::text(stages.iter().map(|s| Some(s.0.clone())).collect()),
                ),
                (
                    "volume".to_string(),
                    Column::float(volumes.iter().map(|v| Some(*v)).collect()),
                ),
                (
                    "rate".to_string(),
                    Column::float(stages.iter().map(|s| Some(s.1)).collect()),
                ),
            ],
        )
        .unwrap()
    }

    proptest::proptest! {
        /// A table written from a forward projection always chains and meets the goal
        /// it implies; moving one stage's volume by 5% flags exactly the links into and
        /// out of that stage.
        #[test]
        fn forward_plans_chain_and_perturbations_are_found(
            rates in proptest::collection::vec(0.01f64..=1.0, 2..10),
            entering in 1.0f64..1e8,
            pick in 0usize..100,
            up in proptest::bool::ANY,
        ) {
            let stages: Vec<(String, f64)> = rates
                .iter()
                .enumerate()
                .map(|(i, r)| (format!("s{i}"), *r))
                .collect();
            let f = Funnel::new(
                stages.iter().map(|(n, r)| Stage::new(n, Rate::new(*r, "r").unwrap())).collect(),
                Some(150.0),
            )
            .unwrap();
            let p = f.forward(entering).unwrap();
            let mut volumes: Vec<f64> = p.rows.iter().map(|r| r.volume).collect();
            let o = CheckOptions { goal: Some(p.revenue), aov: Some(150.0), ..CheckOptions::default() };
            let c = check_plan(&plan_table(&stages, &volumes), &o).unwrap();
            proptest::prop_assert!(c.ok(), "{:?}", c.issues);
            let k = 1 + pick % (volumes.len() - 1);
            volumes[k] *= if up { 1.05 } else { 0.95 };
            let o = CheckOptions { goal: None, ..o };
            let c = check_plan(&plan_table(&stages, &volumes), &o).unwrap();
            let flagged: Vec<usize> =
                c.links.iter().enumerate().filter(|(_, l)| l.flagged).map(|(i, _)| i).collect();
            // The link into stage k is flagged (its volume is 5% off what the stage
            // before implies), and so is the link out of it (what it implies moved 5%
            // away from the next stage's volume); nothing else.
            let expected: Vec<usize> = if k + 1 < volumes.len() { vec![k - 1, k] } else { vec![k - 1] };
            proptest::prop_assert_eq!(flagged, expected);
        }
    }
}
