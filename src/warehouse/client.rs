//! A ClickHouse connection over its HTTP interface: one blocking POST per statement
//! (the statement in the body, the database and settings as URL parameters, the user
//! and password in a Basic `Authorization` header, never in the URL), the answer
//! streamed as `TSVWithNamesAndTypes` into a [`Table`].
//!
//! The password is held in a [`Secret`], whose `Debug` prints `***` and which has no
//! `Display`; server messages are scrubbed of it before they reach an error.

use super::endpoint::Endpoint;
use super::error::WarehouseError;
use super::sql::quote_ident;
use super::tsv::{read_table, ReadError, ReadOptions};
use crate::table::Table;
use std::fmt;
use std::io::{BufReader, Read};
use std::time::{Duration, Instant};

/// The environment variable a password is read from when no option gives one.
pub const PASSWORD_ENV: &str = "PACER_CLICKHOUSE_PASSWORD";

/// A password: never printed, never formatted into a message.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a password.
    pub fn new(s: String) -> Secret {
        Secret(s)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// How to connect: user, database, password and the server-side time limit.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// The user (default `default`).
    pub user: Option<String>,
    /// The database (default: the user's default database on the server).
    pub database: Option<String>,
    /// The password; `None` reads [`PASSWORD_ENV`], and without it the password is empty.
    pub password: Option<Secret>,
    /// The server-side limit per statement in seconds (`max_execution_time`).
    pub timeout: Option<f64>,
}

/// A connection to one ClickHouse server (no socket is held between statements).
#[derive(Clone)]
pub struct ClickHouse {
    endpoint: Endpoint,
    user: String,
    database: Option<String>,
    password: Secret,
    timeout: Option<f64>,
    agent: ureq::Agent,
}

impl fmt::Debug for ClickHouse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClickHouse")
            .field("url", &self.endpoint.to_string())
            .field("user", &self.user)
            .field("database", &self.database)
            .field("password", &self.password)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The answer of one statement.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The rows, typed.
    pub table: Table,
    /// Bytes of the answer's body received.
    pub bytes: u64,
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (RFC 4648 section 4), for the Basic header.
fn base64(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Percent-encodes a URL query value (RFC 3986 unreserved characters kept).
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The ClickHouse error code at the start of a server message (`Code: 60, ...` or
/// `Code: 60. DB::Exception: ...`).
pub fn error_code(message: &str) -> Option<u32> {
    let at = message.find("Code: ")? + 6;
    let digits: String = message[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

impl ClickHouse {
    /// A connection to `url` (checked, but not contacted until the first statement).
    pub fn new(url: &str, o: ConnectOptions) -> Result<ClickHouse, WarehouseError> {
        let endpoint = Endpoint::parse(url)?;
        if let Some(t) = o.timeout {
            if !(t.is_finite() && t > 0.0 && t <= 86_400.0) {
                return Err(WarehouseError::Invalid(format!(
                    "clickhouse: option 'timeout' must be between 0 and 86400 seconds, got {t}"
                )));
            }
        }
        let password = match o.password {
            Some(p) => p,
            None => Secret(std::env::var(PASSWORD_ENV).unwrap_or_default()),
        };
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(10))
            .build();
        Ok(ClickHouse {
            endpoint,
            user: o.user.unwrap_or_else(|| "default".into()),
            database: o.database,
            password,
            timeout: o.timeout,
            agent,
        })
    }

    /// The server's URL, without credentials.
    pub fn url(&self) -> String {
        self.endpoint.to_string()
    }

    /// The parsed server URL.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The database given, if any.
    pub fn database(&self) -> Option<&str> {
        self.database.as_deref()
    }

    /// The user.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// `database.table` quoted for SQL (the connection's database when given).
    pub fn qualified(&self, table: &str) -> String {
        match &self.database {
            Some(db) => format!("{}.{}", quote_ident(db), quote_ident(table)),
            None => quote_ident(table),
        }
    }

    fn scrub(&self, message: &str) -> String {
        let m = message.trim();
        if self.password.0.is_empty() {
            m.to_string()
        } else {
            m.replace(&self.password.0, "***")
        }
    }

    /// Sends `body` as one statement; `sql` is what errors show. Returns the open
    /// response and the time limit sent.
    fn send(
        &self,
        body: &str,
        sql: &str,
        deadline: Option<Instant>,
    ) -> Result<(ureq::Response, Option<f64>), WarehouseError> {
        let mut limit = self.timeout;
        if let Some(d) = deadline {
            let left = d.saturating_duration_since(Instant::now()).as_secs_f64();
            if left <= 0.0 {
                return Err(WarehouseError::Deadline { url: self.url() });
            }
            limit = Some(limit.map_or(left, |l| l.min(left)));
        }
        let mut url = format!("{}?", self.endpoint);
        if let Some(db) = &self.database {
            url.push_str(&format!("database={}&", encode(db)));
        }
        if let Some(l) = limit {
            url.push_str(&format!("max_execution_time={}&", l.ceil().max(1.0)));
        }
        url.pop();
        let auth = base64(format!("{}:{}", self.user, self.password.0).as_bytes());
        let mut req = self
            .agent
            .post(&url)
            .set("Authorization", &format!("Basic {auth}"))
            .set("Content-Type", "text/plain; charset=utf-8");
        if let Some(l) = limit {
            // The server stops at its limit and answers; give it time to say so.
            req = req.timeout(Duration::from_secs_f64(l + 30.0));
        }
        match req.send_string(body) {
            Ok(r) => Ok((r, limit)),
            Err(ureq::Error::Status(status, r)) => {
                let mut text = String::new();
                let _ = r.into_reader().take(64 * 1024).read_to_string(&mut text);
                Err(self.classify(status, &text, sql, limit))
            }
            Err(ureq::Error::Transport(t)) => Err(WarehouseError::Unreachable {
                url: self.url(),
                reason: self.scrub(&transport_reason(&t)),
            }),
        }
    }

    /// Sends `sql` (with `FORMAT TSVWithNamesAndTypes` appended) and reads the answer
    /// into a table named `source`. `deadline` is the run's time limit: it bounds the
    /// server's `max_execution_time` and the client's wait.
    pub fn query(
        &self,
        sql: &str,
        source: &str,
        deadline: Option<Instant>,
    ) -> Result<Answer, WarehouseError> {
        let body = format!(
            "{}\nFORMAT TSVWithNamesAndTypes",
            sql.trim().trim_end_matches(';').trim_end()
        );
        let (response, limit) = self.send(&body, sql, deadline)?;
        let mut reader = BufReader::with_capacity(1 << 16, response.into_reader());
        let stop = || deadline.is_some_and(|d| Instant::now() >= d);
        match read_table(
            &mut reader,
            &ReadOptions {
                source,
                stop: &stop,
            },
        ) {
            Ok((table, bytes)) => Ok(Answer { table, bytes }),
            Err(ReadError::Stopped) => Err(WarehouseError::Deadline { url: self.url() }),
            Err(ReadError::Bad {
                server: Some(m), ..
            }) => Err(self.classify(500, &m, sql, limit)),
            Err(ReadError::Bad { reason, .. }) => Err(WarehouseError::BadAnswer {
                url: self.url(),
                reason,
                sql: sql.to_string(),
            }),
        }
    }

    /// Runs a statement that returns no rows (`CREATE`, `INSERT ... FORMAT TSV` with
    /// its data, `DROP`); errors show the statement's first line.
    pub fn execute(
        &self,
        statement: &str,
        deadline: Option<Instant>,
    ) -> Result<(), WarehouseError> {
        let shown = statement.lines().next().unwrap_or_default();
        let (response, _) = self.send(statement, shown, deadline)?;
        let mut sink = String::new();
        let _ = response
            .into_reader()
            .take(64 * 1024)
            .read_to_string(&mut sink);
        match sink.find("Code: ") {
            Some(at) => Err(self.classify(500, &sink[at..], shown, None)),
            None => Ok(()),
        }
    }

    fn classify(&self, status: u16, text: &str, sql: &str, limit: Option<f64>) -> WarehouseError {
        let message = self.scrub(text);
        let url = self.url();
        match error_code(&message) {
            // UNKNOWN_USER, WRONG_PASSWORD, REQUIRED_PASSWORD, AUTHENTICATION_FAILED
            Some(192 | 193 | 194 | 516) => WarehouseError::Auth {
                url,
                user: self.user.clone(),
                message,
            },
            // TIMEOUT_EXCEEDED
            Some(159) => WarehouseError::Timeout {
                url,
                seconds: limit.map_or(0.0, |l| l.ceil().max(1.0)),
                message,
                sql: sql.to_string(),
            },
            _ if status == 401 || status == 403 => WarehouseError::Auth {
                url,
                user: self.user.clone(),
                message,
            },
            _ => WarehouseError::Server {
                url,
                message: if message.is_empty() {
                    format!("HTTP status {status} without a message")
                } else {
                    message
                },
                sql: sql.to_string(),
            },
        }
    }

    /// The server's version (`SELECT version()`).
    pub fn version(&self, deadline: Option<Instant>) -> Result<String, WarehouseError> {
        let a = self.query("SELECT version() AS version", "version", deadline)?;
        Ok(a.table
            .column("version")
            .ok()
            .and_then(|c| c.text_at(0))
            .unwrap_or_default())
    }

    /// The columns of `table` with their ClickHouse types (`DESCRIBE TABLE`); a missing
    /// table or database is [`WarehouseError::MissingTable`].
    pub fn describe(
        &self,
        table: &str,
        deadline: Option<Instant>,
    ) -> Result<Vec<(String, String)>, WarehouseError> {
        let sql = format!("DESCRIBE TABLE {}", self.qualified(table));
        match self.query(&sql, table, deadline) {
            Ok(a) => {
                let t = a.table;
                let (names, types) = (t.column("name")?, t.column("type")?);
                Ok((0..t.n_rows())
                    .map(|r| {
                        (
                            names.text_at(r).unwrap_or_default(),
                            types.text_at(r).unwrap_or_default(),
                        )
                    })
                    .collect())
            }
            Err(WarehouseError::Server { message, .. })
                if matches!(error_code(&message), Some(60 | 81)) =>
            {
                Err(WarehouseError::MissingTable {
                    url: self.url(),
                    table: self.display_name(table),
                    hint: self.table_hint(table, deadline),
                })
            }
            Err(e) => Err(e),
        }
    }

    /// The types of the `wanted` columns of `table`, given the table's `columns`
    /// (name, type) from [`ClickHouse::describe`]; a missing one is an error naming
    /// it, the closest name and the columns there are.
    pub fn column_types<'c>(
        &self,
        table: &str,
        columns: &'c [(String, String)],
        wanted: &[&str],
    ) -> Result<Vec<&'c str>, WarehouseError> {
        let names: Vec<String> = columns.iter().map(|(n, _)| n.clone()).collect();
        wanted
            .iter()
            .map(|w| {
                columns
                    .iter()
                    .find(|(n, _)| n == w)
                    .map(|(_, t)| t.as_str())
                    .ok_or_else(|| WarehouseError::MissingColumn {
                        url: self.url(),
                        source: Box::new(crate::table::TableError::missing_column(
                            &self.display_name(table),
                            w,
                            &names,
                        )),
                    })
            })
            .collect()
    }

    /// `database.table` as written for people.
    pub fn display_name(&self, table: &str) -> String {
        match &self.database {
            Some(db) => format!("{db}.{table}"),
            None => table.to_string(),
        }
    }

    fn table_hint(&self, table: &str, deadline: Option<Instant>) -> String {
        let db = match &self.database {
            Some(d) => super::sql::quote_str(d),
            None => "currentDatabase()".into(),
        };
        let sql =
            format!("SELECT name FROM system.tables WHERE database = {db} ORDER BY name LIMIT 50");
        let Ok(a) = self.query(&sql, "tables", deadline) else {
            return String::new();
        };
        let Ok(c) = a.table.column("name") else {
            return String::new();
        };
        let names: Vec<String> = (0..c.len()).filter_map(|r| c.text_at(r)).collect();
        if names.is_empty() {
            return "; the database has no tables".into();
        }
        let guess = crate::suggest::closest(table, names.iter().map(String::as_str))
            .map(|s| format!(", did you mean '{s}'?"))
            .unwrap_or_default();
        format!("{guess}; tables: {}", names.join(", "))
    }
}

fn transport_reason(t: &ureq::Transport) -> String {
    let mut s = t.kind().to_string();
    if let Some(m) = t.message() {
        s.push_str(": ");
        s.push_str(m);
    }
    if let Some(src) = std::error::Error::source(t) {
        s.push_str(&format!(" ({src})"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[test]
    fn the_password_never_shows() {
        let c = ClickHouse::new(
            "http://127.0.0.1:1",
            ConnectOptions {
                password: Some(Secret::new("hunter2-xyz".into())),
                ..Default::default()
            },
        )
        .expect("connection");
        assert!(!format!("{c:?}").contains("hunter2"), "{c:?}");
        let e = c.classify(
            500,
            "Code: 193, e.displayText() = DB::Exception: hunter2-xyz is wrong",
            "SELECT 1",
            None,
        );
        assert!(matches!(e, WarehouseError::Auth { .. }));
        assert!(!e.to_string().contains("hunter2"), "{e}");
        // Nothing listens on port 1: the error names the URL and not the password.
        let e = c.query("SELECT 1", "t", None).expect_err("refused");
        assert!(matches!(e, WarehouseError::Unreachable { .. }), "{e:?}");
        assert!(
            e.to_string().contains("http://127.0.0.1:1/") && !e.to_string().contains("hunter2"),
            "{e}"
        );
    }

    #[test]
    fn codes_are_read_in_old_and_new_formats() {
        assert_eq!(
            error_code("Code: 60, e.displayText() = DB::Exception: Table x doesn't exist"),
            Some(60)
        );
        assert_eq!(
            error_code("Code: 516. DB::Exception: x: Authentication failed"),
            Some(516)
        );
        assert_eq!(error_code("no code"), None);
    }

    #[test]
    fn url_values_are_percent_encoded() {
        assert_eq!(encode("a b/é"), "a%20b%2F%C3%A9");
    }
}
