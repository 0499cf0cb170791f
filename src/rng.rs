//! Named, seeded random streams.
//!
//! Every random draw in the model comes from a [`Stream`] keyed by
//! `(run seed, purpose, id, month)`. A stream is a SplitMix64 generator whose starting state is a
//! hash of that key, so streams are independent of each other and of the order in which agents are
//! processed: a new draw in one mechanism never shifts the draws of another, and the result does not
//! depend on the number of threads. Draws from distributions (normal, Gumbel, Poisson, Pareto) use
//! `rand_distr`'s exact samplers on the stream; uniforms, coin flips and indices are drawn directly.

use std::convert::Infallible;

/// What a stream is used for. Adding a purpose never changes the draws of the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    Init = 1,
    InitTalent = 2,
    /// Drew the incumbents' sectors until they were assigned by share (`init::sectors_by_share`); kept
    /// so that no other purpose takes its number.
    InitFirm = 3,
    JobSearch = 10,
    Residence = 11,
    Leaving = 12,
    Arrivals = 13,
    ArrivalTraits = 14,
    LifeCourse = 15,
    Founding = 16,
    TalentOffer = 17,
    FirmInnovation = 20,
    FirmGrowth = 21,
    FirmExit = 22,
    FirmEntry = 23,
    FirmLocation = 24,
    /// The monthly signal from which a new firm learns its productivity.
    FirmLearning = 25,
    LabOutput = 30,
    TechTransfer = 31,
    Replication = 60,
    Sweep = 61,
    /// The parameter set of a replication drawn from a calibration's posterior (compare).
    PosteriorDraw = 62,
}

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hash of a key made of words; used for stream starting states and for derived seeds.
pub fn hash_words(words: &[u64]) -> u64 {
    let mut h = 0x243F_6A88_85A3_08D3u64;
    for &w in words {
        h = mix(h ^ mix(w.wrapping_add(GOLDEN)));
    }
    h
}

/// A counter-style random stream (SplitMix64) for one (seed, purpose, id, month).
#[derive(Debug)]
pub struct Stream {
    state: u64,
}

impl Stream {
    pub fn new(seed: u64, purpose: Purpose, id: u64, month: u32) -> Self {
        // The (seed, purpose) key is mixed; id and month enter through odd multipliers (two keys
        // coincide only if d_id * a = -d_month * b mod 2^64, vanishingly unlikely for the ranges
        // used) and a final mix spreads the result. Two mixes instead of a full hash: this runs
        // for every agent and mechanism every month.
        let key = mix(seed ^ (purpose as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
        let pre = key
            .wrapping_add(id.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .wrapping_add((month as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F));
        Stream { state: mix(pre) }
    }

    #[inline]
    pub fn next_word(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        mix(self.state)
    }

    /// Uniform in [0, 1).
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        (self.next_word() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability p.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Uniform integer in 0..n (n > 0), by Lemire's multiply-shift (bias below 2^-32 for our n).
    #[inline]
    pub fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        (((self.next_word() >> 32) * n as u64) >> 32) as usize
    }

    /// Standard Gumbel draw (location 0, scale 1): -ln E with E ~ Exp(1) (a ziggurat draw), one
    /// logarithm instead of the two of the inverse distribution function.
    #[inline]
    pub fn gumbel(&mut self) -> f64 {
        self.gumbel_draw().value()
    }

    /// A standard Gumbel draw held as its exponential variate, so that a caller can bound it
    /// before taking the logarithm ([`GumbelDraw::at_most`]); the same stream words and the same
    /// value as [`Stream::gumbel`].
    #[inline]
    pub fn gumbel_draw(&mut self) -> GumbelDraw {
        GumbelDraw(rand_distr::Distribution::sample(&rand_distr::Exp1, self))
    }

    /// Standard normal draw.
    #[inline]
    pub fn normal(&mut self) -> f64 {
        rand_distr::Distribution::sample(&rand_distr::StandardNormal, self)
    }

    /// Poisson draw with mean `lambda` (0 for a mean that is not positive; means above
    /// `rand_distr::Poisson::MAX_LAMBDA`, which validation keeps out, are drawn at that bound).
    pub fn poisson(&mut self, lambda: f64) -> u64 {
        if lambda.is_nan() || lambda <= 0.0 {
            return 0;
        }
        match rand_distr::Poisson::new(lambda.min(rand_distr::Poisson::<f64>::MAX_LAMBDA)) {
            Ok(d) => rand_distr::Distribution::sample(&d, self) as u64,
            Err(_) => 0,
        }
    }

    /// A Poisson count that fits a `u32` (patents of a month): draws above `u32::MAX` saturate.
    pub fn poisson_u32(&mut self, lambda: f64) -> u32 {
        self.poisson(lambda).min(u32::MAX as u64) as u32
    }

    /// Pareto draw with minimum `scale` and tail exponent `shape`: P(X > x) = (scale / x)^shape.
    pub fn pareto(&mut self, scale: f64, shape: f64) -> f64 {
        match rand_distr::Pareto::new(scale, shape) {
            Ok(d) => rand_distr::Distribution::sample(&d, self),
            Err(_) => scale,
        }
    }
}

/// A Gumbel draw -ln E before its logarithm is taken (E ~ Exp(1)).
#[derive(Clone, Copy, Debug)]
pub struct GumbelDraw(f64);

impl GumbelDraw {
    /// The draw, -ln E.
    #[inline]
    pub fn value(self) -> f64 {
        -self.0.max(f64::MIN_POSITIVE).ln()
    }

    /// An upper bound of [`GumbelDraw::value`] without a logarithm: E is at least 2^m, m its
    /// binary exponent, so -ln E is at most -m ln 2 (less than ln 2 above the draw).
    #[inline]
    pub fn at_most(self) -> f64 {
        let e = self.0.max(f64::MIN_POSITIVE);
        let m = ((e.to_bits() >> 52) & 0x7ff) as i64 - 1023;
        -(m as f64) * std::f64::consts::LN_2
    }
}

impl rand::TryRng for Stream {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.next_word() >> 32) as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.next_word())
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let v = self.next_word().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> =
            (0..4).map(|_| 0).scan(Stream::new(7, Purpose::JobSearch, 3, 5), |s, _| Some(s.next_word())).collect();
        let b: Vec<u64> =
            (0..4).map(|_| 0).scan(Stream::new(7, Purpose::JobSearch, 3, 5), |s, _| Some(s.next_word())).collect();
        let c: Vec<u64> =
            (0..4).map(|_| 0).scan(Stream::new(7, Purpose::Residence, 3, 5), |s, _| Some(s.next_word())).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn uniform_and_poisson_means() {
        let mut s = Stream::new(1, Purpose::Init, 0, 0);
        let n = 200_000;
        let mean_u: f64 = (0..n).map(|_| s.uniform()).sum::<f64>() / n as f64;
        assert!((mean_u - 0.5).abs() < 0.005, "{mean_u}");
        for &lam in &[0.3, 4.0, 80.0, 1.0e9] {
            let m: f64 = (0..50_000).map(|_| s.poisson(lam) as f64).sum::<f64>() / 50_000.0;
            assert!((m - lam).abs() < 0.03 * lam.max(1.0), "lambda {lam} mean {m}");
        }
        let p: f64 = (0..100_000).map(|_| s.pareto(2.0, 3.0)).sum::<f64>() / 100_000.0;
        assert!((p - 3.0).abs() < 0.05, "Pareto mean {p}, expected 2 * 3 / 2");
        let z: Vec<f64> = (0..100_000).map(|_| s.normal()).collect();
        let (m, v) = (z.iter().sum::<f64>() / 1e5, z.iter().map(|x| x * x).sum::<f64>() / 1e5);
        assert!(m.abs() < 0.01 && (v - 1.0).abs() < 0.02, "normal mean {m} variance {v}");
        assert_eq!(s.poisson(0.0) + s.poisson(-1.0) + s.poisson(f64::NAN), 0);
        let g: f64 = (0..100_000).map(|_| s.gumbel()).sum::<f64>() / 100_000.0;
        assert!((g - 0.5772).abs() < 0.02, "{g}");
        let below_max = (0..10_000).map(|_| s.below(7)).max().unwrap();
        assert_eq!(below_max, 6);
    }

    #[test]
    fn a_gumbel_draw_is_the_gumbel_and_its_bound_is_within_ln_2_above_it() {
        let (mut a, mut b) = (Stream::new(3, Purpose::Residence, 9, 1), Stream::new(3, Purpose::Residence, 9, 1));
        for _ in 0..100_000 {
            let d = a.gumbel_draw();
            let g = b.gumbel();
            assert_eq!(d.value().to_bits(), g.to_bits(), "the same words and the same value");
            assert!(d.at_most() >= g && d.at_most() < g + std::f64::consts::LN_2 + 1e-12, "{g} {}", d.at_most());
        }
        for e in [f64::MIN_POSITIVE, 1e-300, 0.5, 1.0, 1.5, 2.0, 37.0] {
            let d = GumbelDraw(e);
            assert!(d.at_most() >= d.value(), "{e}");
        }
    }
}
