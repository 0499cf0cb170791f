//! Expectations: what agents carry from one month to the next about the corridor as a whole.
//! Potential migrants expect last month's mean commute; relocating firms compare the talent pool
//! with its initial size. They belong to the model (the metrics only observe them).

use rayon::prelude::*;

use super::talent::Talent;

#[derive(Clone, Debug, PartialEq)]
pub struct Expectations {
    /// Mean one-way commute of the employed at the end of last month, minutes (0 before the
    /// first month).
    pub mean_commute: f64,
    /// Talent agents the corridor started with (the scenario's initial stock).
    pub initial_talent: f64,
}

/// Households per chunk in the passes that sum floats over agents: chunk sums are combined in
/// chunk order, so the result does not depend on the number of threads.
pub const SUM_CHUNK: usize = 8192;

impl Expectations {
    pub fn new(initial_talent: f64) -> Expectations {
        Expectations { mean_commute: 0.0, initial_talent }
    }

    /// The mean commute of the employed at the end of the month.
    pub fn observe_commutes(&mut self, agents: &[Talent]) {
        let partials: Vec<(f64, f64)> = agents
            .par_chunks(SUM_CHUNK)
            .map(|chunk| {
                let (mut employed, mut commute) = (0.0, 0.0);
                for t in chunk.iter().filter(|t| t.employed()) {
                    employed += 1.0;
                    commute += t.commute as f64;
                }
                (employed, commute)
            })
            .collect();
        let (mut employed, mut commute) = (0.0, 0.0);
        for (e, c) in partials {
            employed += e;
            commute += c;
        }
        self.mean_commute = if employed > 0.0 { commute / employed } else { 0.0 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::talent::tests::agent;

    #[test]
    fn the_mean_commute_counts_the_employed_only() {
        let mut agents: Vec<Talent> = (0..3).map(agent).collect();
        agents[0].employer = 4;
        agents[0].commute = 30.0;
        agents[1].employer = 5;
        agents[1].commute = 20.0;
        agents[2].commute = 90.0; // without a job: not a commute to work
        let mut e = Expectations::new(3.0);
        e.observe_commutes(&agents);
        assert_eq!(e.mean_commute, 25.0);
        e.observe_commutes(&[]);
        assert_eq!(e.mean_commute, 0.0);
    }
}
