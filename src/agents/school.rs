//! Schools: primary and middle seats per district with a quality index. Seats are assigned each
//! September (home district first, then coordinated seats across districts when the enrolment
//! coordination lever opens a quota of spare seats); between Septembers a newly arrived or moved
//! child may take a free seat in its home district.

use crate::agents::talent::{Talent, FLAG_COORDINATED, OUTSIDE};
use crate::policy::{Lever, PerLever};
use crate::scenario::Scenario;
use crate::world::World;

pub const LEVELS: usize = 2;

/// The month's school census, taken during the life-course pass (after ageing): seats held and
/// children waiting by district (see [`Schools::count`]), and the children who wait for a seat in
/// their home district, in agent order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Census {
    pub counts: Vec<u32>,
    pub waiting: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Schools {
    /// Seats per district and level (agent units: one seat per talent agent's child).
    pub seats: Vec<[f64; LEVELS]>,
    pub quality: Vec<[f64; LEVELS]>,
    /// Seated children per district and level (recounted monthly).
    pub seated: Vec<[u32; LEVELS]>,
    /// School access per district: seat availability x quality, used in residential choice.
    pub access: Vec<f64>,
    /// Seats opened by the new-seats lever so far (agent units), for operating costs.
    pub lever_seats: f64,
    /// Children seated in another district through coordination (agent units).
    pub coordinated: u32,
}

impl Schools {
    pub fn new(s: &Scenario) -> Schools {
        let scale = s.agent_scale;
        Schools {
            seats: s.districts.iter().map(|d| [d.primary_seats / scale, d.middle_seats / scale]).collect(),
            quality: s.districts.iter().map(|d| [d.school_quality, d.school_quality]).collect(),
            seated: vec![[0; LEVELS]; s.districts.len()],
            access: vec![0.0; s.districts.len()],
            lever_seats: 0.0,
            coordinated: 0,
        }
    }

    pub fn free(&self, d: usize, level: usize) -> f64 {
        (self.seats[d][level].floor() - self.seated[d][level] as f64).max(0.0)
    }

    /// Recounts seated children and refreshes school access per district.
    pub fn recount(&mut self, talent: &[Talent], world: &World) {
        let len = self.count_len();
        let counts = crate::agents::par_count(talent, len, |t, acc| Schools::count(t, world, acc));
        self.apply_counts(&counts);
    }

    /// Length of the count table [seated (district x level) | waiting (district) | coordinated].
    pub fn count_len(&self) -> usize {
        self.seats.len() * (LEVELS + 1) + 1
    }

    /// Adds one household into a count table of [`Schools::count_len`] entries.
    #[inline]
    pub fn count(t: &Talent, world: &World, acc: &mut [u32]) {
        let nd = (acc.len() - 1) / (LEVELS + 1);
        if t.seat_district >= 0 {
            acc[t.seat_district as usize * LEVELS + t.seat_level as usize] += 1;
            if t.flags & FLAG_COORDINATED != 0 {
                acc[nd * LEVELS + nd] += 1;
            }
        } else if t.school_level().is_some() && t.home != OUTSIDE {
            let d = world.district[t.home as usize];
            if d >= 0 {
                acc[nd * LEVELS + d as usize] += 1;
            }
        }
    }

    /// Takes seated children from a count table and refreshes school access per district.
    pub fn apply_counts(&mut self, counts: &[u32]) {
        let nd = self.seats.len();
        for d in 0..nd {
            for l in 0..LEVELS {
                self.seated[d][l] = counts[d * LEVELS + l];
            }
        }
        let waiting = &counts[nd * LEVELS..nd * LEVELS + nd];
        self.coordinated = counts[nd * LEVELS + nd];
        for d in 0..nd {
            let free = self.free(d, 0) + self.free(d, 1);
            let avail = if waiting[d] == 0 {
                if free > 0.0 || self.seats[d][0] + self.seats[d][1] > 0.0 {
                    1.0
                } else {
                    0.0
                }
            } else {
                (free / waiting[d] as f64).min(1.0)
            };
            let q = (self.quality[d][0] + self.quality[d][1]) / 2.0;
            self.access[d] = avail * q;
        }
    }

    /// September: the new-seats lever adds seats; quality of the district moves to the
    /// seat-weighted mean. Returns the capital cost (yuan).
    pub fn open_new_seats(&mut self, s: &Scenario, year: i32, costs: &mut PerLever<f64>) {
        let best = self.quality.iter().flat_map(|q| q.iter().copied()).fold(0.0, f64::max);
        for l in &s.schools.new_seats {
            if year < l.start_year || year > l.end_year {
                continue;
            }
            let Some(d) = s.districts.iter().position(|x| x.name == l.district) else { continue };
            let q_new = l.quality + l.famous_school_uplift * (best - l.quality).max(0.0);
            for (level, added) in [(0, l.primary_per_year), (1, l.middle_per_year)] {
                let add = added / s.agent_scale;
                if add <= 0.0 {
                    continue;
                }
                let old = self.seats[d][level];
                self.seats[d][level] += add;
                self.quality[d][level] = (self.quality[d][level] * old + q_new * add) / (old + add);
                self.lever_seats += add;
                costs[Lever::SchoolSeats] += added * l.cost_per_seat;
            }
        }
    }

    /// September enrolment. Children who changed level or aged out give up their seats; then, in
    /// agent order, children take free seats in their home district; then, with coordination, a
    /// quota of the remaining spare seats is opened to children of other districts.
    pub fn enrol(&mut self, talent: &mut [Talent], world: &World, coordination_quota: f64) {
        for t in talent.iter_mut() {
            match t.school_level() {
                Some(level) if t.seat_district >= 0 && t.seat_level == level => {}
                _ => {
                    t.seat_district = -1;
                    t.flags &= !FLAG_COORDINATED;
                }
            }
        }
        self.recount(talent, world);
        self.assign_home(talent, world);
        if coordination_quota > 0.0 {
            let nd = self.seats.len();
            let mut open: Vec<[f64; LEVELS]> = (0..nd)
                .map(|d| {
                    [(self.free(d, 0) * coordination_quota).floor(), (self.free(d, 1) * coordination_quota).floor()]
                })
                .collect();
            for t in talent.iter_mut() {
                let Some(level) = t.school_level() else { continue };
                if t.seat_district >= 0 {
                    continue;
                }
                let level = level as usize;
                // The district with the most opened seats; ties to the lower index.
                let mut best: Option<usize> = None;
                for d in 0..nd {
                    if open[d][level] >= 1.0 && best.is_none_or(|b| open[d][level] > open[b][level]) {
                        best = Some(d);
                    }
                }
                if let Some(d) = best {
                    open[d][level] -= 1.0;
                    t.seat_district = d as i8;
                    t.seat_level = level as u8;
                    t.flags |= FLAG_COORDINATED;
                }
            }
        }
        self.recount(talent, world);
    }

    /// Children without a seat take free seats in their home district, in agent order.
    pub fn assign_home(&mut self, talent: &mut [Talent], world: &World) {
        use rayon::prelude::*;
        let waiting: Vec<u32> = talent
            .par_iter()
            .enumerate()
            .with_min_len(8192)
            .filter(|(_, t)| Schools::waits_at_home(t, world))
            .map(|(i, _)| i as u32)
            .collect();
        self.seat_waiting(talent, world, &waiting);
    }

    /// A child of school age without a seat, living in a district of the corridor.
    #[inline]
    pub fn waits_at_home(t: &Talent, world: &World) -> bool {
        t.seat_district < 0 && t.home != OUTSIDE && t.school_level().is_some() && world.district[t.home as usize] >= 0
    }

    /// Seats the waiting children (agent indices, in agent order) in their home district while
    /// seats are free.
    pub fn seat_waiting(&mut self, talent: &mut [Talent], world: &World, waiting: &[u32]) {
        let mut free: Vec<[f64; LEVELS]> = (0..self.seats.len()).map(|d| [self.free(d, 0), self.free(d, 1)]).collect();
        for &i in waiting {
            let t = &mut talent[i as usize];
            let Some(level) = t.school_level() else { continue };
            let d = world.district[t.home as usize];
            let f = &mut free[d as usize][level as usize];
            if *f >= 1.0 {
                *f -= 1.0;
                t.seat_district = d as i8;
                t.seat_level = level;
                self.seated[d as usize][level as usize] += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::testkit::{cell, household, Kit};

    /// `n` households with a child of primary age living in the west district.
    fn families(n: u32) -> Vec<Talent> {
        (0..n)
            .map(|i| {
                let mut t = household(i, 1, cell(1, 1));
                t.child_age_months = 80;
                t
            })
            .collect()
    }

    #[test]
    fn september_seats_children_in_their_home_district_in_agent_order() {
        let kit = Kit::new();
        let mut schools = kit.schools.clone();
        let mut talent = families(6);
        schools.enrol(&mut talent, &kit.world, 0.0);
        // The west has four primary seats.
        let seated: Vec<bool> = talent.iter().map(|t| t.seat_district == 0).collect();
        assert_eq!(seated, vec![true, true, true, true, false, false]);
        assert_eq!(schools.seated[0], [4, 0]);
        assert_eq!(schools.coordinated, 0);
        // A child who leaves school age gives up the seat at the next enrolment.
        talent[0].child_age_months = 200;
        schools.enrol(&mut talent, &kit.world, 0.0);
        assert_eq!(talent[0].seat_district, -1);
        assert_eq!(talent[4].seat_district, 0, "the freed seat goes to the first waiting child");
    }

    #[test]
    fn coordination_opens_a_quota_of_spare_seats_in_other_districts() {
        let kit = Kit::new();
        let mut schools = kit.schools.clone();
        let mut talent = families(7);
        // Half of the east's four spare primary seats are opened to other districts.
        schools.enrol(&mut talent, &kit.world, 0.5);
        let east: Vec<usize> = (0..7).filter(|&i| talent[i].seat_district == 1).collect();
        assert_eq!(east, vec![4, 5]);
        assert!(east.iter().all(|&i| talent[i].has(FLAG_COORDINATED)));
        assert_eq!(talent[6].seat_district, -1);
        assert_eq!(schools.coordinated, 2);
        assert_eq!(schools.seated[1], [2, 0]);
    }

    #[test]
    fn school_access_is_availability_times_quality() {
        let kit = Kit::new();
        let mut schools = kit.schools.clone();
        let mut talent = families(8);
        schools.enrol(&mut talent, &kit.world, 0.0);
        // West: its two middle seats free (free seats count over both levels), four primary
        // children waiting: availability one half. East: seats free and nobody waiting.
        assert!((schools.access[0] - 0.5 * 0.6).abs() < 1e-12);
        assert!((schools.access[1] - 0.6).abs() < 1e-12);
    }
}
