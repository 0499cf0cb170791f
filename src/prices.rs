//! Prices: the wage index per tier, which follows labour-market tightness (vacancies against job
//! seekers), and market rents per cell with the rent index that office rents follow. Rents are
//! changed by the housing market (`agents::housing::Housing::update_rents`).

#[derive(Clone, Debug, PartialEq)]
pub struct Prices {
    /// Wage index per tier, yuan per month.
    pub wage: Vec<f64>,
    /// This month's labour-market tightness per tier.
    pub tightness: Tightness,
    /// Market rent per cell, yuan per month per unit.
    pub rent: Vec<f32>,
    /// Market rent relative to the base rent, per cell.
    pub rent_index: Vec<f32>,
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
            rent,
            rent_index: Vec::new(),
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

    /// The rent index (rent over the base rent) after rents changed.
    pub fn refresh_rent_index(&mut self, base_rent: f64) {
        self.rent_index.resize(self.rent.len(), 0.0);
        for (ri, &r) in self.rent_index.iter_mut().zip(&self.rent) {
            *ri = (r as f64 / base_rent) as f32;
        }
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
}
