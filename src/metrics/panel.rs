//! The firm and talent panels of a run (`corridor run --microdata`): an observer that reads the
//! firm records after every month, sums each firm's output and R&D over the year and writes a
//! row per firm and year in December; the talent panel is the final population. Like the
//! recorder it only reads the state.

use crate::agents::talent::{Tenure, LAB_BIT, NO_JOB, OUTSIDE};
use crate::engine::Sim;
use crate::output::files::{FirmYear, Microdata, TalentRow};

/// Collects the panels while a run steps.
#[derive(Clone, Debug, Default)]
pub struct Panel {
    /// Output and R&D of each firm so far this year.
    sums: Vec<(f64, f64)>,
    rows: Vec<FirmYear>,
}

impl Panel {
    /// Reads the month just stepped; after a December, writes the year's rows.
    pub fn record(&mut self, sim: &Sim) {
        let month = sim.month.checked_sub(1).expect("a month is recorded after it was stepped");
        let firms = &sim.firms.records;
        self.sums.resize(firms.len(), (0.0, 0.0));
        for (acc, f) in self.sums.iter_mut().zip(firms) {
            acc.0 += f.output;
            acc.1 += f.rd;
        }
        if month % 12 != 11 {
            return;
        }
        let s = &sim.scenario;
        let year = s.start_year + (month / 12) as i32;
        let first = month - 11;
        let scale = s.agent_scale;
        let tiers = s.talent.tiers.len();
        // Workers at the end of December, counted from the households.
        let workers = crate::agents::par_count(&sim.talent.agents, firms.len() * tiers, |t, acc| {
            if t.employer != NO_JOB && t.employer & LAB_BIT == 0 {
                acc[t.employer as usize * tiers + t.tier as usize] += 1;
            }
        });
        for (f, acc) in firms.iter().zip(self.sums.iter_mut()) {
            let lived_this_year = f.alive || f.death_month >= first;
            if lived_this_year {
                let (x, y) = sim.world.xy(f.cell);
                let d = sim.world.district[f.cell as usize];
                let at = f.id as usize * tiers;
                self.rows.push(FirmYear {
                    firm: f.id,
                    year,
                    sector: s.sectors[f.sector as usize].name.clone(),
                    origin: f.origin.name().to_string(),
                    x: x as u32,
                    y: y as u32,
                    district: if d >= 0 { s.districts[d as usize].name.clone() } else { String::new() },
                    birth_month: f.birth_month,
                    death_month: (!f.alive).then_some(f.death_month),
                    firms: f.multiplicity,
                    workers: workers[at..at + tiers].iter().map(|&w| w as f64 * scale).collect(),
                    output: acc.0,
                    rd: acc.1,
                    knowledge: f.knowledge * f.multiplicity as f64,
                    productivity: f.productivity,
                    patents: f.patents_ytd,
                    longest_hiring_cap_months: f.longest_cap_months,
                });
            }
            *acc = (0.0, 0.0);
        }
    }

    /// The panels: the firm-years collected and the population at the end.
    pub fn finish(self, sim: &Sim) -> Microdata {
        let s = &sim.scenario;
        let util = crate::engine::household_view!(sim);
        let talent = sim
            .talent
            .agents
            .iter()
            .map(|t| {
                let (kind, employer) = match t.employer {
                    NO_JOB => ("none", None),
                    e if e & LAB_BIT != 0 => ("lab", Some(e & !LAB_BIT)),
                    e => ("firm", Some(e)),
                };
                let home = (t.home != OUTSIDE).then(|| sim.world.xy(t.home));
                TalentRow {
                    id: t.id,
                    tier: s.talent.tiers[t.tier as usize].name.clone(),
                    age: t.age_years(),
                    employer_kind: kind.to_string(),
                    employer,
                    home_x: home.map(|h| h.0 as u32),
                    home_y: home.map(|h| h.1 as u32),
                    tenure: tenure_name(t.tenure).to_string(),
                    wage: util.wage(t),
                    commute_min: t.commute as f64,
                    child_age: t.has_child().then(|| t.child_age_months as f64 / 12.0),
                    months_in_corridor: t.months_in_corridor as u32,
                    households: s.agent_scale,
                }
            })
            .collect();
        Microdata { tiers: s.talent.tiers.iter().map(|t| t.name.clone()).collect(), firms: self.rows, talent }
    }
}

fn tenure_name(t: Tenure) -> &'static str {
    match t {
        Tenure::Outside => "outside",
        Tenure::Market => "market",
        Tenure::TalentUnit => "talent_unit",
        Tenure::Shared => "shared",
        Tenure::Owner => "owner",
    }
}
