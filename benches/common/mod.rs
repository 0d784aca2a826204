//! What the benchmarks share: the fixed generator their instances are drawn from, which
//! the Python baselines under bench/ repeat to rebuild the same instances.

/// Uniform numbers in [0, 1) (six decimals) from a 64-bit LCG (Knuth's MMIX
/// constants) started at `seed`.
pub fn lcg(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed;
    move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) % 1_000_000) as f64 / 1_000_000.0
    }
}
