//! The agents and the mechanisms of the month: talent (households), firms, labs, housing (stocks,
//! rents, projects) and schools, and the expectations agents form. A mechanism is a function whose
//! signature says what it reads and what it writes; none of them knows the engine (`Sim`).

pub mod expectations;
pub mod firm;
pub mod firm_entry;
pub mod housing;
pub mod knowledge;
pub mod lab;
pub mod school;
pub mod talent;
#[cfg(test)]
pub(crate) mod testkit;

use rayon::prelude::*;

/// Most talent tiers a scenario may define (firms keep fixed-size worker counts per tier).
pub const MAX_TIERS: usize = 6;

/// Index drawn with probability proportional to `weights`, from a uniform draw `u` in [0, 1)
/// (the last index when rounding leaves the draw past the end).
pub fn pick_weighted(weights: &[f64], u: f64) -> usize {
    let total: f64 = weights.iter().sum();
    let mut r = u * total;
    for (i, &w) in weights.iter().enumerate() {
        if r < w {
            return i;
        }
        r -= w;
    }
    weights.len().saturating_sub(1)
}

/// Integer counts over agents in parallel: `f` adds an agent into a table of `len` counts.
/// Each worker counts into its own table and the tables are added up; integer sums do not depend
/// on how the agents were split, so the result is the same for any number of threads.
pub fn par_count<T: Sync, F>(agents: &[T], len: usize, f: F) -> Vec<u32>
where
    F: Fn(&T, &mut [u32]) + Sync,
{
    // One table per thread (a table per rayon split would zero and add far more memory when the
    // table is large, as with a hundred thousand firms x tiers).
    let parts = rayon::current_num_threads().max(1);
    let chunk = agents.len().div_ceil(parts).max(1);
    let mut tables: Vec<Vec<u32>> = agents
        .par_chunks(chunk)
        .map(|agents| {
            let mut acc = vec![0u32; len];
            for t in agents {
                f(t, &mut acc);
            }
            acc
        })
        .collect();
    if tables.len() <= 1 {
        return tables.pop().unwrap_or_else(|| vec![0u32; len]);
    }
    const SLICE: usize = 1 << 14;
    let mut sum = vec![0u32; len];
    sum.par_chunks_mut(SLICE).enumerate().for_each(|(k, out)| {
        let range = k * SLICE..k * SLICE + out.len();
        for table in &tables {
            for (x, y) in out.iter_mut().zip(&table[range.clone()]) {
                *x += y;
            }
        }
    });
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_counts_equal_a_sequential_count() {
        let xs: Vec<u32> = (0..100_000u32).map(|i| i.wrapping_mul(2_654_435_761) % 97).collect();
        let counts = par_count(&xs, 97, |&x, acc| acc[x as usize] += 1);
        let mut expected = vec![0u32; 97];
        for &x in &xs {
            expected[x as usize] += 1;
        }
        assert_eq!(counts, expected);
        assert_eq!(par_count(&xs[..0], 3, |_, _| {}), vec![0, 0, 0]);
    }

    #[test]
    fn weighted_picks_follow_the_weights() {
        let w = [1.0, 0.0, 3.0];
        assert_eq!(pick_weighted(&w, 0.0), 0);
        assert_eq!(pick_weighted(&w, 0.2), 0);
        assert_eq!(pick_weighted(&w, 0.3), 2);
        assert_eq!(pick_weighted(&w, 0.999_999), 2);
    }
}
