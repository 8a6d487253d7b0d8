package dev.pipit.agent.transfer.coap;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.eclipse.californium.core.coap.BlockOption;

/**
 * Bytes {@code [start, end)} of one representation, collected from Block2 responses (RFC 7959). The first
 * request asks for the block that holds {@code start} (block number = offset / size, so a download resumes
 * in the middle of a resource); the server may answer with a smaller block size than asked, which every
 * later request then uses. Every block must carry the ETag of the first: a representation that changes
 * half-way is never stitched together.
 */
final class BlockRange {

    /** A response that cannot belong to this range. */
    static final class BlockException extends Exception {
        BlockException(String message) {
            super(message);
        }
    }

    private final String what;
    private final long start;
    private final long end;
    private final int limit;
    private final ByteArrayOutputStream bytes;
    private int szx;
    private byte[] etag;

    /**
     * @param what names the representation in error messages
     * @param end exclusive; {@link Long#MAX_VALUE} when only the last block (M = 0) tells
     * @param limit most bytes collected: more is an error
     * @param szx the block size asked for first
     */
    BlockRange(String what, long start, long end, int limit, int szx) {
        if (start < 0 || end < start || limit < 0 || szx < 0 || szx > 6) {
            throw new IllegalArgumentException("bad block range " + start + ".." + end + " szx " + szx);
        }
        this.what = what;
        this.start = start;
        this.end = end;
        this.limit = limit;
        this.szx = szx;
        this.bytes = new ByteArrayOutputStream((int) Math.min(limit, Math.min(end - start, 1 << 16)));
    }

    /** Where the next byte comes from. */
    long position() {
        return start + bytes.size();
    }

    /** The Block2 option asking for the block that holds {@link #position()}. */
    BlockOption next() {
        return new BlockOption(szx, false, Math.toIntExact(position() / BlockOption.szx2Size(szx)));
    }

    /**
     * Takes the bytes of one response that belong to the range.
     *
     * @param block the response's Block2 option, or null when it holds the whole representation
     * @param etag the response's ETag, or null
     * @return true when the range is complete: {@code end} reached, or the representation's last block taken
     * @throws BlockException for a block other than the one asked for, a changed ETag, or more than the limit
     */
    boolean add(BlockOption block, byte[] payload, byte[] etag) throws BlockException {
        if (bytes.size() == 0 && this.etag == null) {
            this.etag = etag;
        } else if (!Arrays.equals(this.etag, etag)) {
            throw new BlockException(what + " changed during the transfer (ETag differs)");
        }
        long offset = block == null ? 0 : block.getOffset();
        boolean more = block != null && block.isM();
        long position = position();
        if (offset > position || offset + payload.length < position || more && offset + payload.length == position) {
            throw new BlockException(what + ": asked for byte " + position + ", got a block of " + payload.length
                    + " bytes at " + offset);
        }
        if (block != null && block.getSzx() < szx) {
            szx = block.getSzx(); // the server's smaller size from now on (RFC 7959 2.2)
        }
        int from = Math.toIntExact(position - offset);
        int to = (int) Math.min(payload.length, end - offset);
        if (to > from) {
            if ((long) bytes.size() + to - from > limit) {
                throw new BlockException(what + " is larger than " + limit + " bytes");
            }
            bytes.write(payload, from, to - from);
        }
        return position() >= end || !more;
    }

    /** The bytes collected so far. */
    byte[] bytes() {
        return bytes.toByteArray();
    }
}
