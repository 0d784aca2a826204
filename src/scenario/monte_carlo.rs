//! Monte Carlo: seeded, reproducible trials and their summary.
//!
//! Trials are cut into fixed chunks of [`CHUNK`] trials. Chunk `k` draws from its own
//! stream: ChaCha8 seeded from the run's seed (`seed_from_u64`) with stream number `k`
//! (`set_stream`) gives the 256-bit state of a xoshiro256++ generator ([`TrialRng`],
//! Blackman and Vigna, "Scrambled linear pseudorandom number generators", ACM TOMS
//! 47(4), 2021), which draws the chunk's trials (several times faster than ChaCha8 per
//! number, and statistically sound for simulation). Results are stored in trial order,
//! so the same seed gives bit-identical results whatever the number of threads.

use super::error::{out_of_range, ScenarioError};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::time::Instant;

/// Trials per chunk (each chunk has its own random stream).
pub const CHUNK: usize = 16_384;

/// Most trials in one simulation.
pub const MAX_TRIALS: usize = 50_000_000;

/// The generator of chunk `chunk` of a run seeded with `seed`.
pub fn chunk_rng(seed: u64, chunk: usize) -> TrialRng {
    let mut key = ChaCha8Rng::seed_from_u64(seed);
    key.set_stream(chunk as u64);
    let mut s = [0u64; 4];
    for x in &mut s {
        *x = key.next_u64();
    }
    if s == [0; 4] {
        // the all-zero state is the one state xoshiro must avoid
        s[0] = 1;
    }
    TrialRng { s }
}

/// xoshiro256++: 256 bits of state, period 2^256 - 1, passes BigCrush and PractRand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrialRng {
    s: [u64; 4],
}

impl rand::TryRng for TrialRng {
    type Error = std::convert::Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok((self.next() >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(self.next())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let b = self.next().to_le_bytes();
            chunk.copy_from_slice(&b[..chunk.len()]);
        }
        Ok(())
    }
}

impl TrialRng {
    #[inline(always)]
    fn next(&mut self) -> u64 {
        let s = &mut self.s;
        let out = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        out
    }
}

/// Checks a trial count: 1 to [`MAX_TRIALS`].
pub fn check_trials(n: i64) -> Result<usize, ScenarioError> {
    if n < 1 || n as u64 > MAX_TRIALS as u64 {
        return Err(out_of_range(
            "simulate: n",
            &format!("a whole number of trials from 1 to {MAX_TRIALS}"),
            n as f64,
        ));
    }
    Ok(n as usize)
}

/// Options of a native simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SimOptions {
    /// The seed (default 0).
    pub seed: u64,
    /// Worker threads (None: rayon's global pool).
    pub threads: Option<usize>,
    /// When to give up (the script's time limit).
    pub deadline: Option<Instant>,
}

/// Runs `n` trials of `trial` in parallel, chunk by chunk, and returns the values in
/// trial order. `trial` gets the chunk's generator.
pub fn run_parallel<F>(n: usize, options: &SimOptions, trial: F) -> Result<Vec<f64>, ScenarioError>
where
    F: Fn(&mut TrialRng) -> f64 + Sync,
{
    run_parallel_rows(n, 1, options, |rng, row| row[0] = trial(rng))
}

/// Runs `n` trials of `trial` in parallel, chunk by chunk, each filling a row of
/// `width` values, and returns the rows one after another in trial order (`n x width`
/// values). `trial` gets the chunk's generator.
pub fn run_parallel_rows<F>(
    n: usize,
    width: usize,
    options: &SimOptions,
    trial: F,
) -> Result<Vec<f64>, ScenarioError>
where
    F: Fn(&mut TrialRng, &mut [f64]) + Sync,
{
    let width = width.max(1);
    let mut out = vec![0.0; n * width];
    let seed = options.seed;
    let deadline = options.deadline;
    let work = |out: &mut Vec<f64>| -> Result<(), ScenarioError> {
        out.par_chunks_mut(CHUNK * width)
            .enumerate()
            .try_for_each(|(k, chunk)| {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    return Err(ScenarioError::Timeout("simulate".into()));
                }
                let mut rng = chunk_rng(seed, k);
                for row in chunk.chunks_exact_mut(width) {
                    trial(&mut rng, row);
                }
                Ok(())
            })
    };
    match options.threads {
        None => work(&mut out)?,
        Some(t) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .map_err(|e| {
                    ScenarioError::Invalid(format!("simulate: cannot start {t} threads: {e}"))
                })?;
            pool.install(|| work(&mut out))?;
        }
    }
    Ok(out)
}

/// Sorts floats in `f64::total_cmp` order by an LSD radix sort on their bits (six
/// passes of 11 bits, passes where every key has the same digit skipped): linear time,
/// several times faster than a comparison sort for millions of trials. A float's bits
/// are mapped to an unsigned key that orders like `total_cmp` (flip every bit of a
/// negative, the sign bit of a positive); equal keys are equal floats, so the result
/// is the same as any correct sort.
pub fn sort_floats(values: Vec<f64>) -> Vec<f64> {
    if values.len() < 4096 {
        let mut v = values;
        v.sort_unstable_by(f64::total_cmp);
        return v;
    }
    const BITS: u32 = 11;
    const BUCKETS: usize = 1 << BITS;
    let key = |x: f64| {
        let b = x.to_bits();
        if b >> 63 == 1 {
            !b
        } else {
            b | (1 << 63)
        }
    };
    // in-place collect: the keys reuse the values' allocation (same size and alignment)
    let mut keys: Vec<u64> = values.into_iter().map(key).collect();
    let mut tmp = vec![0u64; keys.len()];
    for pass in 0..64u32.div_ceil(BITS) {
        let shift = pass * BITS;
        let mut counts = vec![0usize; BUCKETS];
        for k in &keys {
            counts[((k >> shift) as usize) & (BUCKETS - 1)] += 1;
        }
        if counts.contains(&keys.len()) {
            continue;
        }
        let mut start = 0;
        for c in counts.iter_mut() {
            let n = *c;
            *c = start;
            start += n;
        }
        for k in &keys {
            let d = ((k >> shift) as usize) & (BUCKETS - 1);
            tmp[counts[d]] = *k;
            counts[d] += 1;
        }
        std::mem::swap(&mut keys, &mut tmp);
    }
    keys.into_iter()
        .map(|k| f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k }))
        .collect()
}

/// The summary of a simulation: the values sorted, their mean and sample standard
/// deviation (n - 1 in the denominator).
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    sorted: Vec<f64>,
    mean: f64,
    sd: f64,
}

impl Summary {
    /// Summarises trial values (in trial order). Every value must be finite: a NaN or
    /// infinite trial is an error naming the trial.
    pub fn new(values: Vec<f64>) -> Result<Summary, ScenarioError> {
        if values.is_empty() {
            return Err(ScenarioError::Invalid("simulate: no trials".into()));
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(ScenarioError::Invalid(format!(
                "simulate: trial {} returned {}; the model must return a finite number",
                i + 1,
                values[i]
            )));
        }
        let n = values.len() as f64;
        // Sums in trial order, so the result does not depend on threads.
        let mean = values.iter().sum::<f64>() / n;
        let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
        let sd = if values.len() > 1 {
            (ss / (n - 1.0)).sqrt()
        } else {
            0.0
        };
        let sorted = sort_floats(values);
        Ok(Summary { sorted, mean, sd })
    }

    /// The number of trials.
    pub fn n(&self) -> usize {
        self.sorted.len()
    }

    /// The mean.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// The sample standard deviation.
    pub fn sd(&self) -> f64 {
        self.sd
    }

    /// The standard error of the mean, `sd / sqrt(n)`.
    pub fn se(&self) -> f64 {
        self.sd / (self.n() as f64).sqrt()
    }

    /// The smallest value.
    pub fn min(&self) -> f64 {
        self.sorted[0]
    }

    /// The largest value.
    pub fn max(&self) -> f64 {
        self.sorted[self.sorted.len() - 1]
    }

    /// The `q`-th percentile, `q` in [0, 100], by linear interpolation between order
    /// statistics (position `(n - 1) q / 100`; numpy's default `linear` method,
    /// Hyndman and Fan's type 7).
    pub fn percentile(&self, q: f64) -> Result<f64, ScenarioError> {
        if !(q.is_finite() && (0.0..=100.0).contains(&q)) {
            return Err(out_of_range(
                "percentile: q",
                "a percentage between 0 and 100",
                q,
            ));
        }
        let pos = (self.sorted.len() - 1) as f64 * q / 100.0;
        let i = pos.floor() as usize;
        let frac = pos - i as f64;
        let lo = self.sorted[i];
        Ok(match self.sorted.get(i + 1) {
            Some(hi) if frac > 0.0 => lo + (hi - lo) * frac,
            _ => lo,
        })
    }

    /// The share of trials whose value is at least `x`.
    pub fn prob_at_least(&self, x: f64) -> Result<f64, ScenarioError> {
        if x.is_nan() {
            return Err(out_of_range("prob_at_least: x", "a number", x));
        }
        let below = self.sorted.partition_point(|v| *v < x);
        Ok((self.sorted.len() - below) as f64 / self.sorted.len() as f64)
    }

    /// A histogram with `bins` equal-width bins from the smallest to the largest
    /// value (the last bin includes its upper edge): `(lo, hi, count)` per bin.
    pub fn histogram(&self, bins: usize) -> Result<Vec<(f64, f64, usize)>, ScenarioError> {
        if !(1..=10_000).contains(&bins) {
            return Err(out_of_range(
                "histogram: bins",
                "a whole number from 1 to 10000",
                bins as f64,
            ));
        }
        let (lo, hi) = (self.min(), self.max());
        let width = if hi > lo {
            (hi - lo) / bins as f64
        } else {
            1.0
        };
        let mut counts = vec![0usize; bins];
        for v in &self.sorted {
            let k = (((v - lo) / width) as usize).min(bins - 1);
            counts[k] += 1;
        }
        Ok(counts
            .into_iter()
            .enumerate()
            .map(|(k, c)| (lo + k as f64 * width, lo + (k + 1) as f64 * width, c))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radix_sort_matches_total_cmp() {
        let mut rng = chunk_rng(9, 0);
        let mut v: Vec<f64> = (0..20_000)
            .map(|i| {
                let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                match i % 5 {
                    0 => -u * 1e6,
                    1 => u,
                    2 => -0.0,
                    3 => 0.0,
                    _ => (u - 0.5) * 1e-300,
                }
            })
            .collect();
        v.extend([f64::MAX, f64::MIN, 1e308, -1e-308, 5e-324]);
        let mut want = v.clone();
        want.sort_by(f64::total_cmp);
        let got = sort_floats(v);
        assert!(got
            .iter()
            .zip(&want)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
        assert_eq!(got.len(), want.len());
    }

    #[test]
    fn xoshiro256pp_reference_output() {
        // From state 1, 2, 3, 4 the reference algorithm (Vigna's xoshiro256plusplus.c,
        // transcribed in Python with 64-bit masks) gives these first four outputs.
        let mut r = TrialRng { s: [1, 2, 3, 4] };
        let got: Vec<u64> = (0..4).map(|_| r.next()).collect();
        assert_eq!(
            got,
            vec![41943041, 58720359, 3588806011781223, 3591011842654386]
        );
    }
}
