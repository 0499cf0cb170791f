//! Knowledge spillovers: labs emit their knowledge stock and firms their patent stock into the
//! grid, and the spillover field S(c) follows (see [`crate::world::spillover_field`]).

use rayon::prelude::*;

use super::firm::FirmTable;
use super::lab::Lab;
use crate::scenario::Scenario;
use crate::world::{Fields, World};

/// S(c) from lab knowledge and firm patent stocks, normalised by its initial job-weighted mean.
pub fn update_spillover(fields: &mut Fields, labs: &[Lab], firms: &FirmTable, s: &Scenario, world: &World, month: u32) {
    let mut e = vec![0.0f64; world.cells()];
    let w = s.labs.lab_spillover_weight;
    for l in labs {
        if l.is_open(month) {
            e[l.cell as usize] += w * l.knowledge;
        }
    }
    // Firms' patent stocks (of all the firms an agent stands for) gathered in parallel, added in
    // firm order.
    let stocks: Vec<Option<f64>> = firms
        .records
        .par_iter()
        .with_min_len(1024)
        .map(|f| f.alive.then_some(f.patent_stock * f.multiplicity as f64))
        .collect();
    for (stock, &cell) in stocks.iter().zip(&firms.cells) {
        if let Some(k) = stock {
            e[cell as usize] += k;
        }
    }
    fields.set_spillover(e, world, s.labs.spillover_km);
}
