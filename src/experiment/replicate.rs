//! Replications of one scenario (`run --reps N`): which run stands for the median.

/// The replication nearest the median of `finals[r][k]` (final-year value of headline KPI k in
/// replication r): each KPI ranks the replications, and the median run has the smallest sum over
/// KPIs of the distance of its rank from the middle rank; ties go to the lower index. Values that
/// are not finite rank last.
pub fn median_run(finals: &[Vec<f64>]) -> usize {
    let n = finals.len();
    if n == 0 {
        return 0;
    }
    let kpis = finals.iter().map(Vec::len).min().unwrap_or(0);
    let mut score = vec![0.0; n];
    let middle = (n - 1) as f64 / 2.0;
    for k in 0..kpis {
        let mut order: Vec<usize> = (0..n).collect();
        let key = |r: usize| if finals[r][k].is_finite() { finals[r][k] } else { f64::INFINITY };
        order.sort_by(|&a, &b| key(a).total_cmp(&key(b)).then(a.cmp(&b)));
        for (rank, &r) in order.iter().enumerate() {
            score[r] += (rank as f64 - middle).abs();
        }
    }
    (0..n).min_by(|&a, &b| score[a].total_cmp(&score[b]).then(a.cmp(&b))).unwrap_or(0)
}

/// The median run of replications of one scenario: [`median_run`] over the headline KPIs'
/// final-year values.
pub fn median_result(results: &[crate::RunResult]) -> usize {
    let heads = crate::metrics::registry::headline_names();
    median_run(&results.iter().map(|r| heads.iter().filter_map(|k| r.final_year(k)).collect()).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_run_sits_in_the_middle_of_every_kpi() {
        let finals = vec![vec![1.0, 10.0], vec![5.0, 50.0], vec![3.0, 30.0], vec![4.0, 20.0], vec![2.0, 40.0]];
        // Ranks (KPI 0, KPI 1): r0 (0, 0), r1 (4, 4), r2 (2, 2), r3 (3, 1), r4 (1, 3).
        assert_eq!(median_run(&finals), 2);
        assert_eq!(median_run(&[vec![7.0]]), 0);
        assert_eq!(median_run(&[vec![1.0], vec![2.0]]), 0, "a tie goes to the lower index");
        assert_eq!(median_run(&[]), 0);
    }
}
