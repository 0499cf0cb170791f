//! Experiments: replications, compare, sweeps.
