package dev.pipit.compress.lowrank;

/**
 * Truncated singular value decomposition of a small dense matrix, via the cyclic Jacobi eigenvalue
 * method on the Gram matrix of its shorter side (in double precision; the matrices here are at most a
 * few hundred on that side).
 *
 * @param u left singular vectors, {@code [rows, rank]} row-major
 * @param s singular values, descending
 * @param v right singular vectors, {@code [cols, rank]} row-major
 */
public record Svd(double[] u, double[] s, double[] v, int rows, int cols, int rank) {

    private static final int SWEEPS = 60;

    /** The {@code rank} leading singular triplets of {@code a} ({@code [rows, cols]} row-major). */
    public static Svd of(float[] a, int rows, int cols, int rank) {
        boolean wide = cols > rows; // decompose the Gram matrix of the shorter side
        int m = wide ? rows : cols;
        double[] gram = new double[m * m];
        for (int i = 0; i < m; i++) {
            for (int j = i; j < m; j++) {
                double sum = 0;
                int n = wide ? cols : rows;
                for (int k = 0; k < n; k++) {
                    sum += wide ? (double) a[i * cols + k] * a[j * cols + k] : (double) a[k * cols + i] * a[k * cols + j];
                }
                gram[i * m + j] = sum;
                gram[j * m + i] = sum;
            }
        }
        double[] vectors = new double[m * m];
        double[] values = jacobi(gram, m, vectors);
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(values[y], values[x]));
        int r = Math.min(rank, m);
        double[] s = new double[r];
        double[] u = new double[rows * r];
        double[] v = new double[cols * r];
        for (int t = 0; t < r; t++) {
            int e = order[t];
            s[t] = Math.sqrt(Math.max(values[e], 0));
            double[] side = wide ? u : v;
            int len = wide ? rows : cols;
            for (int i = 0; i < len; i++) {
                side[i * r + t] = vectors[i * m + e];
            }
            // the other side: A v / s (or Aᵀ u / s)
            int otherLen = wide ? cols : rows;
            double[] other = wide ? v : u;
            for (int j = 0; j < otherLen; j++) {
                double sum = 0;
                for (int i = 0; i < len; i++) {
                    sum += (wide ? a[i * cols + j] : a[j * cols + i]) * vectors[i * m + e];
                }
                other[j * r + t] = s[t] > 0 ? sum / s[t] : 0;
            }
        }
        return new Svd(u, s, v, rows, cols, r);
    }

    /** Eigenvalues of the symmetric {@code a} (destroyed); eigenvectors into the columns of {@code vectors}. */
    private static double[] jacobi(double[] a, int n, double[] vectors) {
        for (int i = 0; i < n; i++) {
            vectors[i * n + i] = 1;
        }
        for (int sweep = 0; sweep < SWEEPS; sweep++) {
            double off = 0;
            double diag = 0;
            for (int i = 0; i < n; i++) {
                diag += a[i * n + i] * a[i * n + i];
                for (int j = i + 1; j < n; j++) {
                    off += a[i * n + j] * a[i * n + j];
                }
            }
            if (off <= 1e-22 * diag) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = a[p * n + q];
                    if (Math.abs(apq) < 1e-300) {
                        continue;
                    }
                    double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double sn = t * c;
                    for (int k = 0; k < n; k++) {
                        double akp = a[k * n + p];
                        double akq = a[k * n + q];
                        a[k * n + p] = c * akp - sn * akq;
                        a[k * n + q] = sn * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) {
                        double apk = a[p * n + k];
                        double aqk = a[q * n + k];
                        a[p * n + k] = c * apk - sn * aqk;
                        a[q * n + k] = sn * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++) {
                        double vkp = vectors[k * n + p];
                        double vkq = vectors[k * n + q];
                        vectors[k * n + p] = c * vkp - sn * vkq;
                        vectors[k * n + q] = sn * vkp + c * vkq;
                    }
                }
            }
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = a[i * n + i];
        }
        return values;
    }
}
