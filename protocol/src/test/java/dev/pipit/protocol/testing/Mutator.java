package dev.pipit.protocol.testing;

import java.util.Arrays;
import java.util.Random;

/**
 * Damages valid bytes the ways storage, transport and attackers do: bit flips, overwritten bytes,
 * truncation, inserted and deleted runs, a duplicated run, a varint length made huge. Deterministic for a
 * seed, so a finding replays.
 */
public final class Mutator {

    private Mutator() {
    }

    public static byte[] mutate(byte[] valid, long seed, int mutations) {
        Random r = new Random(seed);
        byte[] b = valid.clone();
        for (int m = 0; m < mutations && b.length > 0; m++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(7)) {
                case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b[at] = (byte) r.nextInt(256);
                case 2 -> b = Arrays.copyOf(b, at);
                case 3 -> {
                    byte[] run = new byte[1 + r.nextInt(16)];
                    r.nextBytes(run);
                    b = splice(b, at, 0, run);
                }
                case 4 -> b = splice(b, at, Math.min(b.length - at, 1 + r.nextInt(16)), new byte[0]);
                case 5 -> b = splice(b, at, 0, Arrays.copyOfRange(b, at, Math.min(b.length, at + 1 + r.nextInt(64))));
                default -> b = splice(b, at, 0, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f});
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }
}
