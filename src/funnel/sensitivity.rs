//! Which lever matters most: for each stage, the change in conversions and revenue
//! when its rate rises by one point (0.15 -> 0.16) and by 1% relative (0.15 -> 0.1515),
//! ranked (docs/handbook.md, the review: "if the store forwarding rate rises 1 point ...").
//!
//! Each change is computed exactly by projecting the funnel again with the one rate
//! changed (capped at 1), not by a derivative. Since conversions are
//! `entering x r1 x ... x rn`, raising stage i's rate by `step` points adds
//! `conversions x step / ri` (the lowest rate is the strongest lever), while raising
//! any rate by 1% relative adds exactly 1% of the conversions: relative changes tie
//! unless a cap at 100% binds. Stages are ranked by the point change.

use super::error::{non_negative, FunnelError};
use super::plan::{table, Funnel};
use crate::table::{Column, Kind, Table};
use crate::units::Rate;

/// One stage's effect on the funnel's output.
#[derive(Debug, Clone, PartialEq)]
pub struct Lever {
    /// The stage.
    pub stage: String,
    /// Its current rate.
    pub rate: Rate,
    /// The rate after the point step, `min(rate + step, 1)`.
    pub rate_point: Rate,
    /// Conversions gained by the point step.
    pub conversions_point: f64,
    /// Revenue gained by the point step (0 without an aov).
    pub revenue_point: f64,
    /// The rate after the relative step, `min(rate x (1 + relative), 1)`.
    pub rate_relative: Rate,
    /// Conversions gained by the relative step.
    pub conversions_relative: f64,
    /// Revenue gained by the relative step (0 without an aov).
    pub revenue_relative: f64,
}

/// The sensitivity of a funnel at a given entering volume.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    /// The entering volume.
    pub entering: f64,
    /// The conversions before any change.
    pub conversions: f64,
    /// The revenue before any change.
    pub revenue: f64,
    /// The point step (0.01 is one point).
    pub step: f64,
    /// The relative step (0.01 is 1%).
    pub relative: f64,
    /// The stages, strongest lever first (by the point change; ties keep funnel order).
    pub levers: Vec<Lever>,
}

/// Computes the sensitivity of `f` at `entering`: for each stage, the exact change in
/// conversions and revenue when its rate rises by `step` (absolute, in (0, 1]) and
/// by `relative` (a fraction of the rate, > 0), each capped at a rate of 1.
pub fn sensitivity(
    f: &Funnel,
    entering: f64,
    step: f64,
    relative: f64,
) -> Result<Sensitivity, FunnelError> {
    let entering = non_negative("sensitivity: entering", entering)?;
    if !(step.is_finite() && step > 0.0 && step <= 1.0) {
        return Err(FunnelError::OutOfRange(crate::units::RangeError {
            what: "sensitivity: step".to_string(),
            allowed: "a rate step in (0, 1] (0.01 is one point)".to_string(),
            value: step,
        }));
    }
    if !(relative.is_finite() && relative > 0.0) {
        return Err(FunnelError::OutOfRange(crate::units::RangeError {
            what: "sensitivity: relative".to_string(),
            allowed: "a positive fraction (0.01 is 1%)".to_string(),
            value: relative,
        }));
    }
    let base = f.forward(entering)?;
    let gain = |stage: &str, r: f64| -> Result<(Rate, f64, f64), FunnelError> {
        let r = Rate::new(r.min(1.0), "rate")?;
        let p = f.with_rate(stage, r)?.forward(entering)?;
        Ok((
            r,
            p.conversions - base.conversions,
            p.revenue - base.revenue,
        ))
    };
    let mut levers = f
        .stages()
        .iter()
        .map(|s| {
            let (rate_point, conversions_point, revenue_point) =
                gain(&s.name, s.rate.get() + step)?;
            let (rate_relative, conversions_relative, revenue_relative) =
                gain(&s.name, s.rate.get() * (1.0 + relative))?;
            Ok(Lever {
                stage: s.name.clone(),
                rate: s.rate,
                rate_point,
                conversions_point,
                revenue_point,
                rate_relative,
                conversions_relative,
                revenue_relative,
            })
        })
        .collect::<Result<Vec<_>, FunnelError>>()?;
    levers.sort_by(|a, b| b.conversions_point.total_cmp(&a.conversions_point));
    Ok(Sensitivity {
        entering,
        conversions: base.conversions,
        revenue: base.revenue,
        step,
        relative,
        levers,
    })
}

impl Sensitivity {
    /// The levers as a table `rank, stage, rate, conversions_point, revenue_point,
    /// conversions_relative, revenue_relative`, strongest first.
    pub fn to_table(&self) -> Table {
        let l = &self.levers;
        let f = |g: fn(&Lever) -> f64| Column::float(l.iter().map(|x| Some(g(x))).collect());
        table(vec![
            (
                "rank",
                Column::int((1..=l.len() as i64).map(Some).collect()),
            ),
            (
                "stage",
                Column::text(l.iter().map(|x| Some(x.stage.clone())).collect()),
            ),
            ("rate", f(|x| x.rate.get()).with_kind(Kind::Rate)),
            (
                "conversions_point",
                f(|x| x.conversions_point).with_kind(Kind::Count),
            ),
            (
                "revenue_point",
                f(|x| x.revenue_point).with_kind(Kind::Money),
            ),
            (
                "conversions_relative",
                f(|x| x.conversions_relative).with_kind(Kind::Count),
            ),
            (
                "revenue_relative",
                f(|x| x.revenue_relative).with_kind(Kind::Money),
            ),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::funnel::plan::Stage;

    fn handbook() -> Funnel {
        let s = [
            ("acquisition", 0.15),
            ("activation", 0.40),
            ("retention", 0.70),
            ("monetization", 0.90),
        ]
        .iter()
        .map(|(n, r)| Stage::new(n, Rate::new(*r, "r").unwrap()))
        .collect();
        Funnel::new(s, Some(150.0)).unwrap()
    }

    #[test]
    fn closed_form_on_the_handbook() {
        // One point on stage i adds 945 x 0.01 / r_i conversions: 63, 23.625, 13.5, 10.5;
        // 1% relative adds 9.45 on every stage.
        let s = sensitivity(&handbook(), 25000.0, 0.01, 0.01).unwrap();
        let got: Vec<(&str, f64, f64)> = s
            .levers
            .iter()
            .map(|l| (l.stage.as_str(), l.conversions_point, l.revenue_point))
            .collect();
        let want = [
            ("acquisition", 63.0, 9450.0),
            ("activation", 23.625, 3543.75),
            ("retention", 13.5, 2025.0),
            ("monetization", 10.5, 1575.0),
        ];
        for (g, w) in got.iter().zip(want) {
            assert_eq!(g.0, w.0);
            assert!((g.1 - w.1).abs() < 1e-9, "{g:?} vs {w:?}");
            assert!((g.2 - w.2).abs() < 1e-6, "{g:?} vs {w:?}");
        }
        for l in &s.levers {
            assert!((l.conversions_relative - 9.45).abs() < 1e-9, "{l:?}");
            assert!((l.revenue_relative - 1417.5).abs() < 1e-6, "{l:?}");
        }
        assert_eq!(s.to_table().n_rows(), 4);
    }

    #[test]
    fn capped_at_one_and_ranked() {
        let f = handbook()
            .with_rate("monetization", Rate::new(0.995, "r").unwrap())
            .unwrap();
        let s = sensitivity(&f, 1000.0, 0.01, 0.01).unwrap();
        let m = s.levers.iter().find(|l| l.stage == "monetization").unwrap();
        assert_eq!(m.rate_point.get(), 1.0);
        // conversions x (1 - 0.995) / 0.995
        let want = s.conversions * 0.005 / 0.995;
        assert!((m.conversions_point - want).abs() < 1e-9);
        assert_eq!(s.levers.last().unwrap().stage, "monetization");
    }

    #[test]
    fn bad_steps() {
        let f = handbook();
        assert!(sensitivity(&f, 100.0, 0.0, 0.01).is_err());
        assert!(sensitivity(&f, 100.0, 2.0, 0.01).is_err());
        assert!(sensitivity(&f, 100.0, 0.01, -1.0).is_err());
        assert!(sensitivity(&f, -100.0, 0.01, 0.01).is_err());
    }
}
