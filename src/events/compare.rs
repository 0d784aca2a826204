//! Planned versus observed: a plan's stage rates lined up against the rates an
//! observed funnel shows, and the gaps ranked by their effect on revenue.
//!
//! The planning funnel is multiplicative (docs/handbook.md, the funnel): with `E` entering
//! users, stage rates `r1..rm` and average order value `aov`,
//! `revenue = E x r1 x ... x rm x aov`. The effect of stage i's gap alone (every
//! other rate as planned) is therefore
//! `E x aov x (prod over j != i of r_j) x (observed_i - planned_i)`,
//! and the revenue at all observed rates is `E x aov x prod of observed_j`. The
//! effects do not add up to the total difference when several rates miss (the
//! product has cross terms); the report shows both.
//!
//! Stage i of the plan is matched with the observed step i -> step i+1, so the
//! observed funnel has one step more than the plan has stages (its last step is the
//! plan's goal event, e.g. purchase). Observed rates are over all breakdown groups
//! together (each user belongs to exactly one group).

use super::error::EventsError;
use super::observed::ObservedFunnel;
use crate::table::{Column, Table};
use crate::units::Rate;

/// One planned stage: its name and planned rate to the next stage.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedStage {
    /// The stage's name.
    pub name: String,
    /// The planned share of this stage's volume that reaches the next stage.
    pub rate: Rate,
}

/// One stage's planned and observed rate, and the gap's effect.
#[derive(Debug, Clone, PartialEq)]
pub struct StageGap {
    /// The plan's stage name.
    pub stage: String,
    /// The observed transition, `from -> to`.
    pub observed_step: String,
    /// The planned rate.
    pub planned_rate: f64,
    /// The observed rate (`users at next step / users at this step`); `None` when
    /// no user reached this step.
    pub observed_rate: Option<f64>,
    /// `observed - planned`, in rate units (0.01 = one point).
    pub gap: Option<f64>,
    /// The change in conversions if only this stage ran at its observed rate.
    pub conversions_effect: Option<f64>,
    /// The change in revenue if only this stage ran at its observed rate.
    pub revenue_effect: Option<f64>,
}

/// The comparison: stages ranked by the size of their revenue effect (largest
/// first; stages without an observed rate last).
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Entering volume the effects are computed for.
    pub entering: f64,
    /// Average order value (revenue per conversion); without one, no revenue figures.
    pub aov: Option<f64>,
    /// Planned conversions and revenue.
    pub planned_conversions: f64,
    /// Planned revenue (`None` without an aov).
    pub planned_revenue: Option<f64>,
    /// Conversions and revenue with every rate as observed (`None` when a stage has
    /// no observed rate).
    pub observed_conversions: Option<f64>,
    /// Revenue with every rate as observed.
    pub observed_revenue: Option<f64>,
    /// The stages, ranked.
    pub stages: Vec<StageGap>,
}

/// Lines `planned` up against `observed` for `entering` users and `aov` (`None`:
/// effects in conversions only).
pub fn compare(
    planned: &[PlannedStage],
    entering: f64,
    aov: Option<f64>,
    observed: &ObservedFunnel,
) -> Result<Comparison, EventsError> {
    if planned.is_empty() {
        return Err(EventsError::Invalid(
            "compare: the plan has no stages".to_string(),
        ));
    }
    if !(entering.is_finite() && entering >= 0.0) {
        return Err(EventsError::Invalid(format!(
            "compare: entering must be a number >= 0, got {entering}"
        )));
    }
    if let Some(a) = aov.filter(|a| !(a.is_finite() && *a >= 0.0)) {
        return Err(EventsError::Invalid(format!(
            "compare: aov must be a number >= 0, got {a}"
        )));
    }
    let users = observed.step_users();
    if users.len() != planned.len() + 1 {
        return Err(EventsError::Invalid(format!(
            "compare: the plan has {} stages, so the observed funnel needs {} steps (each stage's rate leads to the next step, the last to the goal event), but it has {} ({})",
            planned.len(),
            planned.len() + 1,
            users.len(),
            users.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>().join(" -> ")
        )));
    }
    let rates: Vec<f64> = planned.iter().map(|s| s.rate.get()).collect();
    let product = |skip: Option<usize>| -> f64 {
        rates
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != skip)
            .map(|(_, r)| r)
            .product()
    };
    let planned_conversions = entering * product(None);
    let mut stages: Vec<StageGap> = planned
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let (from, n_from) = &users[i];
            let (to, n_to) = &users[i + 1];
            let observed_rate = (*n_from > 0).then(|| *n_to as f64 / *n_from as f64);
            let gap = observed_rate.map(|o| o - rates[i]);
            let conversions_effect = gap.map(|g| entering * product(Some(i)) * g);
            StageGap {
                stage: st.name.clone(),
                observed_step: format!("{from} -> {to}"),
                planned_rate: rates[i],
                observed_rate,
                gap,
                conversions_effect,
                revenue_effect: conversions_effect.and_then(|c| aov.map(|a| c * a)),
            }
        })
        .collect();
    let observed_conversions = stages
        .iter()
        .map(|s| s.observed_rate)
        .collect::<Option<Vec<f64>>>()
        .map(|r| entering * r.iter().product::<f64>());
    stages.sort_by(|a, b| {
        let key = |s: &StageGap| s.conversions_effect.map(f64::abs);
        match (key(a), key(b)) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
    });
    Ok(Comparison {
        entering,
        aov,
        planned_conversions,
        planned_revenue: aov.map(|a| planned_conversions * a),
        observed_conversions,
        observed_revenue: observed_conversions.and_then(|c| aov.map(|a| c * a)),
        stages,
    })
}

impl Comparison {
    /// The ranked table: `rank, stage, observed_step, planned_rate, observed_rate,
    /// gap, conversions_effect, revenue_effect`.
    pub fn to_table(&self) -> Result<Table, crate::table::TableError> {
        let s = &self.stages;
        let cols = vec![
            (
                "rank".to_string(),
                Column::int((1..=s.len() as i64).map(Some).collect()),
            ),
            (
                "stage".to_string(),
                Column::text(s.iter().map(|x| Some(x.stage.clone())).collect()),
            ),
            (
                "observed_step".to_string(),
                Column::text(s.iter().map(|x| Some(x.observed_step.clone())).collect()),
            ),
            (
                "planned_rate".to_string(),
                Column::float(s.iter().map(|x| Some(x.planned_rate)).collect()),
            ),
            (
                "observed_rate".to_string(),
                Column::float(s.iter().map(|x| x.observed_rate).collect()),
            ),
            (
                "gap".to_string(),
                Column::float(s.iter().map(|x| x.gap).collect()),
            ),
            (
                "conversions_effect".to_string(),
                Column::float(s.iter().map(|x| x.conversions_effect).collect()),
            ),
            (
                "revenue_effect".to_string(),
                Column::float(s.iter().map(|x| x.revenue_effect).collect()),
            ),
        ];
        Table::new("compare", cols)
    }

    /// A summary line: planned against observed-rate conversions and revenue.
    pub fn summary(&self) -> String {
        use crate::render::format_display;
        let money = |c: f64| match self.aov {
            Some(a) => format!(
                "{} conversions, revenue {}",
                format_display(c),
                format_display(c * a)
            ),
            None => format!("{} conversions", format_display(c)),
        };
        let obs = match self.observed_conversions {
            Some(c) => format!("at the observed rates {}", money(c)),
            None => "a stage has no observed users, so no observed total".to_string(),
        };
        let aov = self.aov.map_or("no aov".to_string(), |a| {
            format!("aov {}", format_display(a))
        });
        format!(
            "Plan vs observed for {} entering, {aov}: planned {}; {obs}\nGaps ranked by their effect (each stage alone at its observed rate):\n",
            format_display(self.entering),
            money(self.planned_conversions),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{funnel_from_table, FunnelSpec, Window};

    /// `reach[k]` users reach step k (one second apart).
    fn observed_with(steps: &[&str], reach: &[usize]) -> ObservedFunnel {
        let (mut users, mut events, mut times) = (Vec::new(), Vec::new(), Vec::new());
        for u in 0..reach[0] {
            let depth = reach.iter().filter(|&&r| u < r).count();
            for (k, name) in steps.iter().take(depth).enumerate() {
                users.push(Some(format!("u{u}")));
                events.push(Some(name.to_string()));
                times.push(Some(1_000 + k as i64));
            }
        }
        let t = Table::new(
            "t",
            vec![
                ("user_id".into(), Column::text(users)),
                ("event".into(), Column::text(events)),
                ("timestamp".into(), Column::int(times)),
            ],
        )
        .expect("table");
        let spec = FunnelSpec::new(
            steps.iter().map(|s| s.to_string()).collect(),
            Window::parse("1h").expect("window"),
        )
        .expect("spec");
        funnel_from_table(&t, &spec).expect("funnel")
    }

    /// 100 users reach a, 50 of them b, 10 of those c.
    fn observed() -> ObservedFunnel {
        observed_with(&["a", "b", "c"], &[100, 50, 10])
    }

    fn stage(name: &str, r: f64) -> PlannedStage {
        PlannedStage {
            name: name.into(),
            rate: Rate::new(r, "rate").expect("rate"),
        }
    }

    #[test]
    fn effects_follow_the_product_formula_and_are_ranked() {
        let c = compare(
            &[stage("a", 0.4), stage("b", 0.3)],
            1000.0,
            Some(10.0),
            &observed(),
        )
        .expect("compare");
        assert!((c.planned_conversions - 120.0).abs() < 1e-9);
        assert!((c.planned_revenue.expect("aov") - 1200.0).abs() < 1e-9);
        assert!((c.observed_revenue.expect("observed") - 1000.0).abs() < 1e-9);
        // b: 1000 x 10 x 0.4 x (0.2 - 0.3) = -400 ranks above a: 1000 x 10 x 0.3 x 0.1 = 300.
        assert_eq!(c.stages[0].stage, "b");
        assert_eq!(c.stages[0].observed_step, "b -> c");
        assert!((c.stages[0].revenue_effect.expect("effect") + 400.0).abs() < 1e-9);
        assert!((c.stages[1].revenue_effect.expect("effect") - 300.0).abs() < 1e-9);
        assert!((c.stages[1].observed_rate.expect("rate") - 0.5).abs() < 1e-12);
    }

    #[test]
    fn handbook_plan_against_an_observed_funnel() {
        // docs/handbook.md, the funnel: 25,000 x 15% x 40% x 70% x 90% = 945 conversions,
        // x 150 = 141,750 revenue.
        let plan = [
            stage("acquisition", 0.15),
            stage("activation", 0.4),
            stage("retention", 0.7),
            stage("monetization", 0.9),
        ];
        let seen = observed_with(&["s1", "s2", "s3", "s4", "buy"], &[1000, 150, 60, 42, 36]);
        let c = compare(&plan, 25_000.0, Some(150.0), &seen).expect("compare");
        assert!((c.planned_conversions - 945.0).abs() < 1e-9);
        assert!((c.planned_revenue.expect("aov") - 141_750.0).abs() < 1e-6);
        // Observed 15%, 40%, 70%, 36/42: only monetization misses, by 90% - 6/7.
        let gap = 36.0 / 42.0 - 0.9;
        assert_eq!(c.stages[0].stage, "monetization");
        let want = 25_000.0 * 0.15 * 0.4 * 0.7 * gap * 150.0;
        assert!((c.stages[0].revenue_effect.expect("effect") - want).abs() < 1e-6);
        assert!(c.stages[1..]
            .iter()
            .all(|s| s.gap.expect("gap").abs() < 1e-12));
        let e = compare(&plan[..3], 25_000.0, Some(150.0), &seen).expect_err("3 stages, 5 steps");
        assert!(e.to_string().contains("needs 4 steps"), "{e}");
    }

    #[test]
    fn bad_arguments() {
        let o = observed();
        assert!(compare(&[], 1.0, None, &o).is_err());
        assert!(compare(&[stage("a", 0.4), stage("b", 0.3)], -1.0, None, &o).is_err());
        assert!(compare(&[stage("a", 0.4), stage("b", 0.3)], 1.0, Some(f64::NAN), &o).is_err());
        let c = compare(&[stage("a", 0.4), stage("b", 0.3)], 1.0, None, &o).expect("no aov");
        assert!(c.stages.iter().all(|s| s.revenue_effect.is_none()) && c.planned_revenue.is_none());
    }
}
