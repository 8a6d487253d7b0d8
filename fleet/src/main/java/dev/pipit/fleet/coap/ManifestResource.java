package dev.pipit.fleet.coap;

import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;

/**
 * {@code /pipit/v1/models/{model}/manifest}: the SignedManifest of the model's current release, observable
 * (RFC 7641): every observer is notified, confirmable, when a newer release is published. Larger than a block,
 * it goes block-wise (Californium slices it; the notification carries the first block and the ETag that the
 * later blocks must share). Max-Age tells observers when to re-register, so a server restart is noticed.
 */
final class ManifestResource extends CoapResource {

    private final long maxAgeSeconds;
    private volatile Release release;

    ManifestResource(Release release, long maxAgeSeconds) {
        super("manifest");
        this.release = release;
        this.maxAgeSeconds = maxAgeSeconds;
        setObservable(true);
        setObserveType(CoAP.Type.CON);
        getAttributes().addResourceType("pipit.manifest");
        getAttributes().addContentType(ContentFormats.SIGNED_MANIFEST);
    }

    Release release() {
        return release;
    }

    /** Serves {@code next} from now on and notifies every observer. */
    void publish(Release next) {
        release = next;
        changed();
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        Release r = release;
        Response response = new Response(CoAP.ResponseCode.CONTENT);
        response.setPayload(r.signedManifest());
        response.getOptions().setContentFormat(ContentFormats.SIGNED_MANIFEST).addETag(r.etag())
                .setMaxAge(maxAgeSeconds);
        exchange.respond(response);
    }
}
