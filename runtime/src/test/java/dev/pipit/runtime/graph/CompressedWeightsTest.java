package dev.pipit.runtime.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class CompressedWeightsTest {

    private static final Quantization CHANNELS = Quantization.perChannel(new float[] {0.1f, 0.2f}, 0);

    @Test
    void csr_smallMatrix_hasRowEndsSixteenBitColumnsAndValues() {
        Tensor dense = Tensor.constant("w", new byte[] {0, 5, 0, -3, 0, 0, 7, 0}, CHANNELS, 2, 4);
        List<Tensor> csr = CompressedWeights.csr(dense);
        assertEquals(List.of("w/row_ends", "w/column_indices", "w/values"), csr.stream().map(Tensor::name).toList());
        assertArrayEquals(new int[] {2, 3}, csr.get(0).ints());
        assertEquals(CHANNELS, csr.get(0).quantization());
        assertArrayEquals(new int[] {3, 2}, csr.get(1).shape());
        assertArrayEquals(new byte[] {1, 0, 3, 0, 2, 0}, csr.get(1).bytes()); // columns 1, 3, 2 little-endian
        assertArrayEquals(new byte[] {5, -3, 7}, csr.get(2).bytes());
    }

    @Test
    void csr_allZero_keepsOneExplicitZero() {
        List<Tensor> csr = CompressedWeights.csr(Tensor.constant("w", new byte[6], CHANNELS, 2, 3));
        assertArrayEquals(new int[] {1, 1}, csr.get(0).ints());
        assertArrayEquals(new byte[] {0}, csr.get(2).bytes());
    }

    @Test
    void csr_wideRows_useInt32Columns() {
        byte[] w = new byte[70_000];
        w[69_999] = 9;
        List<Tensor> csr = CompressedWeights.csr(Tensor.constant("w", w, Quantization.perTensor(1f, 0), 1, 70_000));
        assertEquals(DataType.INT32, csr.get(1).type());
        assertArrayEquals(new int[] {69_999}, csr.get(1).ints());
    }

    @Test
    void bitmap_smallMatrix_marksNonZerosLowBitFirstAndPacksValues() {
        Tensor dense = Tensor.constant("w", new byte[] {0, 5, 0, -3, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, CHANNELS, 2, 10);
        List<Tensor> bitmap = CompressedWeights.bitmap(dense);
        assertEquals(List.of("w/mask", "w/values"), bitmap.stream().map(Tensor::name).toList());
        assertArrayEquals(new int[] {2, 2}, bitmap.get(0).shape());
        assertArrayEquals(new byte[] {0b1010, 0b10, 0, 0}, bitmap.get(0).bytes()); // columns 1, 3, 9 of row 0
        assertEquals(CHANNELS, bitmap.get(0).quantization());
        assertArrayEquals(new byte[] {5, -3, 9}, bitmap.get(1).bytes());
    }

    @Test
    void bitmap_allZero_keepsOnePaddingZero() {
        List<Tensor> bitmap = CompressedWeights.bitmap(Tensor.constant("w", new byte[6], CHANNELS, 2, 3));
        assertArrayEquals(new byte[] {0, 0}, bitmap.get(0).bytes());
        assertArrayEquals(new byte[] {0}, bitmap.get(1).bytes());
    }

    @Test
    void palette_fourBit_packsEvenColumnsLowAndListsValuesAscending() {
        Tensor dense = Tensor.constant("w", new byte[] {7, -2, 7, 0, -2, -2}, CHANNELS, 2, 3);
        List<Tensor> shared = CompressedWeights.palette(dense, 4, false);
        assertArrayEquals(new byte[] {-2, 0, 7}, shared.get(1).bytes());
        assertArrayEquals(new int[] {3}, shared.get(1).shape());
        // row 0: 7, −2, 7 → 2, 0, 2; row 1: 0, −2, −2 → 1, 0, 0; two bytes per row
        assertArrayEquals(new byte[] {0x02, 0x02, 0x01, 0x00}, shared.get(0).bytes());
        assertEquals(CHANNELS, shared.get(0).quantization());
        List<Tensor> perChannel = CompressedWeights.palette(dense, 8, true);
        assertArrayEquals(new int[] {2, 2}, perChannel.get(1).shape());
        assertArrayEquals(new byte[] {-2, 7, -2, 0}, perChannel.get(1).bytes());
        assertArrayEquals(new byte[] {1, 0, 1, 1, 0, 0}, perChannel.get(0).bytes());
        assertNull(perChannel.get(1).quantization());
    }

    @Test
    void palette_tooManyValues_throwsNamingTheChannel() {
        byte[] w = new byte[17];
        for (int i = 0; i < 17; i++) {
            w[i] = (byte) i;
        }
        var e = assertThrows(IllegalArgumentException.class,
                () -> CompressedWeights.palette(Tensor.constant("w", w, Quantization.perTensor(1f, 0), 1, 17), 4, true));
        assertEquals("weights w channel 0 take 17 values, more than a 4-bit palette holds", e.getMessage());
    }
}
