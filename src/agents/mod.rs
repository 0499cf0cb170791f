//! The agents: talent (households), firms, labs, housing (stocks, rents, projects) and schools.

pub mod firm;
pub mod firm_entry;
pub mod housing;
pub mod lab;
pub mod school;
pub mod talent;

/// Most talent tiers a scenario may define (firms keep fixed-size worker counts per tier).
pub const MAX_TIERS: usize = 6;
