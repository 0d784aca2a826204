//! Keys for grouping and joining: every row's cells turned into dense codes, so that
//! group-by and join hash small integers instead of cells.
//!
//! Cells compare as they read: text `007` and the number 7 are different keys, an
//! integer 7 and a float 7.0 are the same number, `-0.0` equals `0.0`, and every NaN is
//! one key.

use super::column::Column;
use super::value::DType;
use std::collections::HashMap;
use std::hash::Hash;

/// Each row's code within `col` (`None` for a missing cell) and the number of codes.
pub(crate) fn codes_of(col: &Column) -> (Vec<Option<u32>>, usize) {
    fn by_hash<T: Hash + Eq>(cells: impl Iterator<Item = Option<T>>) -> (Vec<Option<u32>>, usize) {
        let mut map: HashMap<T, u32, super::hash::FxBuild> = HashMap::default();
        let codes = cells
            .map(|c| {
                c.map(|c| {
                    let next = map.len() as u32;
                    *map.entry(c).or_insert(next)
                })
            })
            .collect();
        (codes, map.len())
    }
    let n = col.len();
    match col.dtype() {
        DType::Str => col.text_codes().unwrap_or_default(),
        DType::Int => by_hash((0..n).map(|r| col.i64_at(r).map(NumKey::from_i64))),
        DType::Float => by_hash((0..n).map(|r| col.f64_at(r).map(NumKey::from_f64))),
        DType::Bool => by_hash((0..n).map(|r| col.bool_at(r))),
        DType::Date => by_hash((0..n).map(|r| col.date_at(r))),
        DType::Datetime => by_hash((0..n).map(|r| col.datetime_at(r))),
    }
}

/// A number as a hashable key: integers and integral floats within ±2^53 share one
/// form, other floats are keyed by their bits (with -0.0 and NaN made canonical).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum NumKey {
    Int(i64),
    Bits(u64),
}

impl NumKey {
    fn from_i64(i: i64) -> NumKey {
        NumKey::Int(i)
    }

    fn from_f64(f: f64) -> NumKey {
        if f.is_nan() {
            return NumKey::Bits(f64::NAN.to_bits());
        }
        if f == f.trunc() && f.abs() <= 9_007_199_254_740_992.0 {
            return NumKey::Int(f as i64);
        }
        NumKey::Bits(f.to_bits())
    }
}

/// Dense group ids (in order of first appearance) for the rows, and each group's
/// first row. A missing cell is a key of its own (missing values group together).
pub(crate) fn group_ids(cols: &[&Column], n: usize) -> (Vec<u32>, Vec<usize>) {
    if let [col] = cols {
        // One key column: its codes renumbered by first appearance, no product codes.
        let (codes, k) = codes_of(col);
        let mut dense: Vec<u32> = vec![u32::MAX; k + 1];
        let mut firsts: Vec<usize> = Vec::new();
        let out = codes
            .iter()
            .enumerate()
            .map(|(row, c)| {
                let slot = &mut dense[c.map_or(k, |c| c as usize)];
                if *slot == u32::MAX {
                    *slot = firsts.len() as u32;
                    firsts.push(row);
                }
                *slot
            })
            .collect();
        return (out, firsts);
    }
    let mut ids: Vec<u64> = vec![0; n];
    let mut card: u64 = 1;
    let mut pairs: Option<HashMap<(u64, u32), u64>> = None;
    for c in cols {
        let (codes, k) = codes_of(c);
        // Missing is code k.
        let k = k as u64 + 1;
        match card.checked_mul(k).filter(|&m| m <= 1 << 40) {
            Some(m) if pairs.is_none() => {
                for (id, code) in ids.iter_mut().zip(&codes) {
                    *id = *id * k + u64::from(code.unwrap_or((k - 1) as u32));
                }
                card = m;
            }
            _ => {
                // Too many combinations for a product code: re-code the pairs densely.
                let map = pairs.get_or_insert_with(HashMap::new);
                map.clear();
                for (id, code) in ids.iter_mut().zip(&codes) {
                    let key = (*id, code.unwrap_or((k - 1) as u32));
                    let next = map.len() as u64;
                    *id = *map.entry(key).or_insert(next);
                }
                card = map.len() as u64;
            }
        }
    }
    // Renumber by first appearance.
    let mut firsts: Vec<usize> = Vec::new();
    let mut out = Vec::with_capacity(n);
    if card <= (n as u64).max(1 << 16) * 4 {
        let mut dense: Vec<u32> = vec![u32::MAX; card as usize];
        for (row, &id) in ids.iter().enumerate() {
            let slot = &mut dense[id as usize];
            if *slot == u32::MAX {
                *slot = firsts.len() as u32;
                firsts.push(row);
            }
            out.push(*slot);
        }
    } else {
        let mut map: HashMap<u64, u32> = HashMap::new();
        for (row, &id) in ids.iter().enumerate() {
            let next = firsts.len() as u32;
            let g = *map.entry(id).or_insert(next);
            if g == next {
                firsts.push(row);
            }
            out.push(g);
        }
    }
    (out, firsts)
}

/// The row pairs of a join: for each output row, the left row and the right row (or
/// `None` in a left join without a match). `check` sees the output's row count before
/// anything is built and may refuse it.
pub(crate) fn join_rows<E>(
    left: &[&Column],
    right: &[&Column],
    keep_unmatched: bool,
    check: impl Fn(u64) -> Result<(), E>,
) -> Result<(Vec<usize>, Vec<Option<usize>>), E> {
    let nl = left.first().map_or(0, |c| c.len());
    let nr = right.first().map_or(0, |c| c.len());
    // Code both sides' keys in one space: stack each key column.
    let mut lkey: Vec<Option<u64>> = vec![Some(0); nl];
    let mut rkey: Vec<Option<u64>> = vec![Some(0); nr];
    let mut map: HashMap<(u64, u32), u64> = HashMap::new();
    for (lc, rc) in left.iter().zip(right) {
        let both = stacked_codes(lc, rc);
        map.clear();
        for (slot, code) in lkey.iter_mut().chain(rkey.iter_mut()).zip(both) {
            *slot = match (*slot, code) {
                (Some(prev), Some(c)) => {
                    let next = map.len() as u64;
                    Some(*map.entry((prev, c)).or_insert(next))
                }
                _ => None,
            };
        }
    }
    let mut index: HashMap<u64, Vec<usize>> = HashMap::new();
    for (r, k) in rkey.iter().enumerate() {
        if let Some(k) = k {
            index.entry(*k).or_default().push(r);
        }
    }
    let mut total: u64 = 0;
    for k in &lkey {
        let m = k.and_then(|k| index.get(&k)).map_or(0, Vec::len) as u64;
        total += if m == 0 { u64::from(keep_unmatched) } else { m };
    }
    check(total)?;
    let mut lrows = Vec::with_capacity(total as usize);
    let mut rrows = Vec::with_capacity(total as usize);
    for (r, k) in lkey.iter().enumerate() {
        match k.and_then(|k| index.get(&k)) {
            Some(ms) => {
                for &m in ms {
                    lrows.push(r);
                    rrows.push(Some(m));
                }
            }
            None if keep_unmatched => {
                lrows.push(r);
                rrows.push(None);
            }
            None => {}
        }
    }
    Ok((lrows, rrows))
}

/// Codes for the cells of `a` then `b` in one space (equal cells, equal codes). Cells
/// of different types never match, except integers and floats, which compare as numbers.
fn stacked_codes(a: &Column, b: &Column) -> Vec<Option<u32>> {
    let numeric = |c: &Column| matches!(c.dtype(), DType::Int | DType::Float);
    let joined = if a.dtype() == b.dtype() {
        Column::concat(&[a, b]).ok()
    } else if numeric(a) && numeric(b) {
        let to_f = |c: &Column| Column::float((0..c.len()).map(|r| c.f64_at(r)).collect());
        Column::concat(&[&to_f(a), &to_f(b)]).ok()
    } else {
        None
    };
    match joined {
        Some(j) => codes_of(&j).0,
        None => {
            // Different types: no cell of `a` equals a cell of `b`.
            let (ca, ka) = codes_of(a);
            let (cb, _) = codes_of(b);
            ca.into_iter()
                .chain(cb.into_iter().map(|c| c.map(|c| c + ka as u32)))
                .collect()
        }
    }
}
