//! Calibration: fitting the model's parameters to observed figures of the corridor by
//! approximate Bayesian computation (docs/CALIBRATION.md). Pure library code: the targets file,
//! the sampler, the rows of `calibration.csv` and the summaries of a finished calibration; the
//! `corridor calibrate` command runs the simulations, streams the rows and resumes.

pub mod abc;
pub mod fit;
pub mod prior;
pub mod rows;
pub mod targets;

pub use abc::{Evaluated, Proposal, Sampler, Stop};
pub use prior::{Prior, PriorKind};
pub use targets::{AbcSettings, CalibrationSpec, FitParameter, Target, TargetsError, TargetsFile};

/// The sampler, in words (for `calibration.json` and reports).
pub const METHOD: &str = "ABC-SMC: adaptive population Monte Carlo ABC (Lenormand, Jabot & Deffuant 2013)";
