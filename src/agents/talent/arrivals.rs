//! Arrivals. Potential migrants of each tier arrive as a Poisson flow (`inflow`); each compares the
//! corridor's expected utility (expected income given open vacancies, the talent subsidy of the
//! tier, a home in the corridor at the median rent when one can be found, or else in the best
//! outside zone, last month's commutes, amenity and schools) with U_outside, and comes with logit
//! probability logistic(alpha (U_expected - U_outside - friction)). Arrivals start as job seekers
//! in the outside zone they like best until they find a home in the corridor.

use super::{logistic, zone_home, Population, Talent, Tenure, Utility, FLAG_RESEARCHER, FLAG_SUBSIDISED, NO_JOB};
use crate::agents::expectations::Expectations;
use crate::agents::housing::Housing;
use crate::agents::pick_weighted;
use crate::agents::school::Schools;
use crate::policy::Ledger;
use crate::prices::{Prices, MONTHS_PER_YEAR};
use crate::rng::{Purpose, Stream};
use crate::scenario::Scenario;
use crate::world::{Fields, World};

/// Corridor-wide conditions a potential migrant sees.
#[derive(Clone, Debug, PartialEq)]
pub struct Outlook {
    /// Median market rent (None without market units).
    pub median_rent: Option<f64>,
    /// Vacant units of every kind in the corridor.
    pub vacant_units: u64,
    /// Households that wanted a home in the corridor this month and found none.
    pub shortage: f64,
    /// School quality and extra trip a newcomer's child expects, averaged over districts.
    pub school: (f64, f64),
    /// Resident-weighted mean amenity (the base amenity without residents).
    pub amenity: f64,
}

impl Outlook {
    pub fn of(
        s: &Scenario,
        housing: &Housing,
        prices: &Prices,
        schools: &Schools,
        fields: &Fields,
        world: &World,
    ) -> Outlook {
        let median_rent = housing.median_market_rent(&prices.rent);
        let nd = schools.availability.len();
        let school = if nd == 0 {
            (s.schools.overflow_quality, s.schools.overflow_trip_min)
        } else {
            let sum = (0..nd).map(|d| schools.prospect(d, &s.schools)).fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
            (sum.0 / nd as f64, sum.1 / nd as f64)
        };
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
        let amenity = if n > 0 { am / n as f64 } else { s.grid.base_amenity };
        Outlook { median_rent, vacant_units, shortage: housing.shortage, school, amenity }
    }

    /// Chance of finding a home in the corridor: vacant units per household that wanted one this
    /// month and found none, at most 1.
    pub fn home_chance(&self) -> f64 {
        (self.vacant_units as f64 / (self.shortage + 1.0)).min(1.0)
    }
}

/// Potential migrants of every tier arrive, and those who come join the population as job
/// seekers living in an outside zone.
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
    let trend = util.prices.trend;
    let median_rent = o.median_rent.unwrap_or(s.housing.base_rent * trend);
    let home_chance = o.home_chance();
    let friction = util.policy.friction(s);
    let u = &s.talent.utility;
    let zones = &util.world.zones;
    // Commutes expected: last month's means, or the zone's road trip to the nearest hub.
    let zone_commute: Vec<f64> = (0..zones.len())
        .map(|z| expectations.zone_commute.get(z).copied().flatten().unwrap_or(zones[z].hub_min))
        .collect();
    let resident_commute =
        expectations.resident_commute.unwrap_or_else(|| zone_commute.iter().copied().fold(f64::INFINITY, f64::min));
    let research_share = |tier: usize| s.talent.tiers[tier].research_share;
    let talent_shares: Vec<f64> = s.sectors.iter().map(|x| x.talent_share).collect();
    let school = |(q, trip): (f64, f64)| u.beta_school * q - u.beta_time * trip;
    for tier in 0..s.talent.tiers.len() {
        let spec = &s.talent.tiers[tier];
        let wage = util.prices.wage[tier] * trend;
        let chance = util.prices.job_chance(tier);
        let subsidised = util.policy.talent_subsidy_on(s, tier);
        let sub = &s.talent.subsidy;
        // The bonus is expected spread over the commitment months.
        let bonus = sub.relocation_bonus / (sub.commitment_months as f64).max(1.0);
        let (rent_sub, bonus) = if subsidised { (sub.rent_subsidy, bonus) } else { (0.0, 0.0) };
        let income = chance * wage + (1.0 - chance) * s.talent.unemployed_income_share * wage + bonus;
        // Living in the corridor (found with chance home_chance), or in an outside zone.
        let u_in = [false, true].map(|child| {
            u.beta_income * util.log_net_income(income, median_rent - rent_sub) - u.beta_time * resident_commute
                + u.beta_amenity * o.amenity
                + if child { school(o.school) } else { 0.0 }
        });
        let u_zone: Vec<[f64; 2]> = zones
            .iter()
            .enumerate()
            .map(|(z, zone)| {
                [false, true].map(|child| {
                    u.beta_income * util.log_net_income(income, zone.rent * trend) - u.beta_time * zone_commute[z]
                        + u.beta_amenity * zone.amenity
                        + if child { school((zone.school_quality, 0.0)) } else { 0.0 }
                })
            })
            .collect();
        let best_zone = [0, 1].map(|c| u_zone.iter().map(|x| x[c]).fold(f64::NEG_INFINITY, f64::max));
        let base_u = [0, 1].map(|c| home_chance * u_in[c].max(best_zone[c]) + (1.0 - home_chance) * best_zone[c]);
        let u_out = [util.outside(tier, false), util.outside(tier, true)];
        let mut rng = Stream::new(seed, Purpose::Arrivals, tier as u64, month);
        let potential = rng.poisson(spec.inflow / s.agent_scale);
        for k in 0..potential {
            let id = population.next_id;
            let mut tr = Stream::new(seed, Purpose::ArrivalTraits, ((tier as u64) << 32) | k, month);
            let a = &s.talent.arrival;
            let age = a.age_min + (a.age_max - a.age_min) * tr.uniform();
            let child = child_age(s, age, &mut tr);
            let with_child = (child >= 0) as usize;
            let p = logistic(a.alpha * (base_u[with_child] - u_out[with_child] - friction));
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
            }
            // The zone it likes best, with its own taste for each.
            let zone = (0..zones.len())
                .map(|z| (u_zone[z][with_child] + u.taste_scale * tr.gumbel(), z))
                .fold((f64::NEG_INFINITY, 0), |b, x| if x.0 > b.0 { x } else { b })
                .1;
            population.agents.push(Talent {
                id,
                commute: zones.get(zone).map_or(0.0, |z| z.hub_min) as f32,
                home: zone_home(zone),
                employer: NO_JOB,
                age_months: (age * MONTHS_PER_YEAR) as u16,
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

/// The age in months of a new household's child (-1 without one): a child with probability
/// `initial_child_share`, born when the parent was between `fertility_age_min` and its age, of
/// school age at most.
pub fn child_age(s: &Scenario, age: f64, tr: &mut Stream) -> i16 {
    if !tr.chance(s.talent.initial_child_share) {
        return -1;
    }
    let oldest = (age - s.talent.fertility_age_min).max(0.0) * MONTHS_PER_YEAR;
    let months = (tr.uniform() * oldest.min((super::SCHOOL_END_MONTHS - 1) as f64)) as i16;
    months.min(super::SCHOOL_END_MONTHS - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::talent::OUTSIDE;
    use crate::agents::testkit::Kit;

    /// Arrivals over `months` months into an empty corridor, from id 100.
    fn arrive(kit: &mut Kit, months: u32) -> (Population, Ledger) {
        let o = Outlook::of(&kit.s, &kit.housing, &kit.prices, &kit.schools, &kit.fields, &kit.world);
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
        assert!(p.agents.iter().all(|t| !t.has(FLAG_SUBSIDISED)));
        assert!(p.agents.iter().enumerate().all(|(i, t)| t.id == 100 + i as u32 && t.tier == 0));
        assert_eq!(p.next_id, 100 + n as u32);

        // When elsewhere pays three times as much, nearly nobody comes.
        kit.s.talent.tiers[0].outside_wage_ratio = 3.0;
        let (few, _) = arrive(&mut kit, 12);
        assert!(few.agents.len() < n / 20, "{} arrivals", few.agents.len());
    }

    #[test]
    fn arrivals_are_marked_for_the_bonus_while_the_subsidy_is_on() {
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
        // The bonus is paid when they start a job (life_course), not on arrival.
        assert_eq!(ledger.cost[crate::policy::Lever::TalentSubsidy], 0.0);
    }
}
