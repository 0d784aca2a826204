//! Reader of PSPLIB single-mode RCPSP instances (`.sm`; Kolisch & Sprecher 1996, "PSPLIB -
//! A project scheduling problem library", EJOR 96): jobs with successors, durations and
//! per-period demands on renewable resources of constant capacity. Used by the tests and
//! the benchmark to measure the scheduler against published optimal makespans.

use super::problem::Problem;

/// Parses the text of an `.sm` file into a [`Problem`] (one task per job, dummies
/// included, durations in slots one-for-one with PSPLIB periods).
pub fn parse_sm(text: &str) -> Result<Problem, String> {
    let lines: Vec<&str> = text.lines().collect();
    let find = |prefix: &str| {
        lines
            .iter()
            .position(|l| l.trim_start().starts_with(prefix))
            .ok_or_else(|| format!("no '{prefix}' section"))
    };
    let ints = |l: &str| -> Result<Vec<i64>, String> {
        l.split_whitespace()
            .map(|w| {
                w.parse::<i64>()
                    .map_err(|_| format!("not a number: '{w}' in '{l}'"))
            })
            .collect()
    };
    let jobs_line = find("jobs (incl. supersource/sink")?;
    let n: usize = lines[jobs_line]
        .rsplit(':')
        .next()
        .and_then(|s| s.trim().parse().ok())
        .ok_or("bad jobs line")?;
    let prec = find("PRECEDENCE RELATIONS:")? + 2;
    let req = find("REQUESTS/DURATIONS:")? + 3;
    let avail = find("RESOURCEAVAILABILITIES:")? + 2;
    let capacity: Vec<i32> = ints(lines.get(avail).ok_or("no capacities")?)?
        .into_iter()
        .map(|c| c as i32)
        .collect();
    let mut durations = vec![0; n];
    let mut demands = vec![Vec::new(); n];
    for k in 0..n {
        let v = ints(lines.get(req + k).ok_or("short REQUESTS section")?)?;
        if v.len() != 3 + capacity.len() {
            return Err(format!("bad request row for job {}", k + 1));
        }
        durations[k] = v[2];
        demands[k] = v[3..]
            .iter()
            .enumerate()
            .filter(|(_, &a)| a > 0)
            .map(|(r, &a)| (r, a as i32))
            .collect();
    }
    let mut p = Problem::new(durations, capacity);
    p.demands = demands;
    for k in 0..n {
        let v = ints(lines.get(prec + k).ok_or("short PRECEDENCE section")?)?;
        let count = *v.get(2).ok_or("bad precedence row")? as usize;
        for &s in v.iter().skip(3).take(count) {
            let s = s as usize;
            if s == 0 || s > n {
                return Err(format!("job {} has successor {s} out of range", k + 1));
            }
            p.link(k, s - 1, 0);
        }
    }
    Ok(p)
}
