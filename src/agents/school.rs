//! Schools: primary and middle seats per district with a quality index. Compulsory education
//! assigns every child of school age a school: each September a child takes a seat in its home
//! district if one is free, else (with the enrolment coordination lever) a seat that another
//! district opens to the corridor, else a placement beyond the home district's seats (a distant
//! school or a larger class, of quality `schools.overflow_quality` and an extra trip of
//! `schools.overflow_trip_min`). Between Septembers a child who reaches school age or moves in
//! takes a free seat of its home district or a placement beyond it. Children living outside the
//! corridor go to their zone's schools.

use crate::agents::talent::{in_corridor, Talent, FLAG_COORDINATED, FLAG_OVERFLOW};
use crate::policy::{Lever, PerLever};
use crate::scenario::{Scenario, SchoolParams};
use crate::world::World;

pub const LEVELS: usize = 2;

/// The month's school census, taken during the life-course pass (after ageing): seats held,
/// placements beyond capacity and coordinated children by district (see [`Schools::count`]), and
/// the children of school age in the corridor without a school, in agent order.
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
    /// Seats held per district and level, by children of the district and coordinated children
    /// of others (recounted monthly).
    pub seated: Vec<[u32; LEVELS]>,
    /// Children of each district placed beyond its seats.
    pub overflow: Vec<u32>,
    /// Share of a district's children without a seat who would get one: free seats over free
    /// seats and children placed beyond them (1 when nobody is placed beyond).
    pub availability: Vec<f64>,
    /// Seats opened so far by each programme of `schools.new_seats` (agent units), for its
    /// operating cost.
    pub programme_seats: Vec<f64>,
    /// Children seated in another district through coordination (agent units).
    pub coordinated: u32,
}

impl Schools {
    pub fn new(s: &Scenario) -> Schools {
        let scale = s.agent_scale;
        let nd = s.districts.len();
        Schools {
            seats: s.districts.iter().map(|d| [d.primary_seats / scale, d.middle_seats / scale]).collect(),
            quality: s.districts.iter().map(|d| [d.school_quality, d.school_quality]).collect(),
            seated: vec![[0; LEVELS]; nd],
            overflow: vec![0; nd],
            availability: vec![1.0; nd],
            programme_seats: vec![0.0; s.schools.new_seats.len()],
            coordinated: 0,
        }
    }

    pub fn free(&self, d: usize, level: usize) -> f64 {
        (self.seats[d][level].floor() - self.seated[d][level] as f64).max(0.0)
    }

    /// Mean quality of a district's schools over the levels.
    pub fn mean_quality(&self, d: usize) -> f64 {
        self.quality[d].iter().sum::<f64>() / LEVELS as f64
    }

    /// What a district offers a child who is not seated there yet: the expected quality and
    /// extra trip, a seat with probability `availability`, else a placement beyond its seats.
    pub fn prospect(&self, d: usize, sc: &SchoolParams) -> (f64, f64) {
        let a = self.availability[d];
        (a * self.mean_quality(d) + (1.0 - a) * sc.overflow_quality, (1.0 - a) * sc.overflow_trip_min)
    }

    /// Recounts seated children and refreshes availability per district.
    pub fn recount(&mut self, talent: &[Talent]) {
        let len = self.count_len();
        let counts = crate::agents::par_count(talent, len, Schools::count);
        self.apply_counts(&counts);
    }

    /// Length of the count table [seated (district x level) | beyond capacity (district) |
    /// coordinated].
    pub fn count_len(&self) -> usize {
        self.seats.len() * (LEVELS + 1) + 1
    }

    /// Adds one household into a count table of [`Schools::count_len`] entries.
    #[inline]
    pub fn count(t: &Talent, acc: &mut [u32]) {
        if t.seat_district < 0 {
            return;
        }
        let nd = (acc.len() - 1) / (LEVELS + 1);
        let d = t.seat_district as usize;
        if t.flags & FLAG_OVERFLOW != 0 {
            acc[nd * LEVELS + d] += 1;
        } else {
            acc[d * LEVELS + t.seat_level as usize] += 1;
            if t.flags & FLAG_COORDINATED != 0 {
                acc[nd * LEVELS + nd] += 1;
            }
        }
    }

    /// Takes seated children from a count table and refreshes availability per district.
    pub fn apply_counts(&mut self, counts: &[u32]) {
        let nd = self.seats.len();
        for d in 0..nd {
            for l in 0..LEVELS {
                self.seated[d][l] = counts[d * LEVELS + l];
            }
            self.overflow[d] = counts[nd * LEVELS + d];
        }
        self.coordinated = counts[nd * LEVELS + nd];
        for d in 0..nd {
            let free = self.free(d, 0) + self.free(d, 1);
            let beyond = self.overflow[d] as f64;
            self.availability[d] = if beyond > 0.0 {
                free / (free + beyond)
            } else if self.seats[d][0] + self.seats[d][1] > 0.0 {
                1.0
            } else {
                0.0
            };
        }
    }

    /// September: each programme of `schools.new_seats` adds its seats; the district's quality
    /// moves to the seat-weighted mean. Books the capital cost of the seats opened.
    pub fn open_new_seats(&mut self, s: &Scenario, year: i32, costs: &mut PerLever<f64>) {
        let best = self.quality.iter().flat_map(|q| q.iter().copied()).fold(0.0, f64::max);
        for (p, l) in s.schools.new_seats.iter().enumerate() {
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
                self.programme_seats[p] += add;
                costs[Lever::SchoolSeats] += added * l.cost_per_seat;
            }
        }
    }

    /// September enrolment. Children who changed level, left school age, moved out of the
    /// district of their seat, or hold a seat elsewhere give up their school; children living
    /// outside the corridor go to their zone's schools. Then, in agent order, children take free
    /// seats in their home district; with coordination, a quota of the remaining spare seats is
    /// opened to children of other districts; the rest are placed beyond their district's seats.
    pub fn enrol(&mut self, talent: &mut [Talent], world: &World, coordination_quota: f64) {
        for t in talent.iter_mut() {
            let keeps = match t.school_level() {
                Some(level) => {
                    t.seat_district >= 0
                        && t.seat_level == level
                        && !t.seated_elsewhere()
                        && in_corridor(t.home)
                        && world.district[t.home as usize] == t.seat_district as i16
                }
                None => false,
            };
            if !keeps && (t.seat_district >= 0 || t.flags & (FLAG_COORDINATED | FLAG_OVERFLOW) != 0) {
                t.seat_district = -1;
                t.flags &= !(FLAG_COORDINATED | FLAG_OVERFLOW);
            }
        }
        self.recount(talent);
        let waiting = Schools::waiting(talent, world);
        let mut free = self.free_table();
        let mut unplaced = Vec::new();
        for &i in &waiting {
            if !self.seat_at_home(&mut talent[i as usize], world, &mut free) {
                unplaced.push(i);
            }
        }
        if coordination_quota > 0.0 {
            let nd = self.seats.len();
            let mut open: Vec<[f64; LEVELS]> = (0..nd)
                .map(|d| [(free[d][0] * coordination_quota).floor(), (free[d][1] * coordination_quota).floor()])
                .collect();
            unplaced.retain(|&i| {
                let t = &mut talent[i as usize];
                let Some(level) = t.school_level() else { return false };
                let level = level as usize;
                // The district with the most opened seats; ties to the lower index.
                let mut best: Option<usize> = None;
                for d in 0..nd {
                    if open[d][level] >= 1.0 && best.is_none_or(|b| open[d][level] > open[b][level]) {
                        best = Some(d);
                    }
                }
                match best {
                    Some(d) => {
                        open[d][level] -= 1.0;
                        t.seat_district = d as i8;
                        t.seat_level = level as u8;
                        t.flags |= FLAG_COORDINATED;
                        false
                    }
                    None => true,
                }
            });
        }
        for &i in &unplaced {
            place_beyond(&mut talent[i as usize], world);
        }
        self.recount(talent);
    }

    /// Free seats per district and level.
    fn free_table(&self) -> Vec<[f64; LEVELS]> {
        (0..self.seats.len()).map(|d| [self.free(d, 0), self.free(d, 1)]).collect()
    }

    /// The children of school age in the corridor without a school, in agent order.
    fn waiting(talent: &[Talent], world: &World) -> Vec<u32> {
        use rayon::prelude::*;
        talent
            .par_iter()
            .enumerate()
            .with_min_len(8192)
            .filter(|(_, t)| Schools::waits_at_home(t, world))
            .map(|(i, _)| i as u32)
            .collect()
    }

    /// Every waiting child takes a free seat in its home district or is placed beyond its seats,
    /// in agent order (at the start).
    pub fn assign_home(&mut self, talent: &mut [Talent], world: &World) {
        let waiting = Schools::waiting(talent, world);
        self.seat_waiting(talent, world, &waiting);
    }

    /// A child of school age without a school, living in a district of the corridor.
    #[inline]
    pub fn waits_at_home(t: &Talent, world: &World) -> bool {
        t.seat_district < 0 && in_corridor(t.home) && t.school_level().is_some() && world.district[t.home as usize] >= 0
    }

    /// The waiting children (agent indices, in agent order) take free seats in their home
    /// district while seats are free; the others are placed beyond the district's seats.
    pub fn seat_waiting(&mut self, talent: &mut [Talent], world: &World, waiting: &[u32]) {
        let mut free = self.free_table();
        for &i in waiting {
            let t = &mut talent[i as usize];
            if t.school_level().is_none() {
                continue;
            }
            if self.seat_at_home(t, world, &mut free) {
                self.seated[t.seat_district as usize][t.seat_level as usize] += 1;
            } else {
                place_beyond(t, world);
                self.overflow[t.seat_district as usize] += 1;
            }
        }
    }

    /// A seat in the home district if one is free (taken from `free`).
    fn seat_at_home(&self, t: &mut Talent, world: &World, free: &mut [[f64; LEVELS]]) -> bool {
        let Some(level) = t.school_level() else { return false };
        let d = world.district[t.home as usize];
        let f = &mut free[d as usize][level as usize];
        if *f < 1.0 {
            return false;
        }
        *f -= 1.0;
        t.seat_district = d as i8;
        t.seat_level = level;
        true
    }
}

/// A placement beyond the home district's seats.
fn place_beyond(t: &mut Talent, world: &World) {
    let Some(level) = t.school_level() else { return };
    t.seat_district = world.district[t.home as usize] as i8;
    t.seat_level = level;
    t.flags |= FLAG_OVERFLOW;
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
    fn september_seats_children_at_home_in_agent_order_and_places_the_rest_beyond() {
        let kit = Kit::new();
        let mut schools = kit.schools.clone();
        let mut talent = families(6);
        schools.enrol(&mut talent, &kit.world, 0.0);
        // The west has four primary seats; every child gets a school.
        let home: Vec<bool> = talent.iter().map(|t| t.seat_district == 0 && !t.seated_elsewhere()).collect();
        assert_eq!(home, vec![true, true, true, true, false, false]);
        assert!(talent[4..].iter().all(|t| t.has(FLAG_OVERFLOW) && t.seat_district == 0));
        assert_eq!(schools.seated[0], [4, 0]);
        assert_eq!(schools.overflow, vec![2, 0]);
        assert_eq!(schools.coordinated, 0);
        // A child who leaves school age gives up the seat at the next enrolment, and the first
        // child placed beyond takes it.
        talent[0].child_age_months = 200;
        schools.enrol(&mut talent, &kit.world, 0.0);
        assert_eq!(talent[0].seat_district, -1);
        assert!(
            talent[4].seat_district == 0 && !talent[4].seated_elsewhere(),
            "the freed seat goes to the first child"
        );
        assert!(talent[5].has(FLAG_OVERFLOW));
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
        assert!(talent[6].has(FLAG_OVERFLOW), "the rest is placed beyond the home district's seats");
        assert_eq!(schools.coordinated, 2);
        assert_eq!(schools.seated[1], [2, 0]);
        assert_eq!(schools.overflow, vec![1, 0]);
    }

    #[test]
    fn availability_is_free_seats_against_children_placed_beyond_them() {
        let kit = Kit::new();
        let mut schools = kit.schools.clone();
        let mut talent = families(8);
        schools.enrol(&mut talent, &kit.world, 0.0);
        // West: its two middle seats free, four primary children placed beyond: availability
        // 2 / (2 + 4). East: seats free and nobody beyond them.
        assert!((schools.availability[0] - 2.0 / 6.0).abs() < 1e-12);
        assert_eq!(schools.availability[1], 1.0);
        let sc = &kit.s.schools;
        let (q, trip) = schools.prospect(0, sc);
        assert!((q - (0.6 / 3.0 + sc.overflow_quality * 2.0 / 3.0)).abs() < 1e-12);
        assert!((trip - sc.overflow_trip_min * 2.0 / 3.0).abs() < 1e-12);
    }
}
