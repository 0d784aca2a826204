//! Gathering funnel-step events by user with memory proportional to the users and
//! their funnel-step events (never to all rows), then one pass per user.
//!
//! Readers fill [`Batch`]es (one per block of the input, in parallel); a batch holds
//! only the rows whose event is a funnel step, split into [`SHARDS`] parts by a hash
//! of the user. [`Collector::absorb`] moves each part into its shard, where user ids
//! are interned to `u32` (each user's text is stored once). [`Collector::finish`] then
//! groups each shard's events by user (a counting sort), sorts each user's few events
//! by `(time, step, breakdown value)` and runs [`best_chain`]; shards are independent,
//! so both steps run in parallel.

use super::chain::{best_chain, StepEvent};
use rayon::prelude::*;
use std::hash::Hasher;

/// The number of user shards.
pub const SHARDS: usize = 64;

pub use crate::table::FxHasher;

/// Byte-string equality without a library call for the short keys of event exports
/// (user ids, event names, channels): one or two word loads for up to 16 bytes.
#[inline]
pub fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let w8 = |s: &[u8], i: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[i..i + 8]);
        u64::from_le_bytes(w)
    };
    let w4 = |s: &[u8], i: usize| {
        let mut w = [0u8; 4];
        w.copy_from_slice(&s[i..i + 4]);
        u32::from_le_bytes(w)
    };
    match n {
        0 => true,
        1..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        4..=7 => w4(a, 0) == w4(b, 0) && w4(a, n - 4) == w4(b, n - 4),
        8..=16 => w8(a, 0) == w8(b, 0) && w8(a, n - 8) == w8(b, n - 8),
        _ => a == b,
    }
}

/// The hash of a user id or breakdown key.
pub fn hash_bytes(key: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(key);
    h.finish()
}

fn shard_of(hash: u64) -> usize {
    // Bits 32.. are independent of the low bits the shard's own table uses.
    ((hash >> 32) as usize) % SHARDS
}

/// Byte strings interned to dense `u32` ids: the bytes of all keys in one arena (no
/// allocation per key) and an open-addressing table, probed linearly and kept at most
/// half full. Each slot holds a hash tag with the key's length, the id, and the key
/// itself when it fits in 8 bytes, so that short keys (most user ids and channel
/// names) are found without touching the arena.
#[derive(Debug, Default)]
pub struct Interner {
    bytes: Vec<u8>,
    ends: Vec<u64>,
    table: Vec<Slot>,
}

/// One table slot: `tag` is 0 when empty, else `(hash bits) << 8 | len_code`, where
/// `len_code` is 1 + the length for keys up to 8 bytes and 255 for longer ones.
#[derive(Debug, Default, Clone, Copy)]
struct Slot {
    tag: u32,
    id: u32,
    inline: u64,
}

/// The slot tag and inline word of a key.
#[inline]
fn slot_key(key: &[u8], hash: u64) -> (u32, u64) {
    let hi = ((hash >> 32) as u32) << 8;
    if key.len() <= 8 {
        let mut w = [0u8; 8];
        w[..key.len()].copy_from_slice(key);
        (hi | (key.len() as u32 + 1), u64::from_le_bytes(w))
    } else {
        (hi | 255, 0)
    }
}

impl Interner {
    /// The number of distinct keys.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when no key has been interned.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The key with id `id`.
    pub fn get(&self, id: u32) -> &[u8] {
        let i = id as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.bytes[start..self.ends[i] as usize]
    }

    /// The id of `key` (whose [`hash_bytes`] is `hash`), adding it when new.
    #[inline]
    pub fn intern(&mut self, key: &[u8], hash: u64) -> u32 {
        if (self.ends.len() + 1) * 2 > self.table.len() {
            self.grow();
        }
        let mask = self.table.len() - 1;
        let (tag, inline) = slot_key(key, hash);
        let mut i = hash as usize & mask;
        loop {
            let e = self.table[i];
            if e.tag == 0 {
                let id = self.ends.len() as u32;
                self.bytes.extend_from_slice(key);
                self.ends.push(self.bytes.len() as u64);
                self.table[i] = Slot { tag, id, inline };
                return id;
            }
            if e.tag == tag && e.inline == inline && (key.len() <= 8 || same(self.get(e.id), key)) {
                return e.id;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let size = (self.table.len() * 2).max(64);
        let mut table = vec![Slot::default(); size];
        let mask = size - 1;
        for id in 0..self.ends.len() as u32 {
            let key = self.get(id);
            let h = hash_bytes(key);
            let (tag, inline) = slot_key(key, h);
            let mut i = h as usize & mask;
            while table[i].tag != 0 {
                i = (i + 1) & mask;
            }
            table[i] = Slot { tag, id, inline };
        }
        self.table = table;
    }
}

/// A funnel-step row before its user is interned.
#[derive(Debug, Clone, Copy)]
struct RawRec {
    t: i64,
    hash: u64,
    off: u32,
    len: u32,
    by: u32,
    step: u8,
}

#[derive(Debug, Default)]
struct Part {
    bytes: Vec<u8>,
    items: Vec<RawRec>,
}

/// The funnel-step rows of one block of input.
#[derive(Debug)]
pub struct Batch {
    parts: Vec<Part>,
    by: Interner,
    /// The id of the empty breakdown key (no `by` columns), once interned.
    empty_by: Option<u32>,
    /// A direct-mapped cache of breakdown ids (id + 1, 0 empty), indexed by the
    /// key's length and first and last bytes; verified before use.
    by_cache: [u32; 256],
    /// Rows read (all events, funnel steps or not).
    pub rows: u64,
    /// Rows whose event is a funnel step.
    pub step_rows: u64,
    /// Funnel-step rows skipped because their user cell is empty.
    pub no_user: u64,
}

impl Default for Batch {
    fn default() -> Self {
        Batch {
            parts: (0..SHARDS).map(|_| Part::default()).collect(),
            by: Interner::default(),
            empty_by: None,
            by_cache: [0; 256],
            rows: 0,
            step_rows: 0,
            no_user: 0,
        }
    }
}

impl Batch {
    /// An empty batch with room for about `rows` funnel-step rows (spread over the
    /// shards), to avoid regrowing its vectors.
    pub fn with_capacity(rows: usize) -> Batch {
        let mut b = Batch::default();
        let per = rows / SHARDS + 16;
        for p in &mut b.parts {
            p.items.reserve(per);
            p.bytes.reserve(per * 12);
        }
        b
    }

    /// Adds a funnel-step row: `user` (its id as text), `by` (the breakdown values
    /// joined with NUL bytes, empty without a breakdown), `step` (0-based), `t` (ms).
    /// The caller has counted the row in `rows` and `step_rows`.
    pub fn push(&mut self, user: &[u8], by: &[u8], step: u8, t: i64) {
        if user.is_empty() {
            self.no_user += 1;
            return;
        }
        let by = match self.empty_by {
            Some(id) if by.is_empty() => id,
            None if by.is_empty() => {
                let id = self.by.intern(by, hash_bytes(by));
                self.empty_by = Some(id);
                id
            }
            _ => {
                // A breakdown has few values as a rule: a small cache first.
                let slot =
                    (by.len() * 31 + usize::from(by[0]) + 7 * usize::from(by[by.len() - 1])) & 255;
                match self.by_cache[slot].checked_sub(1) {
                    Some(id) if same(self.by.get(id), by) => id,
                    _ => {
                        let id = self.by.intern(by, hash_bytes(by));
                        self.by_cache[slot] = id + 1;
                        id
                    }
                }
            }
        };
        let hash = hash_bytes(user);
        let part = &mut self.parts[shard_of(hash)];
        part.items.push(RawRec {
            t,
            hash,
            off: part.bytes.len() as u32,
            len: user.len() as u32,
            by,
            step,
        });
        part.bytes.extend_from_slice(user);
    }

    /// True when the batch holds so many user bytes that a shard's offsets (u32)
    /// could overflow: the caller starts a new batch.
    pub fn is_full(&self) -> bool {
        self.parts
            .iter()
            .any(|p| p.bytes.len() > (u32::MAX / 2) as usize)
    }
}

/// The most distinct breakdown values (ids share a word with the step number).
pub const MAX_GROUPS: usize = 1 << 27;

/// An interned funnel-step event: time, user, and `group << 5 | step`.
#[derive(Debug, Clone, Copy)]
struct Rec {
    t: i64,
    user: u32,
    by_step: u32,
}

#[derive(Debug, Default)]
struct Shard {
    users: Interner,
    recs: Vec<Rec>,
}

/// Every funnel-step event read so far, by user shard.
#[derive(Debug)]
pub struct Collector {
    shards: Vec<Shard>,
    by: Interner,
    /// Rows read.
    pub rows: u64,
    /// Rows on funnel steps.
    pub step_rows: u64,
    /// Funnel-step rows without a user.
    pub no_user: u64,
}

impl Default for Collector {
    fn default() -> Self {
        Collector {
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
            by: Interner::default(),
            rows: 0,
            step_rows: 0,
            no_user: 0,
        }
    }
}

/// Per breakdown group: users reaching each step, and each user's gap (ms) from the
/// previous step in their counted chain.
#[derive(Debug, Clone)]
pub struct GroupCounts {
    /// The breakdown values joined with NUL bytes.
    pub key: Vec<u8>,
    /// `reached[k]`: users whose deepest step is at least k (0-based).
    pub reached: Vec<u64>,
    /// `gaps[k]`: for k >= 1, `t(k) - t(k-1)` of every user reaching k.
    pub gaps: Vec<Vec<i64>>,
}

/// The result of [`Collector::finish`].
#[derive(Debug, Clone)]
pub struct Counts {
    /// The groups with at least one entering user, in order of their key.
    pub groups: Vec<GroupCounts>,
    /// Distinct users with at least one funnel-step event.
    pub users: u64,
}

impl Collector {
    /// Moves the batches' events into the shards (in parallel over shards). Errors
    /// when the breakdown has more than [`MAX_GROUPS`] distinct values.
    pub fn absorb(&mut self, batches: Vec<Batch>) -> Result<(), super::EventsError> {
        let mut remap: Vec<Vec<u32>> = Vec::with_capacity(batches.len());
        for b in &batches {
            self.rows += b.rows;
            self.step_rows += b.step_rows;
            self.no_user += b.no_user;
            let m: Vec<u32> = (0..b.by.len() as u32)
                .map(|i| {
                    let k = b.by.get(i);
                    self.by.intern(k, hash_bytes(k))
                })
                .collect();
            remap.push(m);
        }
        if self.by.len() > MAX_GROUPS {
            return Err(super::EventsError::Invalid(format!(
                "funnel_events: the breakdown has more than {MAX_GROUPS} distinct values; break down by a column with fewer values"
            )));
        }
        let batches = &batches;
        let remap = &remap;
        self.shards
            .par_iter_mut()
            .enumerate()
            .for_each(|(s, shard)| {
                for (b, map) in batches.iter().zip(remap) {
                    let part = &b.parts[s];
                    shard.recs.reserve(part.items.len());
                    for it in &part.items {
                        let name = &part.bytes[it.off as usize..(it.off + it.len) as usize];
                        let user = shard.users.intern(name, it.hash);
                        shard.recs.push(Rec {
                            t: it.t,
                            user,
                            by_step: (map[it.by as usize] << 5) | u32::from(it.step),
                        });
                    }
                }
            });
        Ok(())
    }

    /// Runs every user's funnel and counts by first-touch group. `n_steps` is the
    /// number of funnel steps, `window_ms` the window.
    pub fn finish(self, n_steps: usize, window_ms: i64) -> Counts {
        // Rank the breakdown keys so that "smallest value" is a number comparison.
        let g = self.by.len();
        let mut order: Vec<u32> = (0..g as u32).collect();
        order.sort_by(|&a, &b| self.by.get(a).cmp(self.by.get(b)));
        let mut rank = vec![0u32; g];
        for (r, &id) in order.iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        let users: u64 = self.shards.iter().map(|s| s.users.len() as u64).sum();
        let rank = &rank;
        let empty = || Acc::new(g, n_steps);
        let acc = self
            .shards
            .into_par_iter()
            .fold(empty, |mut acc, shard| {
                acc.shard(shard, rank, window_ms);
                acc
            })
            .reduce(empty, Acc::merge);
        let mut groups = Vec::new();
        for (r, (reached, gaps)) in acc.reached.into_iter().zip(acc.gaps).enumerate() {
            if reached.first().copied().unwrap_or(0) > 0 {
                groups.push(GroupCounts {
                    key: self.by.get(order[r]).to_vec(),
                    reached,
                    gaps,
                });
            }
        }
        Counts { groups, users }
    }
}

/// Counts by group rank.
struct Acc {
    reached: Vec<Vec<u64>>,
    gaps: Vec<Vec<Vec<i64>>>,
    /// `(time, step << 27 | group rank)`: sorting gives time, then step, then the
    /// smallest breakdown value.
    sorted: Vec<(i64, u32)>,
    events: Vec<StepEvent>,
    best: Vec<i64>,
    times: Vec<i64>,
}

impl Acc {
    fn new(groups: usize, n: usize) -> Acc {
        Acc {
            reached: vec![vec![0; n]; groups],
            gaps: vec![vec![Vec::new(); n]; groups],
            sorted: Vec::new(),
            events: Vec::new(),
            best: vec![0; n],
            times: vec![0; n],
        }
    }

    fn shard(&mut self, shard: Shard, rank: &[u32], window_ms: i64) {
        let nu = shard.users.len();
        drop(shard.users);
        // Counting sort of the events by user.
        let mut start = vec![0u32; nu + 1];
        for r in &shard.recs {
            start[r.user as usize + 1] += 1;
        }
        for i in 0..nu {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        self.sorted.clear();
        self.sorted.resize(shard.recs.len(), (0, 0));
        for r in &shard.recs {
            let at = &mut fill[r.user as usize];
            let step = r.by_step & 31;
            let group = rank[(r.by_step >> 5) as usize];
            self.sorted[*at as usize] = (r.t, (step << 27) | group);
            *at += 1;
        }
        drop(shard.recs);
        const LOW: u32 = (1 << 27) - 1;
        for u in 0..nu {
            let evs = &mut self.sorted[start[u] as usize..start[u + 1] as usize];
            evs.sort_unstable();
            // First touch: the earliest first-step event; on a tie, the smallest value.
            let Some(&(_, first)) = evs.iter().find(|(_, k)| k >> 27 == 0) else {
                continue;
            };
            self.events.clear();
            self.events.extend(evs.iter().map(|&(t, k)| StepEvent {
                t,
                step: (k >> 27) as u8,
            }));
            let level = best_chain(&self.events, window_ms, &mut self.best, &mut self.times);
            let g = (first & LOW) as usize;
            for k in 0..level {
                self.reached[g][k] += 1;
                if k > 0 {
                    self.gaps[g][k].push(self.times[k] - self.times[k - 1]);
                }
            }
        }
    }

    fn merge(mut self, other: Acc) -> Acc {
        for (g, (r, gp)) in other.reached.into_iter().zip(other.gaps).enumerate() {
            for (k, (x, mut v)) in r.into_iter().zip(gp).enumerate() {
                self.reached[g][k] += x;
                self.gaps[g][k].append(&mut v);
            }
        }
        self
    }
}

/// The median of `v` (the mean of the two middle values for an even count, as numpy
/// and pandas take it); `None` when empty. Reorders `v`.
pub fn median_ms(v: &mut [i64]) -> Option<f64> {
    let n = v.len();
    if n == 0 {
        return None;
    }
    let (_, &mut hi, _) = v.select_nth_unstable(n / 2);
    if n % 2 == 1 {
        return Some(hi as f64);
    }
    let lo = v[..n / 2].iter().copied().max().unwrap_or(hi);
    Some((lo as f64 + hi as f64) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_is_byte_equality() {
        let words: Vec<Vec<u8>> = (0..40)
            .map(|n| (0..n).map(|i| b'a' + (i % 3) as u8).collect())
            .collect();
        for a in &words {
            for b in &words {
                assert_eq!(same(a, b), a == b);
                let mut c = b.clone();
                for i in 0..c.len() {
                    c[i] ^= 1;
                    assert_eq!(same(a, &c), *a == c, "{a:?} {c:?}");
                    c[i] ^= 1;
                }
            }
        }
    }

    #[test]
    fn interner_gives_dense_ids_and_round_trips() {
        let mut i = Interner::default();
        let keys: Vec<String> = (0..5000).map(|k| format!("user-{}", k % 1234)).collect();
        let ids: Vec<u32> = keys
            .iter()
            .map(|k| i.intern(k.as_bytes(), hash_bytes(k.as_bytes())))
            .collect();
        assert_eq!(i.len(), 1234);
        for (k, id) in keys.iter().zip(&ids) {
            assert_eq!(i.get(*id), k.as_bytes());
            assert_eq!(*id as usize, k[5..].parse::<usize>().expect("n"));
        }
        assert_eq!(i.intern(b"", hash_bytes(b"")), 1234);
        assert_eq!(i.get(1234), b"");
    }

    #[test]
    fn median_like_numpy() {
        assert_eq!(median_ms(&mut []), None);
        assert_eq!(median_ms(&mut [5]), Some(5.0));
        assert_eq!(median_ms(&mut [9, 1, 4]), Some(4.0));
        assert_eq!(median_ms(&mut [9, 1, 4, 2]), Some(3.0));
        assert_eq!(median_ms(&mut [1, 2]), Some(1.5));
    }

    #[test]
    fn shards_spread_users() {
        let mut seen = [0usize; SHARDS];
        for i in 0..64_000 {
            seen[shard_of(hash_bytes(format!("u{i}").as_bytes()))] += 1;
        }
        assert!(seen.iter().all(|&c| (700..1300).contains(&c)), "{seen:?}");
    }
}
