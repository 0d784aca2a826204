//! Reading ClickHouse's `TSVWithNamesAndTypes` answers into a [`Table`], row by row
//! from the stream, with the server's types mapped to the table's.
//!
//! Type mapping: `Int*`, `UInt*` (up to `i64::MAX`) -> int; `Float*`, `Decimal*` ->
//! float; `Bool` -> boolean; `Date`, `Date32` -> date; everything else (`String`,
//! `FixedString`, `Enum*`, `UUID`, `DateTime` as the server writes it, arrays, tuples)
//! -> text. `Nullable(T)` and `LowCardinality(T)` map as `T`, with `\N` an empty cell.
//! Escapes inside cells (`\t`, `\n`, `\\`, `\'`, `\0`, `\b`, `\f`, `\r`) are undone.

use crate::table::{Column, Table};
use chrono::NaiveDate;
use std::io::BufRead;

/// The table type a ClickHouse type maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Whole numbers.
    Int,
    /// Floating-point and decimal numbers.
    Float,
    /// Booleans.
    Bool,
    /// Calendar dates.
    Date,
    /// Everything else, as text.
    Text,
}

/// Strips `Nullable(..)` and `LowCardinality(..)` wrappers.
pub fn base_type(t: &str) -> &str {
    let mut t = t.trim();
    loop {
        let inner = ["Nullable(", "LowCardinality("]
            .iter()
            .find_map(|w| t.strip_prefix(w).and_then(|r| r.strip_suffix(')')));
        match inner {
            Some(i) => t = i.trim(),
            None => return t,
        }
    }
}

/// The table type of ClickHouse type `t`.
pub fn kind_of(t: &str) -> Kind {
    let b = base_type(t);
    if b.starts_with("Int") || b.starts_with("UInt") {
        Kind::Int
    } else if b.starts_with("Float") || b.starts_with("Decimal") {
        Kind::Float
    } else if b == "Bool" {
        Kind::Bool
    } else if b == "Date" || b == "Date32" {
        Kind::Date
    } else {
        Kind::Text
    }
}

/// Undoes TSV escaping; `None` for the NULL marker `\N`.
pub fn unescape(field: &[u8]) -> Result<Option<String>, String> {
    if field == b"\\N" {
        return Ok(None);
    }
    if !field.contains(&b'\\') {
        return String::from_utf8(field.to_vec())
            .map(Some)
            .map_err(|_| "a cell is not valid UTF-8".to_string());
    }
    let mut out = Vec::with_capacity(field.len());
    let mut it = field.iter();
    while let Some(&c) = it.next() {
        if c != b'\\' {
            out.push(c);
            continue;
        }
        let e = it
            .next()
            .copied()
            .ok_or("a cell ends with a lone backslash")?;
        out.push(match e {
            b't' => b'\t',
            b'n' => b'\n',
            b'r' => b'\r',
            b'0' => 0,
            b'b' => 8,
            b'f' => 12,
            b'a' => 7,
            b'v' => 11,
            other => other,
        });
    }
    String::from_utf8(out)
        .map(Some)
        .map_err(|_| "a cell is not valid UTF-8".to_string())
}

enum Builder {
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
    Date(Vec<Option<NaiveDate>>),
    Text(Vec<Option<String>>),
}

impl Builder {
    fn new(kind: Kind) -> Builder {
        match kind {
            Kind::Int => Builder::Int(Vec::new()),
            Kind::Float => Builder::Float(Vec::new()),
            Kind::Bool => Builder::Bool(Vec::new()),
            Kind::Date => Builder::Date(Vec::new()),
            Kind::Text => Builder::Text(Vec::new()),
        }
    }

    fn push(&mut self, cell: Option<String>) -> Result<(), String> {
        let bad = |what: &str, s: &str| format!("{} is not {what}", crate::table::quote_text(s));
        match self {
            Builder::Text(v) => v.push(cell),
            Builder::Int(v) => v.push(match cell {
                None => None,
                Some(s) => Some(
                    s.parse::<i64>()
                        .map_err(|_| bad("a whole number that fits in 64 bits", &s))?,
                ),
            }),
            Builder::Float(v) => v.push(match cell {
                None => None,
                Some(s) => Some(match s.as_str() {
                    "nan" | "-nan" => f64::NAN,
                    "inf" | "+inf" => f64::INFINITY,
                    "-inf" => f64::NEG_INFINITY,
                    _ => s.parse::<f64>().map_err(|_| bad("a number", &s))?,
                }),
            }),
            Builder::Bool(v) => v.push(match cell.as_deref() {
                None => None,
                Some("true" | "1") => Some(true),
                Some("false" | "0") => Some(false),
                Some(s) => return Err(bad("a boolean", s)),
            }),
            Builder::Date(v) => v.push(match cell {
                None => None,
                Some(s) => {
                    Some(NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| bad("a date", &s))?)
                }
            }),
        }
        Ok(())
    }

    fn finish(self) -> Column {
        match self {
            Builder::Int(v) => Column::int(v),
            Builder::Float(v) => Column::float(v),
            Builder::Bool(v) => Column::boolean(v),
            Builder::Date(v) => Column::date(v),
            Builder::Text(v) => Column::text(v),
        }
    }
}

/// What [`read_table`] needs besides the stream.
pub struct ReadOptions<'a> {
    /// The table's source name (for messages).
    pub source: &'a str,
    /// Called every 4096 rows; returns true to stop (the run's time limit).
    pub stop: &'a dyn Fn() -> bool,
}

/// Why reading stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadError {
    /// The answer is not what was asked for; `server` holds a server error written
    /// into the stream after the answer had started.
    Bad {
        /// What is wrong.
        reason: String,
        /// A server error found in the stream.
        server: Option<String>,
    },
    /// The stop callback asked to stop.
    Stopped,
}

fn server_error_in(line: &[u8], rest: &mut dyn BufRead) -> Option<String> {
    let mut text = String::from_utf8_lossy(line).into_owned();
    let mut tail = String::new();
    let _ = rest.read_to_string(&mut tail);
    text.push_str(&tail);
    let at = text.find("Code: ")?;
    Some(text[at..].trim().to_string())
}

/// Reads a `TSVWithNamesAndTypes` stream into a table; returns the table and the bytes
/// read.
pub fn read_table(input: &mut dyn BufRead, o: &ReadOptions) -> Result<(Table, u64), ReadError> {
    let mut bytes = 0u64;
    let mut line = Vec::new();
    let mut header =
        |input: &mut dyn BufRead, what: &str, bytes: &mut u64| -> Result<Vec<String>, ReadError> {
            line.clear();
            let n = input
                .read_until(b'\n', &mut line)
                .map_err(|e| ReadError::Bad {
                    reason: format!("the connection failed while reading the {what}: {e}"),
                    server: None,
                })?;
            *bytes += n as u64;
            if n == 0 {
                return Err(ReadError::Bad {
                    reason: format!("the answer ended before its {what}"),
                    server: None,
                });
            }
            let body = line.strip_suffix(b"\n").unwrap_or(&line);
            body.split(|&b| b == b'\t')
                .map(|f| {
                    unescape(f)
                        .map(Option::unwrap_or_default)
                        .map_err(|reason| ReadError::Bad {
                            reason,
                            server: None,
                        })
                })
                .collect()
        };
    let names = header(input, "column names", &mut bytes)?;
    let types = header(input, "column types", &mut bytes)?;
    if names.len() != types.len() {
        return Err(ReadError::Bad {
            reason: format!("{} column names but {} types", names.len(), types.len()),
            server: None,
        });
    }
    let mut cols: Vec<Builder> = types.iter().map(|t| Builder::new(kind_of(t))).collect();
    let mut rows = 0u64;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = input
            .read_until(b'\n', &mut line)
            .map_err(|e| ReadError::Bad {
                reason: format!("the connection failed after {rows} rows: {e}"),
                server: None,
            })?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        let body = line.strip_suffix(b"\n").unwrap_or(&line);
        let fields: Vec<&[u8]> = body.split(|&b| b == b'\t').collect();
        let parsed = if fields.len() == cols.len() {
            fields
                .iter()
                .zip(cols.iter_mut())
                .try_for_each(|(f, c)| c.push(unescape(f)?))
        } else {
            Err(format!(
                "row {} has {} cells, the header {}",
                rows + 1,
                fields.len(),
                cols.len()
            ))
        };
        if let Err(reason) = parsed {
            let server = server_error_in(&line, input);
            return Err(ReadError::Bad { reason, server });
        }
        rows += 1;
        if rows.is_multiple_of(4096) && (o.stop)() {
            return Err(ReadError::Stopped);
        }
    }
    let table = Table::new(
        o.source,
        names
            .into_iter()
            .zip(cols.into_iter().map(Builder::finish))
            .collect(),
    )
    .map_err(|e| ReadError::Bad {
        reason: e.to_string(),
        server: None,
    })?;
    Ok((table, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Table, ReadError> {
        let mut r = std::io::BufReader::new(text.as_bytes());
        read_table(
            &mut r,
            &ReadOptions {
                source: "t",
                stop: &|| false,
            },
        )
        .map(|(t, _)| t)
    }

    #[test]
    fn maps_types_and_unescapes() {
        let t = read(
            "i\tu\tf\ts\td\tn\tb\tdt\nInt32\tUInt64\tFloat64\tString\tDate\tNullable(Int8)\tBool\tDateTime\n\
             -3\t7\t2.5\ta\\tb\\\\c\\nd\t2024-07-01\t\\N\ttrue\t2024-07-01 10:00:00\n\
             4\t0\tnan\t渠道\\'x\t1970-01-01\t5\tfalse\t1970-01-01 00:00:00\n",
        )
        .expect("table");
        assert_eq!(t.n_rows(), 2);
        let c = |n: &str| t.column(n).expect(n);
        assert_eq!(c("i").i64_at(0), Some(-3));
        assert_eq!(c("u").i64_at(0), Some(7));
        assert_eq!(c("f").f64_at(0), Some(2.5));
        assert!(c("f").f64_at(1).is_some_and(f64::is_nan));
        assert_eq!(c("s").str_at(0), Some("a\tb\\c\nd"));
        assert_eq!(c("s").str_at(1), Some("渠道'x"));
        assert_eq!(c("d").date_at(0), NaiveDate::from_ymd_opt(2024, 7, 1));
        assert!(c("n").is_null(0));
        assert_eq!(c("n").i64_at(1), Some(5));
        assert_eq!(c("b").bool_at(1), Some(false));
        assert_eq!(c("dt").str_at(0), Some("2024-07-01 10:00:00"));
    }

    #[test]
    fn a_server_error_inside_the_stream_is_reported() {
        let e = read("x\nUInt8\n1\nCode: 159, e.displayText() = DB::Exception: Timeout exceeded\n")
            .expect_err("error in stream");
        match e {
            ReadError::Bad {
                server: Some(s), ..
            } => assert!(s.starts_with("Code: 159"), "{s}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn wrappers_and_kinds() {
        assert_eq!(base_type("LowCardinality(Nullable(String))"), "String");
        assert_eq!(kind_of("Nullable(UInt8)"), Kind::Int);
        assert_eq!(kind_of("Decimal(9, 2)"), Kind::Float);
        assert_eq!(kind_of("DateTime('UTC')"), Kind::Text);
        assert_eq!(kind_of("Array(String)"), Kind::Text);
    }
}
