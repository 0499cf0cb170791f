//! Prices: the wage index per tier, which follows labour-market tightness (vacancies against job
//! seekers), the real wage trend, and market rents per cell with the rent index that office rents
//! follow. Rents are changed by the housing market (`agents::housing::Housing::update_rents`).
//!
//! One price convention: money is in yuan of the start year. Wages everywhere grow at the real
//! trend `talent.wage_growth` ([`Prices::trend`]); the wage index per tier is the corridor's wage
//! relative to that trend, moved by tightness. Firms see wages and office rents at the start
//! year's wage level (the wage index and the rent index deflated by the trend), which is the
//! same as firms whose productivity follows the trend: their accounts are converted to yuan of
//! the start year by the trend where they are reported.

pub const MONTHS_PER_YEAR: f64 = 12.0;

#[derive(Clone, Debug, PartialEq)]
pub struct Prices {
    /// Wage index per tier, yuan per month at the start year's wage level (the real wage is this
    /// times [`Prices::trend`]).
    pub wage: Vec<f64>,
    /// The real wage level relative to the start: (1 + `talent.wage_growth`)^(years since the start).
    pub trend: f64,
    /// This month's labour-market tightness per tier.
    pub tightness: Tightness,
    /// Market rent per cell, yuan per month per unit.
    pub rent: Vec<f32>,
    /// Market rent relative to the base rent at the start year's wage level, per cell.
    pub rent_index: Vec<f32>,
    /// The researchers' market that sets the R&D price index.
    pub research: crate::research_market::ResearchMarket,
}

/// Open vacancies and job seekers per tier (agents), after this month's layoffs and postings.
#[derive(Clone, Debug, PartialEq)]
pub struct Tightness {
    pub vacancies: Vec<u32>,
    pub seekers: Vec<u32>,
}

impl Prices {
    /// Prices at the start: the tiers' wages and the initial rents.
    pub fn new(wages: Vec<f64>, rent: Vec<f32>, base_rent: f64) -> Prices {
        let n = wages.len();
        let mut p = Prices {
            wage: wages,
            tightness: Tightness { vacancies: vec![0; n], seekers: vec![0; n] },
            trend: 1.0,
            rent,
            rent_index: Vec::new(),
            research: Default::default(),
        };
        p.refresh_rent_index(base_rent);
        p
    }

    /// w <- w (1 + adjustment * (v - u) / (v + u)): tight tiers raise wages, slack ones lower them.
    pub fn update_wages(&mut self, adjustment: f64) {
        let Tightness { vacancies, seekers } = &self.tightness;
        for t in 0..self.wage.len() {
            let (v, u) = (vacancies[t] as f64, seekers[t] as f64);
            let tight = if v + u > 0.0 { (v - u) / (v + u) } else { 0.0 };
            self.wage[t] *= 1.0 + adjustment * tight;
        }
    }

    /// Chance that a seeker of the tier finds a job soon: vacancies per seeker, at most 1.
    pub fn job_chance(&self, tier: usize) -> f64 {
        let Tightness { vacancies, seekers } = &self.tightness;
        ((vacancies[tier] as f64 + 1.0) / (seekers[tier] as f64 + 1.0)).min(1.0)
    }

    /// The rent index (rent over the base rent, deflated by the wage trend) after rents or the
    /// trend changed.
    pub fn refresh_rent_index(&mut self, base_rent: f64) {
        self.rent_index.resize(self.rent.len(), 0.0);
        let base = base_rent * self.trend;
        for (ri, &r) in self.rent_index.iter_mut().zip(&self.rent) {
            *ri = (r as f64 / base) as f32;
        }
    }

    /// The wage trend of `month` (months since the start) at real growth `growth` a year.
    pub fn set_trend(&mut self, month: u32, growth: f64) {
        self.trend = (1.0 + growth).powf(month as f64 / MONTHS_PER_YEAR);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tight_tiers_raise_wages_and_slack_ones_lower_them() {
        let mut p = Prices::new(vec![100.0, 100.0, 100.0], vec![10.0], 10.0);
        p.tightness = Tightness { vacancies: vec![30, 10, 0], seekers: vec![10, 30, 0] };
        p.update_wages(0.1);
        assert!((p.wage[0] - 105.0).abs() < 1e-9, "{}", p.wage[0]);
        assert!((p.wage[1] - 95.0).abs() < 1e-9, "{}", p.wage[1]);
        assert_eq!(p.wage[2], 100.0);
        assert_eq!(p.job_chance(0), 1.0);
        assert!((p.job_chance(1) - 11.0 / 31.0).abs() < 1e-12);
        assert_eq!(p.rent_index, vec![1.0]);
    }

    #[test]
    fn the_trend_compounds_by_the_year_and_deflates_the_rent_index() {
        let mut p = Prices::new(vec![100.0], vec![11.0], 10.0);
        p.set_trend(24, 0.05);
        assert!((p.trend - 1.1025).abs() < 1e-12);
        p.refresh_rent_index(10.0);
        assert!((p.rent_index[0] as f64 - 11.0 / 11.025).abs() < 1e-6, "rents that grow with wages leave the index");
    }
}
