//! Native models for what-ifs: a funnel (`entering x rate_1 x ... x rate_k x aov`,
//! docs/handbook.md, the funnel: "revenue = average order value x target users x conversion
//! rate") and a budget response curve (`result = curve(spend)`, `revenue = result x
//! value`), whose inputs are fixed numbers or distributions. They are swept, goal-sought,
//! simulated and charted in native Rust, never row by row in the interpreter.

use super::distribution::Dist;
use super::error::{out_of_range, Failure, ScenarioError};
use super::goal_seek::{goal_seek, Seek, SeekOptions};
use super::monte_carlo::{run_parallel, SimOptions, Summary};
use super::sweep::{points, Combine};
use super::tornado::{tornado, Tornado};
use crate::budget::{self, AllocateOptions, Channel, Curve, Limits};
use crate::table::{Column, Table};
use crate::units::Rate;

/// A model input: a fixed number or a distribution.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// A known value.
    Fixed(f64),
    /// An uncertain value.
    Uncertain(Dist),
}

impl Input {
    /// The value used when the input is held at base: the number, or the distribution's mean.
    pub fn base(&self) -> f64 {
        match self {
            Input::Fixed(v) => *v,
            Input::Uncertain(d) => d.mean(),
        }
    }

    /// The input's 10th-90th percentile range, for an uncertain input.
    pub fn p10_p90(&self) -> Option<(f64, f64)> {
        match self {
            Input::Fixed(_) => None,
            Input::Uncertain(d) => Some((d.quantile(0.1), d.quantile(0.9))),
        }
    }

    #[inline]
    fn draw<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Input::Fixed(v) => *v,
            Input::Uncertain(d) => d.sample(rng),
        }
    }
}

/// What a model computes.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// Inputs `entering, stage rates..., [aov]`; conversions and revenue.
    Funnel { stages: usize, aov: bool },
    /// Inputs `spend, [value]`; result and revenue.
    Response { curve: Curve, value: bool },
}

/// A native model with named inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    kind: Kind,
    names: Vec<String>,
    inputs: Vec<Input>,
}

impl Model {
    /// A funnel: `entering` visitors, the stages' conversion rates in order, and an
    /// optional average order value. Rates must lie in [0, 1]: a fixed rate is checked
    /// as a [`Rate`], an uncertain one must be a distribution that stays in [0, 1]
    /// (beta, or uniform/triangular within [0, 1]). Stage names must be unique and
    /// differ from `entering` and `aov`.
    pub fn funnel(
        entering: Input,
        stages: Vec<(String, Input)>,
        aov: Option<Input>,
    ) -> Result<Model, ScenarioError> {
        if stages.is_empty() {
            return Err(ScenarioError::Invalid(
                "funnel model: give at least one stage, like [#{ name: \"activation\", rate: 0.4 }]".into(),
            ));
        }
        let mut names = vec!["entering".to_string()];
        let mut inputs = vec![entering];
        let n = stages.len();
        for (name, input) in stages {
            if name.is_empty() || names.contains(&name) || name == "aov" {
                return Err(ScenarioError::Invalid(format!(
                    "funnel model: stage names must be unique, non-empty and not 'entering' or 'aov', got '{name}'"
                )));
            }
            names.push(name);
            inputs.push(input);
        }
        let has_aov = aov.is_some();
        if let Some(a) = aov {
            names.push("aov".into());
            inputs.push(a);
        }
        Model {
            kind: Kind::Funnel {
                stages: n,
                aov: has_aov,
            },
            names,
            inputs,
        }
        .checked()
    }

    /// The model of a planned funnel ([`crate::funnel::Funnel`]): its stages with their
    /// rates, `entering` visitors, and its aov. `overrides` replace inputs by name (a
    /// stage's rate, `entering` or `aov`), typically with distributions to make them
    /// uncertain; an `aov` override also adds an aov to a funnel without one.
    pub fn from_funnel(
        f: &crate::funnel::Funnel,
        entering: Input,
        overrides: Vec<(String, Input)>,
    ) -> Result<Model, ScenarioError> {
        let stages = f
            .stages()
            .iter()
            .map(|s| (s.name.clone(), Input::Fixed(s.rate.get())))
            .collect();
        let aov_override = overrides
            .iter()
            .find(|(n, _)| n == "aov")
            .map(|(_, i)| i.clone());
        let aov = aov_override.or(f.aov().map(Input::Fixed));
        let mut m = Model::funnel(entering, stages, aov)?;
        for (name, input) in overrides {
            if name != "aov" {
                m = m.with_input(&name, input)?;
            }
        }
        Ok(m)
    }

    /// A budget response model: `result = curve(spend)`, and `revenue = result x value`
    /// when a value per result is given. Spend must be >= 0.
    pub fn response(
        curve: Curve,
        spend: Input,
        value: Option<Input>,
    ) -> Result<Model, ScenarioError> {
        let mut names = vec!["spend".to_string()];
        let mut inputs = vec![spend];
        let has_value = value.is_some();
        if let Some(v) = value {
            names.push("value".into());
            inputs.push(v);
        }
        Model {
            kind: Kind::Response {
                curve,
                value: has_value,
            },
            names,
            inputs,
        }
        .checked()
    }

    fn is_rate(&self, i: usize) -> bool {
        matches!(self.kind, Kind::Funnel { stages, .. } if i >= 1 && i <= stages)
    }

    /// The model, once every input is checked against what it stands for.
    fn checked(self) -> Result<Model, ScenarioError> {
        for (i, input) in self.inputs.iter().enumerate() {
            self.check(i, input)?;
        }
        Ok(self)
    }

    fn check(&self, i: usize, input: &Input) -> Result<(), ScenarioError> {
        let name = &self.names[i];
        if self.is_rate(i) {
            match input {
                Input::Fixed(v) => {
                    Rate::new(*v, &format!("stage '{name}': rate"))?;
                }
                Input::Uncertain(d) => {
                    let (lo, hi) = d.support();
                    if lo < 0.0 || hi > 1.0 {
                        return Err(ScenarioError::Invalid(format!(
                            "stage '{name}': an uncertain rate must stay between 0 and 1 (use a beta, or a uniform or triangular within [0, 1]), got {}",
                            d.describe()
                        )));
                    }
                }
            }
        } else if let Input::Fixed(v) = input {
            // entering visitors and spend cannot be negative
            let nonneg = i == 0;
            if !v.is_finite() || nonneg && *v < 0.0 {
                return Err(out_of_range(
                    name,
                    if nonneg {
                        "a number >= 0"
                    } else {
                        "a finite number"
                    },
                    *v,
                ));
            }
        }
        Ok(())
    }

    /// The input names, in the model's order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The inputs, in the model's order.
    pub fn inputs(&self) -> &[Input] {
        &self.inputs
    }

    /// The index of an input, or an error listing the names.
    pub fn index_of(&self, name: &str) -> Result<usize, ScenarioError> {
        self.names.iter().position(|n| n == name).ok_or_else(|| {
            let hint = crate::suggest::closest(name, self.names.iter().map(String::as_str))
                .map(|s| format!(" (did you mean '{s}'?)"))
                .unwrap_or_default();
            ScenarioError::Invalid(format!(
                "the model has no input '{name}'{hint}; its inputs are {}",
                self.names.join(", ")
            ))
        })
    }

    /// The model with input `name` replaced (checked as at construction).
    pub fn with_input(&self, name: &str, input: Input) -> Result<Model, ScenarioError> {
        let i = self.index_of(name)?;
        self.check(i, &input)?;
        let mut m = self.clone();
        m.inputs[i] = input;
        Ok(m)
    }

    /// The names of the outputs: `conversions` and `revenue` (with an aov) for a
    /// funnel; `result` and `revenue` (with a value) for a response curve. The last is
    /// the model's main output (what `simulate`, `tornado` and `goal_seek` use).
    pub fn output_names(&self) -> Vec<&'static str> {
        match &self.kind {
            Kind::Funnel { aov: true, .. } => vec!["conversions", "revenue"],
            Kind::Funnel { aov: false, .. } => vec!["conversions"],
            Kind::Response { value: true, .. } => vec!["result", "revenue"],
            Kind::Response { value: false, .. } => vec!["result"],
        }
    }

    /// The base value of every input.
    pub fn base(&self) -> Vec<f64> {
        self.inputs.iter().map(Input::base).collect()
    }

    /// Every output at input values `x` (one per input, unchecked).
    pub fn outputs(&self, x: &[f64]) -> Vec<f64> {
        match &self.kind {
            Kind::Funnel { stages, aov } => {
                let conv: f64 = x[..=*stages].iter().product();
                if *aov {
                    vec![conv, conv * x[stages + 1]]
                } else {
                    vec![conv]
                }
            }
            Kind::Response { curve, value } => {
                let r = curve.eval(x[0].max(0.0)).unwrap_or(f64::NAN);
                if *value {
                    vec![r, r * x[1]]
                } else {
                    vec![r]
                }
            }
        }
    }

    /// The main output at input values `x`.
    #[inline]
    pub fn main_output(&self, x: &[f64]) -> f64 {
        match &self.kind {
            Kind::Funnel { .. } => x.iter().product(),
            Kind::Response { curve, value } => {
                let r = curve.eval(x[0].max(0.0)).unwrap_or(f64::NAN);
                if *value {
                    r * x[1]
                } else {
                    r
                }
            }
        }
    }

    /// One trial: every input drawn (fixed ones as they are), the main output.
    #[inline]
    pub fn trial<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.kind {
            Kind::Funnel { .. } => {
                let mut p = 1.0;
                for input in &self.inputs {
                    // beta rates, the common case, without the general dispatch
                    p *= match input {
                        Input::Fixed(v) => *v,
                        Input::Uncertain(Dist::Beta(b)) => b.sample(rng),
                        Input::Uncertain(d) => d.sample(rng),
                    };
                }
                p
            }
            Kind::Response { curve, value } => {
                let s = self.inputs[0].draw(rng).max(0.0);
                let r = curve.eval(s).unwrap_or(f64::NAN);
                if *value {
                    r * self.inputs[1].draw(rng)
                } else {
                    r
                }
            }
        }
    }

    /// `n` trials in parallel (seeded chunks, see [`super::monte_carlo`]), summarised.
    pub fn simulate(&self, n: usize, options: &SimOptions) -> Result<Summary, ScenarioError> {
        Summary::new(self.simulate_values(n, options)?)
    }

    /// `n` trial values in trial order.
    pub fn simulate_values(
        &self,
        n: usize,
        options: &SimOptions,
    ) -> Result<Vec<f64>, ScenarioError> {
        run_parallel(n, options, |rng| self.trial(rng))
    }

    /// Checks a swept value for input `i`.
    fn check_value(&self, i: usize, v: f64) -> Result<(), ScenarioError> {
        self.check(i, &Input::Fixed(v))
    }

    /// Sweeps the named inputs over their values (others at base): a table with one
    /// column per swept input and one per output.
    pub fn sweep(
        &self,
        axes: &[(String, Vec<f64>)],
        combine: Combine,
    ) -> Result<Table, ScenarioError> {
        let idx = axes
            .iter()
            .map(|(n, vals)| {
                let i = self.index_of(n)?;
                for v in vals {
                    self.check_value(i, *v)
                        .map_err(|e| ScenarioError::Invalid(format!("sweep: {e}")))?;
                }
                Ok(i)
            })
            .collect::<Result<Vec<usize>, ScenarioError>>()?;
        let pts = points(axes, combine)?;
        let outs = self.output_names();
        let mut cols: Vec<Vec<Option<f64>>> =
            vec![Vec::with_capacity(pts.len()); axes.len() + outs.len()];
        let mut x = self.base();
        for p in &pts {
            for (k, &i) in idx.iter().enumerate() {
                x[i] = p[k];
                cols[k].push(Some(p[k]));
            }
            for (j, o) in self.outputs(&x).into_iter().enumerate() {
                cols[axes.len() + j].push(Some(o));
            }
        }
        let names = axes
            .iter()
            .map(|(n, _)| n.clone())
            .chain(outs.iter().map(|s| s.to_string()));
        Ok(Table::new(
            "<sweep>",
            names
                .zip(cols)
                .map(|(n, c)| (n, Column::float(c)))
                .collect(),
        )?)
    }

    /// The tornado of the main output: inputs in `ranges` across their given range,
    /// uncertain inputs not in `ranges` across their p10-p90, the rest left out.
    pub fn tornado(&self, ranges: &[(String, (f64, f64))]) -> Result<Tornado, ScenarioError> {
        let mut r: Vec<Option<(f64, f64)>> = self.inputs.iter().map(Input::p10_p90).collect();
        for (name, range) in ranges {
            let i = self.index_of(name)?;
            self.check_value(i, range.0)?;
            self.check_value(i, range.1)?;
            r[i] = Some(*range);
        }
        tornado::<ScenarioError, _>(&self.names, &self.base(), &r, |x| Ok(self.main_output(x)))
            .map_err(|e| match e {
                Failure::Scenario(e) | Failure::Model(e) => e,
            })
    }

    /// The value of input `name` at which the main output reaches `target`, others at
    /// base, by [`goal_seek`] over `[lo, hi]`.
    pub fn seek(
        &self,
        name: &str,
        target: f64,
        lo: f64,
        hi: f64,
        options: &SeekOptions,
    ) -> Result<Seek, ScenarioError> {
        let i = self.index_of(name)?;
        let mut x = self.base();
        goal_seek::<ScenarioError, _>(
            |v| {
                x[i] = v;
                Ok(self.main_output(&x))
            },
            target,
            lo,
            hi,
            options,
        )
        .map_err(|e| match e {
            Failure::Scenario(e) | Failure::Model(e) => e,
        })
    }

    /// The value input `name` needs for the main output to reach `target`, others at
    /// base, in closed form where one exists:
    ///
    /// * funnel: the output is a product, so `x = target / (product of the others)`;
    ///   a stage rate above 1 is an error (the target is out of reach at that stage);
    /// * response curve: the spend is [`budget::min_budget`] on the curve as a single
    ///   channel for `target / value`; the value per result is `target / result`.
    pub fn required(&self, name: &str, target: f64) -> Result<f64, ScenarioError> {
        let i = self.index_of(name)?;
        if !(target.is_finite() && target > 0.0) {
            return Err(out_of_range(
                "required: target",
                "a positive number",
                target,
            ));
        }
        let x = self.base();
        match &self.kind {
            Kind::Funnel { .. } => {
                let others: f64 = x
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, v)| v)
                    .product();
                if others == 0.0 {
                    return Err(ScenarioError::Invalid(format!(
                        "required: the other inputs multiply to 0, so no value of '{name}' reaches {target}"
                    )));
                }
                let v = target / others;
                if self.is_rate(i) && v > 1.0 {
                    return Err(ScenarioError::Invalid(format!(
                        "required: stage '{name}' would need a rate of {v:.6} (above 100%) to reach {target}; raise the other inputs"
                    )));
                }
                Ok(v)
            }
            Kind::Response { curve, value } => {
                if i == 0 {
                    let per = if *value { x[1] } else { 1.0 };
                    if per.is_nan() || per <= 0.0 {
                        return Err(out_of_range("required: value", "a positive number", per));
                    }
                    let ch = Channel::new(
                        "curve",
                        *curve,
                        Limits {
                            min: 0.0,
                            max: f64::INFINITY,
                            fixed: None,
                        },
                    )
                    .map_err(|e| ScenarioError::Invalid(e.to_string()))?;
                    let a = budget::min_budget(&[ch], target / per, &AllocateOptions::default())
                        .map_err(|e| ScenarioError::Invalid(e.to_string()))?;
                    Ok(a.total)
                } else {
                    let r = curve
                        .eval(x[0].max(0.0))
                        .map_err(|e| ScenarioError::Invalid(e.to_string()))?;
                    if r <= 0.0 {
                        return Err(ScenarioError::Invalid(
                            "required: the curve returns 0 at the base spend, so no value per result reaches the target".into(),
                        ));
                    }
                    Ok(target / r)
                }
            }
        }
    }
}
