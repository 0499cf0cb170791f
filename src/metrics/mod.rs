//! KPIs: the registry of every output column, the monthly measurement (an observer over the
//! state) aggregated to years, and the yearly spatial layers.

mod kpi;
mod layers;
pub mod registry;

pub use kpi::{Measures, Recorder, TalentSums};
pub use layers::LayerSnapshot;
pub use registry::{Aggregate, LAYER_NAMES};
