//! Policy levers: which are active in a month, where they apply, and their public cost.
//!
//! Lever amounts live in the scenario (`rd.subsidy_rate`, `housing.talent_units`, ...); this module
//! turns names into masks once, answers "is it on this year, here, for this tier", and names the
//! cost accounts that the run reports per lever.

mod ledger;
mod rd_fund;

pub use ledger::{Ledger, PerLever, PerOrigin};
pub use rd_fund::pro_rata_share;

use crate::scenario::Scenario;
use crate::world::World;

/// A public-cost account, one per lever family of the decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(usize)]
pub enum Lever {
    TalentHousing,
    SharedOwnership,
    SchoolSeats,
    SchoolCoordination,
    RdSubsidy,
    ChallengeGrants,
    TalentSubsidy,
    MigrationServices,
    FailureTolerance,
    Incubators,
    Transit,
    NewLabs,
    LabBudget,
    ComputeCentre,
}

impl Lever {
    /// Number of public-cost accounts.
    pub const COUNT: usize = 14;
    pub const ALL: [Lever; Lever::COUNT] = [
        Lever::TalentHousing,
        Lever::SharedOwnership,
        Lever::SchoolSeats,
        Lever::SchoolCoordination,
        Lever::RdSubsidy,
        Lever::ChallengeGrants,
        Lever::TalentSubsidy,
        Lever::MigrationServices,
        Lever::FailureTolerance,
        Lever::Incubators,
        Lever::Transit,
        Lever::NewLabs,
        Lever::LabBudget,
        Lever::ComputeCentre,
    ];

    /// Chinese name for charts and reports.
    pub fn name_zh(self) -> &'static str {
        match self {
            Lever::TalentHousing => "人才住房",
            Lever::SharedOwnership => "共有产权房",
            Lever::SchoolSeats => "新增学位",
            Lever::SchoolCoordination => "招生统筹",
            Lever::RdSubsidy => "研发补贴",
            Lever::ChallengeGrants => "揭榜挂帅",
            Lever::TalentSubsidy => "人才补贴",
            Lever::MigrationServices => "一站式人才服务",
            Lever::FailureTolerance => "容错机制",
            Lever::Incubators => "孵化器",
            Lever::Transit => "轨道交通",
            Lever::NewLabs => "新建实验室",
            Lever::LabBudget => "实验室经费",
            Lever::ComputeCentre => "算力中心",
        }
    }

    /// English name for charts and reports.
    pub fn label(self) -> &'static str {
        match self {
            Lever::TalentHousing => "Talent housing",
            Lever::SharedOwnership => "Shared-ownership housing",
            Lever::SchoolSeats => "New school seats",
            Lever::SchoolCoordination => "Enrolment coordination",
            Lever::RdSubsidy => "R&D subsidy",
            Lever::ChallengeGrants => "Challenge grants",
            Lever::TalentSubsidy => "Talent subsidy",
            Lever::MigrationServices => "One-stop talent services",
            Lever::FailureTolerance => "Failure tolerance",
            Lever::Incubators => "Incubators",
            Lever::Transit => "Transit",
            Lever::NewLabs => "New labs and facilities",
            Lever::LabBudget => "Lab budgets",
            Lever::ComputeCentre => "Compute centre",
        }
    }

    /// What the lever's public-cost account counts (as the model books it), gross, and what its
    /// programme takes back (the `receipts_<lever>` column).
    pub fn cost_definition(self) -> &'static str {
        match self {
            Lever::TalentHousing => {
                "gross: `cost_per_unit` of the talent units started (in January); receipts: the rents of occupied talent units (`rent_share` of the market rent); the units are an asset written down over `housing.building_life_years`"
            }
            Lever::SharedOwnership => {
                "gross: `cost_per_unit` of the shared-ownership units started (in January); receipts: the monthly payments of their households (`housing.shared_cost_share` of the price); the units are an asset written down over `housing.building_life_years`"
            }
            Lever::SchoolSeats => {
                "capital cost of the seats opened (in September), and each month every programme's seats opened so far at its own `operating_cost_per_seat_year`"
            }
            Lever::SchoolCoordination => "cost per coordinated pupil per year, monthly, while the lever is on",
            Lever::RdSubsidy => "subsidy rate times eligible firm R&D, at most `rd.cap` per firm per year, pro rata within `rd.fund_per_year`",
            Lever::ChallengeGrants => "the year's grant budget, in January",
            Lever::TalentSubsidy => {
                "relocation bonuses when a subsidised household starts its first job in the corridor, and rent subsidies as they are paid; receipts: `clawback_share` of the bonus of a household that leaves within `commitment_months`"
            }
            Lever::MigrationServices => "the services' cost per year, monthly, while the lever is on",
            Lever::FailureTolerance => "cost per start-up founded while the lever is on",
            Lever::Incubators => {
                "every incubator place of the programme (`incubators.capacity`) times the cost per place per year, monthly, while the lever is on"
            }
            Lever::Transit => {
                "each new line's capital cost spread over its build years, then its operating cost"
            }
            Lever::NewLabs => "capital cost over the 36 months before opening, then the budget (times the budget multiplier)",
            Lever::LabBudget => "the extra budget of existing labs from the budget multiplier",
            Lever::ComputeCentre => "the centre's cost per year, monthly, while the lever is on",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Lever::TalentHousing => "talent_housing",
            Lever::SharedOwnership => "shared_ownership",
            Lever::SchoolSeats => "school_seats",
            Lever::SchoolCoordination => "school_coordination",
            Lever::RdSubsidy => "rd_subsidy",
            Lever::ChallengeGrants => "challenge_grants",
            Lever::TalentSubsidy => "talent_subsidy",
            Lever::MigrationServices => "migration_services",
            Lever::FailureTolerance => "failure_tolerance",
            Lever::Incubators => "incubators",
            Lever::Transit => "transit",
            Lever::NewLabs => "new_labs",
            Lever::LabBudget => "lab_budget",
            Lever::ComputeCentre => "compute_centre",
        }
    }
}

/// Lever scopes resolved to masks, and the calendar year of the current month.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub year: i32,
    pub rd_sectors: Vec<bool>,
    pub rd_districts: Vec<bool>,
    pub challenge_sectors: Vec<bool>,
    pub talent_subsidy_tiers: Vec<bool>,
    pub talent_subsidy_districts: Vec<bool>,
    pub talent_unit_tiers: Vec<bool>,
    pub shared_unit_tiers: Vec<bool>,
    pub compute_districts: Vec<bool>,
    /// Hubs that host incubators (indices).
    pub incubator_hubs: Vec<usize>,
    /// Per cell: relative rise of spin-off and founding rates from incubators this year.
    pub incubator_boost: Vec<f32>,
    /// The share of its R&D subsidy claims the programme pays this month (1 unless
    /// `rd.fund_per_year` is short of them; set by the engine before firms step).
    pub rd_ratio: f64,
}

fn mask(names: &[String], all: &[&str]) -> Vec<bool> {
    if names.is_empty() {
        return Vec::new();
    }
    all.iter().map(|n| names.iter().any(|x| x == n)).collect()
}

impl Policy {
    pub fn new(s: &Scenario, world: &World) -> Policy {
        let sectors: Vec<&str> = s.sectors.iter().map(|x| x.name.as_str()).collect();
        let districts: Vec<&str> = s.districts.iter().map(|x| x.name.as_str()).collect();
        let tiers: Vec<&str> = s.talent.tiers.iter().map(|x| x.name.as_str()).collect();
        let hubs: Vec<&str> = s.hubs.iter().map(|x| x.name.as_str()).collect();
        let incubator_hubs = if s.incubators.hubs.is_empty() {
            (0..hubs.len()).collect()
        } else {
            hubs.iter().enumerate().filter(|(_, h)| s.incubators.hubs.iter().any(|x| x == *h)).map(|(i, _)| i).collect()
        };
        let mut p = Policy {
            year: s.start_year,
            rd_sectors: mask(&s.rd.sectors, &sectors),
            rd_districts: mask(&s.rd.districts, &districts),
            challenge_sectors: mask(&s.rd.challenge_grants.sectors, &sectors),
            talent_subsidy_tiers: mask(&s.talent.subsidy.tiers, &tiers),
            talent_subsidy_districts: mask(&s.talent.subsidy.districts, &districts),
            talent_unit_tiers: mask(&s.housing.talent_units.eligible_tiers, &tiers),
            shared_unit_tiers: mask(&s.housing.shared_ownership_units.eligible_tiers, &tiers),
            compute_districts: mask(&s.digital.compute_centre.districts, &districts),
            incubator_hubs,
            incubator_boost: vec![0.0; world.cells()],
            rd_ratio: 1.0,
        };
        p.set_month(s, world, 0);
        p
    }

    /// Moves the calendar to `month` (since the start) and refreshes yearly fields in January.
    pub fn set_month(&mut self, s: &Scenario, world: &World, month: u32) {
        self.year = s.start_year + (month / 12) as i32;
        if month % 12 == 0 {
            self.refresh_incubators(s, world);
        }
    }

    pub fn active(&self, start: i32, end: i32) -> bool {
        self.year >= start && self.year <= end
    }

    /// True when `d` is in the mask (an empty mask means everywhere).
    #[inline]
    pub fn in_districts(&self, mask: &[bool], d: i16) -> bool {
        mask.is_empty() || (d >= 0 && mask.get(d as usize).copied().unwrap_or(false))
    }

    #[inline]
    pub fn in_mask(mask: &[bool], i: usize) -> bool {
        mask.is_empty() || mask.get(i).copied().unwrap_or(false)
    }

    /// Incubator places per hosting hub this year.
    pub fn incubator_places(&self, s: &Scenario) -> f64 {
        let inc = &s.incubators;
        if !self.active(inc.start_year, inc.end_year) || self.incubator_hubs.is_empty() {
            0.0
        } else {
            inc.capacity / self.incubator_hubs.len() as f64
        }
    }

    fn refresh_incubators(&mut self, s: &Scenario, world: &World) {
        let inc = &s.incubators;
        let places = self.incubator_places(s);
        let strength = if places > 0.0 { inc.max_boost * places / (places + inc.half_capacity) } else { 0.0 };
        for c in 0..world.cells() {
            let mut b = 0.0;
            if strength > 0.0 {
                for &h in &self.incubator_hubs {
                    let hub = &world.hubs[h];
                    let d = world.distance_to_point_km(c as u32, hub.x, hub.y);
                    b += strength * (-d / inc.reach_km).exp();
                }
            }
            self.incubator_boost[c] = b as f32;
        }
    }

    /// R&D subsidy rate for a firm of `sector` in district `d` this month: the rate it claims
    /// times the programme's pro-rata ratio.
    pub fn rd_rate(&self, s: &Scenario, sector: usize, d: i16) -> f64 {
        self.rd_claim_rate(s, sector, d) * self.rd_ratio
    }

    /// The R&D subsidy rate for a firm of `sector` in district `d` this month before the
    /// programme's pro-rata ratio.
    pub fn rd_claim_rate(&self, s: &Scenario, sector: usize, d: i16) -> f64 {
        if self.active(s.rd.start_year, s.rd.end_year)
            && Policy::in_mask(&self.rd_sectors, sector)
            && self.in_districts(&self.rd_districts, d)
        {
            s.rd.subsidy_rate
        } else {
            0.0
        }
    }

    /// The largest R&D subsidy a firm is paid in a year at this month's pro-rata ratio.
    pub fn rd_cap(&self, s: &Scenario) -> f64 {
        s.rd.cap * self.rd_ratio
    }

    /// Compute-centre boost of innovation for a firm of a digital sector in district `d`.
    pub fn compute_boost(&self, s: &Scenario, digital: bool, d: i16) -> f64 {
        let cc = &s.digital.compute_centre;
        if digital && self.active(cc.start_year, cc.end_year) && self.in_districts(&self.compute_districts, d) {
            cc.boost
        } else {
            0.0
        }
    }

    /// Multiplier of founding rates from failure tolerance this year.
    pub fn founding_multiplier(&self, s: &Scenario) -> f64 {
        let ft = &s.talent.failure_tolerance;
        if self.active(ft.start_year, ft.end_year) {
            1.0 + ft.founding_boost
        } else {
            1.0
        }
    }

    /// Migration friction this year.
    pub fn friction(&self, s: &Scenario) -> f64 {
        let f = &s.talent.friction;
        let reduction = if self.active(f.start_year, f.end_year) { f.reduction } else { 0.0 };
        s.talent.arrival.friction * (1.0 - reduction)
    }

    pub fn talent_subsidy_on(&self, s: &Scenario, tier: usize) -> bool {
        let l = &s.talent.subsidy;
        self.active(l.start_year, l.end_year)
            && (l.relocation_bonus > 0.0 || l.rent_subsidy > 0.0)
            && Policy::in_mask(&self.talent_subsidy_tiers, tier)
    }

    pub fn lab_budget_multiplier(&self, s: &Scenario) -> f64 {
        let b = &s.labs.budget;
        if self.active(b.start_year, b.end_year) {
            b.multiplier
        } else {
            1.0
        }
    }
}
