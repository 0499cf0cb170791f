//! The sampler: adaptive population Monte Carlo ABC (Lenormand, Jabot & Deffuant 2013), the
//! sequential Monte Carlo ABC of Toni et al. (2009) and Beaumont et al. (2009) with a tolerance
//! set by the distances themselves and a fixed number of simulations per generation.
//!
//! Generation 0 draws `particles` parameter sets from the prior (a scrambled Sobol sequence
//! through each prior's quantile function). Each later generation keeps the `keep` share of the
//! particles closest to the targets (the tolerance epsilon is the largest distance kept) and
//! replaces the rest: a kept particle picked by weight, moved by a Gaussian kernel with twice the
//! kept particles' weighted covariance (Beaumont et al. 2009), redrawn until it lies in the
//! prior's support and gives a valid scenario. A kept particle's weight is its prior density over
//! the mixture of every generation's proposal density so far, weighted by the number of sets each
//! proposed (the deterministic-mixture weights of adaptive multiple importance sampling, Cornuet
//! et al. 2012): particles that survive from early, wide proposals do not then dominate the
//! sample, as they do with each particle weighted by its own generation's proposal only.
//! It stops once the tolerance is down to `tolerance` (in the distance's units, an RMS z-score:
//! at 1 the kept particles fit the targets within their stated uncertainty, where ABC's kernel
//! stands for the observation error, Wilkinson 2013), when fewer than `min_acceptance` of a
//! generation's new particles beat the previous tolerance (the simulator's noise floor), after
//! `max_generations`, or before the budget of simulations would be exceeded.
//!
//! Everything here is a function of the targets file and of the rows already evaluated, read
//! back from `calibration.csv`: each generation's proposals are drawn from streams keyed by
//! (seed, generation, particle), so they do not depend on threads, shards or interruptions.

use rayon::prelude::*;

use super::prior::Prior;
use super::targets::CalibrationSpec;
use crate::rng::{hash_words, Purpose, Stream};

/// Keys that separate the calibration's streams and seeds from those of sweeps.
const PROPOSAL_KEY: u64 = 0xCA11_B8A7_0000_0001;
const RUN_KEY: u64 = 0xCA11_B8A7_0000_0002;

/// A parameter set to evaluate.
#[derive(Clone, Debug, PartialEq)]
pub struct Proposal {
    pub generation: u32,
    pub particle: u32,
    /// Parameter values, in the order of the targets file.
    pub values: Vec<f64>,
    /// The run seed of each replication.
    pub seeds: Vec<u64>,
}

/// An evaluated parameter set: a row of `calibration.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluated {
    pub generation: u32,
    pub particle: u32,
    pub seed: u64,
    pub values: Vec<f64>,
    /// Root of the weighted mean squared z-score of the in-sample targets (infinite where a
    /// statistic is missing).
    pub distance: f64,
    /// Every target's statistic (the mean over replications), in the order of the file.
    pub stats: Vec<f64>,
}

/// What one generation did (a row of `generations.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct GenerationStats {
    pub generation: u32,
    /// Parameter sets evaluated in this generation.
    pub evaluated: usize,
    /// Simulations (runs) so far.
    pub runs: u64,
    /// The tolerance after the generation: the largest distance kept.
    pub epsilon: f64,
    /// Share of this generation's new particles closer than the previous tolerance (NaN in 0).
    pub acceptance: f64,
    /// Effective sample size of the kept particles' weights.
    pub ess: f64,
    pub distance_min: f64,
    pub distance_median: f64,
}

/// Why the sampler stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    Tolerance,
    Acceptance,
    Generations,
    Budget,
}

impl Stop {
    pub fn describe(self) -> &'static str {
        match self {
            Stop::Tolerance => "the tolerance reached abc.tolerance",
            Stop::Acceptance => "the acceptance rate fell below abc.min_acceptance",
            Stop::Generations => "abc.max_generations generations were run",
            Stop::Budget => "another generation would exceed abc.max_simulations",
        }
    }
}

/// A proposal that could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("generation {generation}, particle {particle}: no valid parameter set in {attempts} draws (do the priors give scenarios that validate?)")]
pub struct ProposalError {
    pub generation: u32,
    pub particle: u32,
    pub attempts: u32,
}

const ATTEMPTS: u32 = 100_000;

/// The sampler's state between generations.
#[derive(Clone, Debug)]
pub struct Sampler {
    spec: CalibrationSpec,
    priors: Vec<Prior>,
    /// The kept particles, closest first, and their normalised weights.
    population: Vec<Evaluated>,
    weights: Vec<f64>,
    /// Each generation's proposal density so far (the prior for generation 0) and the number
    /// of parameter sets it proposed.
    proposals: Vec<(usize, Option<Kernel>)>,
    /// The kernel of the next generation.
    next: Option<Kernel>,
    /// The next generation to propose.
    generation: u32,
    runs: u64,
    pub history: Vec<GenerationStats>,
    pub stopped: Option<Stop>,
}

/// The distance of a parameter set's statistics to the in-sample targets: the square root of
/// the weighted mean of ((simulated - observed) / sd)^2; infinite where a statistic is missing.
pub fn distance(spec: &CalibrationSpec, stats: &[f64]) -> f64 {
    let (mut sum, mut weights) = (0.0, 0.0);
    for (i, t) in spec.in_sample() {
        let z = (stats[i] - t.observed) / t.observed_sd();
        sum += t.weight * z * z;
        weights += t.weight;
    }
    let d = (sum / weights).sqrt();
    if d.is_nan() {
        f64::INFINITY
    } else {
        d
    }
}

/// The seed of replication `r` of a particle.
pub fn run_seed(seed: u64, generation: u32, particle: u32, r: u32) -> u64 {
    hash_words(&[seed, Purpose::Sweep as u64, RUN_KEY, generation as u64, particle as u64, r as u64])
}

/// Weights normalised to sum to one (in order; no parallel sums).
pub fn normalised(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    let w: Vec<f64> = weights.collect();
    let total: f64 = w.iter().sum();
    w.iter().map(|x| x / total).collect()
}

impl Sampler {
    pub fn new(spec: &CalibrationSpec) -> Sampler {
        Sampler {
            priors: spec.parameters.iter().map(|p| p.prior()).collect(),
            spec: spec.clone(),
            population: Vec::new(),
            weights: Vec::new(),
            proposals: Vec::new(),
            next: None,
            generation: 0,
            runs: 0,
            history: Vec::new(),
            stopped: None,
        }
    }

    /// The generation that [`Sampler::propose`] draws next.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// The kept particles, closest first: after the last generation, the posterior sample.
    pub fn population(&self) -> &[Evaluated] {
        &self.population
    }

    /// The kept particles' normalised weights, aligned with [`Sampler::population`].
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    pub fn priors(&self) -> &[Prior] {
        &self.priors
    }

    fn z(&self, values: &[f64]) -> Vec<f64> {
        self.priors.iter().zip(values).map(|(p, v)| p.to_z(*v)).collect()
    }

    fn proposal(&self, particle: u32, values: Vec<f64>) -> Proposal {
        let g = self.generation;
        let seeds = (0..self.spec.abc.replications).map(|r| run_seed(self.spec.seed, g, particle, r)).collect();
        Proposal { generation: g, particle, values, seeds }
    }

    /// The parameter sets of the next generation, or none once stopped. `valid` says whether a
    /// parameter set gives a scenario that loads and validates.
    pub fn propose(&self, valid: &(dyn Fn(&[f64]) -> bool + Sync)) -> Result<Vec<Proposal>, ProposalError> {
        if self.stopped.is_some() {
            return Ok(Vec::new());
        }
        let g = self.generation;
        let key = hash_words(&[self.spec.seed, Purpose::Sweep as u64, PROPOSAL_KEY]);
        let fail = |particle| ProposalError { generation: g, particle, attempts: ATTEMPTS };
        if g == 0 {
            let scramble = key as u32;
            return (0..self.spec.abc.particles)
                .into_par_iter()
                .map(|i| {
                    let mut s = Stream::new(key, Purpose::Sweep, i as u64, g);
                    let mut u: Vec<f64> =
                        (0..self.priors.len()).map(|d| sobol_burley::sample(i, d as u32, scramble) as f64).collect();
                    for _ in 0..ATTEMPTS {
                        let values: Vec<f64> =
                            self.priors.iter().zip(&u).map(|(p, &u)| p.value(p.quantile(u))).collect();
                        if valid(&values) {
                            return Ok(self.proposal(i, values));
                        }
                        u.iter_mut().for_each(|x| *x = s.uniform());
                    }
                    Err(fail(i))
                })
                .collect();
        }
        let Some(kernel) = &self.next else { return Ok(Vec::new()) };
        let cumulative: Vec<f64> = kernel
            .weights
            .iter()
            .scan(0.0, |acc, w| {
                *acc += w;
                Some(*acc)
            })
            .collect();
        (0..self.spec.abc.replaced() as u32)
            .into_par_iter()
            .map(|i| {
                let mut s = Stream::new(key, Purpose::Sweep, i as u64, g);
                for _ in 0..ATTEMPTS {
                    let u = s.uniform() * cumulative.last().copied().unwrap_or(1.0);
                    let j = cumulative.partition_point(|c| *c <= u).min(kernel.centres.len() - 1);
                    let e: Vec<f64> = (0..self.priors.len()).map(|_| s.normal()).collect();
                    let z = kernel.step(&kernel.centres[j], &e);
                    if !self.priors.iter().zip(&z).all(|(p, z)| p.contains(*z)) {
                        continue;
                    }
                    let values: Vec<f64> = self.priors.iter().zip(&z).map(|(p, z)| p.value(*z)).collect();
                    if valid(&values) {
                        return Ok(self.proposal(i, values));
                    }
                }
                Err(fail(i))
            })
            .collect()
    }

    /// Closes the generation with its evaluated parameter sets (every proposal's row, in
    /// particle order): the new tolerance, the kept particles and whether to stop.
    pub fn close(&mut self, evaluated: Vec<Evaluated>) {
        let abc = &self.spec.abc;
        let previous = self.history.last().map_or(f64::INFINITY, |h| h.epsilon);
        let acceptance = if self.generation == 0 {
            f64::NAN
        } else {
            evaluated.iter().filter(|e| e.distance < previous).count() as f64 / evaluated.len().max(1) as f64
        };
        self.runs += evaluated.len() as u64 * abc.replications as u64;
        let n_new = evaluated.len();
        self.proposals.push((n_new, self.next.take()));
        let mut all = std::mem::take(&mut self.population);
        all.extend(evaluated);
        all.sort_by(|a, b| {
            a.distance.total_cmp(&b.distance).then(a.generation.cmp(&b.generation)).then(a.particle.cmp(&b.particle))
        });
        all.truncate(abc.kept());
        let w = self.mixture_weights(&all);
        let epsilon = all.last().map_or(f64::INFINITY, |e| e.distance);
        self.history.push(GenerationStats {
            generation: self.generation,
            evaluated: n_new,
            runs: self.runs,
            epsilon,
            acceptance,
            ess: 1.0 / w.iter().map(|x| x * x).sum::<f64>(),
            distance_min: all.first().map_or(f64::NAN, |e| e.distance),
            distance_median: all.get(all.len() / 2).map_or(f64::NAN, |e| e.distance),
        });
        self.next = Some(Kernel::new(&all.iter().map(|e| self.z(&e.values)).collect::<Vec<_>>(), &w, &self.priors));
        self.population = all;
        self.weights = w;
        self.generation += 1;
        self.stopped = if epsilon <= abc.tolerance {
            Some(Stop::Tolerance)
        } else if self.generation > 1 && acceptance < abc.min_acceptance {
            Some(Stop::Acceptance)
        } else if self.generation >= abc.max_generations {
            Some(Stop::Generations)
        } else if self.runs + (abc.replaced() as u64 * abc.replications as u64) > abc.max_simulations {
            Some(Stop::Budget)
        } else {
            None
        };
    }

    /// Simulations (runs) so far.
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// Normalised weights of particles: prior density over the mixture of the proposal
    /// densities so far, each weighted by its share of the proposed sets (log-sum-exp in
    /// generation and particle order).
    fn mixture_weights(&self, particles: &[Evaluated]) -> Vec<f64> {
        let total: usize = self.proposals.iter().map(|p| p.0).sum();
        let logs: Vec<f64> = particles
            .par_iter()
            .map(|e| {
                let z = self.z(&e.values);
                let prior: f64 = self.priors.iter().zip(&z).map(|(p, z)| p.log_density(*z)).sum();
                let terms: Vec<f64> = self
                    .proposals
                    .iter()
                    .map(|(n, q)| {
                        let share = (*n as f64 / total as f64).ln();
                        share + q.as_ref().map_or(prior, |k| k.log_mixture(&z))
                    })
                    .collect();
                prior - log_sum_exp(&terms)
            })
            .collect();
        let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        normalised(logs.iter().map(|l| (l - top).exp()))
    }
}

/// log(sum(exp(x))) without overflow.
fn log_sum_exp(xs: &[f64]) -> f64 {
    let top = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if top == f64::NEG_INFINITY {
        return top;
    }
    top + xs.iter().map(|x| (x - top).exp()).sum::<f64>().ln()
}

/// The perturbation kernel of a generation: a Gaussian with twice the kept particles' weighted
/// covariance (in z), around each kept particle.
#[derive(Clone, Debug)]
struct Kernel {
    centres: Vec<Vec<f64>>,
    weights: Vec<f64>,
    /// Lower Cholesky factor of the covariance, row by row.
    chol: Vec<Vec<f64>>,
    /// log of the normal density's constant: -k/2 log(2 pi) - sum log diag(chol).
    log_norm: f64,
}

impl Kernel {
    fn new(centres: &[Vec<f64>], weights: &[f64], priors: &[Prior]) -> Kernel {
        let k = priors.len();
        let mean: Vec<f64> = (0..k).map(|d| centres.iter().zip(weights).map(|(c, w)| w * c[d]).sum::<f64>()).collect();
        let mut cov = vec![vec![0.0; k]; k];
        for (c, w) in centres.iter().zip(weights) {
            for a in 0..k {
                for b in 0..=a {
                    cov[a][b] += 2.0 * w * (c[a] - mean[a]) * (c[b] - mean[b]);
                }
            }
        }
        // A jitter of a millionth of each prior's width keeps the kernel proper when the kept
        // particles coincide in a coordinate.
        for (d, p) in priors.iter().enumerate() {
            cov[d][d] += (1e-6 * p.width()).powi(2);
        }
        let chol = cholesky(&cov);
        let log_norm =
            -0.5 * k as f64 * (2.0 * std::f64::consts::PI).ln() - (0..k).map(|d| chol[d][d].ln()).sum::<f64>();
        Kernel { centres: centres.to_vec(), weights: weights.to_vec(), chol, log_norm }
    }

    /// centre + L e.
    fn step(&self, centre: &[f64], e: &[f64]) -> Vec<f64> {
        (0..centre.len()).map(|a| centre[a] + (0..=a).map(|b| self.chol[a][b] * e[b]).sum::<f64>()).collect()
    }

    /// Log density of the kernel around `centre` at `z`.
    fn log_density(&self, centre: &[f64], z: &[f64]) -> f64 {
        // Solve L y = z - centre by forward substitution; the exponent is -|y|^2 / 2.
        let k = z.len();
        let mut y = vec![0.0; k];
        for a in 0..k {
            let s: f64 = (0..a).map(|b| self.chol[a][b] * y[b]).sum();
            y[a] = (z[a] - centre[a] - s) / self.chol[a][a];
        }
        self.log_norm - 0.5 * y.iter().map(|v| v * v).sum::<f64>()
    }

    /// Log density of the proposal: the mixture of kernels around the weighted centres.
    fn log_mixture(&self, z: &[f64]) -> f64 {
        let logs: Vec<f64> =
            self.centres.iter().zip(&self.weights).map(|(c, w)| w.ln() + self.log_density(c, z)).collect();
        log_sum_exp(&logs)
    }
}

/// The lower Cholesky factor of a symmetric positive definite matrix given by its lower
/// triangle; a pivot that is not positive (rounding) is replaced by a tiny positive one.
fn cholesky(a: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let k = a.len();
    let mut l = vec![vec![0.0; k]; k];
    for i in 0..k {
        for j in 0..=i {
            let s: f64 = (0..j).map(|m| l[i][m] * l[j][m]).sum();
            if i == j {
                let d = a[i][i] - s;
                l[i][i] = if d > 0.0 { d.sqrt() } else { (a[i][i].abs() * 1e-12).sqrt().max(1e-300) };
            } else {
                l[i][j] = (a[i][j] - s) / l[j][j];
            }
        }
    }
    l
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::experiment::calibrate::targets::parse;

    fn spec(particles: u32) -> CalibrationSpec {
        let text = format!(
            "base = \"b.toml\"\nseed = 3\n[abc]\nparticles = {particles}\nmax_generations = 30\nmax_simulations = 100000\nmin_acceptance = 0.02\n\
             [[targets]]\nkpi = \"a\"\nyear = 1\nobserved = 2.0\nsd = 0.1\n\
             [[targets]]\nkpi = \"b\"\nyear = 1\nobserved = 0.5\nsd = 0.05\n\
             [[parameters]]\npath = \"x\"\nprior = \"uniform\"\nmin = -5.0\nmax = 5.0\n\
             [[parameters]]\npath = \"y\"\nprior = \"log_uniform\"\nmin = 0.01\nmax = 10.0\n"
        );
        parse(Path::new("t.toml"), &text).unwrap().spec
    }

    /// A toy simulator: statistics x and y with noise from the particle's own stream.
    fn evaluate(spec: &CalibrationSpec, p: &Proposal) -> Evaluated {
        let mut s = Stream::new(p.seeds[0], Purpose::Sweep, 0, 0);
        let stats = vec![p.values[0] + 0.05 * s.normal(), p.values[1] + 0.02 * s.normal()];
        Evaluated {
            generation: p.generation,
            particle: p.particle,
            seed: p.seeds[0],
            values: p.values.clone(),
            distance: distance(spec, &stats),
            stats,
        }
    }

    fn calibrate(spec: &CalibrationSpec, threads: usize) -> Sampler {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let mut s = Sampler::new(spec);
            while s.stopped.is_none() {
                let props = s.propose(&|_| true).unwrap();
                s.close(props.iter().map(|p| evaluate(spec, p)).collect());
            }
            s
        })
    }

    #[test]
    fn the_posterior_concentrates_on_the_parameters_that_made_the_targets() {
        let spec = spec(200);
        let s = calibrate(&spec, 2);
        assert_eq!(s.population().len(), 100);
        let w = s.weights();
        for (d, truth) in [(0, 2.0), (1, 0.5)] {
            let mean: f64 = s.population().iter().zip(w).map(|(e, w)| w * e.values[d]).sum();
            let sd = s.population().iter().zip(w).map(|(e, w)| w * (e.values[d] - mean).powi(2)).sum::<f64>().sqrt();
            assert!((mean - truth).abs() < 2.5 * sd.max(0.01), "param {d}: {mean} ± {sd}, truth {truth}");
            assert!(sd < 0.3 * truth, "param {d}: sd {sd} did not shrink from the prior");
        }
        let eps: Vec<f64> = s.history.iter().map(|h| h.epsilon).collect();
        assert!(eps.windows(2).all(|w| w[1] <= w[0]), "{eps:?}");
        assert!(s.stopped == Some(Stop::Tolerance), "{:?}", s.stopped);
        assert!(s.population().iter().all(|e| e.distance <= 1.0));
    }

    #[test]
    fn results_do_not_depend_on_the_thread_count() {
        let spec = spec(40);
        let (a, b) = (calibrate(&spec, 1), calibrate(&spec, 2));
        assert_eq!(a.population(), b.population());
        assert_eq!(format!("{:?}", a.history), format!("{:?}", b.history));
    }

    #[test]
    fn proposals_stay_in_the_support_and_respect_validity() {
        let spec = spec(40);
        let mut s = Sampler::new(&spec);
        let props = s.propose(&|v| v[0] > 0.0).unwrap();
        assert!(props.iter().all(|p| p.values[0] > 0.0 && (0.01..=10.0).contains(&p.values[1])));
        s.close(props.iter().map(|p| evaluate(&spec, p)).collect());
        let next = s.propose(&|v| v[0] > 0.0).unwrap();
        assert_eq!(next.len(), 20);
        assert!(next.iter().all(|p| p.generation == 1 && p.values[0] > 0.0 && p.values[0] <= 5.0));
        assert!(s.propose(&|_| false).is_err());
    }
}
