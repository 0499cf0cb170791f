//! Small hand-built states for the unit tests of the mechanisms: an 8 x 4 grid of 1 km cells
//! with two districts (west: x 0-3, east: x 4-7), one hub in the middle, two tiers (`top`,
//! `skilled`), two sectors (`digital`, `bio`), no transit, and owners built directly (no
//! initialisation draws), so that a test states exactly what the mechanism starts from.

use super::firm::{Firm, FirmTable, JobMix, Origin};
use super::housing::Housing;
use super::lab::Lab;
use super::school::Schools;
use super::talent::{Talent, Tenure, Utility, NO_JOB, OUTSIDE};
use super::MAX_TIERS;
use crate::policy::{Ledger, Policy};
use crate::prices::Prices;
use crate::scenario::{DistrictSpec, GridParams, HubSpec, Scenario, SectorSpec, TierSpec};
use crate::world::{Cell, Fields, World};

pub const W: usize = 8;
pub const H: usize = 4;

/// The cell at (x, y).
pub fn cell(x: usize, y: usize) -> Cell {
    (y * W + x) as Cell
}

/// The scenario of the kit (levers off, one agent per household).
pub fn scenario() -> Scenario {
    let district = |name: &str, x0, x1| DistrictSpec {
        name: name.into(),
        x0,
        y0: 0,
        x1,
        y1: (H - 1) as u32,
        primary_seats: 4.0,
        middle_seats: 2.0,
        school_quality: 0.6,
        ..Default::default()
    };
    let mut s = Scenario {
        agent_scale: 1.0,
        grid: GridParams { width: W as u32, height: H as u32, cell_km: 1.0, ..Default::default() },
        districts: vec![district("west", 0, 3), district("east", 4, 7)],
        hubs: vec![HubSpec { name: "centre".into(), x: 4.0, y: 2.0, radius_km: 2.0, ..Default::default() }],
        sectors: vec![
            SectorSpec { name: "digital".into(), ..Default::default() },
            SectorSpec { name: "bio".into(), ..Default::default() },
        ],
        ..Default::default()
    };
    s.talent.tiers = vec![
        TierSpec { name: "top".into(), share: 0.2, wage: 30000.0, ..Default::default() },
        TierSpec { name: "skilled".into(), share: 0.8, wage: 15000.0, ..Default::default() },
    ];
    s
}

/// Every owner of a small corridor, empty of agents: no units, no firms, no labs.
pub struct Kit {
    pub s: Scenario,
    pub world: World,
    pub prices: Prices,
    pub policy: Policy,
    pub schools: Schools,
    pub housing: Housing,
    pub firms: FirmTable,
    pub jobs: JobMix,
    pub labs: Vec<Lab>,
    pub fields: Fields,
    pub ledger: Ledger,
    pub month: u32,
}

impl Kit {
    pub fn new() -> Kit {
        Kit::with(scenario())
    }

    pub fn with(s: Scenario) -> Kit {
        let world = World::build(&s);
        let n = world.cells();
        let mut housing = Housing::new(&s, &world, 1);
        for stock in 0..3 {
            housing.units[stock] = vec![0; n];
            housing.occupied[stock] = vec![0; n];
        }
        housing.capacity = vec![1000; n];
        Kit {
            prices: Prices::new(
                s.talent.tiers.iter().map(|t| t.wage).collect(),
                vec![s.housing.base_rent as f32; n],
                s.housing.base_rent,
            ),
            policy: Policy::new(&s, &world),
            schools: Schools::new(&s),
            housing,
            firms: FirmTable::default(),
            jobs: JobMix::new(&s),
            labs: Vec::new(),
            fields: Fields::new(n),
            ledger: Ledger::new(s.talent.tiers.len(), s.sectors.len()),
            month: 0,
            world,
            s,
        }
    }

    /// The household view of the kit's state.
    pub fn util(&self) -> Utility<'_> {
        Utility {
            s: &self.s,
            month: self.month,
            world: &self.world,
            prices: &self.prices,
            firm_cells: &self.firms.cells,
            firm_premia: &self.firms.premia,
            policy: &self.policy,
            schools: &self.schools,
        }
    }

    /// Adds an alive incumbent firm of `sector` at `cell` with a wage premium of 1.
    pub fn firm(&mut self, sector: u8, cell: Cell) -> u32 {
        self.firms.add(firm(sector, cell), &mut self.ledger)
    }
}

/// An alive incumbent firm with no workers, productivity 1 and no knowledge.
pub fn firm(sector: u8, cell: Cell) -> Firm {
    Firm {
        id: u32::MAX,
        sector,
        origin: Origin::Incumbent,
        alive: true,
        cell,
        birth_month: 0,
        death_month: u32::MAX,
        multiplicity: 1,
        workers: [0; MAX_TIERS],
        vacancies: [0; MAX_TIERS],
        layoffs: [0; MAX_TIERS],
        offsets: [0.0; MAX_TIERS],
        desired: 0.0,
        productivity: 1.0,
        belief_gap: 0.0,
        knowledge: 0.0,
        patent_stock: 0.0,
        wage_premium: 1.0,
        cash: 0.0,
        loss_months: 0,
        empty_months: 0,
        cap_months: 0,
        longest_cap_months: 0,
        subsidy_ytd: 0.0,
        patents_ytd: 0,
        output: 0.0,
        rd: 0.0,
        subsidy: 0.0,
        patents: 0,
    }
}

/// A household aged 30 of `tier` and sector 0, living in `home` (OUTSIDE for none) as a market
/// tenant, with no job and no child.
pub fn household(id: u32, tier: u8, home: Cell) -> Talent {
    Talent {
        id,
        commute: 0.0,
        home,
        employer: NO_JOB,
        age_months: 360,
        child_age_months: -1,
        months_unemployed: 0,
        months_in_corridor: 12,
        waitlist_since: 0,
        tier,
        sector: 0,
        tenure: if home == OUTSIDE { Tenure::Outside } else { Tenure::Market },
        flags: 0,
        seat_district: -1,
        seat_level: 0,
    }
}
