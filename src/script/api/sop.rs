//! Script API of the SOP domain: `schedule(tasks, options)` and the `Plan` it returns
//! (tables, conflicts, critical path, what-ifs, diff, Gantt chart, Mermaid, iCalendar).
//!
//! Domain code lives in `crate::sop`; this file converts script values.

use crate::script::{context, num, script_error, table_arg, Options};
use crate::sop::{self, Effort, Plan, SopInput, SopOptions};
use crate::table::SheetOptions;
use crate::table::Table;
use rhai::plugin::*;
use rhai::{Array, Dynamic, EvalAltResult, Map, Module, NativeCallContext};

/// The module: functions plus the `Plan` type.
pub fn module() -> Module {
    let mut m = exported_module!(sop_api);
    m.set_custom_type::<Plan>("Plan");
    m
}

type R<T> = Result<T, Box<EvalAltResult>>;

fn date(s: &str, what: &str) -> R<chrono::NaiveDate> {
    crate::units::parse_date(s).map_err(|_| {
        script_error(format!(
            "{what} must be a date like \"2024-07-01\" (YYYY-MM-DD), got \"{s}\""
        ))
    })
}

fn input(ctx: &NativeCallContext, tasks: Dynamic, options: Map) -> R<SopInput> {
    let f = "schedule";
    let o = Options::new(
        f,
        options,
        &[
            "start",
            "launch",
            "weekend",
            "owners",
            "calendar",
            "unavailable",
            "seed",
            "effort",
            "sheet",
            "launches",
            "status_date",
            "baseline",
        ],
    )?;
    let start = o.str("start")?.ok_or_else(|| {
        script_error("schedule: option 'start' is required: the first day of planning, like #{ start: \"2024-06-03\" }")
    })?;
    let mut opts = SopOptions::new(date(&start, "schedule: option 'start'")?);
    if let Some(l) = o.str("launch")? {
        opts.launch = Some(date(&l, "schedule: option 'launch'")?);
    }
    if let Some(v) = o.raw("launches").filter(|v| !v.is_unit()) {
        let map = v.clone().try_cast::<Map>().ok_or_else(|| {
            script_error("schedule: option 'launches' must be a map of names to dates, like #{ summer: \"2024-07-01\", d11: \"2024-11-11\" }")
        })?;
        for (name, d) in map {
            let text = d.into_string().map_err(|_| {
                script_error(format!(
                    "schedule: option 'launches': '{name}' must be a date string like \"2024-07-01\""
                ))
            })?;
            let when = date(&text, &format!("schedule: option 'launches': '{name}'"))?;
            opts.launches.push((name.to_string(), when));
        }
    }
    if let Some(s) = o.str("status_date")? {
        let d = date(&s, "schedule: option 'status_date'")?;
        if d < opts.start {
            return Err(script_error(format!(
                "schedule: option 'status_date' ({d}) must be on or after 'start' ({})",
                opts.start
            )));
        }
        opts.status_date = Some(d);
    }
    if let Some(w) = o.strings("weekend")? {
        opts.weekend = SopOptions::parse_weekend(&w).map_err(script_error)?;
    }
    if let Some(s) = o.i64("seed")? {
        if s < 0 {
            return Err(script_error(format!(
                "schedule: option 'seed' must be a whole number >= 0, got {s}"
            )));
        }
        opts.seed = s as u64;
    }
    if let Some(e) = o.str("effort")? {
        opts.effort = Effort::parse(&e).map_err(script_error)?;
    }
    let table = |key: &str| -> R<Option<Table>> {
        match o.raw(key) {
            None => Ok(None),
            Some(v) if v.is_unit() => Ok(None),
            Some(v) => table_arg(
                ctx,
                v.clone(),
                &format!("schedule: option '{key}'"),
                &SheetOptions::default(),
            )
            .map(Some),
        }
    };
    let sheet = SheetOptions {
        sheet: o.str("sheet")?,
        range: None,
    };
    let tasks = table_arg(ctx, tasks, "schedule: tasks", &sheet)?;
    let names: Vec<String> = opts.launches.iter().map(|l| l.0.clone()).collect();
    let tasks =
        sop::tasks_from_table(&tasks, opts.launch.is_some(), &names).map_err(script_error)?;
    let baseline = table("baseline")?
        .map(|t| sop::baseline_from_table(&t))
        .transpose()
        .map_err(script_error)?
        .unwrap_or_default();
    let owners = table("owners")?
        .map(|t| sop::owners_from_table(&t))
        .transpose()
        .map_err(script_error)?;
    let (holidays, workdays) = table("calendar")?
        .map(|t| sop::calendar_from_table(&t))
        .transpose()
        .map_err(script_error)?
        .unwrap_or_default();
    let unavailable = table("unavailable")?
        .map(|t| sop::unavailable_from_table(&t))
        .transpose()
        .map_err(script_error)?
        .unwrap_or_default();
    Ok(SopInput {
        tasks,
        owners,
        holidays,
        workdays,
        unavailable,
        baseline,
        options: opts,
    })
}

#[allow(clippy::unwrap_used)]
#[export_module]
mod sop_api {
    use super::*;

    /// Schedules the SOP: every task gets dates that respect its predecessors (with lags),
    /// its owner's capacity, leave and lead time, its earliest start, and the calendar;
    /// deadlines first (least total lateness, then the earliest finish). `tasks` is a
    /// table with `id,name,owner,duration,after,earliest_start,deadline,phase,status,
    /// actual_start,actual_finish` (see docs/formats.md). Options: `start` (required),
    /// `launch`, `weekend` (default `["sat", "sun"]`), `owners`, `calendar`,
    /// `unavailable` (tables), `seed` (default 1), `effort` (`"fast"` or `"thorough"`).
    /// `tasks` and the option tables may also be paths to a CSV file or a workbook
    /// (`.xlsx`, `.xls`, `.ods`, read by extension): `sheet` names the tasks' sheet
    /// (default the first); a path given for `owners`, `calendar` or `unavailable`
    /// reads its file's first sheet (`load_xlsx(path, #{ sheet })` picks another).
    /// Statuses may be written `待办`, `进行中`, `已完成`.
    /// A dependency cycle is an error naming the tasks in it.
    ///
    /// ```rhai
    /// let plan = schedule(load_csv("fixtures/sop/tasks.csv"), #{
    ///     start: "2024-06-03", launch: "2024-07-01",
    ///     owners: load_csv("fixtures/sop/owners.csv"),
    ///     calendar: load_csv("fixtures/sop/calendar.csv"),
    ///     unavailable: load_csv("fixtures/sop/unavailable.csv") });
    /// print(plan.finish);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn schedule(ctx: NativeCallContext, tasks: Dynamic, options: Map) -> R<Plan> {
        let run = context(&ctx)?;
        let input = input(&ctx, tasks, options)?;
        sop::schedule(&input, run.deadline).map_err(script_error)
    }

    /// The plan's tasks: `id, name, owner, start, finish` (dates; finish is the last
    /// working day the task occupies), `start_offset, finish_offset` (working days from
    /// the first working day, finish exclusive: a 2-day task at 0 finishes at 2), `slack`
    /// (working days it can slip without delaying the finish or missing a deadline,
    /// owners' task order kept), `critical` (zero slack), `late` (working days past the
    /// deadline).
    ///
    /// ```rhai
    /// let plan = schedule([#{ id: "a", duration: 2 }, #{ id: "b", duration: 1, after: "a" }],
    ///                     #{ start: "2024-06-07" });
    /// print(plan.tasks);   // b starts Tuesday 2024-06-11 at offset 2
    /// ```
    #[rhai_fn(get = "tasks", pure, return_raw)]
    pub fn tasks(plan: &mut Plan) -> R<Table> {
        plan.tasks_table().map_err(script_error)
    }

    /// The plan's finish: the last working day any task occupies (`YYYY-MM-DD`).
    ///
    /// ```rhai
    /// let plan = schedule([#{ id: "a", duration: 6 }], #{ start: "2024-06-03" });
    /// print(plan.finish);   // 2024-06-10
    /// ```
    #[rhai_fn(get = "finish", pure)]
    pub fn finish(plan: &mut Plan) -> String {
        plan.finish_date.to_string()
    }

    /// The plan's length in working days from its first working day to its finish.
    ///
    /// ```rhai
    /// let plan = schedule([#{ id: "a", duration: 2.5 }], #{ start: "2024-06-03" });
    /// print(plan.length);   // 2.5
    /// ```
    #[rhai_fn(get = "length", pure)]
    pub fn length(plan: &mut Plan) -> f64 {
        plan.length_days()
    }

    /// The precedence-only lower bound on the length in working days (no plan is
    /// shorter; owners and leave can make the plan longer).
    ///
    /// ```rhai
    /// let plan = schedule([#{ id: "a", duration: 2, owner: "x" }, #{ id: "b", duration: 2, owner: "x" }],
    ///                     #{ start: "2024-06-03" });
    /// print(`${plan.lower_bound} <= ${plan.length}`);   // 2 <= 4
    /// ```
    #[rhai_fn(get = "lower_bound", pure)]
    pub fn lower_bound(plan: &mut Plan) -> f64 {
        plan.lower_bound as f64 / 2.0
    }

    /// Each owner's load: `owner, capacity, tasks, working_days, span_days, utilisation`.
    ///
    /// ```rhai
    /// let plan = schedule([#{ id: "a", duration: 2, owner: "x" }], #{ start: "2024-06-03" });
    /// print(plan.load);
    /// ```
    #[rhai_fn(get = "load", pure, return_raw)]
    pub fn load(plan: &mut Plan) -> R<Table> {
        plan.load_table().map_err(script_error)
    }

    /// Requests per owner, one batch each (all of an owner's requests sent together):
    /// `owner, send_by` (first task's start minus the owner's lead time, in working days),
    /// `lead_days, first_start, last_finish, tasks, task_ids`.
    ///
    /// ```rhai
    /// let plan = schedule([#{ id: "poster", duration: 1, owner: "designer" },
    ///                      #{ id: "banner", duration: 1, owner: "designer" }],
    ///                     #{ start: "2024-06-03", owners: [#{ owner: "designer", lead_days: 5 }] });
    /// print(plan.requests);   // send by 2024-06-03; work from 2024-06-10
    /// ```
    #[rhai_fn(get = "requests", pure, return_raw)]
    pub fn requests(plan: &mut Plan) -> R<Table> {
        plan.requests_table().map_err(script_error)
    }

    /// The conflicts: `kind` (`unknown_owner`, `unknown_predecessor`, `no_window`,
    /// `deadline`), `task`, `proven` (for deadlines: proven impossible, or only not met
    /// by the search), `message` (by how many working days, and the chain that forces it).
    ///
    /// ```rhai
    /// let plan = schedule([#{ id: "a", duration: 3, deadline: "2024-06-04" }], #{ start: "2024-06-03" });
    /// print(plan.conflicts.row(0).message);
    /// ```
    #[rhai_fn(get = "conflicts", pure, return_raw)]
    pub fn conflicts(plan: &mut Plan) -> R<Table> {
        plan.conflicts_table().map_err(script_error)
    }

    /// The critical path: task ids of one chain, the one that ends at the plan's finish
    /// (each task waits for the one before it: a dependency with its lag met exactly, or
    /// the same owner handing over). Other tasks can have zero slack too: `plan.critical`
    /// lists them all and `plan.critical_chains` every chain.
    ///
    /// ```rhai
    /// let plan = schedule([#{ id: "a", duration: 2, owner: "x" }, #{ id: "b", duration: 1, owner: "x" }],
    ///                     #{ start: "2024-06-03" });
    /// print(plan.critical_path);   // both: x does one after the other
    /// ```
    #[rhai_fn(get = "critical_path", pure)]
    pub fn critical_path(plan: &mut Plan) -> Array {
        plan.critical_path
            .iter()
            .map(|s| Dynamic::from(s.clone()))
            .collect()
    }

    /// The critical set: every task with zero slack (not done), in start order. A task is
    /// critical when it cannot slip without delaying the plan's finish, missing a deadline
    /// (its own or a successor's), or running into its owner's unavailability.
    ///
    /// ```rhai
    /// let plan = schedule([#{ id: "a", duration: 2 }, #{ id: "b", duration: 1, deadline: "2024-06-03" },
    ///                      #{ id: "c", duration: 1, after: "a" }], #{ start: "2024-06-03" });
    /// print(plan.critical);   // ["a", "b", "c"]: b is due on its first day
    /// ```
    #[rhai_fn(get = "critical", pure)]
    pub fn critical(plan: &mut Plan) -> Array {
        let mut ks: Vec<usize> = (0..plan.tasks.len())
            .filter(|&k| plan.tasks[k].critical)
            .collect();
        ks.sort_by_key(|&k| (plan.tasks[k].start, k));
        ks.iter()
            .map(|&k| Dynamic::from(plan.tasks[k].id.clone()))
            .collect()
    }

    /// Every critical chain (at most 100): `chain, tasks` (ids joined by ` → `), `start`,
    /// `finish`, `ends` (`finish`: it ends the plan; `deadline`: its last task finishes on
    /// or after its deadline; `unavailable`: its owner's unavailability keeps it from
    /// slipping). A chain runs through zero-slack tasks, each waiting for the one before.
    ///
    /// ```rhai
    /// let plan = schedule([#{ id: "a", duration: 2 }, #{ id: "b", duration: 1, after: "a" },
    ///                      #{ id: "c", duration: 1, deadline: "2024-06-03" }], #{ start: "2024-06-03" });
    /// print(plan.critical_chains);   // a → b ends the plan; c is held by its deadline
    /// ```
    #[rhai_fn(get = "critical_chains", pure, return_raw)]
    pub fn critical_chains(plan: &mut Plan) -> R<Table> {
        plan.chains_table().map_err(script_error)
    }

    /// The plan as a baseline: `id, name, owner, start, finish, duration, cost`. Save it
    /// with `write_csv(plan.baseline(), "baseline.csv")`, later load it back with
    /// `load_csv` and pass it to `schedule(tasks, #{ baseline })`, which reads `id, start,
    /// finish` (a table in memory works as well).
    ///
    /// ```rhai
    /// let plan = schedule([#{ id: "a", duration: 2 }], #{ start: "2024-06-03" });
    /// write_csv(plan.baseline(), "sop_baseline.csv");
    /// let later = schedule([#{ id: "a", duration: 3 }], #{ start: "2024-06-03", baseline: plan.baseline() });
    /// print(later.progress.row(0).finish_slip);   // 1
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn baseline(plan: &mut Plan) -> R<Table> {
        plan.baseline_table().map_err(script_error)
    }

    /// Progress against the baseline (option `baseline`) as of the status date (option
    /// `status_date`, default `start`): `id, name, status, percent_complete,
    /// baseline_start, baseline_finish, start, forecast_finish, start_slip, finish_slip`
    /// (working days later than the baseline), `late`, `at_risk`. A task in progress with
    /// a `percent_complete` has remaining duration = duration x (1 - percent complete)
    /// (rounded up to half days), resumed after the part done but not before the status
    /// date; its forecast finish is where that ends. At risk: not done, and forecast after
    /// its baseline finish or its deadline.
    ///
    /// ```rhai
    /// let base = schedule([#{ id: "a", duration: 4 }], #{ start: "2024-06-03" }).baseline();
    /// // Thursday: a started Monday and is a quarter done: 3 days left from Thursday.
    /// let now = schedule([#{ id: "a", duration: 4, status: "doing", actual_start: "2024-06-03", percent_complete: 25 }],
    ///                    #{ start: "2024-06-03", status_date: "2024-06-06", baseline: base });
    /// print(now.progress);   // forecast finish 2024-06-10, 2 working days late: at risk
    /// ```
    #[rhai_fn(get = "progress", pure, return_raw)]
    pub fn progress(plan: &mut Plan) -> R<Table> {
        plan.progress_table().map_err(script_error)
    }

    /// Working days the plan's finish moved from the baseline's finish (the latest
    /// baseline finish of its tasks), later positive; `()` without a baseline.
    ///
    /// ```rhai
    /// let base = schedule([#{ id: "a", duration: 2 }, #{ id: "b", duration: 1, after: "a" }], #{ start: "2024-06-03" }).baseline();
    /// let now = schedule([#{ id: "a", duration: 4 }, #{ id: "b", duration: 1, after: "a" }], #{ start: "2024-06-03", baseline: base });
    /// print(now.finish_slip);   // 2: b ends Fri 7 instead of Wed 5
    /// ```
    #[rhai_fn(get = "finish_slip", pure, return_raw)]
    pub fn finish_slip(plan: &mut Plan) -> R<Dynamic> {
        Ok(plan
            .finish_slip()
            .map_err(script_error)?
            .map_or(Dynamic::UNIT, Dynamic::from))
    }

    /// The ids of the tasks at risk: not done, and forecast to finish after their
    /// baseline finish or their deadline.
    ///
    /// ```rhai
    /// let base = schedule([#{ id: "a", duration: 2 }, #{ id: "b", duration: 1 }], #{ start: "2024-06-03" }).baseline();
    /// let now = schedule([#{ id: "a", duration: 3 }, #{ id: "b", duration: 1 }], #{ start: "2024-06-03", baseline: base });
    /// print(now.at_risk);   // ["a"]
    /// ```
    #[rhai_fn(get = "at_risk", pure)]
    pub fn at_risk(plan: &mut Plan) -> Array {
        plan.tasks
            .iter()
            .filter(|t| t.at_risk)
            .map(|t| Dynamic::from(t.id.clone()))
            .collect()
    }

    /// Cost per task: `id, name, owner, phase, cost`: the task's `cost` column plus, for
    /// each owner with a `cost_rate` (per working day, owners table), the rate times the
    /// task's duration. Empty when a task has neither.
    ///
    /// ```rhai
    /// let plan = schedule([#{ id: "a", duration: 2, owner: "designer", cost: 100 }],
    ///                     #{ start: "2024-06-03", owners: [#{ owner: "designer", cost_rate: 400 }] });
    /// print(plan.costs.row(0).cost);   // 900.0 = 100 + 2 x 400
    /// ```
    #[rhai_fn(get = "costs", pure, return_raw)]
    pub fn costs(plan: &mut Plan) -> R<Table> {
        plan.costs_table().map_err(script_error)
    }

    /// The plan's total cost (the sum of the tasks' costs).
    ///
    /// ```rhai
    /// let plan = schedule([#{ id: "a", duration: 1, cost: 250 }, #{ id: "b", duration: 1, cost: 50.5 }],
    ///                     #{ start: "2024-06-03" });
    /// print(plan.cost);   // 300.5
    /// ```
    #[rhai_fn(get = "cost", pure)]
    pub fn cost(plan: &mut Plan) -> f64 {
        plan.total_cost()
    }

    /// Cost by `"phase"` or `"owner"`: the group, `tasks`, `cost`, `share` of the total.
    /// A task with two owners counts for each with that owner's share (their rate times
    /// the duration, plus the fixed cost split evenly).
    ///
    /// ```rhai
    /// let plan = schedule([#{ id: "a", duration: 2, owner: "designer; dev", phase: "warm-up", cost: 100 }],
    ///                     #{ start: "2024-06-03", owners: [#{ owner: "designer", cost_rate: 400 }, #{ owner: "dev", cost_rate: 600 }] });
    /// print(plan.cost_by("owner"));   // designer 850 = 50 + 800, dev 1250 = 50 + 1200
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn cost_by(plan: &mut Plan, key: &str) -> R<Table> {
        plan.cost_by(key).map_err(script_error)
    }

    /// Monte Carlo of the finish date over the tasks' duration ranges (`duration_low`,
    /// `duration_high` columns): each of `n` trials draws every ranged task's duration
    /// (triangular with its mode at `duration`, or `shape: "uniform"`), rounds it to the
    /// nearest half day and rebuilds the plan from its own task order (owners keep their order;
    /// dependencies, leave and pins hold); the value is the latest finish date, or with
    /// `task: "launch"` that task's finish date. Options: `seed` (default 0: the same seed
    /// gives the same result), `shape`, `percentiles` (default `[50, 80, 95]`), `task`.
    /// Returns a map: `p50`, `p80`, `p95` (dates: the earliest date by which that share of
    /// trials finish), `table` (`percentile, finish, working_days`), `planned` (the
    /// planned finish), `on_plan` (share of trials finishing by it), `mean_days`,
    /// `trials`, `uncertain` (tasks with a range).
    ///
    /// ```rhai
    /// let plan = schedule([#{ id: "a", duration: 4, duration_low: 2, duration_high: 10 }], #{ start: "2024-06-03" });
    /// let risk = plan.simulate(10000, #{ seed: 1 });
    /// print(risk.p50);   // 2024-06-07: 5 working days (P(X < 5.25) = 0.53)
    /// print(risk.p80);   // 2024-06-11: 7 working days (P(X < 7.25) = 0.84)
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn simulate(ctx: NativeCallContext, plan: &mut Plan, n: i64, options: Map) -> R<Map> {
        let run = context(&ctx)?;
        let o = Options::new(
            "simulate",
            options,
            &["seed", "shape", "percentiles", "task"],
        )?;
        let task = o.str("task")?;
        let n = crate::scenario::monte_carlo::check_trials(n).map_err(script_error)?;
        let seed = match o.i64("seed")? {
            Some(s) if s < 0 => {
                return Err(script_error(format!(
                    "simulate: option 'seed' must be a whole number >= 0, got {s}"
                )))
            }
            Some(s) => s as u64,
            None => 0,
        };
        let shape = match o.str("shape")?.as_deref() {
            None | Some("triangular") => sop::Shape::Triangular,
            Some("uniform") => sop::Shape::Uniform,
            Some(other) => {
                return Err(script_error(format!(
                "simulate: option 'shape' must be \"triangular\" or \"uniform\", got \"{other}\""
            )))
            }
        };
        let mut percentiles = vec![50.0, 80.0, 95.0];
        if let Some(v) = o.raw("percentiles") {
            let arr = v.clone().into_array().map_err(|_| {
                script_error(
                    "simulate: option 'percentiles' must be an array of numbers, like [50, 80, 95]",
                )
            })?;
            percentiles = arr
                .iter()
                .map(|x| num(x, "simulate: percentiles"))
                .collect::<R<Vec<f64>>>()?;
        }
        let r = sop::simulate(
            plan,
            n,
            seed,
            shape,
            &percentiles,
            task.as_deref(),
            run.deadline,
        )
        .map_err(script_error)?;
        let mut m = Map::new();
        for &(p, d, _) in &r.percentiles {
            if p.fract() == 0.0 {
                m.insert(
                    format!("p{}", p as i64).into(),
                    Dynamic::from(d.to_string()),
                );
            }
        }
        let table = r.table().map_err(script_error)?;
        m.insert("table".into(), Dynamic::from(table));
        m.insert("planned".into(), Dynamic::from(r.planned.to_string()));
        m.insert("on_plan".into(), Dynamic::from(r.on_plan));
        m.insert("mean_days".into(), Dynamic::from(r.mean_days));
        m.insert("trials".into(), Dynamic::from(r.trials as i64));
        m.insert("uncertain".into(), Dynamic::from(r.uncertain as i64));
        Ok(m)
    }

    /// Schedule evaluations the search spent (deterministic for a seed).
    ///
    /// ```rhai
    /// let plan = schedule([#{ id: "a", duration: 1 }], #{ start: "2024-06-03" });
    /// print(plan.evaluations > 0);
    /// ```
    #[rhai_fn(get = "evaluations", pure)]
    pub fn evaluations(plan: &mut Plan) -> i64 {
        plan.evaluations as i64
    }

    /// Re-plans with `owner` unavailable from `from` to `to` (inclusive dates).
    ///
    /// ```rhai
    /// let plan = schedule([#{ id: "a", duration: 2, owner: "x" }], #{ start: "2024-06-03" });
    /// print(plan.with_unavailable("x", "2024-06-03", "2024-06-04").finish);   // 2024-06-06
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn with_unavailable(
        ctx: NativeCallContext,
        plan: &mut Plan,
        owner: &str,
        from: &str,
        to: &str,
    ) -> R<Plan> {
        let run = context(&ctx)?;
        let from = date(from, "with_unavailable: 'from'")?;
        let to = date(to, "with_unavailable: 'to'")?;
        plan.with_unavailable(owner, from, to, run.deadline)
            .map_err(script_error)
    }

    /// Re-plans with task `id` lasting `days` working days (>= 0, in steps of 0.5).
    ///
    /// ```rhai
    /// let plan = schedule([#{ id: "a", duration: 2 }], #{ start: "2024-06-03" });
    /// print(plan.with_duration("a", 4).length);   // 4
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn with_duration(
        ctx: NativeCallContext,
        plan: &mut Plan,
        id: &str,
        days: Dynamic,
    ) -> R<Plan> {
        let run = context(&ctx)?;
        let d = num(&days, "with_duration: days")?;
        plan.with_duration(id, d, run.deadline)
            .map_err(script_error)
    }

    /// Re-plans with the launch on `date`: deadlines written `L-5` move with it.
    ///
    /// ```rhai
    /// let plan = schedule([#{ id: "a", duration: 3, deadline: "L" }], #{ start: "2024-06-03", launch: "2024-06-04" });
    /// print(plan.with_launch("2024-06-05").conflicts.rows);   // 0
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn with_launch(ctx: NativeCallContext, plan: &mut Plan, date: &str) -> R<Plan> {
        let run = context(&ctx)?;
        let d = super::date(date, "with_launch: date")?;
        plan.with_launch(d, run.deadline).map_err(script_error)
    }

    /// Re-plans with the launch `name` (of the `launches` option) on `date`: deadlines
    /// written `L(name)-5` move with it.
    ///
    /// ```rhai
    /// let plan = schedule([#{ id: "a", duration: 3, deadline: "L(summer)" }],
    ///                     #{ start: "2024-06-03", launches: #{ summer: "2024-06-04", d11: "2024-11-11" } });
    /// print(plan.conflicts.rows);                                     // 1: a ends Wed 5th
    /// print(plan.with_launch("summer", "2024-06-05").conflicts.rows); // 0
    /// ```
    #[rhai_fn(pure, return_raw, name = "with_launch")]
    pub fn with_named_launch(
        ctx: NativeCallContext,
        plan: &mut Plan,
        name: &str,
        date: &str,
    ) -> R<Plan> {
        let run = context(&ctx)?;
        let d = super::date(date, "with_launch: date")?;
        plan.with_named_launch(name, d, run.deadline)
            .map_err(script_error)
    }

    /// The tasks that moved from `plan` to `other`: `id, name, start_before, start_after,
    /// finish_before, finish_after, moved` (working days the finish moved).
    ///
    /// ```rhai
    /// let plan = schedule([#{ id: "a", duration: 2 }, #{ id: "b", duration: 1, after: "a" }], #{ start: "2024-06-03" });
    /// print(plan.diff(plan.with_duration("a", 3)));
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn diff(plan: &mut Plan, other: Plan) -> R<Table> {
        plan.diff(&other).map_err(script_error)
    }

    /// Writes the Gantt chart under the output directory: SVG, or a self-contained HTML
    /// page when `path` ends in `.html`. One row per task in owner lanes; weekends and
    /// holidays shaded, owners' unavailability hatched, critical tasks red, late tasks
    /// outlined, deadlines as red ticks, the launch as a dashed line. Returns the path.
    ///
    /// ```rhai
    /// let plan = schedule(load_csv("fixtures/sop/tasks.csv"), #{ start: "2024-06-03", launch: "2024-07-01",
    ///     owners: load_csv("fixtures/sop/owners.csv"), unavailable: load_csv("fixtures/sop/unavailable.csv") });
    /// plan.gantt("sop_gantt.svg");
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn gantt(ctx: NativeCallContext, plan: &mut Plan, path: &str) -> R<String> {
        let text = if path.to_ascii_lowercase().ends_with(".html") {
            crate::render::gantt::gantt_html(plan)
        } else {
            crate::render::gantt::gantt_svg(plan)
        };
        crate::script::write_output(&ctx, path, text.as_bytes())
    }

    /// The Gantt chart as SVG text, to put in a `report()` (`r.svg("Gantt", plan.svg)`);
    /// `gantt(path)` writes the same chart to a file.
    ///
    /// ```rhai
    /// let plan = schedule([#{ id: "a", name: "Design", owner: "designer", duration: 2 }], #{ start: "2024-06-03" });
    /// let r = report("SOP");
    /// r.svg("Gantt chart", plan.svg);
    /// ```
    #[rhai_fn(get = "svg", pure)]
    pub fn svg(plan: &mut Plan) -> String {
        crate::render::gantt::gantt_svg(plan)
    }

    /// The plan as Mermaid `gantt` text: a section per owner, `crit` on critical tasks,
    /// `done`/`active` by status, milestones, weekends and holidays as `excludes`.
    ///
    /// ```rhai
    /// let plan = schedule([#{ id: "a", name: "Design", owner: "designer", duration: 2 }], #{ start: "2024-06-03" });
    /// print(plan.mermaid());
    /// ```
    #[rhai_fn(pure)]
    pub fn mermaid(plan: &mut Plan) -> String {
        sop::export::mermaid(plan)
    }

    /// Writes an iCalendar file (RFC 5545) under the output directory with one all-day
    /// event per task (owner in the summary; phase, slack and deadline in the
    /// description) for owners to import. Returns the path.
    ///
    /// ```rhai
    /// let plan = schedule([#{ id: "a", name: "Design", owner: "designer", duration: 2 }], #{ start: "2024-06-03" });
    /// write_ics(plan, "sop.ics");
    /// ```
    #[rhai_fn(return_raw)]
    pub fn write_ics(ctx: NativeCallContext, plan: Plan, name: &str) -> R<String> {
        let text = sop::export::ics(&plan, "SOP plan");
        crate::script::write_output(&ctx, name, text.as_bytes())
    }

    /// A one-line summary of the plan.
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn describe(plan: &mut Plan) -> String {
        format!(
            "Plan: {} tasks, finish {} ({} working days), {} conflicts",
            plan.tasks.len(),
            plan.finish_date,
            crate::sop::days_text(plan.finish),
            plan.conflicts.len()
        )
    }
}
