//! Scaling a corridor: the same corridor with k times the people, firms, land, seats, budgets and
//! programmes, so that every per-person quantity stays as it was. Used by the benchmarks to run the
//! default model at 10^5 to 3·10^6 talent agents.

use super::types::Scenario;

/// Returns `s` with `agents` talent agents at `agent_scale` people per agent: every population-like
/// quantity is multiplied by k = agents · agent_scale / talent.initial.
pub fn scaled(s: &Scenario, agents: f64, agent_scale: f64) -> Scenario {
    let mut s = s.clone();
    let k = agents * agent_scale / s.talent.initial.max(1.0);
    s.agent_scale = agent_scale;
    s.talent.initial *= k;
    for t in &mut s.talent.tiers {
        t.inflow *= k;
    }
    s.grid.housing_capacity *= k;
    s.grid.office_capacity *= k;
    for d in &mut s.districts {
        d.primary_seats *= k;
        d.middle_seats *= k;
    }
    s.firms.initial *= k;
    s.firms.relocation_rate *= k;
    s.firms.density_ref *= k;
    for l in s.labs.sites.iter_mut().chain(s.labs.new.iter_mut()) {
        l.budget_per_year *= k;
        l.capex *= k;
    }
    s.housing.land_quota.units_per_year *= k;
    s.housing.talent_units.units_per_year *= k;
    s.housing.shared_ownership_units.units_per_year *= k;
    s.housing.max_project_units *= k;
    for n in &mut s.schools.new_seats {
        n.primary_per_year *= k;
        n.middle_per_year *= k;
    }
    s.incubators.capacity *= k;
    s.incubators.half_capacity *= k;
    s.rd.challenge_grants.budget_per_year *= k;
    s.rd.challenge_grants.winners = ((s.rd.challenge_grants.winners as f64) * k).round().max(1.0) as u32;
    s.talent.friction.cost_per_year *= k;
    s.digital.compute_centre.cost_per_year *= k;
    s
}
