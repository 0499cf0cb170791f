//! Spatial layers captured each December (their names, units and definitions are in
//! [`super::registry::LAYERS`]).

#[derive(Clone, Debug, PartialEq)]
pub struct LayerSnapshot {
    pub year: i32,
    /// One grid per layer of [`super::registry::LAYERS`], in that order, row-major.
    pub layers: [Vec<f32>; 5],
}
