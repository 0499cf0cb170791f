//! Job search. Layoffs first; then the unemployed, and the employed with probability
//! `on_job_search`, sample k vacancies of their tier and sector skill (researchers from labs with
//! probability `job_search.lab_share`) and rank them by wage minus the value of commuting time
//! from their home. Proposals are made in parallel; vacancies are then filled one by one in agent
//! order. The same pass takes the founding draws (see `entrepreneurship`): founders do not search.

use rayon::prelude::*;

use super::{update_listed, Talent, Utility, FLAG_JOB_CHANGED, FLAG_RESEARCHER, LAB_BIT, NO_JOB};
use crate::agents::firm::{Firm, FirmTable};
use crate::agents::lab::Lab;
use crate::agents::MAX_TIERS;
use crate::rng::{Purpose, Stream};

/// What an agent does in the month's search: found a firm, or propose ranked candidates
/// [(slot bucket, slot index, score)].
enum Intent {
    Found,
    Seek(Vec<(u32, u32, f32)>),
}

/// The hires of a month's search and its founders (agent indices in agent order).
pub struct Outcome {
    pub hires: u32,
    pub founders: Vec<u32>,
}

/// A chunk of agents' layoff candidates as (agent index, slot of its employer's pending layoffs
/// of its tier, tier), and its unemployed by tier.
type ChunkLayoffs = (Vec<(u32, u32, u8)>, Vec<u32>);

/// A vacancy slot: one job at an employer.
#[derive(Clone, Copy, Debug)]
struct Slot {
    employer: u32,
    cell: u32,
    premium: f32,
    /// Index of the employer's open vacancies of this tier in the board's `open` table.
    open: u32,
}

/// Hours of a working day (Labour Law of the PRC, art. 36: at most eight hours a day).
pub const WORKING_HOURS_PER_DAY: f64 = 8.0;

/// Monthly cost of commuting as money: value_of_time x hourly wage x hours commuted.
#[inline]
pub fn commute_cost(s: &crate::scenario::Scenario, wage: f64, commute_min: f64) -> f64 {
    // hourly wage = wage / (days * hours a day); hours commuted = 2 trips * commute / 60 * days,
    // so the days cancel: commute minutes over 60 * hours a day / 2 trips (= 240).
    s.talent.value_of_time * wage * commute_min / (60.0 * WORKING_HOURS_PER_DAY / 2.0)
}

/// The month's vacancies: one slot per job by bucket ((tier, sector) for firms, (tier, research)
/// for labs), and the open vacancies of each (employer, tier) in a compact table that matching
/// counts down.
pub struct VacancyBoard {
    sectors: usize,
    slots: Vec<Vec<Slot>>,
    open: Vec<u32>,
    /// The (employer, tier) of each entry of `open`.
    open_of: Vec<(u32, usize)>,
    vacancies: Vec<u32>,
}

impl VacancyBoard {
    /// The vacancies that firms and labs posted this month.
    pub fn post(firms: &FirmTable, labs: &[Lab], tiers: usize, sectors: usize) -> VacancyBoard {
        let nb = tiers * (sectors + 1);
        let mut board = VacancyBoard {
            sectors,
            slots: vec![Vec::new(); nb],
            open: Vec::new(),
            open_of: Vec::new(),
            vacancies: vec![0u32; tiers],
        };
        // The alive firms that post vacancies, gathered in parallel (most firms post none in a month).
        let posting: Vec<u32> = firms
            .records
            .par_iter()
            .with_min_len(1024)
            .filter(|f| f.alive && f.vacancies.iter().any(|&v| v > 0))
            .map(|f| f.id)
            .collect();
        let firm_posts = posting.iter().map(|&id| {
            let f = &firms.records[id as usize];
            (f.id, f.cell, f.wage_premium, f.sector as usize, &f.vacancies)
        });
        let lab_posts = labs.iter().enumerate().map(|(i, l)| (LAB_BIT | i as u32, l.cell, 1.0, sectors, &l.vacancies));
        for (employer, cell, premium, sector, posted) in firm_posts.chain(lab_posts) {
            for t in 0..tiers {
                if posted[t] == 0 {
                    continue;
                }
                board.vacancies[t] += posted[t];
                let slot = Slot { employer, cell, premium, open: board.open.len() as u32 };
                let b = board.bucket(t, sector);
                board.slots[b].extend(std::iter::repeat_n(slot, posted[t] as usize));
                board.open.push(posted[t]);
                board.open_of.push((employer, t));
            }
        }
        board
    }

    fn bucket(&self, tier: usize, sector: usize) -> usize {
        tier * (self.sectors + 1) + sector
    }

    /// Vacancies posted per tier (agents).
    pub fn vacancies_by_tier(&self) -> Vec<u32> {
        self.vacancies.clone()
    }

    /// Vacancies still open after matching, per (employer, tier).
    pub fn open(&self) -> impl Iterator<Item = ((u32, usize), u32)> + '_ {
        self.open_of.iter().copied().zip(self.open.iter().copied())
    }

    /// Writes the vacancies left open back to the employers.
    pub fn write_back(&self, firms: &mut [Firm], labs: &mut [Lab]) {
        for ((employer, t), left) in self.open() {
            if employer & LAB_BIT != 0 {
                labs[(employer & !LAB_BIT) as usize].vacancies[t] = left;
            } else {
                firms[employer as usize].vacancies[t] = left;
            }
        }
    }
}

/// Job search: unemployed spells lengthen; founders are drawn; the unemployed, and the employed
/// with probability `on_job_search`, sample vacancies of their bucket and propose a ranked list
/// (in parallel); vacancies are then taken in agent order and the hires written to the agents in
/// parallel.
pub fn search(agents: &mut [Talent], board: &mut VacancyBoard, util: &Utility, seed: u64) -> Outcome {
    let s = util.s;
    let js = &s.talent.job_search;
    let founding = super::entrepreneurship::FoundingOdds::new(util, seed);
    let sectors = board.sectors;
    let k = s.talent.job_candidates as usize;
    let month = util.month;
    let any_slots = board.slots.iter().any(|b| !b.is_empty());
    let wage_index = &util.prices.wage;
    let slots = &board.slots;
    let bucket = |tier: usize, sector: usize| tier * (sectors + 1) + sector;
    // One pass: unemployed spells lengthen (a hire resets them), founders are drawn, and
    // searchers propose ranked candidates.
    let proposals: Vec<(usize, Intent)> = agents
        .par_iter_mut()
        .enumerate()
        .with_min_len(1024)
        .filter_map(|(i, t)| {
            // Written only when it changes: most agents' records stay clean in the cache.
            if t.has(FLAG_JOB_CHANGED) {
                t.set(FLAG_JOB_CHANGED, false);
            }
            if t.employer == NO_JOB {
                t.months_unemployed = t.months_unemployed.saturating_add(1);
            }
            if founding.founds(t) {
                return Some((i, Intent::Found));
            }
            if !any_slots {
                return None;
            }
            let mut rng = Stream::new(seed, Purpose::JobSearch, t.id as u64, month);
            let searching = !t.employed() || rng.chance(s.talent.on_job_search);
            if !searching {
                return None;
            }
            let tier = t.tier as usize;
            let research = t.has(FLAG_RESEARCHER) && rng.chance(js.lab_share);
            let mut b = if research { bucket(tier, sectors) } else { bucket(tier, t.sector as usize) };
            if slots[b].is_empty() && !t.employed() && t.months_unemployed >= 3 {
                // Long spells widen the search to any sector of the tier.
                b = bucket(tier, rng.below(sectors + 1));
            }
            let pool = &slots[b];
            if pool.is_empty() {
                return None;
            }
            // The net value an offer must beat: the current job's plus `switch_hurdle` of its
            // size (a worse offer never passes, also when the current value is negative).
            let hurdle = if t.employed() {
                let wage = util.wage(t);
                let current = wage - commute_cost(s, wage, util.commute(t.home, util.work_cell(t)));
                current + js.switch_hurdle * current.abs()
            } else {
                f64::NEG_INFINITY
            };
            let mut cands: Vec<(u32, u32, f32)> = Vec::with_capacity(k);
            for _ in 0..k {
                let j = rng.below(pool.len());
                let slot = pool[j];
                if t.employed() && slot.employer == t.employer {
                    continue;
                }
                let wage = wage_index[tier] * slot.premium as f64;
                let commute = util.commute(t.home, Some(slot.cell));
                let score = wage - commute_cost(s, wage, commute);
                if score > hurdle {
                    cands.push((b as u32, j as u32, score as f32));
                }
            }
            if cands.is_empty() {
                return None;
            }
            cands.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.1.cmp(&b.1)));
            Some((i, Intent::Seek(cands)))
        })
        .collect();

    // Resolution in agent order: take the best candidate whose employer still has the vacancy.
    // The hires are decided on the compact vacancy table, then written to the agents in parallel.
    let mut hires: Vec<(u32, Slot)> = Vec::new();
    let mut founders = Vec::new();
    for (i, intent) in proposals {
        let cands = match intent {
            Intent::Found => {
                founders.push(i as u32);
                continue;
            }
            Intent::Seek(cands) => cands,
        };
        for (b, j, _) in cands {
            let slot = slots[b as usize][j as usize];
            let left = &mut board.open[slot.open as usize];
            if *left == 0 {
                continue;
            }
            *left -= 1;
            hires.push((i as u32, slot));
            break;
        }
    }
    update_listed(agents, &hires, |t, slot| {
        t.employer = slot.employer;
        t.commute = util.commute(t.home, Some(slot.cell)) as f32;
        t.months_unemployed = 0;
        t.set(FLAG_JOB_CHANGED, true);
    });
    Outcome { hires: hires.len() as u32, founders }
}

/// Workers of firms that shrink or exit, and of labs over budget, lose their jobs (in agent
/// order). Returns the job seekers of each tier after the layoffs.
pub fn layoffs(agents: &mut [Talent], firms: &mut [Firm], labs: &mut [Lab], util: &Utility) -> Vec<u32> {
    let tiers = util.s.talent.tiers.len();
    // The employers that lay off, in compact tables (the firm records are far larger than the pass
    // over the agents can keep in cache): a bit per tier for each employer, and the pending layoffs
    // of the employers that cut. Labs follow the firms in both.
    let nf = firms.len();
    let bits_of = |layoffs: &[u32; MAX_TIERS]| (0..tiers).fold(0u8, |b, t| b | (((layoffs[t] > 0) as u8) << t));
    let mut cut_bits: Vec<u8> = firms.par_iter().with_min_len(1024).map(|f| bits_of(&f.layoffs)).collect();
    cut_bits.extend(labs.iter().map(|l| bits_of(&l.layoffs)));
    let cutting: Vec<usize> = (0..cut_bits.len()).filter(|&e| cut_bits[e] != 0).collect();
    let layoffs_of = |e: usize| if e < nf { &firms[e].layoffs } else { &labs[e - nf].layoffs };
    let mut cut_slot = vec![0u32; cut_bits.len()];
    let mut pending: Vec<u32> = Vec::with_capacity(cutting.len() * tiers);
    for &e in &cutting {
        cut_slot[e] = pending.len() as u32;
        pending.extend_from_slice(&layoffs_of(e)[..tiers]);
    }
    let employer_index = |e: u32| if e & LAB_BIT != 0 { nf + (e & !LAB_BIT) as usize } else { e as usize };
    // One pass in fixed chunks: the unemployed of each tier, and the workers of employers with
    // layoffs in their tier (the chunks' lists are joined in agent order).
    const CHUNK: usize = 1 << 15;
    let parts: Vec<ChunkLayoffs> = agents
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(k, chunk)| {
            let mut cands = Vec::new();
            let mut unemployed = vec![0u32; tiers];
            for (j, t) in chunk.iter().enumerate() {
                if t.employer == NO_JOB {
                    unemployed[t.tier as usize] += 1;
                } else {
                    let e = employer_index(t.employer);
                    if cut_bits[e] >> t.tier & 1 != 0 {
                        // The agent, and where its employer's pending layoffs of its tier are.
                        cands.push(((k * CHUNK + j) as u32, cut_slot[e] + t.tier as u32, t.tier));
                    }
                }
            }
            (cands, unemployed)
        })
        .collect();
    // Who is laid off is decided on the compact table, in agent order; the agents are then
    // updated in parallel.
    let mut seekers = vec![0u32; tiers];
    let mut laid_off: Vec<(u32, ())> = Vec::new();
    for (cands, unemployed) in parts {
        for (x, y) in seekers.iter_mut().zip(unemployed) {
            *x += y;
        }
        for (i, at, tier) in cands {
            let left = &mut pending[at as usize];
            if *left == 0 {
                continue;
            }
            *left -= 1;
            laid_off.push((i, ()));
            seekers[tier as usize] += 1;
        }
    }
    update_listed(agents, &laid_off, |t, _| {
        t.employer = NO_JOB;
        t.commute = util.commute(t.home, None) as f32;
        t.months_unemployed = 0;
    });
    // What remains pending (nothing, unless an employer had fewer workers than it cut).
    for e in cutting {
        let at = cut_slot[e] as usize;
        let layoffs = if e < nf { &mut firms[e].layoffs } else { &mut labs[e - nf].layoffs };
        layoffs[..tiers].copy_from_slice(&pending[at..at + tiers]);
    }
    seekers
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::testkit::{cell, household, Kit};

    const SKILLED: usize = 1;

    #[test]
    fn vacancies_are_taken_in_agent_order_and_counted_down() {
        let mut kit = Kit::new();
        let open = kit.firm(0, cell(1, 1));
        let dead = kit.firm(0, cell(2, 1));
        kit.firms.records[open as usize].vacancies[SKILLED] = 1;
        kit.firms.records[dead as usize].vacancies[SKILLED] = 5;
        kit.firms.records[dead as usize].alive = false;
        let mut agents: Vec<Talent> = (0..3).map(|i| household(i, SKILLED as u8, cell(1, 2))).collect();
        let mut board = VacancyBoard::post(&kit.firms, &kit.labs, 2, 2);
        assert_eq!(board.vacancies_by_tier(), vec![0, 1], "dead firms post nothing");
        let hires = search(&mut agents, &mut board, &kit.util(), 1).hires;
        assert_eq!(hires, 1);
        assert_eq!(agents[0].employer, open, "the first searcher in agent order takes the only vacancy");
        assert!(agents[0].has(FLAG_JOB_CHANGED) && agents[0].months_unemployed == 0);
        assert!(agents[1..].iter().all(|t| t.employer == NO_JOB && t.months_unemployed == 1));
        board.write_back(&mut kit.firms.records, &mut kit.labs);
        assert_eq!(kit.firms.records[open as usize].vacancies[SKILLED], 0);
    }

    #[test]
    fn the_best_offer_wins_and_a_worse_one_does_not_lure_the_employed() {
        let mut kit = Kit::new();
        kit.s.talent.on_job_search = 1.0;
        let good = kit.firm(0, cell(3, 1));
        let poor = kit.firm(0, cell(3, 2));
        let current = kit.firm(0, cell(3, 3));
        for (f, premium) in [(good, 1.2f32), (poor, 0.9), (current, 1.0)] {
            kit.firms.records[f as usize].wage_premium = premium;
            kit.firms.premia[f as usize] = premium;
        }
        kit.firms.records[good as usize].vacancies[SKILLED] = 1;
        kit.firms.records[poor as usize].vacancies[SKILLED] = 1;
        let mut agents = vec![household(0, SKILLED as u8, cell(3, 0)), household(1, SKILLED as u8, cell(3, 0))];
        agents[1].employer = current;
        let mut board = VacancyBoard::post(&kit.firms, &kit.labs, 2, 2);
        search(&mut agents, &mut board, &kit.util(), 2);
        assert_eq!(agents[0].employer, good, "the unemployed takes the better paid of the two jobs");
        assert_eq!(agents[1].employer, current, "a job paying less than the current one is not taken");
        let left: Vec<u32> = board.open().map(|(_, n)| n).collect();
        assert_eq!(left, vec![0, 1]);
    }

    #[test]
    fn a_worse_offer_does_not_pass_when_the_current_job_is_worth_less_than_nothing() {
        let mut kit = Kit::new();
        kit.s.talent.on_job_search = 1.0;
        kit.s.talent.value_of_time = 20.0; // a long commute costs more than the wage
        let current = kit.firm(0, cell(7, 3));
        let worse = kit.firm(0, cell(7, 3));
        kit.firms.records[worse as usize].wage_premium = 1.03;
        kit.firms.premia[worse as usize] = 1.03;
        kit.firms.records[worse as usize].vacancies[SKILLED] = 1;
        let mut agents = vec![household(0, SKILLED as u8, cell(0, 0))];
        agents[0].employer = current;
        let util = kit.util();
        let wage = util.wage(&agents[0]);
        assert!(wage - commute_cost(&kit.s, wage, util.commute(cell(0, 0), Some(cell(7, 3)))) < 0.0);
        let mut board = VacancyBoard::post(&kit.firms, &kit.labs, 2, 2);
        search(&mut agents, &mut board, &kit.util(), 2);
        assert_eq!(agents[0].employer, current, "a higher wage with the same commute is worth less here");
    }

    #[test]
    fn layoffs_go_in_agent_order_and_count_as_seekers() {
        let mut kit = Kit::new();
        let f = kit.firm(0, cell(1, 1));
        let mut agents: Vec<Talent> = (0..4).map(|i| household(i, SKILLED as u8, cell(1, 2))).collect();
        for t in &mut agents[..3] {
            t.employer = f;
        }
        kit.firms.records[f as usize].layoffs[SKILLED] = 2;
        let util = kit.util();
        let seekers = {
            let (records, labs) = (&mut kit.firms.records.clone(), &mut kit.labs.clone());
            let s = layoffs(&mut agents, records, labs, &util);
            assert_eq!(records[f as usize].layoffs[SKILLED], 0, "every pending layoff was made");
            s
        };
        assert_eq!(seekers, vec![0, 3], "two laid off and one already unemployed");
        assert_eq!(agents.iter().map(|t| t.employer == f).collect::<Vec<_>>(), vec![false, false, true, false]);
    }
}
