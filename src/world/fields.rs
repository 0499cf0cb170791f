//! Per-cell fields that change every month: job density, the knowledge spillover index,
//! residents and the year's patents.

use super::{spillover_field, World};

#[derive(Clone, Debug, PartialEq)]
pub struct Fields {
    /// Jobs per km² (firm workers and lab researchers, in people).
    pub density: Vec<f32>,
    /// Normalised spillover index (1 = the initial job-weighted mean).
    pub spillover: Vec<f32>,
    /// The job-weighted mean of the first month's field, which normalises it (0 until then).
    pub spillover_norm: f64,
    /// Talent agents living in each cell.
    pub residents: Vec<u32>,
    /// Patents granted this year in each cell (labs and firms); reset each January.
    pub patents: Vec<f32>,
}

impl Fields {
    pub fn new(cells: usize) -> Fields {
        Fields {
            density: vec![0.0; cells],
            spillover: vec![0.0; cells],
            spillover_norm: 0.0,
            residents: vec![0; cells],
            patents: vec![0.0; cells],
        }
    }

    /// January: a new year of patents.
    pub fn new_year(&mut self) {
        self.patents.iter_mut().for_each(|x| *x = 0.0);
    }

    /// The spillover field from this month's emissions per cell (consumed as scratch), normalised
    /// by the job-weighted mean of the first field.
    pub fn set_spillover(&mut self, mut emission: Vec<f64>, world: &World, spillover_km: f64) {
        let n = world.cells();
        spillover_field(&mut emission, world.width, world.height, world.cell_km, spillover_km);
        if self.spillover_norm <= 0.0 {
            let (mut num, mut den) = (0.0, 0.0);
            for c in 0..n {
                num += emission[c] * self.density[c] as f64;
                den += self.density[c] as f64;
            }
            self.spillover_norm = if num > 0.0 && den > 0.0 { num / den } else { 1.0 };
        }
        for c in 0..n {
            self.spillover[c] = (emission[c] / self.spillover_norm) as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_is_normalised_by_its_first_job_weighted_mean_and_patents_reset_in_january() {
        let s = crate::scenario::Scenario {
            grid: crate::scenario::GridParams { width: 4, height: 1, cell_km: 1.0, ..Default::default() },
            ..Default::default()
        };
        let world = World::build(&s);
        let mut f = Fields::new(4);
        f.density = vec![1.0, 0.0, 0.0, 1.0];
        f.set_spillover(vec![1.0, 0.0, 0.0, 0.0], &world, 1.0);
        // Jobs sit at both ends: their mean field is the norm, so the two ends average 1.
        assert!(((f.spillover[0] + f.spillover[3]) / 2.0 - 1.0).abs() < 1e-6, "{:?}", f.spillover);
        assert!(f.spillover[0] > f.spillover[1] && f.spillover[1] > f.spillover[2]);
        // Later months keep the first norm: twice the emission is twice the index.
        let first = f.spillover.clone();
        f.set_spillover(vec![2.0, 0.0, 0.0, 0.0], &world, 1.0);
        assert!((f.spillover[0] - 2.0 * first[0]).abs() < 1e-6);
        f.patents[2] = 3.0;
        f.new_year();
        assert!(f.patents.iter().all(|&p| p == 0.0));
    }
}
