//! Gap attribution through the funnel (docs/handbook.md, the review, step 2):
//! the revenue gap between plan and actual split into one contribution per factor of
//! the funnel — the entering traffic, each stage's conversion rate, the average order
//! value — adding up exactly to the gap, by an order-free method ([`super::decompose`](mod@super::decompose)).
//!
//! The funnel is given as plain numbers ([`FunnelNumbers`]): the entering volume, one
//! rate per stage (the share of the stage that reaches the next one, as in the funnel
//! domain's `Stage`), and optionally the average order value. It can be built from
//! stage volumes ([`FunnelNumbers::from_volumes`]).

use super::decompose::{decompose, Method};
use super::error::{non_negative, ReviewError};
use crate::funnel::FunnelPlan;
use crate::table::{Column, Kind, Table};
use crate::units::Rate;

/// One conversion step: the stage it leaves and the share that reaches the next one.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The stage the rate belongs to (the one it leaves).
    pub stage: String,
    /// The stage (or `conversions`) it leads to, for labels.
    pub next: String,
    /// The share of the stage that reaches the next one.
    pub rate: Rate,
    /// The user's own name for the rate (`CTR`, `sign-up conversion`), when given.
    pub name: Option<String>,
}

/// A funnel as numbers: `result = entering x rate_1 x ... x rate_k (x aov)`.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelNumbers {
    /// The name of the entering stage (`impressions`, `visitors`).
    pub entering_stage: String,
    /// The entering volume.
    pub entering: f64,
    /// The conversion steps, top to bottom.
    pub steps: Vec<Step>,
    /// The average order value, when the result is revenue.
    pub aov: Option<f64>,
}

/// What kind of factor a contribution belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactorKind {
    /// The entering volume (traffic).
    Entering,
    /// A stage's conversion rate.
    Rate,
    /// The average order value.
    Aov,
}

/// A named factor of the funnel's product.
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    /// The name shown in tables and accepted by `recover`: the entering stage's name;
    /// for a rate the user's own name (`CTR`, `sign-up conversion`), else
    /// `<stage> → <next>`; `average order value`.
    pub name: String,
    /// The identifier that is always accepted as well (older scripts use it): the
    /// entering stage's name, `<stage>_rate`, `aov`.
    pub id: String,
    /// A readable description (`visits → signups`).
    pub label: String,
    /// Volume, rate or order value.
    pub kind: FactorKind,
    /// The value.
    pub value: f64,
}

impl Factor {
    /// Whether `key` names this factor: its name (any case), its identifier, or
    /// `entering` for the entering traffic.
    pub fn answers_to(&self, key: &str) -> bool {
        let k = key.trim();
        self.name.to_lowercase() == k.to_lowercase()
            || self.id == k
            || (k == "entering" && self.kind == FactorKind::Entering)
    }
}

impl FunnelNumbers {
    /// Checks and builds a funnel: the entering volume and the aov must be finite and
    /// `>= 0`, stage names non-empty and unique.
    pub fn new(
        entering_stage: &str,
        entering: f64,
        steps: Vec<Step>,
        aov: Option<f64>,
    ) -> Result<FunnelNumbers, ReviewError> {
        non_negative(
            &format!("funnel: entering volume ({entering_stage})"),
            entering,
        )?;
        if let Some(a) = aov {
            non_negative("funnel: aov", a)?;
        }
        if entering_stage.trim().is_empty() {
            return Err(ReviewError::Invalid(
                "funnel: the entering stage's name is empty".to_string(),
            ));
        }
        let mut seen: Vec<&str> = Vec::new();
        for s in &steps {
            let n = s.stage.trim();
            if n.is_empty() {
                return Err(ReviewError::Invalid(
                    "funnel: a stage name is empty".to_string(),
                ));
            }
            if seen.contains(&n) {
                return Err(ReviewError::Invalid(format!(
                    "funnel: the stage '{n}' appears twice"
                )));
            }
            seen.push(n);
        }
        if let Some(first) = steps.first() {
            if first.stage.trim() != entering_stage.trim() {
                return Err(ReviewError::Invalid(format!(
                    "funnel: the first rate belongs to stage '{}' but the entering stage is '{}'",
                    first.stage, entering_stage
                )));
            }
        }
        Ok(FunnelNumbers {
            entering_stage: entering_stage.trim().to_string(),
            entering,
            steps,
            aov,
        })
    }

    /// A funnel from stage volumes, top to bottom (`impressions 4,500,000; visits
    /// 200,000; signups 8,000; orders 3,200`): the entering volume is the first, and
    /// the rate of stage k is `volume_{k+1} / volume_k`. A stage larger than the one
    /// before it is an error (a funnel only narrows). After a stage of volume 0 the
    /// rates are unobserved; `fill` gives them (the plan's rates in an attribution),
    /// else they are 0.
    pub fn from_volumes(
        volumes: &[(String, f64)],
        aov: Option<f64>,
        fill: Option<&FunnelNumbers>,
    ) -> Result<FunnelNumbers, ReviewError> {
        if volumes.len() < 2 {
            return Err(ReviewError::Invalid(format!(
                "funnel: give at least two stage volumes (the entering traffic and the stage it converts to), got {}",
                volumes.len()
            )));
        }
        for (name, v) in volumes {
            non_negative(&format!("funnel: volume of stage '{name}'"), *v)?;
        }
        let mut steps = Vec::with_capacity(volumes.len() - 1);
        for (k, w) in volumes.windows(2).enumerate() {
            let ((from, v0), (to, v1)) = (&w[0], &w[1]);
            let rate = if *v0 > 0.0 {
                if v1 > v0 {
                    return Err(ReviewError::Invalid(format!(
                        "funnel: stage '{to}' ({v1}) is larger than the stage before it, '{from}' ({v0}); a funnel stage holds part of the one above"
                    )));
                }
                v1 / v0
            } else if *v1 > 0.0 {
                return Err(ReviewError::Invalid(format!(
                    "funnel: stage '{to}' has {v1} but the stage before it, '{from}', has 0"
                )));
            } else {
                fill.and_then(|f| f.steps.get(k))
                    .map_or(0.0, |s| s.rate.get())
            };
            steps.push(Step {
                stage: from.clone(),
                next: to.clone(),
                rate: Rate::new(rate, &format!("funnel: rate of stage '{from}'"))?,
                name: None,
            });
        }
        FunnelNumbers::new(&volumes[0].0, volumes[0].1, steps, aov)
    }

    /// The numbers of a funnel plan (`crate::funnel`): its first stage's name and
    /// volume, every stage's rate (the last one leading to `conversions`), its aov.
    pub fn from_plan(plan: &FunnelPlan) -> FunnelNumbers {
        let stages = plan.funnel.stages();
        let steps = stages
            .iter()
            .enumerate()
            .map(|(i, s)| Step {
                stage: s.name.clone(),
                next: stages
                    .get(i + 1)
                    .map_or_else(|| "conversions".to_string(), |n| n.name.clone()),
                rate: s.rate,
                name: None,
            })
            .collect();
        FunnelNumbers {
            entering_stage: stages
                .first()
                .map_or_else(|| "entering".to_string(), |s| s.name.clone()),
            entering: plan.entering,
            steps,
            aov: plan.funnel.aov(),
        }
    }

    /// The actual funnel for a plan from the actual volume of each of the plan's
    /// stages, in order, then the conversions (`stages + 1` volumes), and the actual
    /// aov (needed when, and only when, the plan has one). Stage names must match the
    /// plan's.
    pub fn actual_for_plan(
        plan: &FunnelPlan,
        volumes: &[(String, f64)],
        aov: Option<f64>,
    ) -> Result<FunnelNumbers, ReviewError> {
        let planned = FunnelNumbers::from_plan(plan);
        let stages = plan.funnel.stages();
        if volumes.len() != stages.len() + 1 {
            return Err(ReviewError::Invalid(format!(
                "attribute: give the actual volume of each of the plan's {} stages ({}) and then the conversions: {} volumes, got {}",
                stages.len(),
                stages.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", "),
                stages.len() + 1,
                volumes.len()
            )));
        }
        for (i, (s, (name, _))) in stages.iter().zip(volumes).enumerate() {
            if s.name.trim() != name.trim() {
                return Err(ReviewError::Invalid(format!(
                    "attribute: actual volume {} is for '{name}' but the plan's stage {} is '{}'",
                    i + 1,
                    i + 1,
                    s.name
                )));
            }
        }
        match (plan.funnel.aov(), aov) {
            (Some(_), None) => {
                return Err(ReviewError::Invalid(
                    "attribute: the plan has an aov, so give the actual one too: #{ aov: 500 }"
                        .to_string(),
                ))
            }
            (None, Some(_)) => {
                return Err(ReviewError::Invalid(
                    "attribute: the plan has no aov, so an actual aov cannot be compared"
                        .to_string(),
                ))
            }
            _ => {}
        }
        FunnelNumbers::from_volumes(volumes, aov, Some(&planned))
    }

    /// The funnel's result: conversions, or revenue when there is an aov.
    pub fn result(&self) -> f64 {
        self.factors().iter().map(|f| f.value).product()
    }

    /// The volume reaching each stage, then the conversions: `(name, volume)`.
    pub fn volumes(&self) -> Vec<(String, f64)> {
        let mut v = self.entering;
        let mut out = vec![(self.entering_stage.clone(), v)];
        for s in &self.steps {
            v *= s.rate.get();
            out.push((s.next.clone(), v));
        }
        out
    }

    /// The factors of the product, in funnel order.
    pub fn factors(&self) -> Vec<Factor> {
        let mut out = vec![Factor {
            name: self.entering_stage.clone(),
            id: self.entering_stage.clone(),
            label: format!("{} (entering traffic)", self.entering_stage),
            kind: FactorKind::Entering,
            value: self.entering,
        }];
        for s in &self.steps {
            let label = format!("{} → {}", s.stage, s.next);
            out.push(Factor {
                name: s.name.clone().unwrap_or_else(|| label.clone()),
                id: format!("{}_rate", s.stage),
                label,
                kind: FactorKind::Rate,
                value: s.rate.get(),
            });
        }
        if let Some(a) = self.aov {
            out.push(Factor {
                name: "average order value".to_string(),
                id: "aov".to_string(),
                label: "average order value".to_string(),
                kind: FactorKind::Aov,
                value: a,
            });
        }
        out
    }

    /// The index of the factor `key` names: its name (any case), its identifier
    /// (`visits_rate`, `aov`), or `entering` for the entering traffic.
    pub fn factor_index(&self, key: &str) -> Option<usize> {
        self.factors().iter().position(|f| f.answers_to(key))
    }

    /// Names the rates after the user's own metrics: `names` maps a stage (`visits`)
    /// or a rate's identifier (`visits_rate`) to the name of the rate that leaves it
    /// (`sign-up conversion`). An unknown stage, an empty name, or a name that another
    /// factor already has (any case) is an error.
    pub fn with_names(mut self, names: &[(String, String)]) -> Result<FunnelNumbers, ReviewError> {
        for (key, name) in names {
            let k = key.trim();
            let Some(step) = self
                .steps
                .iter_mut()
                .find(|s| s.stage == k || format!("{}_rate", s.stage) == k)
            else {
                let stages: Vec<&str> = self.steps.iter().map(|s| s.stage.as_str()).collect();
                return Err(ReviewError::Invalid(format!(
                    "names: '{k}' is not a stage with a rate{}; the stages are {}",
                    crate::suggest::closest(k, stages.iter().copied())
                        .map(|s| format!(" (did you mean '{s}'?)"))
                        .unwrap_or_default(),
                    stages.join(", ")
                )));
            };
            let name = name.trim();
            if name.is_empty() {
                return Err(ReviewError::Invalid(format!(
                    "names: the name of '{k}' is empty"
                )));
            }
            step.name = Some(name.to_string());
        }
        let factors = self.factors();
        for (i, f) in factors.iter().enumerate() {
            let clash = factors[..i].iter().find(|g| {
                g.name.to_lowercase() == f.name.to_lowercase()
                    || g.id.to_lowercase() == f.name.to_lowercase()
                    || f.id.to_lowercase() == g.name.to_lowercase()
            });
            if let Some(g) = clash {
                return Err(ReviewError::Invalid(format!(
                    "names: '{}' would name two factors ({} and {}); give each rate its own name",
                    f.name, g.label, f.label
                )));
            }
        }
        Ok(self)
    }
}

/// One factor's share of the gap.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    /// The factor.
    pub factor: Factor,
    /// Its planned value.
    pub planned: f64,
    /// Its actual value.
    pub actual: f64,
    /// Its contribution to `actual result - planned result`.
    pub contribution: f64,
}

/// The gap between two funnels split by factor.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribution {
    /// One row per factor, in funnel order.
    pub rows: Vec<Contribution>,
    /// The planned result.
    pub planned: f64,
    /// The actual result.
    pub actual: f64,
    /// The method used (LMDI, or Shapley when asked or when a factor is zero).
    pub method: Method,
}

/// Splits `actual.result() - planned.result()` among the factors. Both funnels must
/// have the same stages in the same order, and both or neither an aov.
pub fn attribute(
    planned: &FunnelNumbers,
    actual: &FunnelNumbers,
    method: Method,
) -> Result<Attribution, ReviewError> {
    let (fp, fa) = (planned.factors(), actual.factors());
    let names = |f: &[Factor]| f.iter().map(|x| x.id.clone()).collect::<Vec<_>>();
    if names(&fp) != names(&fa) {
        return Err(ReviewError::Invalid(format!(
            "attribute: the planned and actual funnels differ: planned factors {}, actual factors {}",
            names(&fp).join(", "),
            names(&fa).join(", ")
        )));
    }
    for (which, v) in [("planned", planned.result()), ("actual", actual.result())] {
        if !v.is_finite() {
            return Err(ReviewError::OutOfRange(crate::units::RangeError {
                what: format!("attribute: the {which} result (volume x rates x aov)"),
                allowed: "a finite number".to_string(),
                value: v,
            }));
        }
    }
    let p: Vec<f64> = fp.iter().map(|f| f.value).collect();
    let a: Vec<f64> = fa.iter().map(|f| f.value).collect();
    let (c, used) = decompose(&p, &a, method)?;
    let rows = fp
        .into_iter()
        .zip(a.iter().zip(c))
        .map(|(factor, (&actual, contribution))| Contribution {
            planned: factor.value,
            factor,
            actual,
            contribution,
        })
        .collect();
    Ok(Attribution {
        rows,
        planned: planned.result(),
        actual: actual.result(),
        method: used,
    })
}

impl Attribution {
    /// The contribution of the factor `key` names ([`Factor::answers_to`]).
    pub fn find(&self, key: &str) -> Option<&Contribution> {
        self.rows.iter().find(|r| r.factor.answers_to(key))
    }

    /// `actual - planned`.
    pub fn gap(&self) -> f64 {
        self.actual - self.planned
    }

    /// The table `factor, step, planned, actual, change, contribution, share`: `change`
    /// is `actual / planned - 1` (empty for a planned 0), `share` the contribution over
    /// the gap (empty when there is no gap).
    pub fn table(&self) -> Result<Table, ReviewError> {
        let gap = self.gap();
        let s = |f: &dyn Fn(&Contribution) -> String| {
            Column::text(self.rows.iter().map(|r| Some(f(r))).collect())
        };
        let n = |f: &dyn Fn(&Contribution) -> Option<f64>| {
            Column::float(self.rows.iter().map(f).collect())
        };
        Ok(Table::new(
            "<attribution>",
            vec![
                ("factor".into(), s(&|r| r.factor.name.clone())),
                ("step".into(), s(&|r| r.factor.label.clone())),
                ("planned".into(), n(&|r| Some(r.planned))),
                ("actual".into(), n(&|r| Some(r.actual))),
                (
                    "change".into(),
                    n(&|r| (r.planned > 0.0).then(|| r.actual / r.planned - 1.0))
                        .with_kind(Kind::Change),
                ),
                ("contribution".into(), n(&|r| Some(r.contribution))),
                (
                    "share".into(),
                    n(&|r| (gap != 0.0).then(|| r.contribution / gap + 0.0)).with_kind(Kind::Share),
                ),
            ],
        )?)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn vols(v: &[(&str, f64)]) -> Vec<(String, f64)> {
        v.iter().map(|(n, x)| (n.to_string(), *x)).collect()
    }

    /// The summer promotion (fixtures/review/funnel.csv): plan 5,000,000 impressions,
    /// 4% click, 5% sign up, 50% order, aov 400 = 2,000,000; actual 4,500,000
    /// impressions, 200,000 visits, 8,000 sign-ups, 3,200 orders, aov 500 = 1,600,000.
    pub(crate) fn summer() -> Result<(FunnelNumbers, FunnelNumbers), ReviewError> {
        let p = FunnelNumbers::from_volumes(
            &vols(&[
                ("impressions", 5e6),
                ("visits", 2e5),
                ("signups", 1e4),
                ("orders", 5e3),
            ]),
            Some(400.0),
            None,
        )?;
        let a = FunnelNumbers::from_volumes(
            &vols(&[
                ("impressions", 4.5e6),
                ("visits", 2e5),
                ("signups", 8e3),
                ("orders", 3.2e3),
            ]),
            Some(500.0),
            Some(&p),
        )?;
        Ok((p, a))
    }

    #[test]
    fn summer_promotion_gap_by_factor() -> Result<(), ReviewError> {
        let (p, a) = summer()?;
        assert!((p.result() - 2_000_000.0).abs() < 1e-6);
        assert!((a.result() - 1_600_000.0).abs() < 1e-6);
        let at = attribute(&p, &a, Method::Lmdi)?;
        assert_eq!(at.method, Method::Lmdi);
        // Closed form: c_i = L(1.6M, 2M) ln(a_i/p_i), L = -400,000 / ln(0.8).
        let l = -400_000.0 / 0.8f64.ln();
        let ratios = [0.9, 1.0 / 0.9, 0.8, 0.8, 1.25];
        let names = [
            "impressions",
            "impressions_rate",
            "visits_rate",
            "signups_rate",
            "aov",
        ];
        for ((row, r), n) in at.rows.iter().zip(ratios).zip(names) {
            assert_eq!(row.factor.id, n);
            let want = l * f64::ln(r);
            assert!(
                (row.contribution - want).abs() < 1e-6,
                "{n}: {} vs {want}",
                row.contribution
            );
        }
        let sum: f64 = at.rows.iter().map(|r| r.contribution).sum();
        assert!((sum - at.gap()).abs() < 1e-6);
        // Impressions -10% and CTR +11.1% cancel exactly in LMDI.
        assert!((at.rows[0].contribution + at.rows[1].contribution).abs() < 1e-6);
        let t = at.table()?;
        assert_eq!(t.n_rows(), 5);
        assert_eq!(
            t.column("step")?.text_at(2).as_deref(),
            Some("visits → signups")
        );
        Ok(())
    }

    /// The planned funnel as a `crate::funnel` plan and the actual stage volumes: the
    /// same split as from volumes on both sides.
    #[test]
    fn from_a_funnel_plan() -> Result<(), Box<dyn std::error::Error>> {
        use crate::funnel::{Funnel, Stage};
        let stage = |n: &str, r: f64| -> Result<Stage, Box<dyn std::error::Error>> {
            Ok(Stage::new(n, Rate::new(r, n)?))
        };
        let plan = Funnel::new(
            vec![
                stage("impressions", 0.04)?,
                stage("visits", 0.05)?,
                stage("signups", 0.5)?,
            ],
            Some(400.0),
        )?
        .forward(5e6)?;
        let actual = vols(&[
            ("impressions", 4.5e6),
            ("visits", 2e5),
            ("signups", 8e3),
            ("orders", 3.2e3),
        ]);
        let a = FunnelNumbers::actual_for_plan(&plan, &actual, Some(500.0))?;
        let p = FunnelNumbers::from_plan(&plan);
        let at = attribute(&p, &a, Method::Lmdi)?;
        let (p2, a2) = summer()?;
        let want = attribute(&p2, &a2, Method::Lmdi)?;
        for (x, y) in at.rows.iter().zip(&want.rows) {
            assert_eq!(x.factor.id, y.factor.id);
            assert!((x.contribution - y.contribution).abs() < 1e-6);
        }
        assert_eq!(p.steps[2].next, "conversions");
        let e = FunnelNumbers::actual_for_plan(&plan, &actual[..3], Some(500.0))
            .map(|_| ())
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("and then the conversions: 4 volumes, got 3"),
            "{e}"
        );
        let mut wrong = actual.clone();
        wrong[1].0 = "visit".into();
        let e = FunnelNumbers::actual_for_plan(&plan, &wrong, Some(500.0))
            .map(|_| ())
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("is for 'visit' but the plan's stage 2 is 'visits'"),
            "{e}"
        );
        assert!(FunnelNumbers::actual_for_plan(&plan, &actual, None).is_err());
        Ok(())
    }

    #[test]
    fn zero_stage_falls_back_and_fills_unobserved_rates() -> Result<(), ReviewError> {
        let p = FunnelNumbers::from_volumes(
            &vols(&[("a", 100.0), ("b", 10.0), ("c", 5.0)]),
            None,
            None,
        )?;
        let a = FunnelNumbers::from_volumes(
            &vols(&[("a", 100.0), ("b", 0.0), ("c", 0.0)]),
            None,
            Some(&p),
        )?;
        assert_eq!(
            a.steps[1].rate.get(),
            0.5,
            "unobserved rate taken as planned"
        );
        let at = attribute(&p, &a, Method::Lmdi)?;
        assert_eq!(at.method, Method::Shapley);
        assert_eq!(
            at.rows.iter().map(|r| r.contribution).collect::<Vec<_>>(),
            vec![0.0, -5.0, 0.0]
        );
        Ok(())
    }

    fn random_funnel() -> impl proptest::strategy::Strategy<Value = (Vec<f64>, Vec<f64>, f64, f64)>
    {
        use proptest::prelude::*;
        (2usize..7).prop_flat_map(|n| {
            (
                proptest::collection::vec((0.0f64..1.0, 0.0f64..1.0), n),
                1.0f64..1e7,
                1.0f64..1e7,
                1.0f64..1000.0,
                1.0f64..1000.0,
            )
                .prop_map(|(shares, e0, e1, aov0, aov1)| {
                    // Volumes narrow down the funnel; a share under 0.05 empties the
                    // stage (a zero factor: the Shapley fallback).
                    let mut p = vec![e0];
                    let mut a = vec![e1];
                    for (s0, s1) in shares {
                        let cut = |s: f64| if s < 0.05 { 0.0 } else { s };
                        p.push(p[p.len() - 1] * cut(s0));
                        a.push(a[a.len() - 1] * cut(s1));
                    }
                    (p, a, aov0, aov1)
                })
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        /// On random funnels built from stage volumes (some stages emptied), the
        /// contributions add up to the revenue gap to 1e-9 of the largest of the gap
        /// and the contributions, whichever method is used, and each factor's contribution
        /// does not depend on the order of the stages.
        #[test]
        fn random_funnels_sum_to_the_gap((p, a, aov0, aov1) in random_funnel()) {
            let names: Vec<String> = (0..p.len()).map(|i| format!("s{i}")).collect();
            let pv: Vec<(String, f64)> = names.iter().cloned().zip(p).collect();
            let av: Vec<(String, f64)> = names.iter().cloned().zip(a).collect();
            let fp = FunnelNumbers::from_volumes(&pv, Some(aov0), None)
                .map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            let fa = FunnelNumbers::from_volumes(&av, Some(aov1), Some(&fp))
                .map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            // The same funnels with the stages after the first in reverse order: the
            // product is the same, and so must be each named factor's contribution.
            let reorder = |f: &FunnelNumbers| {
                let mut g = f.clone();
                g.steps[1..].reverse();
                g
            };
            let (gp, ga) = (reorder(&fp), reorder(&fa));
            for m in [Method::Lmdi, Method::Shapley] {
                let at = attribute(&fp, &fa, m)
                    .map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
                let sum: f64 = crate::table::neumaier_sum(at.rows.iter().map(|r| r.contribution));
                let scale = at.rows.iter().fold(at.gap().abs(), |s, r| s.max(r.contribution.abs()));
                proptest::prop_assert!((sum - at.gap()).abs() <= 1e-9 * scale.max(1e-300), "{m:?}: {sum} vs {}", at.gap());
                let re = attribute(&gp, &ga, m)
                    .map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
                for r in &at.rows {
                    let other = re.rows.iter().find(|x| x.factor.name == r.factor.name)
                        .ok_or_else(|| proptest::test_runner::TestCaseError::fail("factor lost"))?;
                    proptest::prop_assert!((other.contribution - r.contribution).abs() <= 1e-9 * scale.max(1e-300),
                        "{m:?} {}: {} vs {}", r.factor.name, other.contribution, r.contribution);
                }
            }
        }
    }

    #[test]
    fn bad_funnels() {
        let e = FunnelNumbers::from_volumes(&vols(&[("a", 10.0), ("b", 20.0)]), None, None)
            .map(|_| ())
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("'b' (20) is larger than the stage before it"),
            "{e}"
        );
        let e = FunnelNumbers::from_volumes(&vols(&[("a", -1.0), ("b", 0.0)]), None, None)
            .map(|_| ())
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("volume of stage 'a' must be a finite number >= 0"),
            "{e}"
        );
        assert!(FunnelNumbers::from_volumes(&vols(&[("a", 1.0)]), None, None).is_err());
        let p = FunnelNumbers::from_volumes(&vols(&[("a", 10.0), ("b", 5.0)]), Some(3.0), None);
        let a = FunnelNumbers::from_volumes(&vols(&[("a", 10.0), ("b", 5.0)]), None, None);
        if let (Ok(p), Ok(a)) = (p, a) {
            assert!(attribute(&p, &a, Method::Lmdi).is_err());
        }
    }

    /// The rates take the user's names (by stage or by identifier); a clash, an
    /// unknown stage or an empty name is refused; names and identifiers both find a
    /// factor.
    #[test]
    fn rates_named_after_the_users_metrics() -> Result<(), ReviewError> {
        let (p, _) = summer()?;
        let n = |v: &[(&str, &str)]| {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect::<Vec<_>>()
        };
        let named = p.clone().with_names(&n(&[
            ("impressions", "CTR"),
            ("visits_rate", "sign-up conversion"),
        ]))?;
        let names: Vec<String> = named.factors().into_iter().map(|f| f.name).collect();
        assert_eq!(
            names,
            [
                "impressions",
                "CTR",
                "sign-up conversion",
                "signups → orders",
                "average order value"
            ]
        );
        assert_eq!(named.factor_index("ctr"), Some(1));
        assert_eq!(named.factor_index("impressions_rate"), Some(1));
        assert_eq!(named.factor_index("aov"), Some(4));
        assert_eq!(named.factor_index("entering"), Some(0));
        assert_eq!(named.factor_index("visits"), None);
        let err = |v: &[(&str, &str)]| {
            p.clone()
                .with_names(&n(v))
                .map(|_| ())
                .unwrap_err()
                .to_string()
        };
        assert!(
            err(&[("visits", "CTR"), ("impressions", "ctr")]).contains("would name two factors")
        );
        assert!(err(&[("visits", "aov")]).contains("would name two factors"));
        assert!(err(&[("orders", "x")]).contains("'orders' is not a stage with a rate"));
        assert!(err(&[("visits", " ")]).contains("is empty"));
        Ok(())
    }
}
