//! Recovery what-ifs (docs/handbook.md, the review, step 2): "if the
//! forwarding rate rises 1 point and impressions 4%, how much revenue is recovered?"
//!
//! The actual funnel is re-run with changed factors; the result is compared with the
//! actual result (what the changes would have added) and with the target (the share of
//! the gap they would have closed). The added result is split among the changes with
//! the same order-free decomposition as the gap ([`super::decompose`](mod@super::decompose)).

use super::attribution::{FactorKind, FunnelNumbers};
use super::decompose::{decompose, Method};
use super::error::{non_negative, ReviewError};
use crate::funnel::FunnelPlan;
use crate::table::{Column, Table};
use crate::units::{parse_plain, parse_quantity, Rate};

/// A change to one factor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    /// Add percentage points to a rate: `"+1pt"` is `+0.01`.
    Points(f64),
    /// Scale by `1 + x`: `"+4%"` is `x = 0.04`, `"-10%"` is `x = -0.1`.
    Relative(f64),
    /// Set the value: `"=5%"`, `"5%"`, `"=120000"`, or a number.
    Set(f64),
}

impl Change {
    /// Reads a change as written in a script: `"+1pt"`/`"-0.5 pt"` (points, rates
    /// only), `"+4%"`/`"-10%"` (relative: a sign and a percentage), `"=5%"`, `"5%"`,
    /// `"=180000"` or `"180000"` (set the value).
    pub fn parse(text: &str) -> Result<Change, ReviewError> {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let bad = || {
            ReviewError::Invalid(format!(
                "a change must be \"+1pt\" (rate points), \"+4%\" or \"-10%\" (relative), or \"=5%\" / \"=180000\" (new value), got {}", crate::table::quote_text(text)
            ))
        };
        if let Some(rest) = t.strip_prefix('=') {
            return parse_quantity(rest)
                .map(|q| Change::Set(q.value))
                .map_err(|_| bad());
        }
        let signed = t.starts_with('+') || t.starts_with('-');
        for suffix in ["points", "point", "pts", "pt"] {
            if let Some(num) = t.strip_suffix(suffix) {
                return match (signed, parse_plain(num)) {
                    (true, Some(x)) => Ok(Change::Points(x)),
                    _ => Err(bad()),
                };
            }
        }
        if signed {
            if let Some(num) = t.strip_suffix('%') {
                return parse_plain(num)
                    .map(|x| Change::Relative(x / 100.0))
                    .ok_or_else(bad);
            }
            return Err(bad());
        }
        parse_quantity(&t)
            .map(|q| Change::Set(q.value))
            .map_err(|_| bad())
    }

    /// Applies the change to a value; `what` names the factor in errors.
    fn apply(self, value: f64, kind: FactorKind, what: &str) -> Result<f64, ReviewError> {
        let v = match self {
            Change::Points(p) if kind == FactorKind::Rate => value + p / 100.0,
            Change::Points(_) => {
                return Err(ReviewError::Invalid(format!(
                    "recover: '{what}' is not a rate, so it cannot change by points; write a relative change such as \"+4%\""
                )))
            }
            Change::Relative(x) => value * (1.0 + x),
            Change::Set(x) => x,
        };
        match kind {
            FactorKind::Rate => Ok(Rate::new(v, &format!("recover: new {what}"))?.get()),
            _ => non_negative(&format!("recover: new {what}"), v),
        }
    }
}

/// The outcome of a what-if.
#[derive(Debug, Clone, PartialEq)]
pub struct Recovery {
    /// The funnel as it ran.
    pub base: FunnelNumbers,
    /// The funnel with the changes.
    pub changed: FunnelNumbers,
    /// The target result, when given.
    pub target: Option<f64>,
    /// The changes as written, by factor.
    pub changes: Vec<(String, String)>,
    /// The re-run funnel plan, when the what-if started from one ([`recover_plan`]).
    pub plan: Option<FunnelPlan>,
}

/// Re-runs `base` with `changes` (factor → change). A factor is named by its name (the
/// entering stage's, a rate's own name such as `sign-up conversion` or `visits →
/// signups`, `average order value`; any case) or by its identifier (`entering`,
/// `<stage>_rate`, `aov`). An unknown name is an error listing the names and the
/// closest one.
pub fn recover(
    base: &FunnelNumbers,
    changes: &[(String, String)],
    target: Option<f64>,
) -> Result<Recovery, ReviewError> {
    if let Some(t) = target {
        non_negative("recover: target", t)?;
    }
    let factors = base.factors();
    let mut changed = base.clone();
    for (key, text) in changes {
        let change = Change::parse(text)
            .map_err(|e| ReviewError::Invalid(format!("recover: '{key}': {e}")))?;
        let k = key.trim();
        let Some(idx) = base.factor_index(k) else {
            let hint = match base.steps.iter().find(|s| s.stage == k) {
                Some(s) => {
                    let rate = factors
                        .iter()
                        .find(|f| f.id == format!("{}_rate", s.stage))
                        .map_or_else(|| format!("{k}_rate"), |f| f.name.clone());
                    format!(
                        " ('{k}' is a stage: change the share of it that converts with '{rate}')"
                    )
                }
                None => crate::suggest::closest(
                    k,
                    factors
                        .iter()
                        .flat_map(|f| [f.name.as_str(), f.id.as_str()]),
                )
                .map(|s| format!(" (did you mean '{s}'?)"))
                .unwrap_or_default(),
            };
            return Err(ReviewError::Invalid(format!(
                "recover: unknown factor '{k}'{hint}; the factors are {}",
                factors
                    .iter()
                    .map(|f| if f.id == f.name {
                        f.name.clone()
                    } else {
                        format!("{} ({})", f.name, f.id)
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        };
        let f = &factors[idx];
        match f.kind {
            FactorKind::Entering => {
                changed.entering = change.apply(changed.entering, f.kind, &f.name)?;
            }
            FactorKind::Rate => {
                let step = &mut changed.steps[idx - 1];
                let v = change.apply(step.rate.get(), f.kind, &f.name)?;
                step.rate = Rate::new(v, &f.name)?;
            }
            FactorKind::Aov => {
                let a = changed.aov.unwrap_or(0.0);
                changed.aov = Some(change.apply(a, f.kind, &f.name)?);
            }
        }
    }
    if !changed.result().is_finite() {
        return Err(ReviewError::OutOfRange(crate::units::RangeError {
            what: "recover: the changed result".to_string(),
            allowed: "a finite number".to_string(),
            value: changed.result(),
        }));
    }
    Ok(Recovery {
        base: base.clone(),
        changed,
        target,
        changes: changes.to_vec(),
        plan: None,
    })
}

/// [`recover`] on a funnel plan (`crate::funnel`), its rates named by `names` (as in
/// [`FunnelNumbers::with_names`]), re-running the real funnel: the
/// changed rates and aov go into `Funnel::with_rates` / `with_aov`, and the changed
/// entering volume into `Funnel::forward`. The re-run plan is kept in
/// [`Recovery::plan`].
pub fn recover_plan(
    plan: &FunnelPlan,
    changes: &[(String, String)],
    target: Option<f64>,
    names: &[(String, String)],
) -> Result<Recovery, ReviewError> {
    let base = FunnelNumbers::from_plan(plan).with_names(names)?;
    let r = recover(&base, changes, target)?;
    let rates: Vec<(String, Rate)> = r
        .changed
        .steps
        .iter()
        .map(|s| (s.stage.clone(), s.rate))
        .collect();
    let funnel = plan.funnel.with_rates(&rates)?.with_aov(r.changed.aov)?;
    let rerun = funnel.forward(r.changed.entering)?;
    let mut changed = FunnelNumbers::from_plan(&rerun);
    for (s, named) in changed.steps.iter_mut().zip(&r.changed.steps) {
        s.name.clone_from(&named.name);
    }
    Ok(Recovery {
        changed,
        plan: Some(rerun),
        ..r
    })
}

impl Recovery {
    /// The result as it was.
    pub fn before(&self) -> f64 {
        self.base.result()
    }

    /// The result with the changes.
    pub fn after(&self) -> f64 {
        self.changed.result()
    }

    /// `after - before`: what the changes would have added.
    pub fn recovered(&self) -> f64 {
        self.after() - self.before()
    }

    /// The share of the gap to the target the changes would have closed
    /// (`recovered / (target - before)`); `None` without a target or without a gap.
    pub fn share_of_gap(&self) -> Option<f64> {
        let t = self.target?;
        let gap = t - self.before();
        (gap > 0.0).then(|| self.recovered() / gap)
    }

    /// The table `factor, change, before, after, contribution`: every factor of the
    /// funnel, with the added result split among the changed ones (LMDI, or Shapley
    /// when a factor is zero), and a last row `total` with the results.
    pub fn table(&self) -> Result<Table, ReviewError> {
        let (fb, fa) = (self.base.factors(), self.changed.factors());
        let b: Vec<f64> = fb.iter().map(|f| f.value).collect();
        let a: Vec<f64> = fa.iter().map(|f| f.value).collect();
        let (c, _) = decompose(&b, &a, Method::Lmdi)?;
        let mut names: Vec<Option<String>> = fb.iter().map(|f| Some(f.name.clone())).collect();
        names.push(Some("total".to_string()));
        let mut change: Vec<Option<String>> = (0..fb.len())
            .map(|idx| {
                self.changes
                    .iter()
                    .find(|(k, _)| self.base.factor_index(k).is_some_and(|i| i == idx))
                    .map(|(_, t)| t.clone())
            })
            .collect();
        change.push(None);
        let mut before: Vec<Option<f64>> = b.iter().copied().map(Some).collect();
        before.push(Some(self.before()));
        let mut after: Vec<Option<f64>> = a.iter().copied().map(Some).collect();
        after.push(Some(self.after()));
        let mut contribution: Vec<Option<f64>> = c.into_iter().map(Some).collect();
        contribution.push(Some(self.recovered()));
        Ok(Table::new(
            "<recover>",
            vec![
                ("factor".into(), Column::text(names)),
                ("change".into(), Column::text(change)),
                ("before".into(), Column::float(before)),
                ("after".into(), Column::float(after)),
                ("contribution".into(), Column::float(contribution)),
            ],
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::attribution::tests::summer;

    #[test]
    fn parses_changes() -> Result<(), ReviewError> {
        assert_eq!(Change::parse("+1pt")?, Change::Points(1.0));
        assert_eq!(Change::parse("-0.5 pt")?, Change::Points(-0.5));
        assert_eq!(Change::parse("+4%")?, Change::Relative(0.04));
        assert_eq!(Change::parse("-10%")?, Change::Relative(-0.1));
        assert_eq!(Change::parse("=5%")?, Change::Set(0.05));
        assert_eq!(Change::parse("5%")?, Change::Set(0.05));
        assert_eq!(Change::parse("180000")?, Change::Set(180000.0));
        assert!(Change::parse("1pt").is_err());
        assert!(Change::parse("+abc").is_err());
        Ok(())
    }

    /// The handbook's question on the summer promotion: sign-up rate +1 point (4% → 5%)
    /// and impressions +4%: revenue 1,600,000 x 1.04 x 5/4 = 2,080,000, 480,000 more,
    /// 120% of the 400,000 gap.
    #[test]
    fn handbook_what_if() -> Result<(), ReviewError> {
        let (_, actual) = summer()?;
        let changes = vec![
            ("visits_rate".to_string(), "+1pt".to_string()),
            ("impressions".to_string(), "+4%".to_string()),
        ];
        let r = recover(&actual, &changes, Some(2_000_000.0))?;
        assert!((r.after() - 2_080_000.0).abs() < 1e-6, "{}", r.after());
        assert!((r.recovered() - 480_000.0).abs() < 1e-6);
        assert!((r.share_of_gap().unwrap_or(0.0) - 1.2).abs() < 1e-12);
        let t = r.table()?;
        let c = t.column("contribution")?;
        let split: f64 = (0..5).filter_map(|i| c.f64_at(i)).sum();
        assert!((split - 480_000.0).abs() < 1e-6);
        // LMDI: L(2.08M, 1.6M) ln(1.04) and L ln(1.25).
        let l = 480_000.0 / (2.08f64 / 1.6).ln();
        assert!((c.f64_at(0).unwrap_or(0.0) - l * 1.04f64.ln()).abs() < 1e-6);
        assert!((c.f64_at(2).unwrap_or(0.0) - l * 1.25f64.ln()).abs() < 1e-6);
        assert_eq!(t.column("change")?.text_at(2).as_deref(), Some("+1pt"));
        Ok(())
    }

    /// The same what-if through the funnel domain: the actual funnel as a plan,
    /// re-run with the changes.
    #[test]
    fn what_if_re_runs_the_funnel() -> Result<(), Box<dyn std::error::Error>> {
        use crate::funnel::{Funnel, Stage};
        let stage = |n: &str, r: f64| -> Result<Stage, Box<dyn std::error::Error>> {
            Ok(Stage::new(n, Rate::new(r, n)?))
        };
        let actual = Funnel::new(
            vec![
                stage("impressions", 200_000.0 / 4_500_000.0)?,
                stage("visits", 0.04)?,
                stage("signups", 0.4)?,
            ],
            Some(500.0),
        )?
        .forward(4_500_000.0)?;
        assert!((actual.revenue - 1_600_000.0).abs() < 1e-6);
        let changes = vec![
            ("visits_rate".to_string(), "+1pt".to_string()),
            ("impressions".to_string(), "+4%".to_string()),
        ];
        let r = recover_plan(&actual, &changes, Some(2_000_000.0), &[])?;
        let rerun = r.plan.as_ref().ok_or("no plan")?;
        assert!(
            (rerun.revenue - 2_080_000.0).abs() < 1e-6,
            "{}",
            rerun.revenue
        );
        assert!((rerun.entering - 4_680_000.0).abs() < 1e-6);
        assert!((r.after() - rerun.revenue).abs() < 1e-6);
        assert!((r.share_of_gap().unwrap_or(0.0) - 1.2).abs() < 1e-12);
        let e = recover_plan(&actual, &[("aov".to_string(), "=0".to_string())], None, &[])
            .map(|_| ())
            .unwrap_err();
        assert!(e.to_string().contains("aov"), "{e}");
        Ok(())
    }

    #[test]
    fn bad_changes_name_the_factor() -> Result<(), ReviewError> {
        let (_, actual) = summer()?;
        let one = |k: &str, v: &str| recover(&actual, &[(k.to_string(), v.to_string())], None);
        let e = one("visit_rate", "+1pt")
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean 'visits_rate'"), "{e}");
        let e = one("visits", "+1pt").map(|_| ()).unwrap_err().to_string();
        assert!(e.contains("with 'visits → signups'"), "{e}");
        let e = one("impressions", "+1pt")
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot change by points"), "{e}");
        let e = one("signups_rate", "+70pt")
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("recover: new signups → orders must be a rate between 0 and 1"),
            "{e}"
        );
        assert!(one("aov", "=450").is_ok());
        Ok(())
    }
}
