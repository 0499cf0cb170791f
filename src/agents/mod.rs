//! The agents: talent (households), firms, labs, housing (stocks, rents, projects) and schools.

pub mod firm;
pub mod firm_entry;
pub mod housing;
pub mod lab;
pub mod school;
pub mod talent;

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
