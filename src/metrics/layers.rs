//! Spatial layers captured each December.

/// Layer names, in the order of [`LayerSnapshot::layers`].
pub const LAYER_NAMES: [&str; 5] = ["talent_density", "firm_density", "rent", "spillover", "patents"];

#[derive(Clone, Debug)]
pub struct LayerSnapshot {
    pub year: i32,
    /// talent_density (people/km²), firm_density (firms/km²), rent (yuan/month), spillover
    /// (index), patents (in the year), each a grid in row-major order.
    pub layers: [Vec<f32>; 5],
}
