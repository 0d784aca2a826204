//! Gathering events by user with memory proportional to the users and the events
//! kept (never to all rows), then one pass per user.
//!
//! Readers fill [`Batch`]es (one per block of the input, in parallel); a batch holds
//! only the rows whose event has a code ([`code_of`]: a funnel step, an excluded
//! event, a retention event, or any event when the names end with [`OTHER`]), split
//! into [`SHARDS`] parts by a hash of the user. [`Collector::absorb`] moves each part
//! into its shard, where user ids are interned to `u32` (each user's text is stored
//! once). [`Collector::visit_users`] then groups each shard's events by user (a
//! counting sort), sorts each user's events by `(time, code, breakdown value)` and
//! hands them to a visitor (a funnel, a retention table, a lifecycle); shards are
//! independent, so both steps run in parallel.

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

    /// Adds a kept row: `user` (its id as text), `by` (the breakdown values joined
    /// with NUL bytes, empty without a breakdown), `step` (the event's code, below
    /// 32: see [`code_of`]), `t` (ms).
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

impl Collector {
    /// The number of distinct breakdown keys seen so far.
    pub fn groups(&self) -> usize {
        self.by.len()
    }

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
}

/// The result of [`Collector::visit_users`].
#[derive(Debug)]
pub struct Visited<A> {
    /// What the visitor gathered, merged over the shards.
    pub acc: A,
    /// Each shard's user names (`get(id)`), by shard; empty unless kept.
    pub names: Vec<Interner>,
    /// The breakdown keys (values joined with NUL bytes) by rank: the group numbers
    /// the visitor saw.
    pub keys: Vec<Vec<u8>>,
    /// Distinct users with at least one event kept.
    pub users: u64,
}

impl<A> Visited<A> {
    /// The breakdown values of group `g` (empty without `by` columns).
    pub fn key(&self, g: usize, has_by: bool) -> Vec<String> {
        if !has_by {
            return Vec::new();
        }
        self.keys[g]
            .split(|&b| b == 0)
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect()
    }
}

/// Which user the visitor is looking at: its shard and its id within the shard
/// (ids run from 0 in visiting order within a shard).
#[derive(Debug, Clone, Copy)]
pub struct UserRef {
    /// The shard (0..[`SHARDS`]).
    pub shard: usize,
    /// The user's id in the shard.
    pub id: u32,
}

/// One event as the visitor sees it: `(time in ms, code << 27 | breakdown rank)`.
pub type UserEvent = (i64, u32);

/// The bits of a [`UserEvent`] below the code: the breakdown rank.
pub const GROUP_MASK: u32 = (1 << 27) - 1;

/// The code of a [`UserEvent`].
#[inline]
pub fn code(e: UserEvent) -> u8 {
    (e.1 >> 27) as u8
}

/// The breakdown rank of a [`UserEvent`] (rank 0 is the smallest value).
#[inline]
pub fn group(e: UserEvent) -> usize {
    (e.1 & GROUP_MASK) as usize
}

/// The position of `event` among `names` (the codes); when the last name is
/// [`OTHER`], every event not named before it gets that last code. Readers of every
/// format call this, so that they agree on which rows are kept.
#[inline]
pub fn code_of(names: &[&[u8]], event: &[u8]) -> Option<usize> {
    let last = names.len().checked_sub(1)?;
    let catch_all = names[last].is_empty();
    let named = if catch_all { &names[..last] } else { names };
    match event.first() {
        Some(&first) => named
            .iter()
            .position(|s| s.first() == Some(&first) && same(s, event)),
        None => None,
    }
    .or(catch_all.then_some(last))
}

/// The name that stands for every other event (the catch-all of [`code_of`]).
pub const OTHER: &str = "";

impl Collector {
    /// Runs `visit(acc, user, events)` on every user's events, sorted by (time,
    /// code, breakdown rank), shards in parallel: `init` makes an accumulator and
    /// `merge` joins two (each shard is visited whole by one accumulator, its users
    /// in id order). With `keep_names`, each shard's user names are returned.
    pub fn visit_users<A, I, V, M>(
        self,
        keep_names: bool,
        init: I,
        visit: V,
        merge: M,
    ) -> Visited<A>
    where
        A: Send,
        I: Fn() -> A + Sync + Send,
        V: Fn(&mut A, UserRef, &[UserEvent]) + Sync + Send,
        M: Fn(A, A) -> A + Sync + Send,
    {
        // Rank the breakdown keys so that "smallest value" is a number comparison.
        let g = self.by.len();
        let mut order: Vec<u32> = (0..g as u32).collect();
        order.sort_by(|&a, &b| self.by.get(a).cmp(self.by.get(b)));
        let mut rank = vec![0u32; g];
        for (r, &id) in order.iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        let keys: Vec<Vec<u8>> = order.iter().map(|&id| self.by.get(id).to_vec()).collect();
        let users: u64 = self.shards.iter().map(|s| s.users.len() as u64).sum();
        let rank = &rank;
        let init = &init;
        let visit = &visit;
        let (acc, mut names, _) = self
            .shards
            .into_par_iter()
            .enumerate()
            .fold(
                || (init(), Vec::new(), Vec::new()),
                |(mut acc, mut names, mut sorted): (A, Vec<(usize, Interner)>, Vec<UserEvent>),
                 (s, shard)| {
                    let nu = shard.users.len();
                    if keep_names {
                        names.push((s, shard.users));
                    } else {
                        drop(shard.users);
                    }
                    // Counting sort of the events by user.
                    let mut start = vec![0u32; nu + 1];
                    for r in &shard.recs {
                        start[r.user as usize + 1] += 1;
                    }
                    for i in 0..nu {
                        start[i + 1] += start[i];
                    }
                    let mut fill = start.clone();
                    sorted.clear();
                    sorted.resize(shard.recs.len(), (0, 0));
                    for r in &shard.recs {
                        let at = &mut fill[r.user as usize];
                        let code = r.by_step & 31;
                        let group = rank[(r.by_step >> 5) as usize];
                        sorted[*at as usize] = (r.t, (code << 27) | group);
                        *at += 1;
                    }
                    drop(shard.recs);
                    drop(fill);
                    for u in 0..nu {
                        let evs = &mut sorted[start[u] as usize..start[u + 1] as usize];
                        evs.sort_unstable();
                        visit(
                            &mut acc,
                            UserRef {
                                shard: s,
                                id: u as u32,
                            },
                            evs,
                        );
                    }
                    (acc, names, sorted)
                },
            )
            .map(|(acc, names, _)| (acc, names, ()))
            .reduce(
                || (init(), Vec::new(), ()),
                |(a, mut na, _), (b, nb, _)| {
                    na.extend(nb);
                    (merge(a, b), na, ())
                },
            );
        names.sort_by_key(|(s, _)| *s);
        let names = if keep_names {
            names.into_iter().map(|(_, n)| n).collect()
        } else {
            Vec::new()
        };
        Visited {
            acc,
            names,
            keys,
            users,
        }
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
