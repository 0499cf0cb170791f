//! The knowledge spillover field S(c) = sum over sources of e_s * exp(-d1(c, s) / spillover_km),
//! with d1 the L1 (city-block) distance. The kernel is separable, so the field is computed exactly
//! with a forward and a backward recursive pass along rows and then columns: O(cells) a month
//! whatever the number of sources, in a fixed order (bit-for-bit reproducible).

/// Turns per-cell emissions into the spillover field, in place.
pub fn spillover_field(emission: &mut [f64], width: usize, height: usize, cell_km: f64, spillover_km: f64) {
    let a = (-cell_km / spillover_km).exp();
    let mut buf = vec![0.0; width.max(height)];
    for y in 0..height {
        let row = &mut emission[y * width..(y + 1) * width];
        filter_line(row.iter().copied(), width, a, &mut buf);
        row.copy_from_slice(&buf[..width]);
    }
    let mut col = vec![0.0; height];
    for x in 0..width {
        for y in 0..height {
            col[y] = emission[y * width + x];
        }
        filter_line(col.iter().copied(), height, a, &mut buf);
        for y in 0..height {
            emission[y * width + x] = buf[y];
        }
    }
}

/// out[i] = sum_j x[j] a^|i-j|.
fn filter_line(x: impl Iterator<Item = f64> + Clone, n: usize, a: f64, out: &mut [f64]) {
    let xs: Vec<f64> = x.collect();
    let mut fwd = 0.0;
    for i in 0..n {
        fwd = xs[i] + a * fwd;
        out[i] = fwd;
    }
    let mut bwd = 0.0;
    for i in (0..n).rev() {
        bwd = xs[i] + a * bwd;
        out[i] += bwd - xs[i];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_direct_sum() {
        let (w, h) = (9, 5);
        let mut e = vec![0.0; w * h];
        e[2 * w + 3] = 2.0;
        e[4 * w + 8] = 1.0;
        let orig = e.clone();
        spillover_field(&mut e, w, h, 0.5, 2.0);
        for y in 0..h {
            for x in 0..w {
                let mut direct = 0.0;
                for sy in 0..h {
                    for sx in 0..w {
                        let d = ((x as f64 - sx as f64).abs() + (y as f64 - sy as f64).abs()) * 0.5;
                        direct += orig[sy * w + sx] * (-d / 2.0).exp();
                    }
                }
                assert!((direct - e[y * w + x]).abs() < 1e-12, "{x},{y}: {direct} vs {}", e[y * w + x]);
            }
        }
    }
}
