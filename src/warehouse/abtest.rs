//! `ab_report` pushed down to ClickHouse: one statement computes each arm's (and each
//! day's) sufficient statistics (users, conversions, revenue sum and sum of squares);
//! pacer runs the same analysis on them as on a local table
//! ([`crate::abtest::ab_report_from_sums`]).
//!
//! Arms come in the order of their labels (a warehouse table has no row order); the
//! control is the `control` option, else the first label. Rows with an empty arm, a
//! conversion other than 0/1 or a revenue that is not a finite number are counted on
//! the server and refused, as the native path refuses them.

use super::client::ClickHouse;
use super::error::WarehouseError;
use super::sql::quote_ident;
use crate::abtest::{ab_report_from_sums, AbReport, ArmSums, Daily, ReportOptions};
use crate::table::Table;
use std::time::Instant;

/// An A/B readout to push down.
#[derive(Debug, Clone)]
pub struct RemoteAb<'a> {
    /// The table's name (in the connection's database).
    pub table: &'a str,
    /// The column names and the analysis options.
    pub options: &'a ReportOptions,
    /// A SQL boolean expression rows must satisfy (`where` option).
    pub filter: Option<&'a str>,
}

/// The statement computing the sufficient statistics, after checking that the columns
/// exist in `columns` (name, type).
pub fn ab_sql(
    conn: &ClickHouse,
    r: &RemoteAb,
    columns: &[(String, String)],
) -> Result<String, WarehouseError> {
    let o = r.options;
    let mut wanted = vec![o.variant.as_str(), o.converted.as_str()];
    wanted.extend(o.revenue.as_deref());
    wanted.extend(o.day.as_deref());
    conn.column_types(r.table, columns, &wanted)?;
    let arm = quote_ident(&o.variant);
    let conv = format!("ifNull(toFloat64({}), -1)", quote_ident(&o.converted));
    let mut cols = vec![format!("ifNull(toString({arm}), '') AS arm")];
    let mut keys = Vec::new();
    if let Some(d) = &o.day {
        let d = quote_ident(d);
        cols.push(format!("ifNull(toString({d}), '') AS day"));
        keys.push(d);
    }
    keys.push(arm.clone());
    cols.push("count() AS users".into());
    cols.push(format!("sumIf({conv}, {conv} = 1) AS conversions"));
    cols.push(format!("countIf(NOT ({conv} IN (0, 1))) AS bad_converted"));
    if let Some(rev) = &o.revenue {
        let v = format!("ifNull(toFloat64({}), nan)", quote_ident(rev));
        cols.push(format!("sumIf({v}, isFinite({v})) AS revenue_sum"));
        cols.push(format!("sumIf({v} * {v}, isFinite({v})) AS revenue_sumsq"));
        cols.push(format!("countIf(NOT isFinite({v})) AS bad_revenue"));
    }
    let filter = r
        .filter
        .map(|w| format!("\nWHERE ({w})"))
        .unwrap_or_default();
    Ok(format!(
        "SELECT\n    {}\nFROM {}{filter}\nGROUP BY {k}\nORDER BY {k}",
        cols.join(",\n    "),
        conn.qualified(r.table),
        k = keys.join(", ")
    ))
}

/// Arm sums and daily cells from the statement's answer.
fn sums_from_answer(
    conn: &ClickHouse,
    r: &RemoteAb,
    t: &Table,
) -> Result<(Vec<ArmSums>, Daily), WarehouseError> {
    let o = r.options;
    let num = |c: &str, row: usize| -> Result<f64, WarehouseError> {
        Ok(t.column(c)?.f64_at(row).unwrap_or(0.0))
    };
    let refuse = |count: f64, column: &str, what: &str| {
        WarehouseError::Invalid(format!(
            "ab_report: {count} rows of {} have {what} in column '{column}'",
            conn.display_name(r.table)
        ))
    };
    let mut arms: Vec<ArmSums> = Vec::new();
    // (day, [(arm, users, conversions)]) in the answer's order.
    type Cells = Vec<(String, f64, f64)>;
    let mut days: Vec<(String, Cells)> = Vec::new();
    for row in 0..t.n_rows() {
        let name = t.column("arm")?.text_at(row).unwrap_or_default();
        let users = num("users", row)?;
        if name.is_empty() {
            return Err(refuse(
                users,
                &o.variant,
                "no arm (every user needs an arm)",
            ));
        }
        let bad = num("bad_converted", row)?;
        if bad > 0.0 {
            return Err(refuse(
                bad,
                &o.converted,
                "a value other than 0 or 1 (or true/false)",
            ));
        }
        let conv = num("conversions", row)?;
        let revenue = match &o.revenue {
            Some(rc) => {
                let bad = num("bad_revenue", row)?;
                if bad > 0.0 {
                    return Err(refuse(
                        bad,
                        rc,
                        "no revenue that is a finite number (write 0 if none)",
                    ));
                }
                Some((num("revenue_sum", row)?, num("revenue_sumsq", row)?))
            }
            None => None,
        };
        match arms.iter_mut().find(|a| a.name == name) {
            Some(a) => {
                a.users += users;
                a.conversions += conv;
                if let (Some((s, ss)), Some((rs, rss))) = (&mut a.revenue, revenue) {
                    *s += rs;
                    *ss += rss;
                }
            }
            None => arms.push(ArmSums {
                name: name.clone(),
                users,
                conversions: conv,
                revenue,
            }),
        }
        if o.day.is_some() {
            let day = t.column("day")?.text_at(row).unwrap_or_default();
            if day.is_empty() {
                return Err(refuse(users, o.day.as_deref().unwrap_or("day"), "no day"));
            }
            match days.last_mut() {
                Some((d, cells)) if *d == day => cells.push((name, users, conv)),
                _ => days.push((day, vec![(name, users, conv)])),
            }
        }
    }
    arms.sort_by(|a, b| a.name.cmp(&b.name));
    let daily = days
        .into_iter()
        .map(|(d, cells)| {
            let per_arm = arms
                .iter()
                .map(|a| {
                    cells
                        .iter()
                        .find(|c| c.0 == a.name)
                        .map_or((0.0, 0.0), |c| (c.1, c.2))
                })
                .collect();
            (d, per_arm)
        })
        .collect();
    Ok((arms, daily))
}

/// Reads the table's column types and generates the statement (nothing is computed).
pub fn prepare(
    conn: &ClickHouse,
    r: &RemoteAb,
    deadline: Option<Instant>,
) -> Result<String, WarehouseError> {
    let columns = conn.describe(r.table, deadline)?;
    ab_sql(conn, r, &columns)
}

/// The readout computed from the server's sums; also returns the statement and the
/// bytes received.
pub fn ab_report(
    conn: &ClickHouse,
    r: &RemoteAb,
    deadline: Option<Instant>,
) -> Result<(AbReport, String, u64), WarehouseError> {
    let sql = prepare(conn, r, deadline)?;
    let source = format!("ClickHouse table {}", conn.display_name(r.table));
    let answer = conn.query(&sql, &source, deadline)?;
    let (arms, daily) = sums_from_answer(conn, r, &answer.table)?;
    let report = ab_report_from_sums(&source, &arms, daily, r.options)
        .map_err(|e| WarehouseError::Analysis(e.to_string()))?;
    Ok((report, sql, answer.bytes))
}
