package dev.pipit.runtime.kernel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a second operand {@code b} broadcasts onto a full-shaped {@code a}, NumPy style (shapes
 * right-aligned, b's dimensions 1 or equal to a's). Adjacent dimensions that broadcast alike are merged,
 * so a per-channel {@code [c, 1, 1]} operand against {@code [c, h, w]} becomes an outer loop of c with a
 * constant inner run of {@code h·w}, and a same-shaped one a single flat run.
 *
 * @param dims merged dimensions of a, outermost first (at least one)
 * @param bStrides b's stride per merged dimension: 0 where it broadcasts
 */
public record Broadcast(int[] dims, int[] bStrides) {

    /** @param a a's per-sample shape; @param b b's shape, rank at most a's */
    public static Broadcast of(int[] a, int[] b) {
        if (b.length > a.length) {
            throw new IllegalArgumentException("operand shape " + Arrays.toString(b) + " has more dimensions than " + Arrays.toString(a));
        }
        int[] padded = new int[a.length];
        Arrays.fill(padded, 1);
        System.arraycopy(b, 0, padded, a.length - b.length, b.length);
        List<int[]> merged = new ArrayList<>(); // {dim, broadcast ? 1 : 0}
        for (int i = 0; i < a.length; i++) {
            if (padded[i] != 1 && padded[i] != a[i]) {
                throw new IllegalArgumentException("operand shape " + Arrays.toString(b) + " does not broadcast to " + Arrays.toString(a));
            }
            if (a[i] == 1) {
                continue;
            }
            int broadcast = padded[i] == 1 ? 1 : 0;
            int[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && last[1] == broadcast) {
                last[0] *= a[i];
            } else {
                merged.add(new int[] {a[i], broadcast});
            }
        }
        if (merged.isEmpty()) {
            merged.add(new int[] {1, 0});
        }
        int[] dims = new int[merged.size()];
        int[] strides = new int[merged.size()];
        int stride = 1;
        for (int d = dims.length - 1; d >= 0; d--) {
            dims[d] = merged.get(d)[0];
            strides[d] = merged.get(d)[1] == 1 ? 0 : stride;
            stride *= merged.get(d)[1] == 1 ? 1 : dims[d];
        }
        return new Broadcast(dims, strides);
    }

    public Broadcast {
        dims = dims.clone();
        bStrides = bStrides.clone();
    }

    /** Elements of a (and of the output) per sample. */
    public int size() {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    /** Elements of b per sample. */
    public int bSize() {
        int n = 1;
        for (int d = 0; d < dims.length; d++) {
            n *= bStrides[d] == 0 ? 1 : dims[d];
        }
        return n;
    }

    /** Length of the innermost run. */
    int inner() {
        return dims[dims.length - 1];
    }

    /** Number of innermost runs per sample. */
    int runs() {
        return size() / inner();
    }

    /** b's offset (within a sample) at the start of run {@code run}. */
    int bOffset(int run) {
        int offset = 0;
        for (int d = dims.length - 2; d >= 0; d--) {
            offset += run % dims[d] * bStrides[d];
            run /= dims[d];
        }
        return offset;
    }

    /** b's stride along the innermost run: 0 or 1. */
    int innerStride() {
        return bStrides[dims.length - 1];
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    @Override
    public int[] bStrides() {
        return bStrides.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Broadcast other && Arrays.equals(dims, other.dims) && Arrays.equals(bStrides, other.bStrides);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(dims) + Arrays.hashCode(bStrides);
    }

    @Override
    public String toString() {
        return "Broadcast[dims=" + Arrays.toString(dims) + ", bStrides=" + Arrays.toString(bStrides) + "]";
    }
}
