//! The ledger of the month: the flows the mechanisms book (arrivals, departures, firm births and
//! deaths, patents, public costs by lever). It is reset at the start of every month; the metrics
//! read it at the end.

use std::ops::{Index, IndexMut};

use super::Lever;
use crate::agents::firm::Origin;

/// One value per lever, indexed by [`Lever`] (the public-cost accounts).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PerLever<T>([T; Lever::COUNT]);

impl<T: Copy + Default> Default for PerLever<T> {
    fn default() -> Self {
        PerLever([T::default(); Lever::COUNT])
    }
}

impl<T> Index<Lever> for PerLever<T> {
    type Output = T;
    fn index(&self, l: Lever) -> &T {
        &self.0[l as usize]
    }
}

impl<T> IndexMut<Lever> for PerLever<T> {
    fn index_mut(&mut self, l: Lever) -> &mut T {
        &mut self.0[l as usize]
    }
}

impl<T> PerLever<T> {
    /// The values in the order of [`Lever::ALL`].
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.0.iter()
    }
}

/// One value per firm origin, indexed by [`Origin`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PerOrigin<T>([T; Origin::ALL.len()]);

impl<T> Index<Origin> for PerOrigin<T> {
    type Output = T;
    fn index(&self, o: Origin) -> &T {
        &self.0[o as usize]
    }
}

impl<T> IndexMut<Origin> for PerOrigin<T> {
    fn index_mut(&mut self, o: Origin) -> &mut T {
        &mut self.0[o as usize]
    }
}

impl<T> PerOrigin<T> {
    /// The values in the order of [`Origin::ALL`].
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.0.iter()
    }
}

/// The month's flows (agent units for people, firms as firms, money in yuan).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ledger {
    /// Arrivals and departures of talent agents by tier.
    pub arrivals: Vec<u32>,
    pub departures: Vec<u32>,
    /// Departing households with a child.
    pub family_departures: u32,
    pub firm_births: PerOrigin<u32>,
    pub firm_deaths: u32,
    pub lab_patents: u32,
    pub firm_patents_by_sector: Vec<u32>,
    /// Public cost of the month by lever (gross: what the programmes pay out), yuan.
    pub cost: PerLever<f64>,
    /// What the programmes take back this month by lever (rents of talent and shared-ownership
    /// units, clawed-back bonuses), yuan.
    pub receipts: PerLever<f64>,
    /// Challenge grants spent on R&D this month, yuan.
    pub grant_rd: f64,
}

impl Ledger {
    /// An empty ledger for a corridor with `tiers` talent tiers and `sectors` firm sectors.
    pub fn new(tiers: usize, sectors: usize) -> Ledger {
        Ledger {
            arrivals: vec![0; tiers],
            departures: vec![0; tiers],
            firm_patents_by_sector: vec![0; sectors],
            ..Ledger::default()
        }
    }

    /// Sum of the month's public costs over levers (in lever order).
    pub fn public_cost(&self) -> f64 {
        self.cost.values().sum()
    }

    /// Sum of the month's receipts over levers (in lever order).
    pub fn public_receipts(&self) -> f64 {
        self.receipts.values().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_are_indexed_by_lever_and_summed_in_lever_order() {
        let mut l = Ledger::new(2, 3);
        l.cost[Lever::Transit] += 2.0;
        l.cost[Lever::RdSubsidy] += 0.5;
        assert_eq!(l.cost[Lever::Transit], 2.0);
        assert_eq!(l.public_cost(), 2.5);
        l.firm_births[Origin::Spinoff] += 1;
        assert_eq!(l.firm_births.values().sum::<u32>(), 1);
    }
}
