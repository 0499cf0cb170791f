//! The labour market's prices: a wage index per tier that follows tightness
//! (vacancies against job seekers).

#[derive(Clone, Debug)]
pub struct Labour {
    /// Wage index per tier, yuan per month.
    pub wage: Vec<f64>,
    /// Open vacancies per tier (agents), after this month's firm step.
    pub vacancies: Vec<u32>,
    /// Job seekers per tier (agents).
    pub seekers: Vec<u32>,
}

impl Labour {
    pub fn new(wages: Vec<f64>) -> Labour {
        let n = wages.len();
        Labour { wage: wages, vacancies: vec![0; n], seekers: vec![0; n] }
    }

    /// w <- w (1 + adjustment * (v - u) / (v + u)): tight tiers raise wages, slack ones lower them.
    pub fn update_wages(&mut self, adjustment: f64) {
        for t in 0..self.wage.len() {
            let (v, u) = (self.vacancies[t] as f64, self.seekers[t] as f64);
            let tight = if v + u > 0.0 { (v - u) / (v + u) } else { 0.0 };
            self.wage[t] *= 1.0 + adjustment * tight;
        }
    }

    /// Chance that a seeker of the tier finds a job soon: vacancies per seeker, at most 1.
    pub fn job_chance(&self, tier: usize) -> f64 {
        ((self.vacancies[tier] as f64 + 1.0) / (self.seekers[tier] as f64 + 1.0)).min(1.0)
    }
}
