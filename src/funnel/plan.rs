//! The planning funnel (AARRR decomposition, docs/handbook.md, the funnel): a chain of stages,
//! each with the share of its volume that reaches the next stage, and an optional
//! average order value (aov) that turns the final conversions into revenue.
//!
//! Forward projection multiplies down the chain, `v[i+1] = v[i] x rate[i]`, so that
//! `conversions = entering x rate[0] x ... x rate[n-1]` and `revenue = conversions x aov`
//! (the handbook's `revenue = average order value x target users x conversion rate`).
//! Backward decomposition divides up the chain, `v[i] = v[i+1] / rate[i]`, starting
//! from the conversions (or from `revenue / aov`). The two are exact inverses up to
//! floating-point rounding.
//!
//! Handbook example (rates 15%, 40%, 70%, 90%, aov 150): 25,000 entering give
//! 3,750, 1,500, 1,050 and 945 conversions, revenue 141,750; a revenue goal of
//! 1,000,000 needs 6,666.7 conversions and 176,366.8 entering.

use super::error::{non_negative, positive, FunnelError};
use crate::table::{Column, Kind, Table};
use crate::units::Rate;

/// One stage of a funnel: its name and the share of its volume that reaches the next
/// stage (for the last stage, the share that converts to the goal event, e.g. purchase).
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// The stage's name (`acquisition`, `activation`, ...), unique within a funnel.
    pub name: String,
    /// The conversion rate from this stage to the next.
    pub rate: Rate,
}

impl Stage {
    /// A stage from a name and a rate already checked to lie in [0, 1].
    pub fn new(name: &str, rate: Rate) -> Stage {
        Stage {
            name: name.to_string(),
            rate,
        }
    }
}

/// A funnel: a non-empty chain of uniquely named stages and an optional average order
/// value (positive) that turns conversions into revenue.
#[derive(Debug, Clone, PartialEq)]
pub struct Funnel {
    stages: Vec<Stage>,
    aov: Option<f64>,
}

/// One stage of a projected or decomposed plan: `next_volume = volume x rate` and
/// `dropped = volume - next_volume`.
#[derive(Debug, Clone, PartialEq)]
pub struct StageRow {
    /// The stage's name.
    pub stage: String,
    /// The volume entering the stage.
    pub volume: f64,
    /// The stage's conversion rate to the next stage.
    pub rate: Rate,
    /// The volume that reaches the next stage (for the last stage: the conversions).
    pub next_volume: f64,
    /// The volume lost at this stage, `volume - next_volume`.
    pub dropped: f64,
}

/// A funnel with volumes: what `forward`, `backward` and `for_revenue` return.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelPlan {
    /// The funnel the plan was computed from.
    pub funnel: Funnel,
    /// The first stage's volume.
    pub entering: f64,
    /// The goal events at the end of the funnel (the last stage's `next_volume`).
    pub conversions: f64,
    /// `conversions x aov`, or 0 when the funnel has no aov.
    pub revenue: f64,
    /// One row per stage, in funnel order.
    pub rows: Vec<StageRow>,
}

impl Funnel {
    /// Builds a funnel. Errors: no stages, an empty or repeated stage name, or an
    /// `aov` that is not a positive finite number.
    pub fn new(stages: Vec<Stage>, aov: Option<f64>) -> Result<Funnel, FunnelError> {
        if stages.is_empty() {
            return Err(FunnelError::NoStages);
        }
        for (i, s) in stages.iter().enumerate() {
            if s.name.trim().is_empty() {
                return Err(FunnelError::EmptyName { index: i + 1 });
            }
            if let Some(j) = stages[..i].iter().position(|t| t.name == s.name) {
                return Err(FunnelError::DuplicateStage {
                    name: s.name.clone(),
                    first: j + 1,
                    second: i + 1,
                });
            }
        }
        if let Some(a) = aov {
            positive("funnel: aov", a)?;
        }
        Ok(Funnel { stages, aov })
    }

    /// The stages, in order.
    pub fn stages(&self) -> &[Stage] {
        &self.stages
    }

    /// The average order value, if given.
    pub fn aov(&self) -> Option<f64> {
        self.aov
    }

    /// The end-to-end conversion rate, the product of the stage rates.
    pub fn overall_rate(&self) -> f64 {
        self.stages.iter().map(|s| s.rate.get()).product()
    }

    /// The position of the stage named `name`, or an error listing the stages.
    pub fn index_of(&self, name: &str) -> Result<usize, FunnelError> {
        self.stages
            .iter()
            .position(|s| s.name == name)
            .ok_or_else(|| {
                let names = self.stages.iter().map(|s| s.name.as_str());
                FunnelError::UnknownStage {
                    name: name.to_string(),
                    suggestion: crate::suggest::closest(name, names.clone())
                        .map(|s| format!(", did you mean '{s}'?"))
                        .unwrap_or_default(),
                    available: names.collect::<Vec<_>>().join(", "),
                }
            })
    }

    /// Forward projection: `v[0] = entering`, `v[i+1] = v[i] x rate[i]`; conversions
    /// are the last stage's `next_volume`, revenue `conversions x aov` (0 without aov).
    /// `entering` must be finite and >= 0.
    pub fn forward(&self, entering: f64) -> Result<FunnelPlan, FunnelError> {
        let entering = non_negative("forward: entering", entering)?;
        let mut rows = Vec::with_capacity(self.stages.len());
        let mut volume = entering;
        for s in &self.stages {
            let next = volume * s.rate.get();
            rows.push(row(s, volume, next));
            volume = next;
        }
        let revenue = volume * self.aov.unwrap_or(0.0);
        if !revenue.is_finite() {
            return Err(FunnelError::OutOfRange(crate::units::RangeError {
                what: "forward: the revenue (conversions x aov)".to_string(),
                allowed: "a finite number (the aov is too large for this volume)".to_string(),
                value: revenue,
            }));
        }
        Ok(self.plan(entering, volume, rows))
    }

    /// Backward decomposition: `v[n] = conversions`, `v[i] = v[i+1] / rate[i]`: the
    /// volume each stage needs so that `conversions` goal events come out. Errors when
    /// a stage's rate is 0 and `conversions > 0` (no volume is enough). With
    /// `conversions = 0` every stage needs 0.
    pub fn backward(&self, conversions: f64) -> Result<FunnelPlan, FunnelError> {
        self.backward_named("backward", conversions)
    }

    /// Backward decomposition from a revenue goal: `conversions = revenue / aov`, then
    /// [`Funnel::backward`]. Errors when the funnel has no aov.
    pub fn for_revenue(&self, revenue: f64) -> Result<FunnelPlan, FunnelError> {
        let revenue = non_negative("for_revenue: revenue", revenue)?;
        let aov = self.aov.ok_or_else(|| FunnelError::NoAov {
            function: "for_revenue".to_string(),
        })?;
        self.backward_named("for_revenue", revenue / aov)
    }

    fn backward_named(&self, function: &str, conversions: f64) -> Result<FunnelPlan, FunnelError> {
        let conversions = non_negative(&format!("{function}: conversions"), conversions)?;
        let mut rows = Vec::with_capacity(self.stages.len());
        let mut next = conversions;
        for s in self.stages.iter().rev() {
            let r = s.rate.get();
            let volume = if next == 0.0 {
                0.0
            } else if r == 0.0 {
                return Err(FunnelError::Unreachable {
                    function: function.to_string(),
                    stage: s.name.clone(),
                    target: conversions,
                });
            } else {
                next / r
            };
            if !volume.is_finite() {
                return Err(FunnelError::OutOfRange(crate::units::RangeError {
                    what: format!("{function}: the volume stage '{}' needs", s.name),
                    allowed: "finite (the rates are too small for this goal)".to_string(),
                    value: volume,
                }));
            }
            rows.push(row(s, volume, next));
            next = volume;
        }
        rows.reverse();
        Ok(self.plan(next, conversions, rows))
    }

    fn plan(&self, entering: f64, conversions: f64, rows: Vec<StageRow>) -> FunnelPlan {
        FunnelPlan {
            funnel: self.clone(),
            entering,
            conversions,
            revenue: conversions * self.aov.unwrap_or(0.0),
            rows,
        }
    }

    /// A copy with the rate of stage `stage` replaced (for what-ifs). Errors when no
    /// stage has that name.
    pub fn with_rate(&self, stage: &str, rate: Rate) -> Result<Funnel, FunnelError> {
        let i = self.index_of(stage)?;
        let mut f = self.clone();
        f.stages[i].rate = rate;
        Ok(f)
    }

    /// A copy with several stage rates replaced at once (`(stage, rate)` pairs); errors
    /// name the first unknown stage.
    pub fn with_rates(&self, changes: &[(String, Rate)]) -> Result<Funnel, FunnelError> {
        let mut f = self.clone();
        for (stage, rate) in changes {
            let i = f.index_of(stage)?;
            f.stages[i].rate = *rate;
        }
        Ok(f)
    }

    /// A copy with a different average order value (`None` removes it).
    pub fn with_aov(&self, aov: Option<f64>) -> Result<Funnel, FunnelError> {
        Funnel::new(self.stages.clone(), aov)
    }

    /// The stages as a table `stage, rate`.
    pub fn to_table(&self) -> Table {
        let stage = self.stages.iter().map(|s| Some(s.name.clone())).collect();
        let rate = self.stages.iter().map(|s| Some(s.rate.get())).collect();
        table(vec![
            ("stage", Column::text(stage)),
            ("rate", Column::float(rate).with_kind(Kind::Rate)),
        ])
    }
}

fn row(s: &Stage, volume: f64, next_volume: f64) -> StageRow {
    StageRow {
        stage: s.name.clone(),
        volume,
        rate: s.rate,
        next_volume,
        dropped: volume - next_volume,
    }
}

/// A table from columns whose names are distinct and lengths equal by construction.
pub(crate) fn table(columns: Vec<(&str, Column)>) -> Table {
    let columns: Vec<(String, Column)> = columns
        .into_iter()
        .map(|(n, c)| (n.to_string(), c))
        .collect();
    match Table::new("<funnel>", columns) {
        Ok(t) => t,
        // Unreachable: callers pass distinct names and equal lengths.
        Err(e) => unreachable!("funnel table: {e}"),
    }
}

impl FunnelPlan {
    /// The plan as a table `stage, volume, rate, next_volume, dropped`.
    pub fn to_table(&self) -> Table {
        let f =
            |g: fn(&StageRow) -> f64| Column::float(self.rows.iter().map(|r| Some(g(r))).collect());
        table(vec![
            (
                "stage",
                Column::text(self.rows.iter().map(|r| Some(r.stage.clone())).collect()),
            ),
            ("volume", f(|r| r.volume).with_kind(Kind::Count)),
            ("rate", f(|r| r.rate.get()).with_kind(Kind::Rate)),
            ("next_volume", f(|r| r.next_volume).with_kind(Kind::Count)),
            ("dropped", f(|r| r.dropped).with_kind(Kind::Count)),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    pub(crate) fn handbook() -> Funnel {
        let stages = [
            ("acquisition", 0.15),
            ("activation", 0.40),
            ("retention", 0.70),
            ("monetization", 0.90),
        ]
        .iter()
        .map(|(n, r)| Stage::new(n, Rate::new(*r, "rate").unwrap()))
        .collect();
        Funnel::new(stages, Some(150.0)).unwrap()
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1.0)
    }

    #[test]
    fn handbook_forward() {
        // docs/handbook.md, the funnel: 25,000 x 15% = 3,750; x 40% = 1,500; x 70% = 1,050;
        // x 90% = 945 conversions; x 150 = 141,750.
        let p = handbook().forward(25000.0).unwrap();
        assert!(close(p.conversions, 945.0, 1e-12), "{}", p.conversions);
        assert!(close(p.revenue, 141_750.0, 1e-12), "{}", p.revenue);
        let vols: Vec<f64> = p.rows.iter().map(|r| r.volume).collect();
        for (v, want) in vols.iter().zip([25000.0, 3750.0, 1500.0, 1050.0]) {
            assert!(close(*v, want, 1e-12), "{v} vs {want}");
        }
        assert!(close(p.rows[3].dropped, 105.0, 1e-12));
        assert_eq!(p.entering, 25000.0);
    }

    #[test]
    fn handbook_for_revenue() {
        // 1,000,000 / 150 = 6,666.67 conversions; / (0.15 x 0.4 x 0.7 x 0.9 = 0.0378)
        // = 176,366.84 entering.
        let p = handbook().for_revenue(1_000_000.0).unwrap();
        assert!(close(p.conversions, 1_000_000.0 / 150.0, 1e-12));
        assert!(close(p.entering, 1_000_000.0 / 150.0 / 0.0378, 1e-12));
        assert_eq!(format!("{:.1}", p.entering), "176366.8");
        assert!(close(p.revenue, 1_000_000.0, 1e-12));
        // the first stage's next volume is the second stage's volume
        assert!(close(p.rows[0].next_volume, p.rows[1].volume, 0.0));
    }

    #[test]
    fn backward_of_handbook_conversions() {
        let p = handbook().backward(945.0).unwrap();
        assert!(close(p.entering, 25000.0, 1e-12), "{}", p.entering);
        assert!(close(p.rows[3].volume, 1050.0, 1e-12));
        assert!(close(p.rows[2].volume, 1500.0, 1e-12));
    }

    #[test]
    fn bad_input() {
        assert_eq!(Funnel::new(vec![], None), Err(FunnelError::NoStages));
        let r = Rate::new(0.5, "rate").unwrap();
        let dup = Funnel::new(vec![Stage::new("a", r), Stage::new("a", r)], None).unwrap_err();
        assert!(dup.to_string().contains("'a' appears twice"), "{dup}");
        assert!(Funnel::new(vec![Stage::new(" ", r)], None).is_err());
        assert!(Funnel::new(vec![Stage::new("a", r)], Some(-1.0)).is_err());
        assert!(Funnel::new(vec![Stage::new("a", r)], Some(f64::NAN)).is_err());
        let f = handbook();
        assert!(f.forward(-1.0).is_err());
        assert!(f.forward(f64::INFINITY).is_err());
        assert!(f.backward(f64::NAN).is_err());
        let no_aov = Funnel::new(f.stages().to_vec(), None).unwrap();
        let e = no_aov.for_revenue(100.0).unwrap_err().to_string();
        assert!(e.contains("aov: 150"), "{e}");
        assert_eq!(no_aov.forward(100.0).unwrap().revenue, 0.0);
        let e = f.with_rate("retension", r).unwrap_err().to_string();
        assert!(e.contains("did you mean 'retention'"), "{e}");
    }

    #[test]
    fn zero_rate() {
        let f = handbook()
            .with_rate("activation", Rate::new(0.0, "r").unwrap())
            .unwrap();
        assert_eq!(f.forward(1000.0).unwrap().conversions, 0.0);
        let e = f.backward(10.0).unwrap_err().to_string();
        assert!(e.contains("'activation' has rate 0"), "{e}");
        let p = f.backward(0.0).unwrap();
        assert_eq!(p.entering, 0.0);
    }

    #[test]
    fn with_rate_changes_one_stage() {
        let f = handbook();
        let g = f
            .with_rate("retention", Rate::new(0.75, "r").unwrap())
            .unwrap();
        assert_eq!(g.stages()[2].rate.get(), 0.75);
        assert_eq!(f.stages()[2].rate.get(), 0.70);
        // 25,000 x 0.15 x 0.4 x 0.75 x 0.9 = 1,012.5
        assert!(close(
            g.forward(25000.0).unwrap().conversions,
            1012.5,
            1e-12
        ));
    }

    #[test]
    fn with_rates_and_aov() {
        let f = handbook();
        let r = |x| Rate::new(x, "r").unwrap();
        let g = f
            .with_rates(&[
                ("acquisition".into(), r(0.2)),
                ("monetization".into(), r(1.0)),
            ])
            .unwrap()
            .with_aov(Some(100.0))
            .unwrap();
        // 25,000 x 0.2 x 0.4 x 0.7 x 1.0 = 1,400; x 100 = 140,000
        let p = g.forward(25000.0).unwrap();
        assert!(close(p.conversions, 1400.0, 1e-12));
        assert!(close(p.revenue, 140_000.0, 1e-12));
        assert!(f.with_rates(&[("nope".into(), r(0.1))]).is_err());
        assert_eq!(f.with_aov(None).unwrap().aov(), None);
    }

    #[test]
    fn table_columns() {
        let t = handbook().forward(25000.0).unwrap().to_table();
        assert_eq!(
            t.names(),
            ["stage", "volume", "rate", "next_volume", "dropped"]
        );
        assert_eq!(t.n_rows(), 4);
    }

    fn arb_funnel() -> impl Strategy<Value = Funnel> {
        proptest::collection::vec(1e-3f64..=1.0, 1..12).prop_map(|rates| {
            let stages = rates
                .iter()
                .enumerate()
                .map(|(i, r)| Stage::new(&format!("s{i}"), Rate::new(*r, "r").unwrap()))
                .collect();
            Funnel::new(stages, Some(150.0)).unwrap()
        })
    }

    proptest! {
        #[test]
        fn forward_backward_are_inverses(f in arb_funnel(), x in 1e-3f64..1e9) {
            let b = f.backward(x).unwrap();
            let fw = f.forward(b.entering).unwrap();
            prop_assert!(close(fw.conversions, x, 1e-9), "{} vs {}", fw.conversions, x);
            for (r1, r2) in fw.rows.iter().zip(&b.rows) {
                prop_assert!((r1.volume - r2.volume).abs() <= 1e-9 * r2.volume.abs().max(1e-300));
            }
            let fw2 = f.forward(x).unwrap();
            let back = f.backward(fw2.conversions).unwrap();
            prop_assert!(close(back.entering, x, 1e-9), "{} vs {}", back.entering, x);
            let rev = f.for_revenue(x).unwrap();
            prop_assert!(close(f.forward(rev.entering).unwrap().revenue, x, 1e-9));
        }
    }
}
