//! Seeds of replications and sweep runs: hashes of (base seed, purpose, indices), so a run's seed
//! never depends on scheduling, thread count or sharding.

use crate::rng::{hash_words, Purpose};

/// Seed of replication `i` (the same for every scenario of a comparison: common random numbers).
pub fn replication_seed(base_seed: u64, i: u32) -> u64 {
    hash_words(&[base_seed, Purpose::Replication as u64, i as u64])
}

/// Seed of a sweep run. With `common` (common random numbers), replication `r` of every point
/// shares a seed, so differences between points are not blurred by different random draws.
pub fn sweep_seed(sweep_seed: u64, point: u64, replication: u32, common: bool) -> u64 {
    if common {
        hash_words(&[sweep_seed, Purpose::Sweep as u64, replication as u64])
    } else {
        hash_words(&[sweep_seed, Purpose::Sweep as u64, point, replication as u64])
    }
}

/// Seed of a design's own random draws (Latin hypercube, random and Morris samples).
pub fn design_seed(sweep_seed: u64) -> u64 {
    hash_words(&[sweep_seed, Purpose::Sweep as u64, u64::MAX])
}
