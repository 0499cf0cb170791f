//! Expectations: what agents carry from one month to the next about the corridor as a whole.
//! Potential migrants expect last month's mean commutes (of the corridor's residents and of each
//! outside zone); relocating firms compare the talent pool with its initial size. They belong to
//! the model (the metrics only observe them).

use rayon::prelude::*;

use super::talent::{zone_of, Talent};

#[derive(Clone, Debug, PartialEq)]
pub struct Expectations {
    /// Mean one-way commute of the employed at the end of last month, minutes (0 before any).
    pub mean_commute: f64,
    /// The same for the employed living in the corridor, and for those of each outside zone
    /// (None where nobody employed lived last month).
    pub resident_commute: Option<f64>,
    pub zone_commute: Vec<Option<f64>>,
    /// Talent agents the corridor started with (the scenario's initial stock).
    pub initial_talent: f64,
}

/// Households per chunk in the passes that sum floats over agents: chunk sums are combined in
/// chunk order, so the result does not depend on the number of threads.
pub const SUM_CHUNK: usize = 8192;

impl Expectations {
    pub fn new(initial_talent: f64) -> Expectations {
        Expectations { mean_commute: 0.0, resident_commute: None, zone_commute: Vec::new(), initial_talent }
    }

    /// The mean commutes of the employed at the end of the month (`zones` outside zones).
    pub fn observe_commutes(&mut self, agents: &[Talent], zones: usize) {
        self.zone_commute.resize(zones, None);
        let places = zones + 1;
        // Per place (the corridor, then each zone): employed and summed commute.
        let partials: Vec<Vec<(f64, f64)>> = agents
            .par_chunks(SUM_CHUNK)
            .map(|chunk| {
                let mut acc = vec![(0.0, 0.0); places];
                for t in chunk.iter().filter(|t| t.employed()) {
                    let p = zone_of(t.home).map_or(0, |z| z + 1);
                    acc[p].0 += 1.0;
                    acc[p].1 += t.commute as f64;
                }
                acc
            })
            .collect();
        let mut total = vec![(0.0, 0.0); places];
        for part in partials {
            for (x, y) in total.iter_mut().zip(part) {
                x.0 += y.0;
                x.1 += y.1;
            }
        }
        let mean = |(n, sum): (f64, f64)| (n > 0.0).then(|| sum / n);
        let (n, sum) = total.iter().fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
        self.mean_commute = mean((n, sum)).unwrap_or(0.0);
        self.resident_commute = mean(total[0]);
        for (z, &t) in total[1..].iter().enumerate() {
            self.zone_commute[z] = mean(t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::talent::tests::agent;
    use crate::agents::talent::zone_home;

    #[test]
    fn mean_commutes_count_the_employed_by_where_they_live() {
        let mut agents: Vec<Talent> = (0..4).map(agent).collect();
        agents[0].employer = 4;
        agents[0].commute = 30.0;
        agents[0].home = 7;
        agents[1].employer = 5;
        agents[1].commute = 20.0;
        agents[1].home = 8;
        agents[2].commute = 90.0; // without a job: not a commute to work
        agents[3].employer = 5;
        agents[3].commute = 70.0;
        agents[3].home = zone_home(1);
        let mut e = Expectations::new(3.0);
        e.observe_commutes(&agents, 2);
        assert_eq!(e.mean_commute, 40.0);
        assert_eq!(e.resident_commute, Some(25.0));
        assert_eq!(e.zone_commute, vec![None, Some(70.0)]);
        e.observe_commutes(&[], 2);
        assert_eq!((e.mean_commute, e.resident_commute), (0.0, None));
    }
}
