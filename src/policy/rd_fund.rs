//! The R&D subsidy programme's fund (`rd.fund_per_year`, the decision's 专项资金): when the
//! month's claims exceed a twelfth of the year's fund, every claim is paid the same share of
//! itself (pro rata), and firms plan their R&D at the rate and cap that share leaves them.
//!
//! The claims depend on the share, since a firm that is paid less of its R&D does less of it:
//! the share q solves paid(q) = fund, where paid(q) is what the firms are paid when they plan at
//! rate q·s and cap q·cap. paid is 0 at q = 0 and rises with q, so q is unique; it is found by
//! regula falsi (Illinois) on a bracket that always holds paid(lo) ≤ fund, and the lower end is
//! returned, so the programme never pays more than its fund.

/// The share of its claims the programme pays: 1 when `paid(1)` fits in `fund`, otherwise the
/// largest q in [0, 1) found with `paid(q) <= fund`, to within 1e-12 of q. `paid` must be
/// non-decreasing with `paid(0) = 0`.
pub fn pro_rata_share(fund: f64, paid: impl Fn(f64) -> f64) -> f64 {
    let fund = fund.max(0.0);
    let at_one = paid(1.0);
    if at_one <= fund {
        return 1.0;
    }
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    let (mut g_lo, mut g_hi) = (paid(0.0) - fund, at_one - fund);
    // Illinois: when the same end moves twice in a row, the other end's value is halved, so the
    // bracket shrinks from both sides; every fourth step bisects, which bounds the worst case.
    let mut last_moved_lo: Option<bool> = None;
    for i in 0..200 {
        if hi - lo <= 1e-12 {
            break;
        }
        let secant = lo - g_lo * (hi - lo) / (g_hi - g_lo);
        let q = if i % 4 == 3 || !(secant > lo && secant < hi) { 0.5 * (lo + hi) } else { secant };
        let g = paid(q) - fund;
        if g <= 0.0 {
            if last_moved_lo == Some(true) {
                g_hi *= 0.5;
            }
            (lo, g_lo, last_moved_lo) = (q, g, Some(true));
        } else {
            if last_moved_lo == Some(false) {
                g_lo *= 0.5;
            }
            (hi, g_hi, last_moved_lo) = (q, g, Some(false));
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_programme_pays_every_claim_while_its_fund_covers_them() {
        assert_eq!(pro_rata_share(100.0, |q| 80.0 * q), 1.0);
        assert_eq!(pro_rata_share(80.0, |q| 80.0 * q), 1.0);
    }

    #[test]
    fn a_short_fund_pays_the_share_that_spends_it_and_never_more() {
        // Claims that rise faster than q (R&D responds to the rate paid), with kinks.
        let claims = |q: f64| -> f64 {
            (0..50)
                .map(|i| {
                    let r = 0.1 + 0.01 * i as f64;
                    let rd = (1.0 / (1.0 - q * r)).min(1.0 + i as f64 * 0.05);
                    (q * r * rd).min(q * 0.2)
                })
                .sum()
        };
        for fund in [0.0, 0.01, 0.5, 2.0, 5.0, claims(1.0) * 0.999] {
            let q = pro_rata_share(fund, claims);
            assert!((0.0..1.0).contains(&q), "{fund}: {q}");
            assert!(claims(q) <= fund, "{fund}: pays {} at {q}", claims(q));
            assert!(claims((q + 1e-9).min(1.0)) > fund || fund == 0.0, "{fund}: {q} is not the largest share");
        }
        assert_eq!(pro_rata_share(0.0, claims), 0.0);
    }
}
