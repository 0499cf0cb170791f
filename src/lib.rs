//! corridor: an agent-based simulator of innovation corridors.
//!
//! The library is pure: a [`scenario::Scenario`] and a seed go in, a [`RunResult`] comes out.
//! It knows nothing about files (beyond reading scenarios), clocks or terminals; the `corridor`
//! binary does those.

pub mod rng;
pub mod scenario;
