//! summary.csv: one row per batch input, written from the start and rewritten
//! atomically as inputs finish, so that it always says which inputs are done. A shard of
//! a batch writes a part (`summary.part-I-of-N.csv`) with each input's position in the
//! full list first; `pacer merge` joins the parts into the summary one unsharded run
//! writes.

use crate::script::sandbox_write_atomic;
use std::path::{Path, PathBuf};

/// The status of one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Not finished yet (the run is still going, or was killed).
    Pending,
    /// Ran to the end.
    Ok,
    /// Failed: the `error` column says why.
    Failed,
    /// Not run: an earlier input failed under `--fail-fast`.
    Skipped,
    /// Not run, or stopped, by Ctrl-C or SIGTERM.
    Interrupted,
}

impl Status {
    /// The word in the `status` column.
    pub fn word(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Ok => "ok",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::Interrupted => "interrupted",
        }
    }

    fn parse(word: &str) -> Option<Status> {
        [
            Status::Pending,
            Status::Ok,
            Status::Failed,
            Status::Skipped,
            Status::Interrupted,
        ]
        .into_iter()
        .find(|s| s.word() == word)
    }
}

/// One input's row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The input's position in the full list of inputs.
    pub position: usize,
    /// The input as named on the command line.
    pub input: String,
    /// Its status.
    pub status: Status,
    /// Rows of the input table, when it was read.
    pub rows: Option<usize>,
    /// How long it took.
    pub duration_ms: Option<u128>,
    /// The first line of the error, with its location.
    pub error: String,
    /// The script's own columns, as text.
    pub columns: Vec<(String, String)>,
}

impl Row {
    /// A pending row.
    pub fn pending(position: usize, input: String) -> Row {
        Row {
            position,
            input,
            status: Status::Pending,
            rows: None,
            duration_ms: None,
            error: String::new(),
            columns: Vec::new(),
        }
    }
}

const FIXED: [&str; 5] = ["input", "status", "rows", "duration_ms", "error"];

/// The CSV text of `rows` (in position order): the fixed columns, then the script's
/// columns in the order they first appear; with `position` first when `part`.
pub fn render(rows: &[Row], part: bool) -> String {
    let mut rows: Vec<&Row> = rows.iter().collect();
    rows.sort_by_key(|r| r.position);
    let mut extra: Vec<&str> = Vec::new();
    for r in &rows {
        for (k, _) in &r.columns {
            if !extra.contains(&k.as_str()) && !FIXED.contains(&k.as_str()) && k != "position" {
                extra.push(k);
            }
        }
    }
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let mut header: Vec<&str> = Vec::new();
    if part {
        header.push("position");
    }
    header.extend(FIXED);
    header.extend(extra.iter().copied());
    let _ = w.write_record(&header);
    for r in rows {
        let mut rec: Vec<String> = Vec::new();
        if part {
            rec.push(r.position.to_string());
        }
        rec.push(r.input.clone());
        rec.push(r.status.word().to_string());
        rec.push(r.rows.map(|n| n.to_string()).unwrap_or_default());
        rec.push(r.duration_ms.map(|n| n.to_string()).unwrap_or_default());
        rec.push(r.error.clone());
        for k in &extra {
            let cell = r
                .columns
                .iter()
                .find(|(c, _)| c == k)
                .map(|(_, v)| v.clone());
            rec.push(cell.unwrap_or_default());
        }
        let _ = w.write_record(&rec);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Writes the summary atomically.
pub fn write(path: &Path, rows: &[Row], part: bool) -> Result<(), String> {
    sandbox_write_atomic(path, render(rows, part).as_bytes()).map_err(|e| e.to_string())
}

/// The summary's path: `summary.csv`, or a shard's part.
pub fn path(out: &Path, shard: Option<(usize, usize)>) -> PathBuf {
    match shard {
        None => out.join("summary.csv"),
        Some((i, n)) => out.join(format!("summary.part-{i}-of-{n}.csv")),
    }
}

/// Reads a part back (for `pacer merge`).
pub fn read_part(path: &Path) -> Result<Vec<Row>, String> {
    let shown = path.display();
    let mut r = csv::ReaderBuilder::new()
        .from_path(path)
        .map_err(|e| format!("{shown}: {e}"))?;
    let header: Vec<String> = r
        .headers()
        .map_err(|e| format!("{shown}: {e}"))?
        .iter()
        .map(str::to_string)
        .collect();
    let expected: Vec<&str> = std::iter::once("position").chain(FIXED).collect();
    if header.len() < expected.len() || header[..expected.len()] != expected[..] {
        return Err(format!(
            "{shown}: not a summary part (its header should start with {})",
            expected.join(",")
        ));
    }
    let mut rows = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| format!("{shown}: {e}"))?;
        let line = i + 2;
        let cell = |k: usize| rec.get(k).unwrap_or("").to_string();
        let bad = |what: &str| format!("{shown}:{line}: {what}");
        let position = cell(0)
            .parse()
            .map_err(|_| bad("the position is not a whole number"))?;
        let status =
            Status::parse(&cell(2)).ok_or_else(|| bad(&format!("unknown status {:?}", cell(2))))?;
        let num = |k: usize| -> Result<Option<u128>, String> {
            let c = cell(k);
            if c.is_empty() {
                Ok(None)
            } else {
                c.parse()
                    .map(Some)
                    .map_err(|_| bad("a count is not a whole number"))
            }
        };
        let columns = header[expected.len()..]
            .iter()
            .enumerate()
            .map(|(j, k)| (k.clone(), cell(expected.len() + j)))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        rows.push(Row {
            position,
            input: cell(1),
            status,
            rows: num(3)?.map(|n| n as usize),
            duration_ms: num(4)?,
            error: cell(5),
            columns,
        });
    }
    Ok(rows)
}

/// Counts of a batch's outcome and the exit code they mean: 0 when every input ran
/// ok, 1 when none did, 3 in between.
pub fn counts(rows: &[Row]) -> (usize, usize, usize) {
    let ok = rows.iter().filter(|r| r.status == Status::Ok).count();
    let failed = rows.iter().filter(|r| r.status == Status::Failed).count();
    (ok, failed, rows.len() - ok - failed)
}

/// The exit code of a finished batch.
pub fn exit_code(rows: &[Row]) -> super::Exit {
    let (ok, failed, other) = counts(rows);
    if failed == 0 && other == 0 {
        super::Exit::Ok
    } else if ok == 0 {
        super::Exit::Failed
    } else {
        super::Exit::Partial
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_round_trip_and_columns_follow_first_appearance() -> Result<(), String> {
        let mut a = Row::pending(1, "b.csv".into());
        a.status = Status::Ok;
        a.rows = Some(3);
        a.duration_ms = Some(5);
        a.columns = vec![
            ("revenue".into(), "12".into()),
            ("note".into(), "x, y".into()),
        ];
        let mut b = Row::pending(0, "a.csv".into());
        b.status = Status::Failed;
        b.error = "a.csv:3: bad".into();
        b.columns = vec![("roas".into(), "2.5".into())];
        let text = render(&[a.clone(), b.clone()], false);
        assert_eq!(
            text,
            "input,status,rows,duration_ms,error,roas,revenue,note\na.csv,failed,,,a.csv:3: bad,2.5,,\nb.csv,ok,3,5,,,12,\"x, y\"\n"
        );
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let p = dir.path().join("summary.part-0-of-1.csv");
        write(&p, &[a.clone(), b.clone()], true)?;
        let back = read_part(&p)?;
        assert_eq!(render(&back, false), text);
        assert_eq!(exit_code(&back), crate::cli::Exit::Partial);
        Ok(())
    }
}
