//! The public accounts: what each lever costs every month while it is on, what its programme takes
//! back, and the present value of both. One-off costs are booked where they arise (housing
//! projects when started, school seats when opened, challenge grants, relocation bonuses when a
//! subsidised household starts its first job in the corridor, rent subsidies as paid, R&D
//! subsidies as firms claim them); clawed-back bonuses when a household leaves within the
//! commitment. Each lever's cost comes from its own programme.
//!
//! All money is in yuan of the start year; lever amounts the scenario gives are real and fixed.

use crate::agents::housing::{Housing, SHARED, TALENT};
use crate::agents::lab::Lab;
use crate::agents::school::Schools;
use crate::policy::{Ledger, Lever, PerLever, Policy};
use crate::prices::MONTHS_PER_YEAR;
use crate::scenario::Scenario;
use crate::world::World;

/// The programmes whose recurring costs and receipts are booked this month.
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
    /// Adds the month's recurring costs and receipts to the ledger.
    pub fn book(&self, ledger: &mut Ledger) {
        let s = self.s;
        let p = self.policy;
        let scale = s.agent_scale;
        let month = self.month as i64;
        let (cost, receipts) = (&mut ledger.cost, &mut ledger.receipts);
        // Receipts of the housing programmes: the rents of occupied talent units and the monthly
        // payments of shared-ownership households.
        let h = &s.housing;
        let (mut talent_rents, mut shared_payments) = (0.0, 0.0);
        for c in 0..self.world.cells() {
            let rent = self.rent[c] as f64;
            talent_rents += self.housing.occupied[TALENT][c] as f64 * rent * h.talent_units.rent_share;
            shared_payments +=
                self.housing.occupied[SHARED][c] as f64 * rent * h.price_to_rent_months * h.shared_cost_share;
        }
        receipts[Lever::TalentHousing] += talent_rents * scale;
        receipts[Lever::SharedOwnership] += shared_payments * scale;
        // Each seat programme at its own operating cost.
        for (seats, l) in self.schools.programme_seats.iter().zip(&s.schools.new_seats) {
            cost[Lever::SchoolSeats] += seats * scale * l.operating_cost_per_seat_year / MONTHS_PER_YEAR;
        }
        let co = &s.schools.coordination;
        if p.active(co.start_year, co.end_year) {
            cost[Lever::SchoolCoordination] +=
                self.schools.coordinated as f64 * scale * co.cost_per_pupil_year / MONTHS_PER_YEAR;
        }
        let f = &s.talent.friction;
        if p.active(f.start_year, f.end_year) && f.reduction > 0.0 {
            cost[Lever::MigrationServices] += f.cost_per_year / MONTHS_PER_YEAR;
        }
        // Every incubator place of the programme, wherever it is hosted.
        let inc = &s.incubators;
        if p.active(inc.start_year, inc.end_year) && !p.incubator_hubs.is_empty() {
            cost[Lever::Incubators] += inc.capacity * inc.cost_per_place_year / MONTHS_PER_YEAR;
        }
        let cc = &s.digital.compute_centre;
        if p.active(cc.start_year, cc.end_year) && cc.boost > 0.0 {
            cost[Lever::ComputeCentre] += cc.cost_per_year / MONTHS_PER_YEAR;
        }
        // New lines are the last of the travel model's lines, in the order of `new_lines`.
        let first_new = self.world.travel.lines.len() - s.transit.new_lines.len();
        for (l, spec) in self.world.travel.lines[first_new..].iter().zip(&s.transit.new_lines) {
            let build = spec.build_years as f64 * MONTHS_PER_YEAR;
            let build_start = l.open_month - build as i64;
            if month >= build_start && month < l.open_month {
                cost[Lever::Transit] += spec.capex / build;
            } else if month >= l.open_month {
                cost[Lever::Transit] += spec.operating_cost_per_year / MONTHS_PER_YEAR;
            }
        }
        let mult = p.lab_budget_multiplier(s);
        for l in self.labs {
            if l.is_new {
                if month >= l.open_month - l.build_months && month < l.open_month {
                    cost[Lever::NewLabs] += l.capex / l.build_months as f64;
                } else if month >= l.open_month {
                    cost[Lever::NewLabs] += l.budget_per_year * mult / MONTHS_PER_YEAR;
                }
            } else if l.is_open(self.month) && mult != 1.0 {
                cost[Lever::LabBudget] += l.budget_per_year * (mult - 1.0) / MONTHS_PER_YEAR;
            }
        }
    }
}

/// The accounts carried from month to month: present values at the start of the run (at
/// `output.discount_rate`) of each lever's gross cost and receipts so far, and the public assets
/// its programme holds (policy housing at its written-down cost).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Accounts {
    pub pv_cost: PerLever<f64>,
    pub pv_receipts: PerLever<f64>,
    /// Value of the assets held at the end of the month, yuan, and its discount factor.
    pub assets: PerLever<f64>,
    pub discount: f64,
}

impl Accounts {
    /// Adds the month's ledger, discounted to the start of the run, and values the assets held.
    pub fn close_month(&mut self, s: &Scenario, ledger: &Ledger, housing: &Housing, month: u32) {
        self.discount = (1.0 + s.output.discount_rate).powf(-(month as f64) / MONTHS_PER_YEAR);
        for l in Lever::ALL {
            self.pv_cost[l] += ledger.cost[l] * self.discount;
            self.pv_receipts[l] += ledger.receipts[l] * self.discount;
        }
        self.assets = housing.asset_value(s, month);
    }

    /// Present value of a lever's net cost so far: gross cost less receipts, less the present
    /// value of the assets its programme still holds.
    pub fn pv_net(&self, l: Lever) -> f64 {
        self.pv_cost[l] - self.pv_receipts[l] - self.assets[l] * self.discount
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::testkit::Kit;
    use crate::scenario::{NewSeatsLever, TransitLineSpec};

    fn book(kit: &Kit, month: u32) -> Ledger {
        let mut ledger = kit.ledger.clone();
        Recurring {
            s: &kit.s,
            policy: &kit.policy,
            world: &kit.world,
            month,
            housing: &kit.housing,
            rent: &kit.prices.rent,
            schools: &kit.schools,
            labs: &kit.labs,
        }
        .book(&mut ledger);
        ledger
    }

    #[test]
    fn incubators_cost_every_place_of_the_programme() {
        let mut s = crate::agents::testkit::scenario();
        s.hubs.push(crate::scenario::HubSpec { name: "second".into(), x: 1.0, y: 1.0, ..Default::default() });
        s.incubators.capacity = 600.0;
        s.incubators.cost_per_place_year = 24_000.0;
        let kit = Kit::with(s);
        // 600 places at 24 000 yuan a year, whatever the number of hubs hosting them.
        assert_eq!(book(&kit, 0).cost[Lever::Incubators], 600.0 * 24_000.0 / 12.0);
    }

    #[test]
    fn each_seat_programme_pays_its_own_operating_cost() {
        let mut s = crate::agents::testkit::scenario();
        let programme = |name: &str, district: &str, primary: f64, ops: f64| NewSeatsLever {
            name: name.into(),
            district: district.into(),
            primary_per_year: primary,
            operating_cost_per_seat_year: ops,
            cost_per_seat: 100.0,
            ..Default::default()
        };
        s.schools.new_seats =
            vec![programme("west_new", "west", 12.0, 6000.0), programme("idle", "east", 0.0, 900_000.0)];
        let mut kit = Kit::with(s);
        let mut capital = PerLever::default();
        kit.schools.open_new_seats(&kit.s, kit.s.start_year, &mut capital);
        assert_eq!(capital[Lever::SchoolSeats], 12.0 * 100.0, "capital cost of the seats opened");
        // 12 seats at 6 000 yuan a year; the programme without seats costs nothing.
        assert_eq!(book(&kit, 0).cost[Lever::SchoolSeats], 12.0 * 6000.0 / 12.0);
    }

    #[test]
    fn each_new_line_is_charged_its_own_capital_and_operating_cost() {
        let mut s = crate::agents::testkit::scenario();
        let line = |capex: f64, ops: f64, open_year: i32| TransitLineSpec {
            name: "line".into(),
            stations: vec![[0.5, 0.5], [7.5, 0.5]],
            capex,
            build_years: 2,
            operating_cost_per_year: ops,
            open_year,
            ..Default::default()
        };
        // Two lines named alike (validation rejects that in a scenario file): each is charged
        // from its own entry.
        s.transit.new_lines = vec![line(2.4e9, 1.2e8, s.start_year + 1), line(4.8e9, 2.4e8, s.start_year + 3)];
        let kit = Kit::with(s);
        // Month 0: both are being built (24 months before their opening).
        assert_eq!(book(&kit, 0).cost[Lever::Transit], 2.4e9 / 24.0);
        assert_eq!(book(&kit, 12).cost[Lever::Transit], 1.2e8 / 12.0 + 4.8e9 / 24.0);
        assert_eq!(book(&kit, 40).cost[Lever::Transit], (1.2e8 + 2.4e8) / 12.0);
    }

    #[test]
    fn a_new_lab_spends_its_capex_over_its_own_construction_years_then_its_budget() {
        let s = crate::agents::testkit::scenario();
        let spec = crate::scenario::LabSpec {
            name: "facility".into(),
            sector: s.sectors[0].name.clone(),
            x: 2.5,
            y: 1.5,
            capex: 1.2e9,
            build_years: 2,
            budget_per_year: 2.4e8,
            open_year: s.start_year + 2,
            ..Default::default()
        };
        let mut kit = Kit::with(s);
        let lab = crate::agents::lab::Lab::from_spec(&kit.s, &kit.world, &spec, true);
        kit.labs.push(lab);
        // 24 months of construction from month 0, then the budget (multiplier 1).
        assert_eq!(book(&kit, 0).cost[Lever::NewLabs], 1.2e9 / 24.0);
        assert_eq!(book(&kit, 23).cost[Lever::NewLabs], 1.2e9 / 24.0);
        assert_eq!(book(&kit, 24).cost[Lever::NewLabs], 2.4e8 / 12.0);
        // Three years of construction: the same capex over 36 months.
        kit.labs[0].build_months = 36;
        assert_eq!(book(&kit, 0).cost[Lever::NewLabs], 1.2e9 / 36.0);
    }

    #[test]
    fn talent_housing_is_booked_gross_and_net_of_rents_and_the_asset_kept() {
        let mut kit = Kit::new();
        kit.s.housing.talent_units.cost_per_unit = 300_000.0;
        kit.s.housing.building_life_years = 50.0;
        let c = crate::agents::testkit::cell(2, 1);
        kit.housing.units[TALENT][c as usize] = 4;
        kit.housing.occupied[TALENT][c as usize] = 3;
        kit.housing.policy_built.push(crate::agents::housing::PolicyCohort {
            stock: TALENT,
            completion_month: 0,
            units: 4,
        });
        let ledger = book(&kit, 120);
        let rent = kit.prices.rent[c as usize] as f64;
        assert!(
            (ledger.receipts[Lever::TalentHousing] - 3.0 * rent * kit.s.housing.talent_units.rent_share).abs() < 1e-6
        );
        let mut acc = Accounts::default();
        acc.close_month(&kit.s, &ledger, &kit.housing, 120);
        // Ten years into a fifty-year life: four fifths of the cost is still an asset.
        assert!((acc.assets[Lever::TalentHousing] - 4.0 * 300_000.0 * 0.8).abs() < 1e-6);
        let d = 1.08f64.powf(-10.0);
        assert!((acc.discount - d).abs() < 1e-12);
        let net = -ledger.receipts[Lever::TalentHousing] * d - 4.0 * 300_000.0 * 0.8 * d;
        assert!((acc.pv_net(Lever::TalentHousing) - net).abs() < 1e-6);
    }
}
