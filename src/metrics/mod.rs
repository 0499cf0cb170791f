//! KPIs: the registry of every output column, the monthly measurement (an observer over the
//! state) aggregated to years, and the yearly spatial layers.

mod kpi;
mod layers;
pub mod panel;
pub mod registry;

pub use kpi::{gini, hill_tail, FirmStats, Measures, Recorder, TalentSums};
pub use layers::LayerSnapshot;
pub use panel::Panel;
pub use registry::{Aggregate, LAYER_NAMES};
