package dev.pipit.compress.security.privacy;

/**
 * Rényi-DP accounting of the Poisson-subsampled Gaussian mechanism (Mironov, Talwar and Zhang 2019), the same
 * computation as TF-Privacy's and Opacus's {@code compute_rdp}: per order α, the log of
 * {@code A_α = E_{z∼μ0}[(μ(z)/μ0(z))^α]} with μ the mixture {@code (1−q)·N(0, σ²) + q·N(1, σ²)}, exact for integer α
 * (binomial expansion) and by the two-sided series for fractional α; RDP composes additively over steps and is
 * converted to (ε, δ) minimised over the orders, with the bound of Balle et al. 2020 (Opacus's and current
 * TF-Privacy's {@code get_privacy_spent}) or, for comparison with figures published before it, Mironov's 2017 bound.
 */
public final class RdpAccountant {

    /** TF-Privacy's {@code compute_dp_sgd_privacy} orders, 1.25 to 256. */
    static final double[] ORDERS = orders();

    /** RDP-to-(ε, δ) conversions. */
    public enum Conversion {
        /** {@code ε = rdp − log(δ)/(α − 1)} (Mironov 2017; TF-Privacy until 2020). */
        MIRONOV_2017,
        /** {@code ε = rdp + log(1 − 1/α) − (log δ + log α)/(α − 1)} (Balle et al. 2020), tighter. */
        BALLE_2020
    }

    private RdpAccountant() {
    }

    private static double[] orders() {
        double[] small = {1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5};
        double[] out = new double[small.length + 59 + 2];
        System.arraycopy(small, 0, out, 0, small.length);
        for (int a = 5; a < 64; a++) {
            out[small.length + a - 5] = a;
        }
        out[out.length - 2] = 128;
        out[out.length - 1] = 256;
        return out;
    }

    /** ε at {@code delta} after {@code steps} steps at sampling rate {@code q} and noise multiplier {@code sigma}. */
    public static double epsilon(double q, double sigma, long steps, double delta) {
        return epsilon(q, sigma, steps, delta, Conversion.BALLE_2020);
    }

    public static double epsilon(double q, double sigma, long steps, double delta, Conversion conversion) {
        if (!(q > 0 && q <= 1) || !(sigma > 0) || steps < 1 || !(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("accounting needs q in (0, 1], σ > 0, steps ≥ 1 and δ in (0, 1)");
        }
        double best = Double.POSITIVE_INFINITY;
        for (double a : ORDERS) {
            double rdp = steps * rdp(q, sigma, a);
            double eps = switch (conversion) {
                case MIRONOV_2017 -> rdp - Math.log(delta) / (a - 1);
                case BALLE_2020 -> delta * delta + Math.expm1(-rdp) >= 0 ? 0
                        : rdp + Math.log1p(-1 / a) - Math.log(delta * a) / (a - 1);
            };
            best = Math.min(best, eps);
        }
        return Math.max(0, best);
    }

    /** The smallest noise multiplier (to 0.1 %) whose ε after {@code steps} steps is at most {@code targetEpsilon}. */
    public static double sigmaFor(double targetEpsilon, double q, long steps, double delta) {
        double low = 0.1;
        double high = 1;
        while (epsilon(q, high, steps, delta) > targetEpsilon) {
            low = high;
            high *= 2;
            if (high > 1e4) {
                throw new IllegalArgumentException("ε = " + targetEpsilon + " is out of reach at q = " + q);
            }
        }
        while (high - low > 1e-3 * high) {
            double mid = (low + high) / 2;
            if (epsilon(q, mid, steps, delta) > targetEpsilon) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return high;
    }

    /** RDP of one step at order {@code alpha}. */
    static double rdp(double q, double sigma, double alpha) {
        if (q == 1) {
            return alpha / (2 * sigma * sigma);
        }
        double logA = alpha == Math.rint(alpha) ? logAInteger(q, sigma, (int) alpha) : logAFractional(q, sigma, alpha);
        return logA / (alpha - 1);
    }

    private static double logAInteger(double q, double sigma, int alpha) {
        double logA = Double.NEGATIVE_INFINITY;
        double logBinom = 0; // log C(α, i), built up term by term
        for (int i = 0; i <= alpha; i++) {
            if (i > 0) {
                logBinom += Math.log((double) (alpha - i + 1) / i);
            }
            double s = logBinom + i * Math.log(q) + (alpha - i) * Math.log1p(-q) + (i * (double) i - i) / (2 * sigma * sigma);
            logA = logAdd(logA, s);
        }
        return logA;
    }

    private static double logAFractional(double q, double sigma, double alpha) {
        double logA0 = Double.NEGATIVE_INFINITY;
        double logA1 = Double.NEGATIVE_INFINITY;
        double z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
        double coef = 1; // C(α, i), signed
        for (int i = 0; ; i++) {
            if (i > 0) {
                coef *= (alpha - i + 1) / i;
            }
            double logCoef = Math.log(Math.abs(coef));
            double j = alpha - i;
            double logT0 = logCoef + i * Math.log(q) + j * Math.log1p(-q);
            double logT1 = logCoef + j * Math.log(q) + i * Math.log1p(-q);
            double logE0 = Math.log(0.5) + logErfc((i - z0) / (Math.sqrt(2) * sigma));
            double logE1 = Math.log(0.5) + logErfc((z0 - j) / (Math.sqrt(2) * sigma));
            double logS0 = logT0 + (i * (double) i - i) / (2 * sigma * sigma) + logE0;
            double logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1;
            if (coef > 0) {
                logA0 = logAdd(logA0, logS0);
                logA1 = logAdd(logA1, logS1);
            } else {
                logA0 = logSub(logA0, logS0);
                logA1 = logSub(logA1, logS1);
            }
            if (Math.max(logS0, logS1) < -30) {
                break;
            }
        }
        return logAdd(logA0, logA1);
    }

    private static double logAdd(double a, double b) {
        double hi = Math.max(a, b);
        double lo = Math.min(a, b);
        return hi == Double.NEGATIVE_INFINITY ? hi : hi + Math.log1p(Math.exp(lo - hi));
    }

    private static double logSub(double a, double b) {
        if (b == Double.NEGATIVE_INFINITY) {
            return a;
        }
        if (a <= b) {
            throw new ArithmeticException("log of a negative number in the RDP series");
        }
        return a + Math.log(-Math.expm1(b - a));
    }

    /**
     * log erfc(x), finite for large x: the Chebyshev fit of Numerical Recipes (relative error below 1.2e-7
     * everywhere) is already in {@code t·exp(…)} form, so its log needs no exponentiation.
     */
    static double logErfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
                + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
        double logErfcAbs = Math.log(t) + poly;
        return x >= 0 ? logErfcAbs : Math.log(2 - Math.exp(logErfcAbs));
    }
}
