//! Experiments: replications with common random numbers, what-if comparisons and parameter
//! sweeps. Pure library code: designs, seeds and statistics; the `corridor` binary does the file
//! I/O, progress bars and resumption.

pub mod calibrate;
pub mod design;
pub mod effects;
pub mod posterior;
pub mod replicate;
pub mod runs;
pub mod seeds;
pub mod sobol;
pub mod spec;
pub mod stats;
pub mod summary;

pub use design::{Design, Point};
pub use effects::{effects, RepRun};
pub use runs::{RunKey, RunRow, Shard};
pub use spec::{DesignKind, Parameter, SweepError, SweepSpec};
pub use stats::{median_band, quantile, summarize, t975, Summary, BAND};
