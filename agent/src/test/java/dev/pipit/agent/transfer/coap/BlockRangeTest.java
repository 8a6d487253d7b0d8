package dev.pipit.agent.transfer.coap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.eclipse.californium.core.coap.BlockOption;
import org.junit.jupiter.api.Test;

class BlockRangeTest {

    private static final byte[] ETAG = {1, 2, 3, 4};
    private static final byte[] RESOURCE = new byte[5000];

    static {
        new SplittableRandom(3).nextBytes(RESOURCE);
    }

    /** What a server answers for a Block2 request, at its own (maximum) block size. */
    private static byte[] block(BlockOption b) {
        int from = b.getOffset();
        return Arrays.copyOfRange(RESOURCE, from, Math.min(RESOURCE.length, from + b.getSize()));
    }

    private static BlockOption answer(BlockOption asked) {
        return new BlockOption(asked.getSzx(), asked.getOffset() + asked.getSize() < RESOURCE.length, asked.getNum());
    }

    @Test
    void add_rangeInTheMiddle_startsAtTheBlockHoldingItsFirstByteAndStopsAtItsEnd() throws Exception {
        BlockRange chunk = new BlockRange("chunk 1", 1000, 2000, 1000, BlockOption.size2Szx(256));
        BlockOption first = chunk.next();
        assertEquals(3, first.getNum(), "byte 1000 is in block 3 of 256");
        boolean done = false;
        int requests = 0;
        while (!done) {
            BlockOption asked = chunk.next();
            done = chunk.add(answer(asked), block(asked), ETAG);
            requests++;
        }
        assertArrayEquals(Arrays.copyOfRange(RESOURCE, 1000, 2000), chunk.bytes());
        assertEquals(5, requests, "blocks 3 to 7 hold bytes 1000 to 1999");
    }

    @Test
    void add_serverAnswersWithSmallerBlocks_continuesAtTheServersSize() throws Exception {
        BlockRange all = new BlockRange("resource", 0, Long.MAX_VALUE, 1 << 16, BlockOption.size2Szx(1024));
        boolean done = false;
        while (!done) {
            BlockOption asked = all.next();
            BlockOption served = new BlockOption(BlockOption.size2Szx(64), false, asked.getOffset() / 64);
            served = new BlockOption(served.getSzx(), served.getOffset() + 64 < RESOURCE.length, served.getNum());
            done = all.add(served, block(served), ETAG);
        }
        assertArrayEquals(RESOURCE, all.bytes());
        assertEquals(64, all.next().getSize(), "the smaller size sticks");
    }

    @Test
    void add_changedEtagWrongBlockOrTooMuch_refused() throws Exception {
        BlockRange r = new BlockRange("manifest", 0, Long.MAX_VALUE, 150, BlockOption.size2Szx(64));
        BlockOption b0 = r.next();
        assertFalse(r.add(answer(b0), block(b0), ETAG));
        BlockOption b1 = r.next();
        BlockRange.BlockException changed = assertThrows(BlockRange.BlockException.class,
                () -> r.add(answer(b1), block(b1), new byte[] {9}));
        assertTrue(changed.getMessage().contains("ETag"), changed.getMessage());
        BlockOption later = new BlockOption(b1.getSzx(), true, 5);
        assertThrows(BlockRange.BlockException.class, () -> r.add(later, block(later), ETAG));
        assertFalse(r.add(answer(b1), block(b1), ETAG));
        BlockOption b2 = r.next();
        BlockRange.BlockException tooLarge = assertThrows(BlockRange.BlockException.class,
                () -> r.add(answer(b2), block(b2), ETAG));
        assertTrue(tooLarge.getMessage().contains("150 bytes"), tooLarge.getMessage());
    }

    @Test
    void add_wholeRepresentationWithoutBlock2_completeAtOnce() throws Exception {
        BlockRange r = new BlockRange("index", 0, Long.MAX_VALUE, 1000, 6);
        assertTrue(r.add(null, new byte[] {7, 8}, null));
        assertArrayEquals(new byte[] {7, 8}, r.bytes());
    }
}
