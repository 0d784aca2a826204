//! Script API of the warehouse path: `clickhouse(url, options)` connections,
//! `query(conn, sql)`, `conn.table(name)`, and `funnel_events` / `ab_report` on a
//! warehouse table, computed by the server in one statement each.
//!
//! Domain code lives in `crate::warehouse`; this file checks the sandbox's rule for
//! connections, reads options, and honours `--explain`.

use super::abtest::report_options;
use super::events::spec;
use crate::abtest::AbReport;
use crate::events::{ObservedFunnel, PushedDown, Semantics};
use crate::script::{context, script_error, Options, RunContext};
use crate::table::{Column, Table};
use crate::warehouse::abtest::RemoteAb;
use crate::warehouse::funnel::{self, RemoteFunnel};
use crate::warehouse::{ClickHouse, ConnectOptions, Endpoint, Secret};
use rhai::plugin::*;
use rhai::{Array, EvalAltResult, Map, Module, NativeCallContext};

/// A table on a warehouse server: the connection and the table's name.
#[derive(Debug, Clone)]
pub struct RemoteTable {
    conn: ClickHouse,
    name: String,
}

/// The module: connections, remote tables and the pushed-down calls.
pub fn module() -> Module {
    let mut m = exported_module!(warehouse_api);
    m.set_custom_type::<ClickHouse>("ClickHouse");
    m.set_custom_type::<RemoteTable>("RemoteTable");
    m
}

type R<T> = Result<T, Box<EvalAltResult>>;

fn connect(ctx: &NativeCallContext, url: &str, options: Map) -> R<ClickHouse> {
    let o = Options::new(
        "clickhouse",
        options,
        &["user", "database", "password", "timeout"],
    )?;
    let endpoint = Endpoint::parse(url).map_err(script_error)?;
    context(ctx)?
        .connections
        .check(&endpoint)
        .map_err(script_error)?;
    let password = match o.raw("password") {
        None => None,
        Some(p) => Some(Secret::new(p.clone().into_string().map_err(|_| {
            script_error("clickhouse: option 'password' must be a string")
        })?)),
    };
    ClickHouse::new(
        url,
        ConnectOptions {
            user: o.str("user")?,
            database: o.str("database")?,
            password,
            timeout: o.f64("timeout")?,
        },
    )
    .map_err(script_error)
}

/// An empty result's table under `--explain`: the statement itself.
fn explain_table(sql: &str) -> R<Table> {
    Table::new(
        "explain",
        vec![("sql".into(), Column::text(vec![Some(sql.to_string())]))],
    )
    .map_err(script_error)
}

/// Splits the pushed-down options from a map: returns `where` and the rest.
fn take_where(fn_name: &str, options: &mut Map) -> R<Option<String>> {
    match options.remove("where") {
        None => Ok(None),
        Some(w) => w.into_string().map(Some).map_err(|t| {
            script_error(format!(
                "{fn_name}: option 'where' must be a SQL condition as a string, like \"country = 'ES'\"; got {t}"
            ))
        }),
    }
}

fn run(ctx: &NativeCallContext) -> R<RunContext> {
    context(ctx)
}

// The plugin macro's generated glue unwraps internally; our own code does not.
#[allow(clippy::unwrap_used)]
#[export_module]
mod warehouse_api {
    use super::*;

    /// A connection to a ClickHouse server over its HTTP interface (`http://` or
    /// `https://`; default ports 8123 and 8443). Nothing is sent until the first
    /// statement. The sandbox allows only servers given with `--allow-url` on the
    /// command line or listed in your own `~/.config/pacer/allowed-urls`. The user
    /// is `default` and the password comes from `PACER_CLICKHOUSE_PASSWORD`.
    ///
    /// ```rhai
    /// // Without --allow-url the sandbox refuses, and says how to allow it.
    /// try {
    ///     let ch = clickhouse("http://127.0.0.1:18123");
    ///     print(query(ch, "SELECT version() AS version"));
    /// } catch (e) {
    ///     print(e);
    /// }
    /// ```
    #[rhai_fn(return_raw)]
    pub fn clickhouse(ctx: NativeCallContext, url: &str) -> R<ClickHouse> {
        connect(&ctx, url, Map::new())
    }

    /// A connection with options: `user` (default "default"), `database` (default
    /// the user's default database), `password` (default the environment variable
    /// `PACER_CLICKHOUSE_PASSWORD`; never printed nor shown in errors), `timeout`
    /// (seconds the server may spend on one statement: `max_execution_time`; the
    /// run's `--timeout` bounds it too).
    ///
    /// ```rhai
    /// try {
    ///     let ch = clickhouse("https://ch.example.com", #{ user: "analyst", database: "shop", timeout: 60 });
    ///     print(ch);
    /// } catch (e) {
    ///     print(e);
    /// }
    /// ```
    #[rhai_fn(name = "clickhouse", return_raw)]
    pub fn clickhouse_with(ctx: NativeCallContext, url: &str, options: Map) -> R<ClickHouse> {
        connect(&ctx, url, options)
    }

    /// Runs one SQL statement on the server and returns its rows as a table,
    /// streamed (the answer is read as `TSVWithNamesAndTypes`). Types: integers ->
    /// int, Float/Decimal -> float, Date -> date, Bool -> boolean, anything else
    /// (String, DateTime as the server writes it, arrays) -> text; Nullable values
    /// -> empty cells. Server errors show the server's message and the SQL. Under
    /// `--explain` nothing is sent: the statement is printed and the table holds it.
    ///
    /// ```rhai
    /// try {
    ///     let ch = clickhouse("http://127.0.0.1:18123", #{ database: "shop" });
    ///     let t = query(ch, "SELECT channel, count() AS events FROM events GROUP BY channel");
    ///     print(t);
    /// } catch (e) {
    ///     print(e);
    /// }
    /// ```
    #[rhai_fn(return_raw)]
    pub fn query(ctx: NativeCallContext, conn: ClickHouse, sql: &str) -> R<Table> {
        let run = run(&ctx)?;
        if run.connections.explaining() {
            run.connections
                .record(&format!("query at {}", conn.url()), sql);
            return explain_table(sql);
        }
        conn.query(
            sql,
            &format!("ClickHouse query at {}", conn.url()),
            run.deadline,
        )
        .map(|a| a.table)
        .map_err(script_error)
    }

    /// A table on the server, for `funnel_events` and `ab_report` (nothing is sent
    /// until one of them runs).
    ///
    /// ```rhai
    /// try {
    ///     let events = clickhouse("http://127.0.0.1:18123").table("events");
    ///     print(events);
    /// } catch (e) {
    ///     print(e);
    /// }
    /// ```
    #[rhai_fn(pure)]
    pub fn table(conn: &mut ClickHouse, name: &str) -> RemoteTable {
        RemoteTable {
            conn: conn.clone(),
            name: name.to_string(),
        }
    }

    /// The observed funnel computed by the server in one SQL statement, with the
    /// same rules and the same result as `funnel_events` on an export (steps in time
    /// order within the window, any attempt, equal timestamps allowed, first-touch
    /// breakdown, median time between steps). Options as for an export, plus `where`:
    /// a SQL condition rows must meet. Only one row per group comes back. `f.sql` is
    /// the statement; under `--explain` it is printed and nothing is computed.
    ///
    /// ```rhai
    /// try {
    ///     let events = clickhouse("http://127.0.0.1:18123", #{ database: "shop" }).table("events");
    ///     let f = funnel_events(events, ["visit", "signup", "purchase"],
    ///                           #{ window: "7d", by: "channel", where: "country = 'ES'" });
    ///     print(f);
    /// } catch (e) {
    ///     print(e);
    /// }
    /// ```
    #[rhai_fn(name = "funnel_events", return_raw)]
    pub fn funnel_events_remote(
        ctx: NativeCallContext,
        table: RemoteTable,
        steps: Array,
        options: Map,
    ) -> R<ObservedFunnel> {
        let mut options = options;
        let filter = take_where("funnel_events", &mut options)?;
        let spec = spec(&ctx, &steps, options)?;
        let run = run(&ctx)?;
        let f = RemoteFunnel {
            table: &table.name,
            spec: &spec,
            filter: filter.as_deref(),
        };
        let conn = &table.conn;
        let sql = funnel::prepare(conn, &f, run.deadline).map_err(script_error)?;
        if run.connections.explaining() {
            let source = funnel::source_name(conn, &table.name);
            run.connections.record(
                &format!("funnel_events on {source} at {}", conn.url()),
                &sql,
            );
            return Ok(ObservedFunnel {
                semantics: Semantics {
                    pushed_down: Some(PushedDown {
                        engine: "ClickHouse (not run: --explain)".into(),
                        url: conn.url(),
                        sql,
                    }),
                    ..Semantics::of(&spec, &source)
                },
                groups: Vec::new(),
                times: Vec::new(),
                trends: None,
            });
        }
        funnel::run(conn, &f, &sql, run.deadline)
            .map(|(funnel, _)| funnel)
            .map_err(script_error)
    }

    /// The SQL statement that computed a funnel pushed down to a warehouse (an
    /// error for a funnel computed natively).
    ///
    /// ```rhai
    /// let f = funnel_events("fixtures/events.csv", ["visit", "signup"], #{ window: "1d" });
    /// try { print(f.sql); } catch (e) { print(e); }
    /// ```
    #[rhai_fn(get = "sql", pure, return_raw)]
    pub fn sql(f: &mut ObservedFunnel) -> R<String> {
        match &f.semantics.pushed_down {
            Some(p) => Ok(p.sql.clone()),
            None => Err(script_error(format!(
                "this funnel was computed natively from {}; only a funnel computed by a warehouse has .sql",
                f.semantics.source
            ))),
        }
    }

    /// The A/B readout from sufficient statistics computed by the server in one
    /// statement (per arm, and per day with `day`: users, conversions, revenue sum
    /// and sum of squares); the analysis is the same as `ab_report` on a table.
    /// Options as for a table (`variant` or its synonym `arm`, `control`,
    /// `converted`, `revenue`, `day`, `weights`, `alpha`, `power`, `looks`,
    /// `sequential`, `tau`, `adjust`) plus `where`. Arms are taken in the order of
    /// their labels; the control is `control`, else the first label.
    ///
    /// ```rhai
    /// try {
    ///     let t = clickhouse("http://127.0.0.1:18123", #{ database: "shop" }).table("assignments");
    ///     print(ab_report(t, #{ control: "A", arm: "variant", converted: "converted", revenue: "revenue", day: "day" }));
    /// } catch (e) {
    ///     print(e);
    /// }
    /// ```
    #[rhai_fn(name = "ab_report", return_raw)]
    pub fn ab_report_remote(
        ctx: NativeCallContext,
        table: RemoteTable,
        options: Map,
    ) -> R<AbReport> {
        let mut options = options;
        let filter = take_where("ab_report", &mut options)?;
        if let Some(arm) = options.remove("arm") {
            if options.contains_key("variant") {
                return Err(script_error(
                    "ab_report: give the arm column as 'arm' or 'variant', not both",
                ));
            }
            options.insert("variant".into(), arm);
        }
        let o = report_options(options)?;
        let run = run(&ctx)?;
        let conn = &table.conn;
        let r = RemoteAb {
            table: &table.name,
            options: &o,
            filter: filter.as_deref(),
        };
        if run.connections.explaining() {
            let sql =
                crate::warehouse::abtest::prepare(conn, &r, run.deadline).map_err(script_error)?;
            run.connections.record(
                &format!(
                    "ab_report on ClickHouse table {} at {}",
                    conn.display_name(&table.name),
                    conn.url()
                ),
                &sql,
            );
            return Ok(AbReport::not_run(explain_table(&sql)?, o));
        }
        crate::warehouse::abtest::ab_report(conn, &r, run.deadline)
            .map(|(report, _, _)| report)
            .map_err(script_error)
    }

    /// The connection as text: URL, user and database (never the password).
    #[rhai_fn(global, name = "to_string", pure)]
    pub fn conn_to_string(c: &mut ClickHouse) -> String {
        format!(
            "ClickHouse at {} (user {}, database {})",
            c.url(),
            c.user(),
            c.database().unwrap_or("default")
        )
    }

    /// The connection for debugging (never the password).
    #[rhai_fn(global, name = "to_debug", pure)]
    pub fn conn_to_debug(c: &mut ClickHouse) -> String {
        format!("{c:?}")
    }

    /// A remote table as text.
    #[rhai_fn(global, name = "to_string", pure)]
    pub fn table_to_string(t: &mut RemoteTable) -> String {
        format!(
            "ClickHouse table {} at {}",
            t.conn.display_name(&t.name),
            t.conn.url()
        )
    }

    /// A remote table for debugging.
    #[rhai_fn(global, name = "to_debug", pure)]
    pub fn table_to_debug(t: &mut RemoteTable) -> String {
        format!("RemoteTable({:?}, {:?})", t.conn, t.name)
    }
}
