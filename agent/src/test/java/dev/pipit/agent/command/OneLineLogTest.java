package dev.pipit.agent.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OneLineLogTest {

    /** Instant's text, with the milliseconds always printed (Instant drops ".000"). */
    private static String instant(long t) {
        String s = Instant.ofEpochMilli(t).toString();
        return t % 1000 == 0 ? s.replace("Z", ".000Z") : s;
    }

    @Test
    void appendUtc_anyInstant_printsWhatInstantPrints() {
        long[] edges = {0, 951_782_400_000L, 4_107_542_399_999L, 1_795_933_170_123L, 1_000L, 68_256_000_000L};
        for (long t : edges) { // the epoch, 2000-02-29 (leap day), 2100 (no leap year), now, a leap-year March
            assertEquals(instant(t), OneLineLog.appendUtc(new StringBuilder(), t).toString(), Long.toString(t));
        }
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 10_000; i++) {
            long t = r.nextLong(0, 253_402_300_799_000L); // up to 9999-12-31
            assertEquals(instant(t), OneLineLog.appendUtc(new StringBuilder(), t).toString(), Long.toString(t));
        }
    }
}
