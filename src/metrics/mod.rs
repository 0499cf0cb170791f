//! KPIs: one row per month, aggregated to years, and yearly spatial layers.

mod kpi;
mod layers;

pub use kpi::{Aggregate, Recorder};
pub use layers::{LayerSnapshot, LAYER_NAMES};
