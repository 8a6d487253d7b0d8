package dev.pipit.fleet.coap;

import java.util.Arrays;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.BlockOption;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;

/**
 * {@code /pipit/v1/models/{model}/{version}/{variant}}: a variant payload, served block by block (RFC 7959
 * Block2) by the resource itself, so any block can be asked for directly (a device resumes at the block that
 * holds its first missing chunk) and the server keeps no per-device transfer state. Block sizes 64 to the
 * server's maximum (at most 1024) are served; a larger request gets the maximum, renumbered (RFC 7959 2.2);
 * a smaller one is refused. Every block carries Size2 (the payload's size) and the payload's ETag.
 */
final class VariantResource extends CoapResource {

    static final int MIN_SZX = BlockOption.size2Szx(64);

    private final byte[] payload;
    private final byte[] etag;
    private final int maxSzx;

    VariantResource(String variantId, byte[] payload, byte[] sha256, int maxBlockSize) {
        super(variantId);
        this.payload = payload;
        this.etag = Arrays.copyOf(sha256, 8);
        this.maxSzx = BlockOption.size2Szx(maxBlockSize);
        getAttributes().addResourceType("pipit.variant");
        getAttributes().addContentType(ContentFormats.OCTET_STREAM);
        getAttributes().setMaximumSizeEstimate(payload.length);
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        BlockOption asked = exchange.getRequestOptions().getBlock2();
        int szx = asked == null ? maxSzx : Math.min(asked.getSzx(), maxSzx); // BERT (7) is TCP-only: the maximum
        if (asked != null && asked.getSzx() < MIN_SZX) {
            exchange.respond(CoAP.ResponseCode.BAD_OPTION, "block size " + asked.getSize() + " is below 64, the"
                    + " smallest this server serves");
            return;
        }
        long offset = asked == null ? 0 : (long) asked.getNum() * BlockOption.szx2Size(Math.min(asked.getSzx(), 6));
        int size = BlockOption.szx2Size(szx);
        if (offset >= payload.length && !(offset == 0 && payload.length == 0)) {
            exchange.respond(CoAP.ResponseCode.BAD_OPTION, "block at byte " + offset + " is past the end of "
                    + payload.length + " bytes");
            return;
        }
        int to = (int) Math.min(payload.length, offset + size);
        Response response = new Response(CoAP.ResponseCode.CONTENT);
        response.setPayload(Arrays.copyOfRange(payload, (int) offset, to));
        response.getOptions().setContentFormat(ContentFormats.OCTET_STREAM).addETag(etag).setSize2(payload.length)
                .setBlock2(szx, to < payload.length, (int) (offset / size));
        exchange.respond(response);
    }
}
