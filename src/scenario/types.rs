//! The scenario schema: every key a scenario file may hold, with its default.
//!
//! Units: money in yuan (per month unless the key says `_per_year`), distances in km, times in
//! minutes or months as named, coordinates in grid cells (x from west, y from north). The meaning,
//! unit and allowed range of every key are listed in [`super::schema`], which also drives
//! validation and `docs/SCENARIO.md`.

use serde::{Deserialize, Serialize};

/// A whole scenario, as resolved (after `extends` and `--set`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scenario {
    /// Short name, used for the output folder.
    pub name: String,
    pub title: String,
    pub title_zh: String,
    /// Path of a scenario this one overrides (resolved relative to this file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    pub start_year: i32,
    pub years: u32,
    pub seed: u64,
    /// People (and housing units) one talent agent stands for.
    pub agent_scale: f64,
    pub grid: GridParams,
    pub districts: Vec<DistrictSpec>,
    pub hubs: Vec<HubSpec>,
    pub transit: TransitParams,
    pub sectors: Vec<SectorSpec>,
    pub talent: TalentParams,
    pub housing: HousingParams,
    pub schools: SchoolParams,
    pub labs: LabParams,
    pub firms: FirmParams,
    pub rd: RdLever,
    pub incubators: IncubatorLever,
    pub digital: DigitalParams,
    pub output: OutputParams,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            name: "scenario".into(),
            title: String::new(),
            title_zh: String::new(),
            extends: None,
            start_year: 2022,
            years: 20,
            seed: 1,
            agent_scale: 1.0,
            grid: GridParams::default(),
            districts: Vec::new(),
            hubs: Vec::new(),
            transit: TransitParams::default(),
            sectors: Vec::new(),
            talent: TalentParams::default(),
            housing: HousingParams::default(),
            schools: SchoolParams::default(),
            labs: LabParams::default(),
            firms: FirmParams::default(),
            rd: RdLever::default(),
            incubators: IncubatorLever::default(),
            digital: DigitalParams::default(),
            output: OutputParams::default(),
        }
    }
}

impl Scenario {
    pub fn months(&self) -> u32 {
        self.years * 12
    }
    pub fn end_year(&self) -> i32 {
        self.start_year + self.years as i32 - 1
    }
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DistanceMetric {
    Euclidean,
    Manhattan,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GridParams {
    pub width: u32,
    pub height: u32,
    pub cell_km: f64,
    pub distance: DistanceMetric,
    pub road_kmh: f64,
    pub base_amenity: f64,
    /// Housing units a cell can hold at most (real units).
    pub housing_capacity: f64,
    /// Share of the housing capacity built at the start, before hub weights.
    pub initial_housing_fill: f64,
    /// Office jobs a cell can hold at most.
    pub office_capacity: f64,
    /// Housing and office land of a cell away from every hub, as shares of the hub-centre
    /// capacities (the hub kernels add to them).
    pub base_housing_land: f64,
    pub base_office_land: f64,
    /// Largest land of a cell where hub kernels overlap, as a multiple of the hub-centre capacity.
    pub max_land_factor: f64,
    /// Minutes added to every road trip for parking and walking at both ends.
    pub road_terminal_min: f64,
    /// Places outside the corridor where households that work in it live (the commuter belt).
    pub outside_zones: Vec<OutsideZoneSpec>,
    /// CSV raster files that override a layer cell by cell.
    pub layers: Vec<LayerFile>,
}

impl Default for GridParams {
    fn default() -> Self {
        GridParams {
            width: 80,
            height: 24,
            cell_km: 0.5,
            distance: DistanceMetric::Euclidean,
            road_kmh: 25.0,
            base_amenity: 0.3,
            housing_capacity: 3000.0,
            initial_housing_fill: 0.25,
            office_capacity: 6000.0,
            base_housing_land: 0.08,
            base_office_land: 0.02,
            max_land_factor: 1.5,
            road_terminal_min: 5.0,
            outside_zones: vec![OutsideZoneSpec::default()],
            layers: Vec::new(),
        }
    }
}

/// A place outside the corridor where households live and from which they commute in: its own
/// rents, amenity, schools and commutes (by road, and by the transit lines that reach it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutsideZoneSpec {
    pub name: String,
    pub name_zh: String,
    /// Centre in cell coordinates (off the grid: x < 0 west, x >= width east, and so on).
    pub x: f64,
    pub y: f64,
    /// Monthly rent of a dwelling like the corridor's, yuan of the start year (indexed).
    pub rent: f64,
    pub amenity: f64,
    /// Quality of the schools where the zone's children are seated.
    pub school_quality: f64,
    /// Transit lines that reach the zone (names of `transit.lines` or `transit.new_lines`).
    pub lines: Vec<String>,
    /// Minutes from a home in the zone to the station of a listed line nearest the zone.
    pub station_min: f64,
}

impl Default for OutsideZoneSpec {
    fn default() -> Self {
        OutsideZoneSpec {
            name: "outside".into(),
            name_zh: "走廊外".into(),
            x: -20.0,
            y: 0.0,
            rent: 3000.0,
            amenity: 0.4,
            school_quality: 0.6,
            lines: Vec::new(),
            station_min: 20.0,
        }
    }
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LayerKind {
    Amenity,
    HousingCapacity,
    OfficeCapacity,
    District,
    InitialHousing,
}

impl LayerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LayerKind::Amenity => "amenity",
            LayerKind::HousingCapacity => "housing_capacity",
            LayerKind::OfficeCapacity => "office_capacity",
            LayerKind::District => "district",
            LayerKind::InitialHousing => "initial_housing",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerFile {
    pub layer: LayerKind,
    /// CSV file, `height` rows of `width` numbers, relative to the scenario file.
    pub file: String,
    /// Filled in at load time: the values read from the file (row-major, y then x).
    #[serde(default, skip_serializing)]
    pub values: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DistrictSpec {
    pub name: String,
    pub name_zh: String,
    /// Display name for charts and reports where `name` is a slug (default: `name` in title case).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// Inclusive cell rectangle; later districts overwrite earlier ones where they overlap.
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
    pub primary_seats: f64,
    pub middle_seats: f64,
    /// School quality index in 0..1.
    pub school_quality: f64,
}

impl Default for DistrictSpec {
    fn default() -> Self {
        DistrictSpec {
            name: String::new(),
            name_zh: String::new(),
            title: String::new(),
            x0: 0,
            y0: 0,
            x1: 0,
            y1: 0,
            primary_seats: 0.0,
            middle_seats: 0.0,
            school_quality: 0.6,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HubSpec {
    pub name: String,
    pub name_zh: String,
    /// Display name for charts and reports where `name` is a slug (default: `name` in title case).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub title: String,
    pub kind: String,
    pub x: f64,
    pub y: f64,
    pub radius_km: f64,
    /// Weight of the hub in housing capacity, office capacity and amenity (kernel peak).
    pub housing: f64,
    pub office: f64,
    pub amenity: f64,
    /// Initial market-rent premium at the hub centre (share of the base rent).
    pub rent_premium: f64,
}

impl Default for HubSpec {
    fn default() -> Self {
        HubSpec {
            name: String::new(),
            name_zh: String::new(),
            title: String::new(),
            kind: "centre".into(),
            x: 0.0,
            y: 0.0,
            radius_km: 2.0,
            housing: 1.0,
            office: 1.0,
            amenity: 0.5,
            rent_premium: 0.0,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TransitParams {
    /// Speed of the walk/feeder trip to and from stations, km/h.
    pub access_kmh: f64,
    /// Mean wait and transfer time per transit trip, minutes.
    pub wait_min: f64,
    /// Lines that exist (or open on a set year without a public-cost entry).
    pub lines: Vec<TransitLineSpec>,
    /// Lever: new lines, with capital and operating costs.
    pub new_lines: Vec<TransitLineSpec>,
}

impl Default for TransitParams {
    fn default() -> Self {
        TransitParams { access_kmh: 10.0, wait_min: 6.0, lines: Vec::new(), new_lines: Vec::new() }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TransitLineSpec {
    pub name: String,
    pub name_zh: String,
    /// Display name for charts and reports where `name` is a slug (default: `name` in title case).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub title: String,
    pub kmh: f64,
    pub open_year: i32,
    /// Stations as [x, y] cell coordinates, in order along the line.
    pub stations: Vec<[f64; 2]>,
    /// Capital cost, yuan, spread evenly over `build_years` before opening.
    pub capex: f64,
    pub build_years: u32,
    pub operating_cost_per_year: f64,
}

impl Default for TransitLineSpec {
    fn default() -> Self {
        TransitLineSpec {
            name: String::new(),
            name_zh: String::new(),
            title: String::new(),
            kmh: 35.0,
            open_year: 2022,
            stations: Vec::new(),
            capex: 0.0,
            build_years: 4,
            operating_cost_per_year: 0.0,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SectorSpec {
    pub name: String,
    pub name_zh: String,
    /// Share of talent whose skill is in this sector.
    pub talent_share: f64,
    /// Share of initial firms in this sector.
    pub firm_share: f64,
    /// Relative total factor productivity of the sector's firms (1 = reference).
    pub productivity: f64,
    /// R&D intensity rho (R&D / output) before subsidies.
    pub rd_intensity: f64,
    /// Whether the compute-centre lever raises this sector's innovation.
    pub digital: bool,
}

impl Default for SectorSpec {
    fn default() -> Self {
        SectorSpec {
            name: String::new(),
            name_zh: String::new(),
            talent_share: 0.25,
            firm_share: 0.25,
            productivity: 1.0,
            rd_intensity: 0.03,
            digital: false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TierSpec {
    pub name: String,
    pub name_zh: String,
    /// Share of the initial talent stock.
    pub share: f64,
    /// Initial market wage, yuan per month.
    pub wage: f64,
    /// Potential migrants per month (people) before the attractiveness logit.
    pub inflow: f64,
    /// Net income elsewhere relative to the tier's initial corridor wage (defines U_outside).
    pub outside_wage_ratio: f64,
    /// Efficiency units of labour per person.
    pub productivity: f64,
    /// Monthly probability that an employed person of this tier founds a firm.
    pub founding_rate: f64,
    /// Share of this tier that seeks research jobs in labs rather than firms.
    pub research_share: f64,
}

impl Default for TierSpec {
    fn default() -> Self {
        TierSpec {
            name: String::new(),
            name_zh: String::new(),
            share: 1.0,
            wage: 15000.0,
            inflow: 1000.0,
            outside_wage_ratio: 0.9,
            productivity: 1.0,
            founding_rate: 0.0,
            research_share: 0.05,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UtilityParams {
    /// Weight of ln(net income after housing and commute).
    pub beta_income: f64,
    /// Disutility per minute of one-way commute.
    pub beta_time: f64,
    pub beta_amenity: f64,
    /// Weight of school quality for households with a child.
    pub beta_school: f64,
    /// Scale of the Gumbel taste shock in residential choice.
    pub taste_scale: f64,
    /// Income after housing counts at least this share of income in ln(income - housing cost).
    pub min_net_income_share: f64,
}

impl Default for UtilityParams {
    fn default() -> Self {
        UtilityParams {
            beta_income: 1.0,
            beta_time: 0.004,
            beta_amenity: 0.3,
            beta_school: 0.4,
            taste_scale: 0.1,
            min_net_income_share: 0.1,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutsideParams {
    /// Housing cost elsewhere as a share of income.
    pub rent_share: f64,
    /// One-way commute elsewhere, minutes.
    pub commute_min: f64,
    pub amenity: f64,
    /// School access (seat availability x quality) elsewhere.
    pub school_access: f64,
}

impl Default for OutsideParams {
    fn default() -> Self {
        OutsideParams { rent_share: 0.3, commute_min: 36.0, amenity: 0.5, school_access: 0.6 }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExitParams {
    /// Base monthly exit probability (p_base).
    pub p_base: f64,
    /// Upper bound of the monthly utility-driven exit probability.
    pub p_max: f64,
    /// Logit slope alpha on U_outside - U_current.
    pub alpha: f64,
    /// Moving cost: utility gap at which half of p_max applies.
    pub threshold: f64,
}

impl Default for ExitParams {
    fn default() -> Self {
        ExitParams { p_base: 0.002, p_max: 0.04, alpha: 6.0, threshold: 0.3 }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ArrivalParams {
    /// Logit slope on expected utility minus U_outside.
    pub alpha: f64,
    /// Migration friction: utility cost of moving in (lowered by the friction lever).
    pub friction: f64,
    /// Age of arrivals: uniform between these bounds (years).
    pub age_min: f64,
    pub age_max: f64,
}

impl Default for ArrivalParams {
    fn default() -> Self {
        ArrivalParams { alpha: 4.0, friction: 0.3, age_min: 22.0, age_max: 45.0 }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TalentParams {
    /// Talent in the corridor at the start (people).
    pub initial: f64,
    pub tiers: Vec<TierSpec>,
    pub retirement_age: f64,
    pub max_unemployed_months: u32,
    /// Real wage growth a year in the corridor's wider labour market: the trend of the
    /// corridor's wage index and of firms' productivity, of wages elsewhere, outside rents and
    /// construction costs (money is in yuan of the start year).
    pub wage_growth: f64,
    /// Base monthly probability that a renter (market or talent unit) moves home.
    pub move_rate: f64,
    /// Monthly probability that an owner (full or shared) moves home.
    pub owner_move_rate: f64,
    /// Monthly probability that a household living outside the corridor looks for a home.
    pub outside_move_rate: f64,
    /// Monthly probability that an employed person searches on the job.
    pub on_job_search: f64,
    /// Vacancies sampled per job search.
    pub job_candidates: u32,
    /// Where researchers look and when the employed switch.
    pub job_search: JobSearchParams,
    /// Cells sampled per residential choice.
    pub home_candidates: u32,
    /// Forced move when rent exceeds this share of income.
    pub max_rent_share: f64,
    /// Forced move after a job change when the commute exceeds this.
    pub max_commute_min: f64,
    /// Value of commuting time as a share of the hourly wage.
    pub value_of_time: f64,
    pub working_days_per_month: f64,
    /// Monthly probability of a first child between `fertility_age_min` and `fertility_age_max`.
    pub child_rate: f64,
    pub fertility_age_min: f64,
    pub fertility_age_max: f64,
    /// Share of initial households with a child (age uniform 0-14).
    pub initial_child_share: f64,
    /// Share of initial households living in the corridor that own their home.
    pub initial_owner_share: f64,
    /// Months the initial households have lived in the corridor: uniform between these bounds.
    pub initial_months_min: f64,
    pub initial_months_max: f64,
    /// Income of a person without a job, as a share of the tier's wage index (expected income).
    pub unemployed_income_share: f64,
    /// Share of income a household saves (its savings pay the down payment of a home).
    pub saving_rate: f64,
    /// Age at which a person starts earning and saving.
    pub career_start_age: f64,
    /// Monthly wage adjustment per unit of tightness (vacancies / seekers - 1).
    pub wage_adjustment: f64,
    pub utility: UtilityParams,
    /// Conditions elsewhere that define U_outside.
    pub outside: OutsideParams,
    pub exit: ExitParams,
    pub arrival: ArrivalParams,
    /// Lever: relocation bonus and rent subsidy by tier.
    pub subsidy: TalentSubsidyLever,
    /// Lever: one-stop services lowering migration friction.
    pub friction: FrictionLever,
    /// Lever: failure tolerance raising founding rates.
    pub failure_tolerance: FailureToleranceLever,
}

impl Default for TalentParams {
    fn default() -> Self {
        TalentParams {
            initial: 10000.0,
            tiers: Vec::new(),
            retirement_age: 60.0,
            max_unemployed_months: 9,
            wage_growth: 0.0,
            move_rate: 0.006,
            owner_move_rate: 0.002,
            outside_move_rate: 0.1,
            on_job_search: 0.01,
            job_candidates: 8,
            job_search: JobSearchParams::default(),
            home_candidates: 8,
            max_rent_share: 0.5,
            max_commute_min: 60.0,
            value_of_time: 0.5,
            working_days_per_month: 21.75,
            child_rate: 0.006,
            fertility_age_min: 25.0,
            fertility_age_max: 40.0,
            initial_child_share: 0.35,
            initial_owner_share: 0.3,
            initial_months_min: 36.0,
            initial_months_max: 156.0,
            unemployed_income_share: 0.6,
            saving_rate: 0.3,
            career_start_age: 22.0,
            wage_adjustment: 0.01,
            utility: UtilityParams::default(),
            outside: OutsideParams::default(),
            exit: ExitParams::default(),
            arrival: ArrivalParams::default(),
            subsidy: TalentSubsidyLever::default(),
            friction: FrictionLever::default(),
            failure_tolerance: FailureToleranceLever::default(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobSearchParams {
    /// Probability that a researcher's search samples lab vacancies (otherwise its sector's).
    pub lab_share: f64,
    /// An employed searcher switches only for a net value above the current one by this share
    /// of the current one's size.
    pub switch_hurdle: f64,
}

impl Default for JobSearchParams {
    fn default() -> Self {
        JobSearchParams { lab_share: 0.7, switch_hurdle: 0.05 }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TalentSubsidyLever {
    pub start_year: i32,
    pub end_year: i32,
    /// Tiers that receive the subsidy (names).
    pub tiers: Vec<String>,
    /// One-off relocation bonus, yuan per person, paid when the household starts its first job in
    /// the corridor.
    pub relocation_bonus: f64,
    /// Monthly rent subsidy, yuan, for the first `rent_months` months in the corridor.
    pub rent_subsidy: f64,
    pub rent_months: u32,
    /// Months in the corridor a household commits to for the bonus.
    pub commitment_months: u32,
    /// Share of the bonus repaid by a household that leaves within the commitment.
    pub clawback_share: f64,
    /// Districts whose residents receive the rent subsidy; empty = whole corridor.
    pub districts: Vec<String>,
}

impl Default for TalentSubsidyLever {
    fn default() -> Self {
        TalentSubsidyLever {
            start_year: 2022,
            end_year: 2100,
            tiers: Vec::new(),
            relocation_bonus: 0.0,
            rent_subsidy: 0.0,
            rent_months: 36,
            commitment_months: 36,
            clawback_share: 1.0,
            districts: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FrictionLever {
    pub start_year: i32,
    pub end_year: i32,
    /// Share by which one-stop services lower the migration friction (0..1).
    pub reduction: f64,
    pub cost_per_year: f64,
}

impl Default for FrictionLever {
    fn default() -> Self {
        FrictionLever { start_year: 2022, end_year: 2100, reduction: 0.0, cost_per_year: 0.0 }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FailureToleranceLever {
    pub start_year: i32,
    pub end_year: i32,
    /// Relative rise of founding rates (0.2 = +20 %).
    pub founding_boost: f64,
    /// Public cost per founded firm (e.g. guarantee funds), yuan.
    pub cost_per_startup: f64,
}

impl Default for FailureToleranceLever {
    fn default() -> Self {
        FailureToleranceLever { start_year: 2022, end_year: 2100, founding_boost: 0.0, cost_per_startup: 0.0 }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HousingParams {
    /// Natural vacancy rate v*.
    pub natural_vacancy: f64,
    /// Monthly elasticity lambda of rent to demand over supply: r <- r (D / S)^lambda.
    pub rent_lambda: f64,
    /// Largest and smallest ratio of a rent to its value a year before (the monthly step is
    /// clipped to their twelfth roots).
    pub rent_change_max: f64,
    pub rent_change_min: f64,
    /// The lowest market rent, yuan a month at start-year prices (grown with the wage trend): a
    /// unit's operating cost, below which a landlord leaves it empty rather than let it.
    pub min_rent: f64,
    /// Cells with fewer market units follow their district's demand and supply.
    pub rent_min_units: f64,
    /// Units a mover draws from the whole market stock (vacant or not) to show where it would
    /// like to live.
    pub demand_samples: u32,
    /// Share of the price a buyer pays from savings.
    pub down_payment: f64,
    /// Yearly cost of owning a home as a share of its price (user cost: interest, upkeep, less
    /// expected gains).
    pub owner_user_cost: f64,
    /// Years a building lasts: the public asset value of a policy unit falls linearly to zero.
    pub building_life_years: f64,
    /// Developers stay out of cells whose market vacancy exceeds this multiple of v*, and out of
    /// districts above `developer_max_district_vacancy` times v*.
    pub developer_max_vacancy: f64,
    pub developer_max_district_vacancy: f64,
    /// Policy projects go within this many hub radii of their hub.
    pub policy_site_reach: f64,
    /// Market rent of a unit at the start before premia, yuan per month.
    pub base_rent: f64,
    /// Initial rent premium per unit of amenity.
    pub amenity_rent_premium: f64,
    /// Price of a unit in months of market rent (price-to-rent ratio).
    pub price_to_rent_months: f64,
    /// Shared-ownership households pay this share of the market price per month.
    pub shared_cost_share: f64,
    /// Construction cost of a unit, yuan.
    pub construction_cost: f64,
    pub build_lag_months: u32,
    /// Developers start market projects where price / construction cost exceeds this.
    pub developer_hurdle: f64,
    /// Largest project a developer starts in one cell in a year (units).
    pub max_project_units: f64,
    /// Lever: market units developers may start per year.
    pub land_quota: LandQuotaLever,
    /// Lever: talent (affordable) units built per year.
    pub talent_units: PolicyHousingLever,
    /// Lever: shared-ownership units built per year.
    pub shared_ownership_units: PolicyHousingLever,
}

impl Default for HousingParams {
    fn default() -> Self {
        HousingParams {
            natural_vacancy: 0.05,
            rent_lambda: 1.0 / 12.0,
            rent_change_max: 1.25,
            rent_change_min: 0.75,
            min_rent: 0.0,
            rent_min_units: 3.0,
            demand_samples: 1,
            down_payment: 0.3,
            owner_user_cost: 0.02,
            building_life_years: 50.0,
            developer_max_vacancy: 2.0,
            developer_max_district_vacancy: 1.5,
            policy_site_reach: 2.5,
            base_rent: 4500.0,
            amenity_rent_premium: 0.3,
            price_to_rent_months: 600.0,
            shared_cost_share: 0.0012,
            construction_cost: 1_500_000.0,
            build_lag_months: 24,
            developer_hurdle: 1.2,
            max_project_units: 600.0,
            land_quota: LandQuotaLever::default(),
            talent_units: PolicyHousingLever::default(),
            shared_ownership_units: PolicyHousingLever::default(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LandQuotaLever {
    pub start_year: i32,
    pub end_year: i32,
    pub units_per_year: f64,
}

impl Default for LandQuotaLever {
    fn default() -> Self {
        LandQuotaLever { start_year: 2022, end_year: 2100, units_per_year: 10000.0 }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyHousingLever {
    pub start_year: i32,
    pub end_year: i32,
    pub units_per_year: f64,
    /// Hubs near which projects are placed (round robin); empty = anywhere with land.
    pub near_hubs: Vec<String>,
    /// Districts where projects may be placed; empty = any.
    pub districts: Vec<String>,
    /// Tiers eligible for these units (names); empty = all tiers.
    pub eligible_tiers: Vec<String>,
    /// Talent units: rent as a share of the local market rent.
    pub rent_share: f64,
    /// Public cost per unit built, yuan of the start year (paid when construction starts).
    pub cost_per_unit: f64,
    /// Talent units: households offered a unit a month per vacant unit, down the waiting list.
    pub offers_per_unit: f64,
    /// Talent units: an eligible household applies when its housing cost exceeds this share of
    /// its income.
    pub apply_rent_share: f64,
}

impl Default for PolicyHousingLever {
    fn default() -> Self {
        PolicyHousingLever {
            start_year: 2022,
            end_year: 2100,
            units_per_year: 0.0,
            near_hubs: Vec::new(),
            districts: Vec::new(),
            eligible_tiers: Vec::new(),
            rent_share: 0.6,
            cost_per_unit: 400_000.0,
            offers_per_unit: 10.0,
            apply_rent_share: 0.3,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SchoolParams {
    /// Extra one-way school trip of a child seated in another district by coordination, minutes
    /// (weighed like commuting time).
    pub coordinated_trip_min: f64,
    /// A child for whom the home district has no seat is placed beyond its schools' capacity (a
    /// distant school, a larger class): the quality and extra trip of such a placement.
    pub overflow_quality: f64,
    pub overflow_trip_min: f64,
    /// Lever: seats added per district per year.
    pub new_seats: Vec<NewSeatsLever>,
    /// Lever: enrolment coordination across districts.
    pub coordination: CoordinationLever,
}

impl Default for SchoolParams {
    fn default() -> Self {
        SchoolParams {
            coordinated_trip_min: 25.0,
            overflow_quality: 0.4,
            overflow_trip_min: 30.0,
            new_seats: Vec::new(),
            coordination: CoordinationLever::default(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NewSeatsLever {
    pub name: String,
    pub district: String,
    pub start_year: i32,
    pub end_year: i32,
    pub primary_per_year: f64,
    pub middle_per_year: f64,
    /// Quality of new seats before the famous-school uplift.
    pub quality: f64,
    /// "Famous school + new school": share of the gap to the best school's quality closed.
    pub famous_school_uplift: f64,
    pub cost_per_seat: f64,
    pub operating_cost_per_seat_year: f64,
}

impl Default for NewSeatsLever {
    fn default() -> Self {
        NewSeatsLever {
            name: String::new(),
            district: String::new(),
            start_year: 2022,
            end_year: 2100,
            primary_per_year: 0.0,
            middle_per_year: 0.0,
            quality: 0.5,
            famous_school_uplift: 0.0,
            cost_per_seat: 150_000.0,
            operating_cost_per_seat_year: 20_000.0,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CoordinationLever {
    pub start_year: i32,
    pub end_year: i32,
    /// Share of spare seats opened to children of other districts.
    pub quota: f64,
    pub cost_per_pupil_year: f64,
}

impl Default for CoordinationLever {
    fn default() -> Self {
        CoordinationLever { start_year: 2022, end_year: 2100, quota: 0.0, cost_per_pupil_year: 3000.0 }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LabKindSpec {
    /// a_kind: patents and papers per month per researcher^theta.
    pub output_rate: f64,
    pub facility_bonus: f64,
    /// Annual budget per researcher, yuan (sets research vacancies).
    pub cost_per_researcher: f64,
}

impl Default for LabKindSpec {
    fn default() -> Self {
        LabKindSpec { output_rate: 0.01, facility_bonus: 0.0, cost_per_researcher: 600_000.0 }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LabKinds {
    pub university: LabKindSpec,
    pub provincial_lab: LabKindSpec,
    pub national_lab: LabKindSpec,
    pub big_facility: LabKindSpec,
    pub rd_institute: LabKindSpec,
}

impl Default for LabKinds {
    fn default() -> Self {
        LabKinds {
            university: LabKindSpec { output_rate: 0.04, facility_bonus: 0.0, cost_per_researcher: 500_000.0 },
            provincial_lab: LabKindSpec { output_rate: 0.048, facility_bonus: 0.1, cost_per_researcher: 700_000.0 },
            national_lab: LabKindSpec { output_rate: 0.056, facility_bonus: 0.25, cost_per_researcher: 800_000.0 },
            big_facility: LabKindSpec { output_rate: 0.04, facility_bonus: 0.5, cost_per_researcher: 1_000_000.0 },
            rd_institute: LabKindSpec { output_rate: 0.048, facility_bonus: 0.0, cost_per_researcher: 600_000.0 },
        }
    }
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum LabKind {
    University,
    ProvincialLab,
    NationalLab,
    BigFacility,
    RdInstitute,
}

impl LabKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LabKind::University => "university",
            LabKind::ProvincialLab => "provincial_lab",
            LabKind::NationalLab => "national_lab",
            LabKind::BigFacility => "big_facility",
            LabKind::RdInstitute => "rd_institute",
        }
    }
}

impl LabKinds {
    pub fn get(&self, kind: LabKind) -> &LabKindSpec {
        match kind {
            LabKind::University => &self.university,
            LabKind::ProvincialLab => &self.provincial_lab,
            LabKind::NationalLab => &self.national_lab,
            LabKind::BigFacility => &self.big_facility,
            LabKind::RdInstitute => &self.rd_institute,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LabSpec {
    pub name: String,
    pub name_zh: String,
    /// Display name for charts and reports where `name` is a slug (default: `name` in title case).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub title: String,
    pub kind: LabKind,
    pub x: f64,
    pub y: f64,
    /// Sector whose firms receive its licences and spin-offs.
    pub sector: String,
    /// Annual budget, yuan.
    pub budget_per_year: f64,
    /// Year it opens (sites that exist at the start use the start year or earlier).
    pub open_year: i32,
    /// Capital cost for labs added by the `labs.new` lever, yuan (spread evenly over
    /// `build_years` before opening).
    pub capex: f64,
    pub build_years: u32,
    /// Lever: the year the lab is upgraded to `upgrade_kind` (0 = never).
    pub upgrade_year: i32,
    pub upgrade_kind: Option<LabKind>,
}

impl Default for LabSpec {
    fn default() -> Self {
        LabSpec {
            name: String::new(),
            name_zh: String::new(),
            title: String::new(),
            kind: LabKind::University,
            x: 0.0,
            y: 0.0,
            sector: String::new(),
            budget_per_year: 100_000_000.0,
            open_year: 2000,
            capex: 0.0,
            build_years: 3,
            upgrade_year: 0,
            upgrade_kind: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LabParams {
    /// Returns to researchers theta in output ~ a * researchers^theta.
    pub theta: f64,
    /// Spillover decay length, km.
    pub spillover_km: f64,
    /// Weight of a lab's knowledge stock in the spillover field relative to a firm's.
    pub lab_spillover_weight: f64,
    /// Annual depreciation of lab knowledge stock.
    pub knowledge_depreciation: f64,
    /// Probability that a lab patent becomes a spin-off firm (before incubators).
    pub spinoff_rate: f64,
    /// Productivity gain of the product line a licensed lab patent improves.
    pub licence_gain: f64,
    /// Research vacancies a month, as a share of the lab's target (plus `hiring_step_people`).
    pub hiring_step: f64,
    /// People a month a lab may add beyond `hiring_step` of its target.
    pub hiring_step_people: f64,
    /// Licensees are searched within this multiple of `spillover_km`.
    pub licence_reach_factor: f64,
    pub kinds: LabKinds,
    pub sites: Vec<LabSpec>,
    /// Lever: new labs or big facilities.
    pub new: Vec<LabSpec>,
    /// Lever: lab budget multiplier.
    pub budget: LabBudgetLever,
}

impl Default for LabParams {
    fn default() -> Self {
        LabParams {
            theta: 0.8,
            spillover_km: 2.0,
            lab_spillover_weight: 3.0,
            knowledge_depreciation: 0.15,
            spinoff_rate: 0.03,
            licence_gain: 0.01,
            hiring_step: 0.1,
            hiring_step_people: 1.0,
            licence_reach_factor: 2.0,
            kinds: LabKinds::default(),
            sites: Vec::new(),
            new: Vec::new(),
            budget: LabBudgetLever::default(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LabBudgetLever {
    pub start_year: i32,
    pub end_year: i32,
    /// Budget multiplier while active (1 = no change); the extra budget is the lever's cost.
    pub multiplier: f64,
}

impl Default for LabBudgetLever {
    fn default() -> Self {
        LabBudgetLever { start_year: 2022, end_year: 2100, multiplier: 1.0 }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FirmParams {
    /// Firms at the start.
    pub initial: f64,
    /// Pareto (Zipf) exponent of initial firm sizes.
    pub size_exponent: f64,
    /// Smallest initial firm, people.
    pub min_size: f64,
    /// Largest initial firm as a share of the initial firm jobs.
    pub initial_max_share: f64,
    /// Share of the initial talent that firms and labs employ at the start.
    pub initial_employment: f64,
    /// Labour elasticity alpha in Y = A E^alpha (1 + density of others / density_ref)^gamma.
    pub alpha: f64,
    /// Agglomeration elasticity gamma.
    pub gamma: f64,
    /// Jobs per km² (of other firms) at which the density term equals 2^gamma.
    pub density_ref: f64,
    /// Elasticity of R&D to its user cost epsilon_rd.
    pub rd_elasticity: f64,
    /// Largest R&D intensity (R&D / output) a firm chooses, whatever the subsidy.
    pub max_rd_intensity: f64,
    /// Elasticity of researchers' wage (the R&D price) to R&D spending at the start (0: no
    /// researchers' market, the R&D price stays 1).
    pub researcher_wage_elasticity: f64,
    /// Share of the research-capable pool that works in firm R&D at the start.
    pub researcher_pool_share: f64,
    /// Annual R&D knowledge depreciation delta.
    pub rd_depreciation: f64,
    /// Innovations per month of a product line holding 1 million yuan of knowledge.
    pub innovation_rate: f64,
    /// Elasticity of innovations to the knowledge stock beta (at a given size).
    pub patent_elasticity: f64,
    /// Efficiency units of labour per product line (a firm has max(1, E / line_size) lines).
    pub line_size: f64,
    /// Spillover effect sigma on innovation.
    pub spillover_effect: f64,
    /// Returns phi to the local knowledge stock in the spillover term sigma S^phi (below 1:
    /// diminishing, so the feedback from patents to spillovers to patents cannot explode).
    pub spillover_returns: f64,
    /// Productivity gain g of an innovation on the product line it improves.
    pub innovation_step: f64,
    /// Monthly sd of log-productivity shocks of a firm of 10 efficiency units.
    pub growth_sd: f64,
    /// The sd falls with size as (E / 10)^-this.
    pub growth_sd_size_exponent: f64,
    /// Sd of log productivity of a new firm around the level that makes its planned size optimal.
    pub entry_productivity_sd: f64,
    /// Months of operation after which a new firm's uncertainty about its entry productivity
    /// (the variance of its belief) has halved (Jovanovic 1982 learning); 0: known at once.
    pub learning_half_months: f64,
    /// Sd of the log wage premium of a firm.
    pub wage_premium_sd: f64,
    /// Largest monthly change of desired employment (share of current).
    pub max_hiring_step: f64,
    /// People of each firm a month that it may hire (or its desired size may grow) beyond
    /// `max_hiring_step` of its size.
    pub hiring_step_people: f64,
    /// Fixed cost of operating a firm, yuan per month.
    pub fixed_cost: f64,
    /// Exit after this many months in a row in which even the profit-maximising size loses money.
    pub exit_after_months: u32,
    /// Exit after this many months without workers.
    pub exit_empty_months: u32,
    /// Start-up exit hazard per month at age 0, falling with age (firms born in the run).
    pub startup_hazard: f64,
    pub hazard_decay_months: f64,
    /// Office rent per worker per month at the base residential rent.
    pub office_rent_per_worker: f64,
    /// Cash reserve of a firm, months of its costs: new firms start with it and profits above
    /// it are paid out.
    pub start_cash_months: f64,
    /// People of a start-up at founding (the founder included).
    pub startup_size: f64,
    /// A start-up locates within this distance of its founder's workplace, km.
    pub startup_radius_km: f64,
    /// People of a lab spin-off at founding.
    pub spinoff_size: f64,
    /// A spin-off locates within this distance of its lab, km.
    pub spinoff_radius_km: f64,
    /// Firms relocating into the corridor per month at the base attractiveness.
    pub relocation_rate: f64,
    /// Elasticity of relocations to the corridor's talent relative to the start.
    pub relocation_talent_elasticity: f64,
    /// Pareto sizes of relocating firms, people: smallest and largest.
    pub relocation_min_size: f64,
    pub relocation_max_size: f64,
    /// Cells sampled when a new firm chooses a location.
    pub location_candidates: u32,
    /// Weights of the location logit.
    pub location: LocationWeights,
}

impl Default for FirmParams {
    fn default() -> Self {
        FirmParams {
            initial: 500.0,
            size_exponent: 1.05,
            min_size: 5.0,
            initial_max_share: 0.05,
            initial_employment: 0.95,
            alpha: 0.75,
            gamma: 0.04,
            density_ref: 20000.0,
            rd_elasticity: 1.0,
            max_rd_intensity: 0.5,
            researcher_wage_elasticity: 0.22,
            researcher_pool_share: 0.5,
            rd_depreciation: 0.15,
            innovation_rate: 0.02,
            patent_elasticity: 0.5,
            line_size: 10.0,
            spillover_effect: 0.5,
            spillover_returns: 0.5,
            innovation_step: 0.01,
            growth_sd: 0.02,
            growth_sd_size_exponent: 0.2,
            entry_productivity_sd: 0.25,
            learning_half_months: 12.0,
            wage_premium_sd: 0.1,
            max_hiring_step: 0.1,
            hiring_step_people: 1.0,
            fixed_cost: 6500.0,
            exit_after_months: 6,
            exit_empty_months: 3,
            startup_hazard: 0.005,
            hazard_decay_months: 36.0,
            office_rent_per_worker: 1500.0,
            start_cash_months: 6.0,
            startup_size: 3.0,
            startup_radius_km: 3.0,
            spinoff_size: 5.0,
            spinoff_radius_km: 2.0,
            relocation_rate: 2.0,
            relocation_talent_elasticity: 0.5,
            relocation_min_size: 10.0,
            relocation_max_size: 2000.0,
            location_candidates: 8,
            location: LocationWeights::default(),
        }
    }
}

/// Weights of a new firm's location logit: -rent ln(rent index) + spillover (rho_s / mean rho)
/// ln(1 + S) + talent ln(1 + residents / talent_scale) - crowding (jobs / office land) + Gumbel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LocationWeights {
    pub rent: f64,
    pub spillover: f64,
    pub talent: f64,
    pub crowding: f64,
    /// Resident talent (people) at which the talent term is ln 2.
    pub talent_scale: f64,
}

impl Default for LocationWeights {
    fn default() -> Self {
        LocationWeights { rent: 1.0, spillover: 1.0, talent: 0.5, crowding: 2.0, talent_scale: 1000.0 }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RdLever {
    pub start_year: i32,
    pub end_year: i32,
    /// R&D subsidy rate s: share of R&D spend paid by the public budget.
    pub subsidy_rate: f64,
    /// Largest subsidy per firm per year, yuan.
    pub cap: f64,
    /// The programme's fund, yuan a year (of the start year): the claims of a month beyond a
    /// twelfth of it are paid pro rata. None: every claim is paid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fund_per_year: Option<f64>,
    /// Eligible sectors (names); empty = all.
    pub sectors: Vec<String>,
    /// Eligible districts (names); empty = all.
    pub districts: Vec<String>,
    pub challenge_grants: ChallengeGrantLever,
}

impl Default for RdLever {
    fn default() -> Self {
        RdLever {
            start_year: 2022,
            end_year: 2100,
            subsidy_rate: 0.0,
            cap: 5_000_000.0,
            fund_per_year: None,
            sectors: Vec::new(),
            districts: Vec::new(),
            challenge_grants: ChallengeGrantLever::default(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChallengeGrantLever {
    pub start_year: i32,
    pub end_year: i32,
    /// Grant money per year, yuan, split among the winners each January.
    pub budget_per_year: f64,
    /// Firms with the largest knowledge stock that win a grant each year.
    pub winners: u32,
    pub sectors: Vec<String>,
}

impl Default for ChallengeGrantLever {
    fn default() -> Self {
        ChallengeGrantLever { start_year: 2022, end_year: 2100, budget_per_year: 0.0, winners: 20, sectors: Vec::new() }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IncubatorLever {
    pub start_year: i32,
    pub end_year: i32,
    /// Incubator places while active, split evenly among `hubs`.
    pub capacity: f64,
    /// Hubs that host incubators (names); empty = all hubs.
    pub hubs: Vec<String>,
    /// Places at which the boost reaches half its maximum.
    pub half_capacity: f64,
    /// Largest relative rise of spin-off and founding rates near an incubator.
    pub max_boost: f64,
    /// Distance over which the incubator boost decays, km.
    pub reach_km: f64,
    pub cost_per_place_year: f64,
}

impl Default for IncubatorLever {
    fn default() -> Self {
        IncubatorLever {
            start_year: 2022,
            end_year: 2100,
            capacity: 0.0,
            hubs: Vec::new(),
            half_capacity: 500.0,
            max_boost: 1.0,
            reach_km: 3.0,
            cost_per_place_year: 30_000.0,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DigitalParams {
    pub compute_centre: ComputeCentreLever,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ComputeCentreLever {
    pub start_year: i32,
    pub end_year: i32,
    /// Relative rise of digital-sector innovation rates (0.1 = +10 %).
    pub boost: f64,
    pub cost_per_year: f64,
    /// Districts whose digital firms benefit; empty = all.
    pub districts: Vec<String>,
}

impl Default for ComputeCentreLever {
    fn default() -> Self {
        ComputeCentreLever { start_year: 2022, end_year: 2100, boost: 0.0, cost_per_year: 0.0, districts: Vec::new() }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputParams {
    /// The jobs-housing balance counts workers living within this commute (minutes).
    pub jobs_housing_min: f64,
    /// Social discount rate for present values of costs and effects, real, per year.
    pub discount_rate: f64,
}

impl Default for OutputParams {
    fn default() -> Self {
        OutputParams { jobs_housing_min: 30.0, discount_rate: 0.08 }
    }
}
