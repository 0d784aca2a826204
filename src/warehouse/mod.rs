//! Beyond one machine: the heavy aggregation of an observed funnel or an A/B readout
//! pushed down to the warehouse where the events live (ClickHouse, over its HTTP
//! interface), with only the small aggregate coming back; the statistics, planning
//! and reporting stay local and are the same code as the native path.
//!
//! Files: [`endpoint`] (server URLs, shown without credentials), [`client`] (the
//! connection: one POST per statement, errors classified, the password never shown),
//! [`tsv`] (answers streamed into tables, types mapped), [`sql`] (quoting),
//! [`funnel`](mod@funnel) (the funnel as one statement), [`abtest`](mod@abtest) (sufficient
//! statistics per arm and day). When to use it: `docs/scale.md`.
//!
//! # Script functions and the Rust functions they map to
//!
//! | script | Rust |
//! |---|---|
//! | `clickhouse(url, #{ user, database, password, timeout })` | [`ClickHouse::new`] |
//! | `query(conn, sql)` | [`ClickHouse::query`] |
//! | `funnel_events(conn.table(name), steps, #{ window, by, user, event, time, where })` | [`funnel::funnel_events`] |
//! | `ab_report(conn.table(name), #{ control, arm, converted, revenue, day, ... })` | [`abtest::ab_report`] |

pub mod abtest;
pub mod client;
pub mod endpoint;
pub mod error;
pub mod funnel;
pub mod sql;
pub mod tsv;

pub use client::{Answer, ClickHouse, ConnectOptions, Secret, PASSWORD_ENV};
pub use endpoint::Endpoint;
pub use error::WarehouseError;
