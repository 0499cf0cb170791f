//! The key table: meaning, unit and allowed range of every scenario key. It drives range
//! validation and `docs/SCENARIO.md` (`corridor schema`), so the two cannot drift apart; a unit
//! test checks that every key of the scenario types is listed here.

/// Allowed values of a numeric key.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Range {
    /// Any finite number.
    Any,
    /// >= 0.
    NonNeg,
    /// > 0.
    Positive,
    /// 0 ..= 1.
    Share,
    /// lo ..= hi.
    Between(f64, f64),
    /// Not numeric (names, lists, enumerations): checked by the loader and validator.
    Text,
}

impl Range {
    pub fn allows(self, v: f64) -> bool {
        v.is_finite()
            && match self {
                Range::Any | Range::Text => true,
                Range::NonNeg => v >= 0.0,
                Range::Positive => v > 0.0,
                Range::Share => (0.0..=1.0).contains(&v),
                Range::Between(lo, hi) => v >= lo && v <= hi,
            }
    }
    pub fn describe(self) -> String {
        match self {
            Range::Any => "any number".into(),
            Range::NonNeg => ">= 0".into(),
            Range::Positive => "> 0".into(),
            Range::Share => "0 to 1".into(),
            Range::Between(lo, hi) => format!("{lo} to {hi}"),
            Range::Text => "see meaning".into(),
        }
    }
}

pub struct Key {
    /// Dotted path; `*` stands for any element of an array.
    pub path: &'static str,
    pub unit: &'static str,
    pub range: Range,
    pub meaning: &'static str,
}

const fn k(path: &'static str, unit: &'static str, range: Range, meaning: &'static str) -> Key {
    Key { path, unit, range, meaning }
}

use Range::*;

const Y: Range = Between(1900.0, 2200.0);

/// Every key of a scenario file.
pub const KEYS: &[Key] = &[
    k("name", "", Text, "short name (default: the file name without `.toml`); the run writes to output/<name>/, so it is not empty, has no `/`, `\\` or `:`, does not start with `.` and has at most 100 characters"),
    k("title", "", Text, "title for charts and reports"),
    k("title_zh", "", Text, "Chinese title"),
    k("extends", "path", Text, "scenario file this one overrides (relative to this file); tables merge key by key, arrays of named tables merge by `name`"),
    k("start_year", "year", Y, "first simulated year (January)"),
    k("years", "years", Between(1.0, 200.0), "length of the run"),
    k("seed", "", NonNeg, "default random seed (`--seed` overrides)"),
    k("agent_scale", "people per agent", Between(0.01, 1.0e6), "people (and housing units) one talent agent stands for; KPIs are reported in people"),
    // grid
    k("grid.width", "cells", Between(1.0, 4000.0), "cells west to east"),
    k("grid.height", "cells", Between(1.0, 4000.0), "cells north to south"),
    k("grid.cell_km", "km", Between(0.01, 100.0), "side of a square cell"),
    k("grid.distance", "", Text, "`euclidean` or `manhattan` road distance"),
    k("grid.road_kmh", "km/h", Between(1.0, 200.0), "door-to-door road speed"),
    k("grid.base_amenity", "index", Share, "amenity of a cell before hubs"),
    k("grid.housing_capacity", "units per cell", Between(0.0, 1.0e7), "land capacity for housing units at a hub centre (scaled by the hub kernel)"),
    k("grid.initial_housing_fill", "share", Share, "share of the housing capacity built at the start"),
    k("grid.office_capacity", "jobs per cell", Between(0.0, 1.0e8), "land capacity for office jobs at a hub centre"),
    k("grid.base_housing_land", "share", Between(0.0, 10.0), "housing land of a cell away from every hub, as a share of `housing_capacity` (hub kernels add to it)"),
    k("grid.base_office_land", "share", Between(0.0, 10.0), "office land of a cell away from every hub, as a share of `office_capacity`"),
    k("grid.max_land_factor", "", Between(0.0, 10.0), "largest housing or office land of a cell where hub kernels overlap, as a multiple of the hub-centre capacity"),
    k("grid.road_terminal_min", "minutes", Between(0.0, 60.0), "minutes added to every road trip for parking and walking"),
    k("grid.outside_zones.*.name", "", Text, "a place outside the corridor where households that work in it live (the commuter belt); at least one"),
    k("grid.outside_zones.*.name_zh", "", Text, "Chinese name"),
    k("grid.outside_zones.*.x", "cell", Any, "centre, cells from the west edge (off the grid: below 0 or at least `grid.width`)"),
    k("grid.outside_zones.*.y", "cell", Any, "centre, cells from the north edge (off the grid allowed)"),
    k("grid.outside_zones.*.rent", "yuan/month", NonNeg, "monthly rent of a dwelling there, yuan of the start year (grows with `talent.wage_growth`)"),
    k("grid.outside_zones.*.amenity", "index", Share, "amenity of the zone"),
    k("grid.outside_zones.*.school_quality", "index", Share, "quality of the schools where the zone's children are seated"),
    k("grid.outside_zones.*.lines", "line names", Text, "transit lines that reach the zone; its commute by a line starts at the line's station nearest the zone"),
    k("grid.outside_zones.*.station_min", "minutes", Between(0.0, 300.0), "minutes from a home in the zone to that station (the line's continuation or a feeder)"),
    k("grid.layers", "", Text, "CSV raster overrides: `[{ layer = \"amenity\" | \"housing_capacity\" | \"office_capacity\" | \"district\" | \"initial_housing\", file = \"path.csv\" }]`, `height` rows of `width` numbers"),
    k("grid.layers.*.layer", "", Text, "which layer the file overrides"),
    k("grid.layers.*.file", "path", Text, "CSV file relative to the scenario file"),
    // districts
    k("districts.*.name", "", Text, "district name (snake case; used in KPI columns and lever scopes)"),
    k("districts.*.name_zh", "", Text, "Chinese name"),
    k("districts.*.title", "", Text, "display name for charts and reports where `name` is a slug (default: `name` in title case)"),
    k("districts.*.x0", "cell", NonNeg, "west edge (inclusive)"),
    k("districts.*.y0", "cell", NonNeg, "north edge (inclusive)"),
    k("districts.*.x1", "cell", NonNeg, "east edge (inclusive)"),
    k("districts.*.y1", "cell", NonNeg, "south edge (inclusive)"),
    k("districts.*.primary_seats", "seats", Between(0.0, 1.0e8), "primary-school seats at the start (ages 6-11)"),
    k("districts.*.middle_seats", "seats", Between(0.0, 1.0e8), "middle-school seats at the start (ages 12-14)"),
    k("districts.*.school_quality", "index", Share, "school quality at the start"),
    // hubs
    k("hubs.*.name", "", Text, "hub name"),
    k("hubs.*.name_zh", "", Text, "Chinese name"),
    k("hubs.*.title", "", Text, "display name for charts and reports where `name` is a slug (default: `name` in title case)"),
    k("hubs.*.kind", "", Text, "free label (science_city, station, town_centre, ...)"),
    k("hubs.*.x", "cell", NonNeg, "centre, cells from the west edge (must lie on the grid)"),
    k("hubs.*.y", "cell", NonNeg, "centre, cells from the north edge (must lie on the grid)"),
    k("hubs.*.radius_km", "km", Between(0.01, 100.0), "kernel radius: weights fall as exp(-(d/r)^2)"),
    k("hubs.*.housing", "weight", NonNeg, "housing capacity multiplier at the centre"),
    k("hubs.*.office", "weight", NonNeg, "office capacity multiplier at the centre"),
    k("hubs.*.amenity", "index", Share, "amenity added at the centre"),
    k("hubs.*.rent_premium", "share", Between(0.0, 10.0), "initial market-rent premium at the centre"),
    // transit
    k("transit.access_kmh", "km/h", Between(1.0, 100.0), "speed to and from stations"),
    k("transit.wait_min", "minutes", Between(0.0, 60.0), "mean wait per transit trip"),
    k("transit.lines.*.name", "", Text, "line name"),
    k("transit.lines.*.name_zh", "", Text, "Chinese name"),
    k("transit.lines.*.title", "", Text, "display name for charts and reports where `name` is a slug (default: `name` in title case)"),
    k("transit.lines.*.kmh", "km/h", Between(1.0, 400.0), "mean speed along the line"),
    k("transit.lines.*.open_year", "year", Y, "year the line opens (January)"),
    k("transit.lines.*.stations", "cells", Text, "stations as [x, y] pairs in order; at least 2, all on the grid"),
    k("transit.lines.*.capex", "yuan", NonNeg, "capital cost (counted only for `new_lines`)"),
    k("transit.lines.*.build_years", "years", Between(1.0, 20.0), "years over which capex is spent before opening"),
    k("transit.lines.*.operating_cost_per_year", "yuan/year", NonNeg, "operating cost once open (counted only for `new_lines`)"),
    k("transit.new_lines.*.name", "", Text, "lever `transit.new_line`: line name"),
    k("transit.new_lines.*.name_zh", "", Text, "Chinese name"),
    k("transit.new_lines.*.title", "", Text, "display name for charts and reports where `name` is a slug (default: `name` in title case)"),
    k("transit.new_lines.*.kmh", "km/h", Between(1.0, 400.0), "mean speed along the line"),
    k("transit.new_lines.*.open_year", "year", Y, "opening year; must fall within the run"),
    k("transit.new_lines.*.stations", "cells", Text, "stations as [x, y] pairs; at least 2, all on the grid"),
    k("transit.new_lines.*.capex", "yuan", NonNeg, "capital cost, public"),
    k("transit.new_lines.*.build_years", "years", Between(1.0, 20.0), "capex spread evenly over these years before opening"),
    k("transit.new_lines.*.operating_cost_per_year", "yuan/year", NonNeg, "public operating cost once open"),
    // sectors
    k("sectors.*.name", "", Text, "sector name"),
    k("sectors.*.name_zh", "", Text, "Chinese name"),
    k("sectors.*.talent_share", "share", Share, "share of talent skilled in this sector (normalised over sectors)"),
    k("sectors.*.firm_share", "share", Share, "share of the initial firms' jobs at every size rank, and so of the firms (normalised over sectors)"),
    k("sectors.*.productivity", "index", Positive, "relative total factor productivity of the sector's firms (1 = reference)"),
    k("sectors.*.rd_intensity", "share", Share, "R&D / output rho before subsidies"),
    k("sectors.*.digital", "bool", Text, "whether the compute-centre lever applies"),
    // talent
    k("talent.initial", "people", Between(0.0, 1.0e9), "talent in the corridor at the start"),
    k("talent.tiers.*.name", "", Text, "tier name"),
    k("talent.tiers.*.name_zh", "", Text, "Chinese name"),
    k("talent.tiers.*.share", "share", Share, "share of the initial stock (normalised over tiers)"),
    k("talent.tiers.*.wage", "yuan/month", Positive, "initial market wage"),
    k("talent.tiers.*.inflow", "people/month", Between(0.0, 1.0e8), "potential migrants per month before the attractiveness logit"),
    k("talent.tiers.*.outside_wage_ratio", "ratio", Between(0.01, 10.0), "income elsewhere relative to the tier's initial corridor wage (sets U_outside)"),
    k("talent.tiers.*.productivity", "efficiency units", Positive, "labour efficiency of one person of this tier"),
    k("talent.tiers.*.founding_rate", "1/month", Share, "monthly probability that an employed person founds a firm (drawn for the people an agent stands for: results do not depend on `agent_scale`)"),
    k("talent.tiers.*.research_share", "share", Share, "share who look for research jobs in labs"),
    k("talent.retirement_age", "years", Between(30.0, 90.0), "age at which a person leaves"),
    k("talent.max_unemployed_months", "months", Between(1.0, 600.0), "a person leaves after this many months without a job"),
    k("talent.wage_growth", "1/year", Between(-0.2, 0.3), "real wage growth in the corridor's wider labour market: the trend of the corridor's wage index and firms' productivity, of wages elsewhere, of outside rents and of construction costs (all money is in yuan of the start year)"),
    k("talent.move_rate", "1/month", Share, "monthly probability that a renter (market or talent unit) moves home"),
    k("talent.owner_move_rate", "1/month", Share, "monthly probability that an owner (full or shared) moves home"),
    k("talent.outside_move_rate", "1/month", Share, "monthly probability that a household living outside the corridor looks for a home"),
    k("talent.on_job_search", "1/month", Share, "monthly probability that an employed person searches"),
    k("talent.job_candidates", "vacancies", Between(1.0, 1000.0), "vacancies sampled per job search (k)"),
    k("talent.job_search.lab_share", "share", Share, "probability that a researcher's search samples lab vacancies (otherwise its sector's)"),
    k("talent.job_search.switch_hurdle", "share", Between(0.0, 10.0), "an employed searcher switches only for a net value above the current one by this share of its size"),
    k("talent.home_candidates", "cells", Between(1.0, 1000.0), "cells sampled per residential choice (k)"),
    k("talent.max_rent_share", "share", Share, "a household moves when rent exceeds this share of income"),
    k("talent.max_commute_min", "minutes", Between(1.0, 300.0), "after a job change a household moves when the commute exceeds this"),
    k("talent.value_of_time", "share of hourly wage", Between(0.0, 2.0), "value of commuting time"),
    k("talent.working_days_per_month", "days", Between(1.0, 31.0), "commuting days per month"),
    k("talent.child_rate", "1/month", Share, "monthly probability of a first child between `fertility_age_min` and `fertility_age_max`"),
    k("talent.fertility_age_min", "years", Between(14.0, 60.0), "youngest age of a parent at a first birth"),
    k("talent.fertility_age_max", "years", Between(14.0, 60.0), "oldest age of a parent at a first birth"),
    k("talent.initial_child_share", "share", Share, "share of initial households with a child"),
    k("talent.initial_owner_share", "share", Share, "share of the initial households living in the corridor that own their home"),
    k("talent.initial_months_min", "months", Between(0.0, 600.0), "months in the corridor of the initial households: uniform from this"),
    k("talent.initial_months_max", "months", Between(0.0, 600.0), "to this"),
    k("talent.unemployed_income_share", "share", Share, "income of a person without a job as a share of the tier's wage (what it expects to live on)"),
    k("talent.saving_rate", "share", Share, "share of income saved; savings since `career_start_age` pay the down payment of a home"),
    k("talent.career_start_age", "years", Between(14.0, 60.0), "age at which a person starts earning and saving"),
    k("talent.wage_adjustment", "1/month", Between(0.0, 0.5), "monthly wage change per unit of labour-market tightness"),
    k("talent.utility.beta_income", "", NonNeg, "weight of ln(net income)"),
    k("talent.utility.beta_time", "1/minute", NonNeg, "disutility per minute of one-way commute"),
    k("talent.utility.beta_amenity", "", NonNeg, "weight of amenity"),
    k("talent.utility.beta_school", "", NonNeg, "weight of school quality for households with a child"),
    k("talent.utility.taste_scale", "", Positive, "scale of the Gumbel taste shock"),
    k("talent.utility.min_net_income_share", "share", Between(0.001, 1.0), "income after housing counts at least this share of income in ln(income - housing cost)"),
    k("talent.outside.rent_share", "share", Share, "housing cost elsewhere as a share of income (defines U_outside)"),
    k("talent.outside.commute_min", "minutes", Between(0.0, 300.0), "one-way commute elsewhere"),
    k("talent.outside.amenity", "index", Share, "amenity elsewhere"),
    k("talent.outside.school_access", "index", Share, "school access elsewhere (seat availability x quality)"),
    k("talent.exit.p_base", "1/month", Share, "base monthly exit probability"),
    k("talent.exit.p_max", "1/month", Share, "largest utility-driven monthly exit probability"),
    k("talent.exit.alpha", "", NonNeg, "logit slope on U_outside - U_current"),
    k("talent.exit.threshold", "utility", Any, "moving cost: the gap at which half of p_max applies"),
    k("talent.arrival.alpha", "", NonNeg, "logit slope of the arrival decision"),
    k("talent.arrival.friction", "utility", NonNeg, "migration friction (lowered by `talent.friction`)"),
    k("talent.arrival.age_min", "years", Between(16.0, 80.0), "youngest arrival"),
    k("talent.arrival.age_max", "years", Between(16.0, 80.0), "oldest arrival"),
    k("talent.subsidy.start_year", "year", Y, "lever `talent.subsidy`: first year"),
    k("talent.subsidy.end_year", "year", Y, "last year"),
    k("talent.subsidy.tiers", "tier names", Text, "tiers that receive it"),
    k("talent.subsidy.relocation_bonus", "yuan", NonNeg, "one-off bonus, paid when the household starts its first job in the corridor"),
    k("talent.subsidy.rent_subsidy", "yuan/month", NonNeg, "rent subsidy in the first `rent_months` months"),
    k("talent.subsidy.rent_months", "months", Between(0.0, 600.0), "months of rent subsidy"),
    k("talent.subsidy.districts", "district names", Text, "districts whose residents get the rent subsidy; empty = all"),
    k("talent.subsidy.commitment_months", "months", Between(0.0, 600.0), "months in the corridor a household commits to for the bonus (arrivals expect the bonus spread over them)"),
    k("talent.subsidy.clawback_share", "share", Share, "share of the bonus repaid by a household that leaves within the commitment"),
    k("talent.friction.start_year", "year", Y, "lever `talent.friction` (one-stop services): first year"),
    k("talent.friction.end_year", "year", Y, "last year"),
    k("talent.friction.reduction", "share", Share, "share by which migration friction falls"),
    k("talent.friction.cost_per_year", "yuan/year", NonNeg, "public cost while active"),
    k("talent.failure_tolerance.start_year", "year", Y, "lever: failure tolerance for founders, first year"),
    k("talent.failure_tolerance.end_year", "year", Y, "last year"),
    k("talent.failure_tolerance.founding_boost", "share", Between(0.0, 10.0), "relative rise of founding rates"),
    k("talent.failure_tolerance.cost_per_startup", "yuan", NonNeg, "public cost per firm founded while active"),
    // housing
    k("housing.natural_vacancy", "share", Share, "natural vacancy rate v*"),
    k("housing.rent_lambda", "1/month", Between(0.0, 1.0), "monthly elasticity of rent to demand over supply: r <- r (D/S)^lambda, D occupied units plus households that wanted the cell and did not get it, S units x (1 - v*)"),
    k("housing.rent_change_max", "ratio/year", Between(1.0, 10.0), "largest rise of a rent in a year (the monthly step is clipped to its twelfth root)"),
    k("housing.min_rent", "yuan/month", NonNeg, "the lowest market rent at start-year prices (grown with the wage trend): a unit's operating cost, below which it is left empty rather than let; 0: no floor"),
    k("housing.rent_change_min", "ratio/year", Between(0.01, 1.0), "largest fall: a rent keeps at least this share of its value a year before"),
    k("housing.rent_min_units", "units", NonNeg, "cells with fewer market units (agent units) follow their district's demand and supply"),
    k("housing.demand_samples", "units", Between(0.0, 100.0), "units a mover draws from the whole market stock, vacant or not, to show where it would live"),
    k("housing.down_payment", "share", Share, "share of the price a buyer pays from savings"),
    k("housing.owner_user_cost", "share/year", Between(0.0, 1.0), "yearly cost of owning a home as a share of its price (interest, upkeep, less expected gains)"),
    k("housing.building_life_years", "years", Between(1.0, 500.0), "life of a building: the public asset value of a policy unit falls linearly to zero over it"),
    k("housing.developer_max_vacancy", "multiple of v*", Positive, "developers stay out of cells whose market vacancy exceeds this multiple of the natural rate"),
    k("housing.developer_max_district_vacancy", "multiple of v*", Positive, "and out of districts above this multiple"),
    k("housing.policy_site_reach", "hub radii", Positive, "policy projects go within this many radii of their hub"),
    k("housing.base_rent", "yuan/month", Positive, "market rent of a unit at the start, before premia"),
    k("housing.amenity_rent_premium", "share", Between(0.0, 10.0), "initial rent premium per unit of amenity"),
    k("housing.price_to_rent_months", "months", Positive, "unit price in months of rent"),
    k("housing.shared_cost_share", "share/month", Share, "monthly cost of a shared-ownership unit as a share of its market price"),
    k("housing.construction_cost", "yuan/unit", Positive, "construction cost of a unit"),
    k("housing.build_lag_months", "months", Between(0.0, 240.0), "months from start to completion"),
    k("housing.developer_hurdle", "ratio", Positive, "developers build where price / cost exceeds this"),
    k("housing.max_project_units", "units", Between(0.01, 1.0e7), "largest project per cell and year"),
    k("housing.land_quota.start_year", "year", Y, "lever `housing.land_quota`: first year"),
    k("housing.land_quota.end_year", "year", Y, "last year"),
    k("housing.land_quota.units_per_year", "units/year", Between(0.0, 1.0e8), "market units developers may start per year"),
    k("housing.talent_units.start_year", "year", Y, "lever `housing.talent_units`: first year"),
    k("housing.talent_units.end_year", "year", Y, "last year"),
    k("housing.talent_units.units_per_year", "units/year", Between(0.0, 1.0e8), "talent units started per year"),
    k("housing.talent_units.near_hubs", "hub names", Text, "hubs near which units are placed; empty = best land anywhere"),
    k("housing.talent_units.districts", "district names", Text, "districts where units may go; empty = any"),
    k("housing.talent_units.eligible_tiers", "tier names", Text, "tiers that may rent them; empty = all"),
    k("housing.talent_units.rent_share", "share", Share, "rent as a share of local market rent"),
    k("housing.talent_units.cost_per_unit", "yuan", NonNeg, "public cost per unit at start of construction, yuan of the start year (grows with `talent.wage_growth`)"),
    k("housing.talent_units.offers_per_unit", "households", Between(1.0, 1000.0), "households offered a unit a month per vacant unit, down the waiting list"),
    k("housing.talent_units.apply_rent_share", "share", Share, "an eligible household applies when its housing cost exceeds this share of its income"),
    k("housing.shared_ownership_units.start_year", "year", Y, "lever `housing.shared_ownership_units`: first year"),
    k("housing.shared_ownership_units.end_year", "year", Y, "last year"),
    k("housing.shared_ownership_units.units_per_year", "units/year", Between(0.0, 1.0e8), "shared-ownership units started per year"),
    k("housing.shared_ownership_units.near_hubs", "hub names", Text, "hubs near which units are placed"),
    k("housing.shared_ownership_units.districts", "district names", Text, "districts where units may go; empty = any"),
    k("housing.shared_ownership_units.eligible_tiers", "tier names", Text, "tiers that may buy them; empty = all"),
    k("housing.shared_ownership_units.rent_share", "share", Share, "unused for shared ownership (cost is `housing.shared_cost_share`)"),
    k("housing.shared_ownership_units.cost_per_unit", "yuan", NonNeg, "public cost per unit at start of construction, yuan of the start year (grows with `talent.wage_growth`)"),
    k("housing.shared_ownership_units.offers_per_unit", "households", Between(1.0, 1000.0), "unused for shared ownership"),
    k("housing.shared_ownership_units.apply_rent_share", "share", Share, "unused for shared ownership"),
    // schools
    k("schools.coordinated_trip_min", "minutes", Between(0.0, 300.0), "extra one-way school trip of a child seated in another district by coordination (weighed like commuting time)"),
    k("schools.overflow_quality", "index", Share, "quality of a placement beyond the home district's seats (every child is assigned a school: a distant one or a larger class)"),
    k("schools.overflow_trip_min", "minutes", Between(0.0, 300.0), "extra one-way school trip of such a placement"),
    k("schools.new_seats.*.name", "", Text, "lever `schools.new_seats`: programme name"),
    k("schools.new_seats.*.district", "district name", Text, "district that gets the seats"),
    k("schools.new_seats.*.start_year", "year", Y, "first year (seats open each September)"),
    k("schools.new_seats.*.end_year", "year", Y, "last year"),
    k("schools.new_seats.*.primary_per_year", "seats/year", Between(0.0, 1.0e7), "primary seats added per year"),
    k("schools.new_seats.*.middle_per_year", "seats/year", Between(0.0, 1.0e7), "middle seats added per year"),
    k("schools.new_seats.*.quality", "index", Share, "quality of new seats"),
    k("schools.new_seats.*.famous_school_uplift", "share", Share, "famous school + new school: share of the gap to the best school closed"),
    k("schools.new_seats.*.cost_per_seat", "yuan", NonNeg, "capital cost per seat"),
    k("schools.new_seats.*.operating_cost_per_seat_year", "yuan/year", NonNeg, "operating cost per new seat"),
    k("schools.coordination.start_year", "year", Y, "lever `schools.coordination_quota`: first year"),
    k("schools.coordination.end_year", "year", Y, "last year"),
    k("schools.coordination.quota", "share", Share, "share of spare seats opened to other districts"),
    k("schools.coordination.cost_per_pupil_year", "yuan/year", NonNeg, "cost per pupil seated across districts"),
    // labs
    k("labs.theta", "", Between(0.0, 2.0), "returns to researchers"),
    k("labs.spillover_km", "km", Between(0.01, 100.0), "spillover decay length"),
    k("labs.lab_spillover_weight", "", NonNeg, "lab knowledge weight in the spillover field"),
    k("labs.knowledge_depreciation", "1/year", Share, "lab knowledge depreciation"),
    k("labs.spinoff_rate", "share", Share, "probability a lab patent becomes a spin-off"),
    k("labs.licence_gain", "share", Between(0.0, 1.0), "productivity gain of the licensee's product line a licensed patent improves"),
    k("labs.hiring_step", "share/month", Share, "research vacancies a month as a share of the lab's target (plus `hiring_step_people`)"),
    k("labs.hiring_step_people", "people/month", Between(0.0, 1.0e4), "people a month a lab may add beyond `hiring_step` of its target"),
    k("labs.licence_reach_factor", "", Between(0.0, 100.0), "licensees are searched within this multiple of `spillover_km`"),
    k("labs.kinds.*.output_rate", "1/month", Between(0.0, 100.0), "a_kind: output per researcher^theta"),
    k("labs.kinds.*.facility_bonus", "share", Between(0.0, 10.0), "output bonus of the kind"),
    k("labs.kinds.*.cost_per_researcher", "yuan/year", Between(1.0e3, 1.0e9), "budget per researcher"),
    k("labs.sites.*.name", "", Text, "lab name"),
    k("labs.sites.*.name_zh", "", Text, "Chinese name"),
    k("labs.sites.*.title", "", Text, "display name for charts and reports where `name` is a slug (default: `name` in title case)"),
    k("labs.sites.*.kind", "", Text, "university, provincial_lab, national_lab, big_facility or rd_institute"),
    k("labs.sites.*.x", "cell", NonNeg, "location (on the grid)"),
    k("labs.sites.*.y", "cell", NonNeg, "location (on the grid)"),
    k("labs.sites.*.sector", "sector name", Text, "sector of its licences and spin-offs"),
    k("labs.sites.*.budget_per_year", "yuan/year", Between(0.0, 1.0e13), "annual budget"),
    k("labs.sites.*.open_year", "year", Y, "year it opens"),
    k("labs.sites.*.capex", "yuan", NonNeg, "capital cost (counted only for `labs.new`)"),
    k("labs.sites.*.build_years", "years", Between(1.0, 20.0), "years over which capex is spent before opening (counted only for `labs.new`)"),
    k("labs.sites.*.upgrade_year", "year", Between(0.0, 2200.0), "lever: year of an upgrade to `upgrade_kind` (0 = none)"),
    k("labs.sites.*.upgrade_kind", "", Text, "kind after the upgrade"),
    k("labs.new.*.name", "", Text, "lever `labs.new`: lab name"),
    k("labs.new.*.name_zh", "", Text, "Chinese name"),
    k("labs.new.*.title", "", Text, "display name for charts and reports where `name` is a slug (default: `name` in title case)"),
    k("labs.new.*.kind", "", Text, "lab kind"),
    k("labs.new.*.x", "cell", NonNeg, "location (on the grid)"),
    k("labs.new.*.y", "cell", NonNeg, "location (on the grid)"),
    k("labs.new.*.sector", "sector name", Text, "sector of its licences and spin-offs"),
    k("labs.new.*.budget_per_year", "yuan/year", Between(0.0, 1.0e13), "annual budget, public"),
    k("labs.new.*.open_year", "year", Y, "opening year; must fall within the run"),
    k("labs.new.*.capex", "yuan", NonNeg, "capital cost, public, spread evenly over `build_years` before opening"),
    k("labs.new.*.build_years", "years", Between(1.0, 20.0), "years of construction before opening, over which capex is spent"),
    k("labs.new.*.upgrade_year", "year", Between(0.0, 2200.0), "year of an upgrade (0 = none)"),
    k("labs.new.*.upgrade_kind", "", Text, "kind after the upgrade"),
    k("labs.budget.start_year", "year", Y, "lever `labs.budget`: first year"),
    k("labs.budget.end_year", "year", Y, "last year"),
    k("labs.budget.multiplier", "ratio", Between(0.0, 20.0), "budget multiplier; extra budget is public cost"),
    // firms
    k("firms.initial", "firms", Between(0.0, 2.0e6), "firms at the start"),
    k("firms.size_exponent", "", Between(0.5, 5.0), "Pareto exponent of initial firm sizes"),
    k("firms.min_size", "people", Between(0.01, 1.0e6), "smallest initial firm"),
    k("firms.initial_max_share", "share", Between(0.0001, 1.0), "largest initial firm as a share of the initial firm jobs"),
    k("firms.initial_employment", "share", Share, "share of the initial talent that firms and labs employ at the start"),
    k("firms.alpha", "", Between(0.05, 0.99), "labour elasticity of output (the firm's returns to its own labour)"),
    k("firms.gamma", "", Between(0.0, 1.0), "agglomeration elasticity: output rises with the job density of the other firms in the cell"),
    k("firms.density_ref", "jobs/km²", Positive, "density scale of the agglomeration term"),
    k("firms.rd_elasticity", "", Between(0.0, 5.0), "elasticity of R&D to its user cost"),
    k("firms.max_rd_intensity", "share", Share, "largest R&D intensity (R&D / output) a firm chooses"),
    k("firms.researcher_wage_elasticity", "", Between(0.0, 1.0), "elasticity of researchers' wage (the R&D price index) to R&D spending at the start; 0: no researchers' market"),
    k("firms.researcher_pool_share", "share", Between(0.01, 0.99), "share of the research-capable pool (each tier's people times its research_share) in firm R&D at the start: the nearer 1, the sooner supply runs out"),
    k("firms.rd_depreciation", "1/year", Share, "knowledge depreciation delta"),
    k("firms.innovation_rate", "1/month", Between(0.0, 100.0), "innovations per month of a product line holding 1 million yuan of knowledge"),
    k("firms.patent_elasticity", "", Between(0.0, 1.0), "elasticity beta of innovations to the knowledge stock at a given size (below 1: diminishing returns to R&D)"),
    k("firms.line_size", "efficiency units", Positive, "labour per product line: a firm has max(1, E / line_size) lines, and an innovation improves one of them"),
    k("firms.spillover_effect", "", NonNeg, "spillover effect sigma on innovation: the innovation rate is multiplied by 1 + sigma S^phi (S the local spillover index, 1 at the start's job-weighted mean)"),
    k("firms.spillover_returns", "", Between(0.0, 1.0), "returns phi to the local knowledge stock in 1 + sigma S^phi: below 1 the feedback from patents to spillovers to patents stays bounded (Jones 1995); 1 makes it linear, which can explode"),
    k("firms.innovation_step", "share", Between(0.0, 1.0), "productivity gain g of an innovation on the product line it improves (the firm's productivity rises by g / lines)"),
    k("firms.growth_sd", "", Between(0.0, 1.0), "monthly sd of log-productivity shocks of a firm of 10 efficiency units"),
    k("firms.growth_sd_size_exponent", "", Between(0.0, 1.0), "the shocks' sd falls with size as (E / 10)^-this"),
    k("firms.entry_productivity_sd", "", Between(0.0, 2.0), "sd of a new firm's log productivity around the level that makes its planned size optimal"),
    k("firms.learning_half_months", "months", Between(0.0, 600.0), "months of operation after which a new firm's uncertainty about its entry productivity has halved (it learns from a noisy signal each month, Jovanovic 1982); 0: it knows its productivity at once"),
    k("firms.wage_premium_sd", "", Between(0.0, 1.0), "sd of a firm's log wage premium (drawn at birth, truncated at 3 sd)"),
    k("firms.max_hiring_step", "share/month", Share, "largest monthly change of desired employment"),
    k("firms.hiring_step_people", "people/month", Between(0.0, 1000.0), "people a firm may add a month beyond max_hiring_step of its size (to its desired headcount and to each tier's vacancies); what lets a one-person start-up grow"),
    k("firms.fixed_cost", "yuan/month", NonNeg, "fixed cost of operating a firm"),
    k("firms.exit_after_months", "months", Between(1.0, 600.0), "exit after this many months in a row in which the firm would lose money even at its profit-maximising size (after wages, office rent, R&D net of subsidy and the fixed cost)"),
    k("firms.exit_empty_months", "months", Between(1.0, 600.0), "exit after this many months without workers"),
    k("firms.startup_hazard", "1/month", Share, "exit hazard of a firm born in the run at age 0 (falls with age)"),
    k("firms.hazard_decay_months", "months", Positive, "e-folding time of the start-up hazard"),
    k("firms.office_rent_per_worker", "yuan/month", NonNeg, "office rent per worker at base rent"),
    k("firms.start_cash_months", "months", NonNeg, "cash reserve in months of the firm's costs: new firms start with it, profits above it are paid out"),
    k("firms.startup_size", "people", Between(0.01, 1.0e6), "people of a start-up at founding, the founder included"),
    k("firms.startup_radius_km", "km", Positive, "a start-up locates within this distance of its founder's workplace"),
    k("firms.spinoff_size", "people", Between(0.01, 1.0e6), "people of a lab spin-off at founding"),
    k("firms.spinoff_radius_km", "km", Positive, "a spin-off locates within this distance of its lab"),
    k("firms.relocation_rate", "firms/month", Between(0.0, 1.0e5), "relocations into the corridor at base attractiveness"),
    k("firms.relocation_talent_elasticity", "", Between(0.0, 5.0), "elasticity of relocations to the corridor's talent relative to the start"),
    k("firms.relocation_min_size", "people", Between(0.01, 1.0e6), "smallest relocating firm (Pareto sizes with `size_exponent`)"),
    k("firms.relocation_max_size", "people", Between(0.01, 1.0e6), "largest relocating firm"),
    k("firms.location_candidates", "cells", Between(1.0, 1000.0), "cells sampled when a firm chooses where to locate"),
    k("firms.location.rent", "", NonNeg, "location logit: weight of -ln(rent index)"),
    k("firms.location.spillover", "", NonNeg, "location logit: weight of ln(1 + spillover), times the sector's R&D intensity over the mean"),
    k("firms.location.talent", "", NonNeg, "location logit: weight of ln(1 + resident talent / `talent_scale`)"),
    k("firms.location.talent_scale", "people", Between(1.0, 1.0e7), "location logit: resident talent at which the talent term is ln 2"),
    k("firms.location.crowding", "", NonNeg, "location logit: weight of -(jobs / office land)"),
    // rd
    k("rd.start_year", "year", Y, "lever `rd.subsidy_rate`: first year"),
    k("rd.end_year", "year", Y, "last year"),
    k("rd.subsidy_rate", "share", Between(0.0, 0.95), "share of R&D spend paid by the public budget"),
    k("rd.cap", "yuan/year", NonNeg, "largest subsidy per firm per year"),
    k("rd.fund_per_year", "yuan/year", NonNeg, "the programme's fund (专项资金): a month's claims beyond a twelfth of it are paid pro rata, which lowers the rate and cap every firm sees that month; absent: every claim is paid"),
    k("rd.sectors", "sector names", Text, "eligible sectors; empty = all"),
    k("rd.districts", "district names", Text, "eligible districts; empty = all"),
    k("rd.challenge_grants.start_year", "year", Y, "lever `rd.challenge_grants` (揭榜挂帅): first year"),
    k("rd.challenge_grants.end_year", "year", Y, "last year"),
    k("rd.challenge_grants.budget_per_year", "yuan/year", NonNeg, "grant money per year, split among winners each January"),
    k("rd.challenge_grants.winners", "firms", Between(1.0, 1.0e6), "firms with the largest knowledge stock that win"),
    k("rd.challenge_grants.sectors", "sector names", Text, "eligible sectors; empty = all"),
    // incubators
    k("incubators.start_year", "year", Y, "lever `incubators.capacity`: first year"),
    k("incubators.end_year", "year", Y, "last year"),
    k("incubators.capacity", "places", Between(0.0, 1.0e8), "incubator places, split evenly among `hubs`"),
    k("incubators.hubs", "hub names", Text, "hubs with incubators; empty = all"),
    k("incubators.half_capacity", "places", Positive, "places at which the boost is half its maximum"),
    k("incubators.max_boost", "share", Between(0.0, 20.0), "largest relative rise of spin-off and founding rates"),
    k("incubators.reach_km", "km", Positive, "decay length of the boost around a hub"),
    k("incubators.cost_per_place_year", "yuan/year", NonNeg, "public cost per place"),
    // digital
    k("digital.compute_centre.start_year", "year", Y, "lever `digital.compute_centre`: first year"),
    k("digital.compute_centre.end_year", "year", Y, "last year"),
    k("digital.compute_centre.boost", "share", Between(0.0, 10.0), "relative rise of digital innovation rates"),
    k("digital.compute_centre.cost_per_year", "yuan/year", NonNeg, "public cost while active"),
    k("digital.compute_centre.districts", "district names", Text, "districts that benefit; empty = all"),
    // output
    k("output.jobs_housing_min", "minutes", Positive, "jobs-housing balance counts workers within this commute"),
    k(
        "output.discount_rate",
        "share per year",
        Between(0.0, 0.3),
        "social discount rate for present values of public costs and effects (real, per year)",
    ),
];

/// The schema entry for a concrete path (array indices given as `*`).
pub fn find(pattern: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.path == pattern)
}

/// The schema entry of a dotted path as `--set` and sweeps write it: array elements by name or
/// index (`schools.new_seats.sweep_seats.primary_per_year` is `schools.new_seats.*.primary_per_year`).
pub fn key_of(path: &str) -> Option<&'static Key> {
    let segs: Vec<&str> = path.split('.').collect();
    KEYS.iter().find(|k| {
        let pat: Vec<&str> = k.path.split('.').collect();
        pat.len() == segs.len() && pat.iter().zip(&segs).all(|(p, s)| p == s || *p == "*")
    })
}

/// `docs/SCENARIO.md`, generated from [`KEYS`] and the defaults of the scenario types.
pub fn markdown() -> String {
    let defaults = super::defaults_value();
    let mut out = String::new();
    out.push_str("# Scenario format\n\n");
    out.push_str("Generated by `corridor schema` from `src/scenario/schema.rs`; do not edit by hand.\n\n");
    out.push_str("A scenario is a TOML file. Every key is optional and a missing key takes the default below, except that a scenario needs at least one `[[sectors]]` and one `[[talent.tiers]]` element: an empty file is not a scenario (start from `scenarios/tiny.toml`). ");
    out.push_str("`extends = \"other.toml\"` starts from another file (tables merge key by key; arrays of tables that have a `name` merge element by element, so a what-if file holds only what differs). ");
    out.push_str("Every key is addressable on the command line and in sweeps by its dotted path, e.g. `--set rd.subsidy_rate=0.3`; ");
    out.push_str("array elements are addressed by `name` or index: `--set hubs.yuncheng.radius_km=3`, `--set talent.tiers.top.inflow=200`. ");
    out.push_str("Money is in yuan, per month unless the unit says per year. Coordinates are cells: x from the west edge, y from the north edge. ");
    out.push_str("Lever periods are calendar years, inclusive; a lever with a non-zero amount may not start after the run ends.\n\n");
    let mut section = "";
    for key in KEYS {
        let top = key.path.split('.').next().unwrap_or("");
        let sec = if key.path.contains('.') { top } else { "top level" };
        if sec != section {
            section = sec;
            out.push_str(&format!(
                "\n## `{}`\n\n| key | unit | default | allowed | meaning |\n| --- | --- | --- | --- | --- |\n",
                sec
            ));
        }
        let default = if key.path == "name" { "the file name".to_string() } else { default_of(&defaults, key.path) };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            key.path,
            key.unit,
            default,
            key.range.describe(),
            key.meaning.replace('|', "\\|")
        ));
    }
    out.push_str(&limits_markdown());
    out
}

/// The limits of what a scenario may hold (validation refuses more, with the limit named).
fn limits_markdown() -> String {
    use super::validate::limits as l;
    let rows = [
        ("`talent.tiers`", l::TIERS.to_string(), "firms keep a worker count for each tier in a fixed-size array"),
        ("`districts`", l::DISTRICTS.to_string(), "a school seat stores its district in 8 bits"),
        ("`sectors`", l::SECTORS.to_string(), "firms and people store their sector in 8 bits"),
        ("stations of one line", l::STATIONS.to_string(), "cells store their nearest station in 16 bits"),
        ("grid cells (`grid.width` x `grid.height`)", l::CELLS.to_string(), "the map's work and memory grow with cells"),
        ("`hubs`", l::HUBS.to_string(), "every cell weighs every hub"),
        ("transit lines and new lines", l::LINES.to_string(), "every trip looks at every line"),
        ("labs (sites and new)", l::LABS.to_string(), ""),
        ("`schools.new_seats` programmes", l::PROGRAMMES.to_string(), ""),
        ("`grid.layers` files", l::LAYERS.to_string(), ""),
        ("cells x hubs, cells x stations", l::CELL_PAIRS.to_string(), "building the map"),
        ("talent agents over the run", u32::MAX.to_string(), "agents have 32-bit ids; counted as `talent.initial / agent_scale` plus every potential migrant (`inflow / agent_scale` a month)"),
        ("firms over the run", l::FIRMS.to_string(), "firm ids are 31-bit; counted as `firms.initial` plus relocations and every possible founding"),
    ];
    let mut out = String::from(
        "\n## Limits\n\nValidation refuses a scenario beyond these limits with an error naming the limit. ",
    );
    out.push_str("Before a run, sweep or compare starts, `corridor` also estimates its memory (about 130 bytes per talent agent, counting every potential migrant as arriving, plus firms and cells) and refuses a run that would not fit in the machine's memory (or its cgroup limit), naming the estimate and the limit.\n\n");
    out.push_str("| what | at most | why |\n| --- | --- | --- |\n");
    for (what, max, why) in rows {
        out.push_str(&format!("| {what} | {max} | {why} |\n"));
    }
    out
}

fn default_of(defaults: &toml::Value, path: &str) -> String {
    let mut cur = defaults;
    for seg in path.split('.') {
        cur = match (cur, seg) {
            (toml::Value::Array(a), "*") => match a.first() {
                Some(v) => v,
                None => return String::new(),
            },
            (toml::Value::Table(t), s) => match t.get(s) {
                Some(v) => v,
                None => return String::new(),
            },
            _ => return String::new(),
        };
    }
    match cur {
        toml::Value::String(s) if s.is_empty() => "\"\"".into(),
        toml::Value::Array(a) if a.is_empty() => "[]".into(),
        toml::Value::Table(_) => String::new(),
        v => format!("`{}`", v).replace('|', "\\|"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_swept_path_finds_its_key() {
        assert_eq!(key_of("rd.subsidy_rate").map(|k| k.unit), Some("share"));
        let k = key_of("schools.new_seats.sweep_seats.primary_per_year").unwrap();
        assert_eq!(k.path, "schools.new_seats.*.primary_per_year");
        assert!(key_of("rd.no_such_key").is_none());
    }
}
