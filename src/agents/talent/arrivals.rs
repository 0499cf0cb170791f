//! Arrivals. Potential migrants of each tier arrive as a Poisson flow (`inflow`); each compares the
//! corridor's expected utility (expected wage given open vacancies, median rent, the talent subsidy
//! of the tier, school access, mean commute and amenity) with U_outside, and comes with logit
//! probability logistic(alpha (U_expected - U_outside - friction)). Arrivals start as job seekers
//! living outside the corridor until they find a home.

use super::{logistic, Population, Talent, Tenure, Utility, FLAG_RESEARCHER, FLAG_SUBSIDISED, NO_JOB, OUTSIDE};
use crate::agents::expectations::Expectations;
use crate::agents::housing::Housing;
use crate::agents::pick_weighted;
use crate::agents::school::Schools;
use crate::policy::{Ledger, Lever};
use crate::prices::Prices;
use crate::rng::{Purpose, Stream};
use crate::world::{Fields, World};

/// Corridor-wide conditions a potential migrant sees.
#[derive(Clone, Debug, PartialEq)]
pub struct Outlook {
    /// Median market rent (None without market units).
    pub median_rent: Option<f64>,
    /// Vacant units of every kind in the corridor.
    pub vacant_units: u64,
    /// Households housed in the corridor (the rest of the population lives outside).
    pub housed: u64,
    /// Mean school access over districts.
    pub school_access: f64,
    /// Resident-weighted mean amenity (0.5 without residents).
    pub amenity: f64,
}

impl Outlook {
    pub fn of(housing: &Housing, prices: &Prices, schools: &Schools, fields: &Fields, world: &World) -> Outlook {
        let median_rent = housing.median_market_rent(&prices.rent);
        let nd = schools.access.len();
        let school_access = if nd == 0 { 0.0 } else { schools.access.iter().sum::<f64>() / nd as f64 };
        let (mut am, mut n) = (0.0, 0u64);
        for c in 0..world.cells() {
            let r = fields.residents[c] as u64;
            if r > 0 {
                am += world.amenity[c] as f64 * r as f64;
                n += r;
            }
        }
        let vacant_units: u64 =
            (0..world.cells()).map(|c| (0..3).map(|k| housing.vacant(k, c) as u64).sum::<u64>()).sum();
        let housed: u64 = fields.residents.iter().map(|&r| r as u64).sum();
        Outlook { median_rent, vacant_units, housed, school_access, amenity: if n > 0 { am / n as f64 } else { 0.5 } }
    }

    /// Chance of finding a home in the corridor: vacant units per household looking from
    /// outside (everyone not counted as a resident of a cell), at most 1.
    pub fn home_chance(&self, households: usize) -> f64 {
        let outside = (households as u64).saturating_sub(self.housed) as f64;
        (self.vacant_units as f64 / (outside + 1.0)).min(1.0)
    }
}

/// Potential migrants of every tier arrive, and those who come join the population as job
/// seekers living outside.
pub fn run(
    population: &mut Population,
    o: &Outlook,
    expectations: &Expectations,
    util: &Utility,
    seed: u64,
    ledger: &mut Ledger,
) {
    let s = util.s;
    let month = util.month;
    let median_rent = o.median_rent.unwrap_or(s.housing.base_rent);
    let home_chance = o.home_chance(population.agents.len());
    let friction = util.policy.friction(s);
    let u = &s.talent.utility;
    let commute = if expectations.mean_commute > 0.0 { expectations.mean_commute } else { 30.0 };
    let research_share = |tier: usize| s.talent.tiers[tier].research_share;
    let talent_shares: Vec<f64> = s.sectors.iter().map(|x| x.talent_share).collect();
    for tier in 0..s.talent.tiers.len() {
        let spec = &s.talent.tiers[tier];
        let wage = util.prices.wage[tier];
        let chance = util.prices.job_chance(tier);
        let subsidised = util.policy.talent_subsidy_on(s, tier);
        let sub =
            if subsidised { s.talent.subsidy.rent_subsidy + s.talent.subsidy.relocation_bonus / 36.0 } else { 0.0 };
        let income = chance * wage + (1.0 - chance) * 0.6 * wage;
        // With a home in the corridor (chance o.home_chance), or living outside and commuting in.
        let net_in = (income - median_rent + sub).max(0.1 * income).max(1.0);
        let u_in = u.beta_income * net_in.ln() - u.beta_time * commute + u.beta_amenity * o.amenity;
        let g = &s.grid;
        let net_out = (income - g.outside_rent).max(0.1 * income).max(1.0);
        let u_outside_home = u.beta_income * net_out.ln() - u.beta_time * g.outside_commute_min
            + u.beta_amenity * s.talent.outside.amenity * 0.8;
        let base_u = home_chance * u_in + (1.0 - home_chance) * u_outside_home;
        let u_out = [util.outside(tier, false), util.outside(tier, true)];
        let mut rng = Stream::new(seed, Purpose::Arrivals, tier as u64, month);
        let potential = rng.poisson(spec.inflow / s.agent_scale);
        for k in 0..potential {
            let id = population.next_id;
            let mut tr = Stream::new(seed, Purpose::ArrivalTraits, ((tier as u64) << 32) | k, month);
            let a = &s.talent.arrival;
            let age = a.age_min + (a.age_max - a.age_min) * tr.uniform();
            let child = if tr.chance(s.talent.initial_child_share) {
                let max_child = (age - 22.0).clamp(0.0, 14.99);
                (tr.uniform() * max_child * 12.0) as i16
            } else {
                -1
            };
            let mut v = base_u;
            if child >= 0 {
                v += u.beta_school * o.school_access;
            }
            let p = logistic(a.alpha * (v - u_out[(child >= 0) as usize] - friction));
            if !tr.chance(p) {
                continue;
            }
            let sector = pick_weighted(&talent_shares, tr.uniform());
            let mut flags = 0;
            if tr.chance(research_share(tier)) {
                flags |= FLAG_RESEARCHER;
            }
            if subsidised {
                flags |= FLAG_SUBSIDISED;
                ledger.cost[Lever::TalentSubsidy] += s.talent.subsidy.relocation_bonus * s.agent_scale;
            }
            population.agents.push(Talent {
                id,
                commute: s.grid.outside_commute_min as f32,
                home: OUTSIDE,
                employer: NO_JOB,
                age_months: (age * 12.0) as u16,
                child_age_months: child,
                months_unemployed: 0,
                months_in_corridor: 0,
                waitlist_since: 0,
                tier: tier as u8,
                sector: sector as u8,
                tenure: Tenure::Outside,
                flags,
                seat_district: -1,
                seat_level: 0,
            });
            population.next_id += 1;
            ledger.arrivals[tier] += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::testkit::Kit;

    /// Arrivals over `months` months into an empty corridor, from id 100.
    fn arrive(kit: &mut Kit, months: u32) -> (Population, Ledger) {
        let o = Outlook::of(&kit.housing, &kit.prices, &kit.schools, &kit.fields, &kit.world);
        let mut population = Population { agents: Vec::new(), spare: Vec::new(), next_id: 100 };
        let mut ledger = kit.ledger.clone();
        for m in 0..months {
            kit.month = m;
            run(&mut population, &o, &Expectations::new(0.0), &kit.util(), 5, &mut ledger);
        }
        (population, ledger)
    }

    #[test]
    fn migrants_come_when_the_corridor_beats_elsewhere_and_start_outside_as_job_seekers() {
        let mut kit = Kit::new();
        kit.s.talent.tiers[0].inflow = 50.0;
        kit.s.talent.tiers[1].inflow = 0.0;
        // Elsewhere pays a tenth of the corridor's wage: every potential migrant comes.
        kit.s.talent.tiers[0].outside_wage_ratio = 0.1;
        kit.s.talent.arrival.alpha = 50.0;
        let (p, ledger) = arrive(&mut kit, 12);
        let n = p.agents.len();
        // Poisson(50) a month for a year: 600 +- 3 sd (73).
        assert!((527..=673).contains(&n), "{n} arrivals");
        assert_eq!(ledger.arrivals, vec![n as u32, 0]);
        assert!(p.agents.iter().all(|t| t.home == OUTSIDE && t.tenure == Tenure::Outside && !t.employed()));
        assert!(p.agents.iter().enumerate().all(|(i, t)| t.id == 100 + i as u32 && t.tier == 0));
        assert_eq!(p.next_id, 100 + n as u32);
        assert_eq!(ledger.cost[Lever::TalentSubsidy], 0.0, "no subsidy in force");

        // When elsewhere pays three times as much, nearly nobody comes.
        kit.s.talent.tiers[0].outside_wage_ratio = 3.0;
        let (few, _) = arrive(&mut kit, 12);
        assert!(few.agents.len() < n / 20, "{} arrivals", few.agents.len());
    }

    #[test]
    fn a_relocation_bonus_is_booked_for_each_subsidised_arrival() {
        let mut kit = Kit::new();
        kit.s.talent.tiers[0].inflow = 20.0;
        kit.s.talent.tiers[1].inflow = 0.0;
        kit.s.talent.tiers[0].outside_wage_ratio = 0.1;
        kit.s.talent.subsidy.relocation_bonus = 100_000.0;
        kit.s.talent.subsidy.start_year = kit.s.start_year;
        kit.s.talent.subsidy.end_year = kit.s.start_year + 5;
        let (p, ledger) = arrive(&mut kit, 3);
        assert!(!p.agents.is_empty());
        assert!(p.agents.iter().all(|t| t.has(FLAG_SUBSIDISED)));
        assert_eq!(ledger.cost[Lever::TalentSubsidy], 100_000.0 * p.agents.len() as f64);
    }
}
