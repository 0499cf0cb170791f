//! The public accounts: what each lever costs every month while it is on. One-off costs are
//! booked where they arise (housing projects when started, school seats when opened, challenge
//! grants, relocation bonuses on arrival, rent subsidies as paid, R&D subsidies as firms claim
//! them).

use crate::agents::housing::{Housing, TALENT};
use crate::agents::lab::Lab;
use crate::agents::school::Schools;
use crate::policy::{Lever, PerLever, Policy};
use crate::scenario::Scenario;
use crate::world::World;

/// The programmes whose recurring costs are booked this month.
pub struct Recurring<'a> {
    pub s: &'a Scenario,
    pub policy: &'a Policy,
    pub world: &'a World,
    pub month: u32,
    pub housing: &'a Housing,
    /// Market rents per cell.
    pub rent: &'a [f32],
    pub schools: &'a Schools,
    pub labs: &'a [Lab],
}

impl Recurring<'_> {
    /// Adds the month's recurring costs to `cost`.
    pub fn book(&self, cost: &mut PerLever<f64>) {
        let s = self.s;
        let p = self.policy;
        let scale = s.agent_scale;
        let month = self.month as i64;
        // Talent units: the rent discount forgone on occupied units.
        let share = 1.0 - s.housing.talent_units.rent_share;
        let mut forgone = 0.0;
        for c in 0..self.world.cells() {
            let occ = self.housing.occupied[TALENT][c];
            if occ > 0 {
                forgone += occ as f64 * self.rent[c] as f64 * share;
            }
        }
        cost[Lever::TalentHousing] += forgone * scale;
        let ops: f64 = s.schools.new_seats.iter().map(|l| l.operating_cost_per_seat_year).fold(0.0, f64::max);
        cost[Lever::SchoolSeats] += self.schools.lever_seats * scale * ops / 12.0;
        let co = &s.schools.coordination;
        if p.active(co.start_year, co.end_year) {
            cost[Lever::SchoolCoordination] += self.schools.coordinated as f64 * scale * co.cost_per_pupil_year / 12.0;
        }
        let f = &s.talent.friction;
        if p.active(f.start_year, f.end_year) && f.reduction > 0.0 {
            cost[Lever::MigrationServices] += f.cost_per_year / 12.0;
        }
        cost[Lever::Incubators] += p.incubator_places(s) * s.incubators.cost_per_place_year / 12.0;
        let cc = &s.digital.compute_centre;
        if p.active(cc.start_year, cc.end_year) && cc.boost > 0.0 {
            cost[Lever::ComputeCentre] += cc.cost_per_year / 12.0;
        }
        for l in &self.world.travel.lines {
            if !l.is_new {
                continue;
            }
            let spec = s.transit.new_lines.iter().find(|x| x.name == l.name);
            let Some(spec) = spec else { continue };
            let build_start = l.open_month - spec.build_years as i64 * 12;
            if month >= build_start && month < l.open_month {
                cost[Lever::Transit] += spec.capex / (spec.build_years as f64 * 12.0);
            } else if month >= l.open_month {
                cost[Lever::Transit] += spec.operating_cost_per_year / 12.0;
            }
        }
        let mult = p.lab_budget_multiplier(s);
        for l in self.labs {
            if l.is_new {
                if month >= l.open_month - 36 && month < l.open_month {
                    cost[Lever::NewLabs] += l.capex / 36.0;
                } else if month >= l.open_month {
                    cost[Lever::NewLabs] += l.budget_per_year * mult / 12.0;
                }
            } else if l.is_open(self.month) && mult != 1.0 {
                cost[Lever::LabBudget] += l.budget_per_year * (mult - 1.0) / 12.0;
            }
        }
    }
}
