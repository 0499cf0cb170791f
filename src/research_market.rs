//! The market for researchers that firm R&D buys (Goolsbee 1998, AER 88(2)): most R&D spending
//! is researchers' pay, their supply is inelastic in the short run, so R&D demand (and a subsidy
//! that raises it) bids up their wage and part of the extra spending buys no extra research.
//!
//! The R&D price index p is the cost of one unit of real R&D relative to the start, at the start
//! year's wage level. A firm spends R (yuan) and adds R / p to its knowledge stock. Real demand
//! at price p is A p^(−e), e = `firms.rd_elasticity`, A the firms' demand at p = 1. Supply is a
//! logit share of a finite pool of research-capable people N (occupational choice between
//! research and other work): σ(p) = 1 / (1 + (1 − σ₀)/σ₀ · p^(−θ)), with σ₀ =
//! `firms.researcher_pool_share` the share working in firm R&D at the start and θ set so that
//! the supply elasticity at the start θ (1 − σ₀) gives the wage elasticity to R&D spending ω =
//! `firms.researcher_wage_elasticity` that Goolsbee measured: ω = 1 / (1 + θ (1 − σ₀)). The
//! elasticity of supply falls as the pool is used up, so the real response to the subsidy
//! flattens. N grows with the corridor's research-capable talent (people of each tier times its
//! `research_share`) and is set so that the market starts in equilibrium at p = 1.

use crate::scenario::FirmParams;

/// Bounds of the R&D price index (a price outside them would mean the market is degenerate).
const PRICE_BOUNDS: (f64, f64) = (1.0e-3, 1.0e3);

#[derive(Clone, Debug, PartialEq)]
pub struct ResearchMarket {
    /// The R&D price index firms face this month (1 at the start).
    pub price: f64,
    /// Research-capable people in the corridor (each tier's people times its `research_share`),
    /// from this month's recount.
    pub capable: f64,
    /// Researchers' pool per research-capable person (real R&D units), fixed in the first
    /// month so that the market starts at p = 1; 0 before.
    pub pool_per_capable: f64,
}

impl Default for ResearchMarket {
    fn default() -> Self {
        ResearchMarket { price: 1.0, capable: 0.0, pool_per_capable: 0.0 }
    }
}

/// Slope θ of the logit supply that gives the wage elasticity `omega` at the start share `share0`.
pub fn supply_slope(omega: f64, share0: f64) -> f64 {
    (1.0 / omega - 1.0) / (1.0 - share0)
}

/// Share of the pool that works in firm R&D at price `p`.
pub fn supply_share(p: f64, share0: f64, theta: f64) -> f64 {
    1.0 / (1.0 + (1.0 - share0) / share0 * p.powf(-theta))
}

/// The price at which real demand `a` p^(−e) equals the supply `pool` σ(p) (bisection on ln p;
/// demand falls and supply rises in p, so the root is unique).
pub fn clearing_price(a: f64, e: f64, pool: f64, share0: f64, theta: f64) -> f64 {
    let (mut lo, mut hi) = (PRICE_BOUNDS.0.ln(), PRICE_BOUNDS.1.ln());
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        let p = mid.exp();
        if a * p.powf(-e) > pool * supply_share(p, share0, theta) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (0.5 * (lo + hi)).exp()
}

impl ResearchMarket {
    /// After the firms' R&D of the month (`real_demand` units bought at this month's price): the
    /// price of next month. The first month with demand fixes the pool from `unsubsidised`, the
    /// real R&D the firms would buy at p = 1 without any subsidy, so that the pool does not
    /// depend on the levers and a market without subsidy starts at p = 1.
    pub fn clear(&mut self, real_demand: f64, unsubsidised: f64, f: &FirmParams) {
        if f.researcher_wage_elasticity <= 0.0 || real_demand <= 0.0 || self.capable <= 0.0 {
            return;
        }
        let share0 = f.researcher_pool_share;
        if self.pool_per_capable <= 0.0 {
            if unsubsidised <= 0.0 {
                return;
            }
            self.pool_per_capable = unsubsidised / (share0 * self.capable);
        }
        let theta = supply_slope(f.researcher_wage_elasticity, share0);
        let a = real_demand * self.price.powf(f.rd_elasticity);
        self.price = clearing_price(a, f.rd_elasticity, self.pool_per_capable * self.capable, share0, theta);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(omega: f64, share0: f64) -> FirmParams {
        FirmParams {
            researcher_wage_elasticity: omega,
            researcher_pool_share: share0,
            rd_elasticity: 1.0,
            ..Default::default()
        }
    }

    /// A market whose first month fixed the pool at `demand0` without subsidy.
    fn started(f: &FirmParams, demand0: f64) -> ResearchMarket {
        let mut m = ResearchMarket { capable: 1000.0, ..Default::default() };
        m.clear(demand0, demand0, f);
        m
    }

    #[test]
    fn the_market_starts_in_equilibrium_and_stays_there_at_the_same_demand() {
        let f = params(0.22, 0.5);
        let mut m = started(&f, 400.0);
        assert_eq!(m.price, 1.0);
        assert!((m.pool_per_capable * m.capable * 0.5 - 400.0).abs() < 1e-9);
        m.clear(400.0, 0.0, &f);
        assert!((m.price - 1.0).abs() < 1e-9, "{}", m.price);
    }

    #[test]
    fn the_pool_does_not_depend_on_the_subsidy_in_force_at_the_start() {
        // Demand raised by a subsidy in the first month raises the price at once.
        let f = params(0.22, 0.5);
        let mut m = ResearchMarket { capable: 1000.0, ..Default::default() };
        m.clear(150.0, 100.0, &f);
        let n = started(&f, 100.0);
        assert_eq!(m.pool_per_capable, n.pool_per_capable);
        assert!(m.price > 1.0);
    }

    #[test]
    fn the_wage_elasticity_at_the_start_is_goolsbees() {
        // A 1 % rise in nominal R&D demand (e = 1: spending fixed in yuan) raises p by ω %.
        for (omega, share0) in [(0.22, 0.5), (0.1, 0.2), (0.5, 0.8)] {
            let f = params(omega, share0);
            let mut m = started(&f, 100.0);
            m.clear(101.0, 0.0, &f);
            let elasticity = m.price.ln() / 1.01f64.ln();
            assert!((elasticity - omega).abs() < 0.01 * omega + 1e-3, "{omega} {share0}: {elasticity}");
        }
    }

    #[test]
    fn the_real_response_to_demand_flattens_as_the_pool_is_used_up() {
        // Equal steps of demand buy less and less real R&D; real R&D never exceeds the pool.
        let pool = 200.0;
        let theta = supply_slope(0.22, 0.5);
        let real = |a: f64| a / clearing_price(a, 1.0, pool, 0.5, theta);
        let gains: Vec<f64> =
            (0..6).map(|k| real(100.0 + 50.0 * (k + 1) as f64) - real(100.0 + 50.0 * k as f64)).collect();
        assert!(gains.windows(2).all(|w| w[1] < w[0]), "{gains:?}");
        let r = real(1.0e5);
        assert!(r <= pool * (1.0 + 1e-12) && r > 0.99 * pool, "{r}");
    }

    #[test]
    fn without_a_wage_response_the_price_stays_one() {
        let f = params(0.0, 0.5);
        let mut m = started(&f, 100.0);
        m.clear(500.0, 0.0, &f);
        assert_eq!(m.price, 1.0);
    }

    #[test]
    fn more_research_capable_people_lower_the_price() {
        let f = params(0.22, 0.5);
        let mut a = started(&f, 100.0);
        let mut b = a.clone();
        b.capable *= 1.2;
        a.clear(130.0, 0.0, &f);
        b.clear(130.0, 0.0, &f);
        assert!(a.price > 1.0 && b.price < a.price, "{} {}", a.price, b.price);
    }
}
