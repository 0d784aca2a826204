//! `funnel_events` pushed down to ClickHouse: one SQL statement computes, per
//! first-touch group, the users reaching each step and the median time between steps;
//! pacer receives one row per group and builds the same [`ObservedFunnel`] as the
//! native path ([`crate::events`]).
//!
//! The statement implements pacer's rule exactly (see [`crate::events::chain`]), in
//! milliseconds. It does not take levels from ClickHouse's `windowFunnel`: that
//! function takes only whole seconds (`DateTime`/`UInt32`) in older servers, and on
//! equal timestamps its result depends on the order in which rows reach it (a step on
//! the same timestamp as the previous one may or may not chain). It uses
//! `windowFunnel` only as a prefilter that can pass too many users and never too few
//! (see `prefilter_window`). Layers of the statement:
//!
//! 1. the funnel-step rows (`event IN steps`, and the `where` filter), grouped by
//!    user: every row as one integer `t_ms * factor + step` (see `Packing`), the times
//!    and breakdown values of the step-1 rows, and the prefilter's level;
//! 2. per user, the first touch: the least breakdown values among the step-1 events
//!    at the earliest step-1 time (the first step-1 event in the native order: time,
//!    step, breakdown values). For the users the prefilter passes, the integers
//!    sorted (time, then step) and split; for every step j an
//!    array `s_j` holds, at each event of step j, the latest start `t1` of a chain
//!    reaching it (the running maximum over the earlier events of step j-1, kept when
//!    `t - t1 <= window`). The starts kept never decrease in sorted order, and an event
//!    of step j-1 at the same time as one of step j sorts before it, so that maximum
//!    is the last start kept at an earlier position: the kept starts in order
//!    (`pacer_v{j}`) indexed by a running count of them (`arrayCumSum`), one linear
//!    pass instead of a filter per event;
//!    the level is the number of steps whose `s_j` is non-empty (for the users the
//!    prefilter stops: 1 with a step-1 event, else 0);
//!    the chain reported ends at the earliest event completing the level, and each
//!    earlier step's time is the latest event of that step at or before the next
//!    step's time and at or after `end - window`;
//! 3. per group: users, rows, users reaching each step, the sorted gaps;
//! 4. the median of each gap list (the mean of the middle two for an even count), the
//!    rows read and the server's version.

use super::client::ClickHouse;
use super::error::WarehouseError;
use super::sql::{quote_ident, quote_str};
use super::tsv::base_type;
use crate::events::{FunnelSpec, GroupFunnel, ObservedFunnel, PushedDown, Semantics};
use crate::table::Table;
use std::fmt::Write;
use std::time::Instant;

/// "Not set" in the chain arrays: below any time in milliseconds pacer accepts.
const UNSET: i64 = -4_611_686_018_427_387_904;

/// Steps of the way back computed in one layer of the statement (see `funnel_sql`).
const WAY_BACK_STEPS_PER_LAYER: usize = 3;

/// The prefilter's unit of time: minutes, so that `UInt32` covers two thousand years.
const PREFILTER_UNIT_MS: i64 = 60_000;

/// The last minute the prefilter tells apart (later times count as this one):
/// `2 * PREFILTER_CAP + 1` stays below 2^31, since 18.16's `windowFunnel` keeps its
/// times as `Int32`.
const PREFILTER_CAP: i64 = (1 << 30) - 1;

/// How a step-row packs into one `Int64`: `time_ms * factor + step`, where `factor`
/// is the least power of two above the number of steps (at most 64 for 32 steps), so
/// that sorting the integers sorts by time and then step, and `time_ms >> shift` and
/// `& (factor - 1)` recover both (an arithmetic shift: negative times too). Times
/// within ±2^56 ms (two million years) of 1970 fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Packing {
    factor: i64,
    shift: u32,
}

fn packing(steps: usize) -> Packing {
    let factor = (steps as u64 + 1).next_power_of_two();
    Packing {
        factor: factor as i64,
        shift: factor.trailing_zeros(),
    }
}

/// The prefilter's window for `windowFunnel`, or `None` when there is nothing to
/// filter (one step) or the window does not fit its `UInt32` arithmetic.
///
/// Most users never chain step 1 to step 2, and for them the chain arrays are not
/// needed: their level is 1 if they have a step-1 event, else 0. The prefilter
/// passes every user who may reach step 2, and the exact rule then runs on those
/// only. It is ClickHouse's `windowFunnel` over the two first steps on a coarse
/// time: `2 * minute + (step = 2)`, with the minute clamped to `[0,
/// PREFILTER_CAP]`. This map is monotone and never widens a gap, and at equal
/// minutes it puts step 1 first, so a chain that holds in milliseconds (`t1 <= t2`,
/// `t2 - t1 <= window`) holds in it with the window `2 * (window_minutes + 1) + 1`
/// (flooring to minutes widens a gap by less than one minute); and
/// `windowFunnel`'s latest-start scan finds level 2 whenever such a chain exists.
/// Users it passes wrongly (within a minute of the window, or reversed inside one
/// minute) only cost time: the exact rule gives their level.
fn prefilter_window(steps: usize, window_ms: i64) -> Option<u64> {
    if steps < 2 {
        return None;
    }
    let minutes = window_ms.max(0) / PREFILTER_UNIT_MS;
    let window = 2 * (minutes as u64 + 1) + 1;
    (window < (1 << 31)).then_some(window)
}

/// A funnel to push down: the table, the spec, and an optional SQL filter.
#[derive(Debug, Clone)]
pub struct RemoteFunnel<'a> {
    /// The table's name (in the connection's database).
    pub table: &'a str,
    /// Steps, window, column names, breakdown.
    pub spec: &'a FunnelSpec,
    /// A SQL boolean expression rows must satisfy (`where` option), inserted as
    /// `AND (...)`.
    pub filter: Option<&'a str>,
}

/// The SQL text of a column read as a string (`NULL` as empty), for user ids, event
/// names and breakdown values.
fn text_expr(col: &str, ty: &str) -> String {
    let q = quote_ident(col);
    let base = base_type(ty);
    let s = if base == "String" {
        q.clone()
    } else {
        format!("toString({q})")
    };
    if ty.trim().starts_with("Nullable(") || ty.contains("(Nullable(") {
        format!("ifNull({s}, '')")
    } else {
        s
    }
}

/// The SQL of a time column in milliseconds since the epoch, by its type; `None` for a
/// type the statement cannot convert.
fn time_expr(col: &str, ty: &str) -> Option<String> {
    let nullable = ty.contains("Nullable(");
    let q = if nullable {
        format!("assumeNotNull({})", quote_ident(col))
    } else {
        quote_ident(col)
    };
    let b = base_type(ty);
    Some(if b == "DateTime" || b.starts_with("DateTime(") {
        format!("toInt64(toUInt32({q})) * 1000")
    } else if b.starts_with("DateTime64") {
        format!("toUnixTimestamp64Milli({q})")
    } else if b == "Date" || b == "Date32" {
        format!("toInt64({q}) * 86400000")
    } else if b.starts_with("Int") || b.starts_with("UInt") {
        format!("toInt64({q}) * 1000")
    } else if b.starts_with("Float") || b.starts_with("Decimal") {
        format!("toInt64(trunc(toFloat64({q}) * 1000))")
    } else {
        return None;
    })
}

fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines()
        .map(|l| format!("{pad}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `SELECT [*,] columns FROM (inner)`, indented one level deeper than `inner`.
fn layer(columns: &[String], inner: &str, star: bool) -> String {
    format!(
        "SELECT\n    {}{}\nFROM\n(\n{}\n)",
        if star { "*,\n    " } else { "" },
        columns.join(",\n    "),
        indent(inner, 4)
    )
}

/// The statement for `f` over a table with `columns` (name, ClickHouse type).
pub fn funnel_sql(
    conn: &ClickHouse,
    f: &RemoteFunnel,
    columns: &[(String, String)],
) -> Result<String, WarehouseError> {
    let spec = f.spec;
    let mut wanted = vec![spec.user.as_str(), spec.event.as_str(), spec.time.as_str()];
    wanted.extend(spec.by.iter().map(String::as_str));
    let types = conn.column_types(f.table, columns, &wanted)?;
    let time = time_expr(&spec.time, types[2]).ok_or_else(|| WarehouseError::WrongType {
        url: conn.url(),
        table: conn.display_name(f.table),
        column: spec.time.clone(),
        found: types[2].to_string(),
        purpose: "funnel_events needs its times as DateTime, DateTime64, Date, or epoch seconds in an integer, float or decimal column".into(),
    })?;
    let nullable_time = types[2].contains("Nullable(");
    let n = spec.steps.len();
    let m = spec.by.len();
    let w = spec.window.millis();
    let table = conn.qualified(f.table);
    let steps = format!(
        "[{}]",
        spec.steps
            .iter()
            .map(|s| quote_str(s))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let in_list = format!(
        "({})",
        spec.steps
            .iter()
            .map(|s| quote_str(s))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let event = text_expr(&spec.event, types[1]);
    let filter = f.filter.map(|w| format!(" AND ({w})")).unwrap_or_default();

    // Layer 1: per user, the funnel-step events as packed integers, the times and
    // breakdown values of the step-1 events, and the prefilter's level.
    let step = format!("toUInt8(indexOf({steps}, {event}))");
    let pack = packing(n);
    let by_values: Vec<String> = (0..m)
        .map(|i| text_expr(&spec.by[i], types[3 + i]))
        .collect();
    let mut aggregates = vec![
        format!("groupArray(({time}) * {} + {step}) AS pacer_p", pack.factor),
        format!("groupArrayIf({time}, {step} = 1) AS pacer_ft"),
    ];
    match m {
        0 => {}
        1 => aggregates.push(format!(
            "groupArrayIf({}, {step} = 1) AS pacer_fc",
            by_values[0]
        )),
        _ => aggregates.push(format!(
            "groupArrayIf(tuple({}), {step} = 1) AS pacer_fc",
            by_values.join(", ")
        )),
    }
    let prefilter = prefilter_window(n, w);
    if let Some(window) = prefilter {
        aggregates.push(format!(
            "windowFunnel({window})(toUInt32(least(intDiv(greatest({time}, 0), {PREFILTER_UNIT_MS}), {PREFILTER_CAP}) * 2 + ({step} = 2)), {step} = 1, {step} = 2) AS pacer_wf"
        ));
    }
    if nullable_time {
        aggregates.push(format!(
            "countIf(isNull({})) AS pacer_null_time",
            quote_ident(&spec.time)
        ));
    }
    let layer1 = format!(
        "SELECT\n    {user} AS pacer_user,\n    {}\nFROM {table}\nWHERE {event} IN {in_list}{filter}\nGROUP BY pacer_user",
        aggregates.join(",\n    "),
        user = text_expr(&spec.user, types[0]),
    );

    // Layer 2: each user's first touch and chain. Only users the prefilter passes
    // keep their events; the others reach at most step 1.
    let kept = if prefilter.is_some() {
        "arraySlice(pacer_p, 1, (pacer_wf >= 2) * length(pacer_p))"
    } else {
        "pacer_p"
    };
    let mut first_layer = vec![
        "pacer_user".to_string(),
        "length(pacer_p) AS pacer_rows".into(),
        format!("arraySort({kept}) AS pacer_w"),
        format!(
            "arrayMap(p -> bitShiftRight(p, {}), pacer_w) AS pacer_t",
            pack.shift
        ),
        format!(
            "arrayMap(p -> toUInt8(bitAnd(p, {})), pacer_w) AS pacer_s",
            pack.factor - 1
        ),
        "notEmpty(pacer_ft) AS pacer_has1".into(),
        "multiIf(pacer_user = '', 0, pacer_has1, 2, 1) AS pacer_kind".into(),
    ];
    if nullable_time {
        first_layer.push("pacer_null_time".into());
    }
    if m > 0 {
        // The first touch: the least breakdown values among the step-1 events at the
        // earliest step-1 time. The time is passed as an array rather than captured
        // by the lambda: 18.16 drops a column only a lambda refers to.
        first_layer.push("arraySort(pacer_ft)[1] AS pacer_t1min".into());
        first_layer.push("pacer_ft".into());
        first_layer.push("pacer_fc".into());
        let least = "arraySort(arrayFilter((c, ft, m) -> (ft = m), pacer_fc, pacer_ft, arrayResize([pacer_t1min], length(pacer_ft), pacer_t1min)))[1]";
        if m == 1 {
            first_layer.push(format!("{least} AS pacer_g1"));
        } else {
            first_layer.push(format!("{least} AS pacer_first"));
            for i in 0..m {
                first_layer.push(format!(
                    "tupleElement(pacer_first, {}) AS pacer_g{}",
                    i + 1,
                    i + 1
                ));
            }
        }
    }
    first_layer.push(format!(
        "arrayMap((t, s) -> if(s = 1, t, {UNSET}), pacer_t, pacer_s) AS pacer_s1"
    ));
    // The layers of the chain: one per step, since a step's lambdas read the
    // previous step's starts. Within a layer an alias is expanded where it is used;
    // the server computes equal expressions once, and a lambda that refers to a
    // column computed in its own layer (`pacer_v{j}`) reads that column.
    let mut layers = vec![first_layer];
    for j in 2..=n {
        layers.push(vec![
            format!(
                "arrayFilter(v -> (v != {UNSET}), pacer_s{p}) AS pacer_v{j}",
                p = j - 1
            ),
            format!(
                "arrayMap(c -> if(c = 0, {UNSET}, pacer_v{j}[c]), arrayCumSum(arrayMap(v -> toUInt32(v != {UNSET}), pacer_s{p}))) AS pacer_m{j}",
                p = j - 1
            ),
            format!(
                "arrayMap((t, s, v) -> if((s = {j}) AND (v != {UNSET}) AND ((t - v) <= {w}), v, {UNSET}), pacer_t, pacer_s, pacer_m{j}) AS pacer_s{j}"
            ),
        ]);
    }
    let last = layers.last_mut().expect("one layer at least");
    last.push(format!(
        "greatest(pacer_has1, {}) AS pacer_level",
        (1..=n)
            .map(|j| format!("arrayExists(v -> (v != {UNSET}), pacer_s{j})"))
            .collect::<Vec<_>>()
            .join(" + ")
    ));
    for j in 1..=n {
        last.push(format!(
            "arrayFirst((t, v) -> (v != {UNSET}), pacer_t, pacer_s{j}) AS pacer_e{j}"
        ));
    }
    let mut end = String::from("multiIf(");
    for j in (2..=n).rev() {
        let _ = write!(end, "pacer_level = {j}, pacer_e{j}, ");
    }
    end.push_str("pacer_e1) AS pacer_end");
    if n == 1 {
        end = "pacer_e1 AS pacer_end".into();
    }
    last.push(end);
    last.push(format!(
        "if(pacer_level = {n}, pacer_end, {UNSET}) AS pacer_T{n}"
    ));
    let mut inner = layer(&layers[0], &layer1, false);
    for columns in &layers[1..] {
        inner = layer(columns, &inner, true);
    }
    // The way back, a few steps per layer: a lambda that reads `pacer_T{j}`
    // computed in its own layer reads that column, but the server also expands the
    // alias in the statement's tree, which triples with every step in one layer (and
    // is limited to 500,000 nodes); every layer costs analysis time, which grows with
    // the square of the depth.
    let back: Vec<usize> = (1..n).rev().collect();
    for chunk in back.chunks(WAY_BACK_STEPS_PER_LAYER) {
        let mut columns = Vec::new();
        for &j in chunk {
            columns.push(format!(
                "arrayPushFront(arrayFilter((t, s) -> ((s = {j}) AND (t <= pacer_T{q}) AND (t >= (pacer_end - {w}))), pacer_t, pacer_s), {UNSET})[-1] AS pacer_c{j}",
                q = j + 1
            ));
            columns.push(format!(
                "multiIf(pacer_level = {j}, pacer_end, pacer_level < {j}, {UNSET}, pacer_c{j} = {UNSET}, pacer_T{q}, pacer_c{j}) AS pacer_T{j}",
                q = j + 1
            ));
        }
        inner = layer(&columns, &inner, true);
    }
    let layer2 = indent(&inner, 8);

    // Layer 3: per group.
    let groups: Vec<String> = (1..=m).map(|i| format!("pacer_g{i}")).collect();
    let mut l3 = String::from("pacer_kind");
    for g in &groups {
        let _ = write!(l3, ",\n        {g}");
    }
    l3.push_str(",\n        count() AS pacer_users,\n        sum(pacer_rows) AS pacer_step_rows");
    if nullable_time {
        l3.push_str(",\n        sum(pacer_null_time) AS pacer_null_times");
    }
    for j in 1..=n {
        let _ = write!(
            l3,
            ",\n        countIf(pacer_level >= {j}) AS pacer_reached{j}"
        );
    }
    for j in 2..=n {
        let _ = write!(
            l3,
            ",\n        arraySort(groupArrayIf(pacer_T{j} - pacer_T{p}, pacer_level >= {j})) AS pacer_gaps{j}",
            p = j - 1
        );
    }
    let group_by = std::iter::once("pacer_kind".to_string())
        .chain(groups.iter().cloned())
        .collect::<Vec<_>>()
        .join(", ");

    // Layer 4: medians, rows read, version.
    let mut out = String::from("SELECT\n    pacer_kind AS kind");
    for i in 1..=m {
        let _ = write!(out, ",\n    pacer_g{i} AS by_{i}");
    }
    out.push_str(",\n    pacer_users AS users,\n    pacer_step_rows AS step_rows");
    if nullable_time {
        out.push_str(",\n    pacer_null_times AS null_times");
    }
    for j in 1..=n {
        let _ = write!(out, ",\n    pacer_reached{j} AS reached_{j}");
    }
    for j in 2..=n {
        let g = format!("pacer_gaps{j}");
        let _ = write!(
            out,
            ",\n    if(length({g}) = 0, NULL, if(length({g}) % 2 = 1, toFloat64({g}[intDiv(length({g}), 2) + 1]), (toFloat64({g}[intDiv(length({g}), 2)]) + toFloat64({g}[intDiv(length({g}), 2) + 1])) / 2)) AS median_ms_{j}"
        );
    }
    let where_all = f
        .filter
        .map(|w| format!(" WHERE ({w})"))
        .unwrap_or_default();
    let _ = write!(
        out,
        ",\n    (SELECT count() FROM {table}{where_all}) AS rows_read,\n    version() AS server_version\nFROM\n(\n    SELECT\n        {l3}\n    FROM\n    (\n{layer2}\n    )\n    GROUP BY {group_by}\n)\nORDER BY {order}",
        order = std::iter::once("kind".to_string())
            .chain((1..=m).map(|i| format!("by_{i}")))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(out)
}

/// Builds the funnel from the statement's answer (`source` names the table).
pub fn funnel_from_answer(
    conn: &ClickHouse,
    f: &RemoteFunnel,
    source: &str,
    sql: &str,
    t: &Table,
) -> Result<ObservedFunnel, WarehouseError> {
    let spec = f.spec;
    let (n, m) = (spec.steps.len(), spec.by.len());
    let bad = |reason: String| WarehouseError::BadAnswer {
        url: conn.url(),
        reason,
        sql: sql.to_string(),
    };
    let int = |name: &str, row: usize| -> Result<u64, WarehouseError> {
        t.column(name)?
            .i64_at(row)
            .and_then(|v| u64::try_from(v).ok())
            .ok_or_else(|| bad(format!("column {name} of row {} is not a count", row + 1)))
    };
    let (mut users, mut rows_used, mut no_user, mut entering, mut rows_read) = (0, 0, 0, 0, 0);
    let mut version = String::new();
    let mut groups: Vec<(Vec<u8>, GroupFunnel)> = Vec::new();
    for row in 0..t.n_rows() {
        if t.has_column("null_times") && int("null_times", row)? > 0 {
            return Err(WarehouseError::Invalid(format!(
                "funnel_events: {} funnel-step rows of {} have no time (NULL in column '{}'); every funnel-step event needs a time",
                int("null_times", row)?,
                conn.display_name(f.table),
                spec.time
            )));
        }
        rows_read = int("rows_read", row)?;
        version = t.column("server_version")?.text_at(row).unwrap_or_default();
        if !t.has_column("kind") {
            // The count of rows read when no row is a funnel step.
            continue;
        }
        let kind = int("kind", row)?;
        let step_rows = int("step_rows", row)?;
        rows_used += step_rows;
        if kind == 0 {
            no_user += step_rows;
            continue;
        }
        users += int("users", row)?;
        if kind != 2 {
            continue;
        }
        let reached: Vec<u64> = (1..=n)
            .map(|j| int(&format!("reached_{j}"), row))
            .collect::<Result<_, _>>()?;
        entering += reached[0];
        let mut medians = vec![None];
        for j in 2..=n {
            medians.push(t.column(&format!("median_ms_{j}"))?.f64_at(row));
        }
        let key: Vec<String> = (1..=m)
            .map(|i| {
                t.column(&format!("by_{i}"))
                    .map(|c| c.text_at(row).unwrap_or_default())
            })
            .collect::<Result<_, _>>()?;
        let sort_key = key.join("\0").into_bytes();
        groups.push((
            sort_key,
            GroupFunnel::from_counts(&spec.steps, key, &reached, &medians),
        ));
    }
    // The native path orders groups by the bytes of their values.
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(ObservedFunnel {
        semantics: Semantics {
            rows_read,
            rows_used,
            rows_without_user: no_user,
            users,
            entering,
            pushed_down: Some(PushedDown {
                engine: format!("ClickHouse {version}"),
                url: conn.url(),
                sql: sql.to_string(),
            }),
            ..Semantics::of(spec, source)
        },
        groups: groups.into_iter().map(|(_, g)| g).collect(),
        times: Vec::new(),
        trends: None,
    })
}

/// Refuses what the statement does not implement: the ordered rule with distinct
/// steps, first-touch attribution, no exclusions, no trends (computed natively
/// instead from an export of the table).
pub fn pushable(spec: &FunnelSpec) -> Result<(), WarehouseError> {
    let mut missing = Vec::new();
    if spec.order != crate::events::Order::Ordered {
        missing.push("order other than \"ordered\"");
    }
    if !spec.exclude.is_empty() {
        missing.push("exclusions");
    }
    if spec.attribution != crate::events::Attribution::FirstTouch {
        missing.push("attribution other than \"first_touch\"");
    }
    if spec.interval.is_some() {
        missing.push("interval (trends)");
    }
    if spec
        .steps
        .iter()
        .enumerate()
        .any(|(i, s)| spec.steps[..i].contains(s))
    {
        missing.push("repeated steps");
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(WarehouseError::Invalid(format!(
        "funnel_events on a ClickHouse table computes the ordered funnel with distinct steps and first-touch attribution; {} are computed natively: export the table to CSV and pass the file",
        missing.join(", ")
    )))
}

/// The source name of a funnel over `table`.
pub fn source_name(conn: &ClickHouse, table: &str) -> String {
    format!("ClickHouse table {}", conn.display_name(table))
}

/// Reads the table's column types and generates the statement (nothing is computed).
pub fn prepare(
    conn: &ClickHouse,
    f: &RemoteFunnel,
    deadline: Option<Instant>,
) -> Result<String, WarehouseError> {
    pushable(f.spec)?;
    let columns = conn.describe(f.table, deadline)?;
    funnel_sql(conn, f, &columns)
}

/// Runs the statement `sql` made by [`prepare`] and builds the funnel; returns it and
/// the bytes received. When no row is a funnel step the answer is empty, and a
/// second, trivial statement counts the rows read.
pub fn run(
    conn: &ClickHouse,
    f: &RemoteFunnel,
    sql: &str,
    deadline: Option<Instant>,
) -> Result<(ObservedFunnel, u64), WarehouseError> {
    let source = source_name(conn, f.table);
    let answer = conn.query(sql, &source, deadline)?;
    let mut funnel = funnel_from_answer(conn, f, &source, sql, &answer.table)?;
    let mut bytes = answer.bytes;
    if answer.table.n_rows() == 0 {
        let count = format!(
            "SELECT count() AS rows_read, version() AS server_version FROM {}{}",
            conn.qualified(f.table),
            f.filter
                .map(|w| format!(" WHERE ({w})"))
                .unwrap_or_default()
        );
        let a = conn.query(&count, &source, deadline)?;
        bytes += a.bytes;
        funnel = funnel_from_answer(conn, f, &source, sql, &a.table)?;
    }
    Ok((funnel, bytes))
}

/// Computes the funnel on the server: reads the table's column types, sends one
/// statement, and returns the funnel and the bytes received for the answer.
pub fn funnel_events(
    conn: &ClickHouse,
    f: &RemoteFunnel,
    deadline: Option<Instant>,
) -> Result<(ObservedFunnel, u64), WarehouseError> {
    let sql = prepare(conn, f, deadline)?;
    run(conn, f, &sql, deadline)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Window;
    use crate::warehouse::ConnectOptions;

    #[test]
    fn times_convert_to_milliseconds_by_type() {
        let t = |ty: &str| time_expr("ts", ty);
        assert_eq!(
            t("DateTime").as_deref(),
            Some("toInt64(toUInt32(`ts`)) * 1000")
        );
        assert_eq!(
            t("DateTime('UTC')").as_deref(),
            Some("toInt64(toUInt32(`ts`)) * 1000")
        );
        assert_eq!(t("Date").as_deref(), Some("toInt64(`ts`) * 86400000"));
        assert_eq!(t("UInt32").as_deref(), Some("toInt64(`ts`) * 1000"));
        assert_eq!(
            t("Float64").as_deref(),
            Some("toInt64(trunc(toFloat64(`ts`) * 1000))")
        );
        assert_eq!(
            t("Nullable(Int64)").as_deref(),
            Some("toInt64(assumeNotNull(`ts`)) * 1000")
        );
        assert_eq!(t("String"), None);
        assert_eq!(text_expr("u", "String"), "`u`");
        assert_eq!(text_expr("u", "UInt64"), "toString(`u`)");
        assert_eq!(text_expr("u", "Nullable(String)"), "ifNull(`u`, '')");
    }

    #[test]
    fn a_text_time_column_is_refused_with_the_types_accepted() {
        let conn = ClickHouse::new("http://127.0.0.1:1", ConnectOptions::default()).expect("conn");
        let spec =
            FunnelSpec::new(vec!["a".into()], Window::parse("1d").expect("w")).expect("spec");
        let f = RemoteFunnel {
            table: "events",
            spec: &spec,
            filter: None,
        };
        let cols: Vec<(String, String)> = [
            ("user_id", "String"),
            ("event", "String"),
            ("timestamp", "String"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let e = funnel_sql(&conn, &f, &cols)
            .expect_err("text times")
            .to_string();
        assert!(
            e.contains("column 'timestamp' of events is String") && e.contains("DateTime"),
            "{e}"
        );
        let sql = funnel_sql(
            &conn,
            &f,
            &[
                ("user_id".into(), "String".into()),
                ("event".into(), "String".into()),
                ("timestamp".into(), "DateTime".into()),
            ],
        )
        .expect("sql");
        assert!(
            sql.contains("WHERE `event` IN ('a')") && !sql.contains("windowFunnel"),
            "{sql}"
        );
    }

    #[test]
    fn step_rows_pack_into_one_integer_that_sorts_by_time_then_step() {
        assert_eq!(
            packing(1),
            Packing {
                factor: 2,
                shift: 1
            }
        );
        assert_eq!(
            packing(3),
            Packing {
                factor: 4,
                shift: 2
            }
        );
        assert_eq!(
            packing(4),
            Packing {
                factor: 8,
                shift: 3
            }
        );
        assert_eq!(
            packing(7),
            Packing {
                factor: 8,
                shift: 3
            }
        );
        assert_eq!(
            packing(32),
            Packing {
                factor: 64,
                shift: 6
            }
        );
        // The statement's arithmetic, done here in i64 as the server does it.
        let p = packing(4);
        let pack = |t: i64, s: i64| t * p.factor + s;
        let unpack = |v: i64| (v >> p.shift, v & (p.factor - 1));
        for t in [-86_400_001_i64, -1, 0, 1, 1_719_792_000_123, 1_i64 << 56] {
            for s in 1..=4 {
                assert_eq!(unpack(pack(t, s)), (t, s), "{t} {s}");
            }
        }
        let mut rows = vec![(5, 2), (5, 1), (-3, 4), (4, 4), (-3, 1)];
        let mut packed: Vec<i64> = rows.iter().map(|&(t, s)| pack(t, s)).collect();
        packed.sort();
        rows.sort();
        assert_eq!(packed.into_iter().map(unpack).collect::<Vec<_>>(), rows);
    }

    #[test]
    fn the_prefilter_window_covers_the_window_in_minutes_plus_one() {
        assert_eq!(prefilter_window(1, 60_000), None);
        // 7 days = 10,080 minutes: 2 * 10,081 + 1.
        assert_eq!(prefilter_window(4, 7 * 86_400_000), Some(20_163));
        assert_eq!(prefilter_window(2, 0), Some(3));
        assert_eq!(prefilter_window(2, 59_999), Some(3));
        assert_eq!(prefilter_window(2, 60_000), Some(5));
        // Too wide for windowFunnel's UInt32 arithmetic: no prefilter.
        assert_eq!(prefilter_window(2, (1_i64 << 30) * 60_000), None);
        // Every gap the window allows stays within the prefilter's window.
        for (window, t1, t2) in [
            (0, 59_999, 59_999),
            (1_000, 59_999, 60_999),
            (90_000, 1, 90_001),
            (3_600_000, 119_999, 3_719_999),
        ] {
            let code = |t: i64, step: i64| {
                ((t.max(0) / PREFILTER_UNIT_MS).min(PREFILTER_CAP)) * 2 + i64::from(step == 2)
            };
            let w = prefilter_window(2, window).expect("window") as i64;
            assert!(code(t2, 2) - code(t1, 1) <= w, "{window} {t1} {t2}");
            assert!(code(t1, 1) < code(t2, 2));
        }
    }

    #[test]
    fn rules_the_statement_does_not_implement_are_refused() {
        let base = || {
            FunnelSpec::new(
                vec!["a".into(), "b".into()],
                Window::parse("1d").expect("window"),
            )
            .expect("spec")
        };
        assert!(pushable(&base()).is_ok());
        let mut s = base();
        s.order = crate::events::Order::Strict;
        let e = pushable(&s).expect_err("strict").to_string();
        assert!(
            e.contains("order other than") && e.contains("export the table"),
            "{e}"
        );
        let mut s = base();
        s.steps = vec!["a".into(), "a".into()];
        assert!(pushable(&s)
            .expect_err("repeated")
            .to_string()
            .contains("repeated steps"));
        let mut s = base();
        s.attribution = crate::events::Attribution::LastTouch;
        assert!(pushable(&s).is_err());
    }
}
