package dev.pipit.fleet.coap;

import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.Variant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;

/**
 * {@code /pipit/v1/models}: the index of the models served, in link format (RFC 6690), observable, so a
 * device learns of a new model as MQTT's {@code +} wildcard would tell it. Below it, per model, the observable
 * manifest and the variant payloads of the current release and of the one before it (a device part-way
 * through the previous release can still finish; older ones are removed).
 */
final class ModelsResource extends CoapResource {

    private static final System.Logger LOG = System.getLogger(ModelsResource.class.getName());
    static final String PATH = "/" + Topics.ROOT + "/models";

    private final int maxBlockSize;
    private final long maxAgeSeconds;
    private final Map<String, ManifestResource> manifests = new TreeMap<>();

    ModelsResource(int maxBlockSize, long maxAgeSeconds) {
        super("models");
        this.maxBlockSize = maxBlockSize;
        this.maxAgeSeconds = maxAgeSeconds;
        setObservable(true);
        setObserveType(CoAP.Type.CON);
        getAttributes().addResourceType("pipit.models");
        getAttributes().addContentType(ContentFormats.LINK_FORMAT);
    }

    /**
     * Serves a release: a new model, or a newer version of one (observers of its manifest are notified).
     *
     * @return false if exactly this release is already served
     * @throws BundleException for a version older than the one served (rollback), or the same version with
     *     another manifest
     */
    synchronized boolean publish(Release r) throws BundleException {
        ManifestResource manifest = manifests.get(r.modelId());
        if (manifest != null) {
            Release current = manifest.release();
            if (r.version() == current.version()) {
                if (Arrays.equals(r.signedManifest(), current.signedManifest())) {
                    return false;
                }
                throw new BundleException(r + " is already served with another manifest; a new release needs a new version");
            }
            if (r.version() < current.version()) {
                throw new BundleException(r + " is older than " + current + ", which is served (rollback refused)");
            }
        }
        Resource model = getChild(r.modelId());
        if (model == null) {
            model = new CoapResource(r.modelId());
            add(model);
        }
        CoapResource version = new CoapResource(Long.toString(r.version()));
        for (Variant v : r.manifest().getVariantsList()) {
            version.add(new VariantResource(v.getId(), r.payloads().get(v.getId()), v.getSha256().toByteArray(), maxBlockSize));
        }
        model.add(version); // payloads first: a device told of the manifest can always fetch them
        if (manifest == null) {
            manifest = new ManifestResource(r, maxAgeSeconds);
            manifests.put(r.modelId(), manifest);
            model.add(manifest);
            changed(); // the index lists a new model
        } else {
            long previous = manifest.release().version();
            manifest.publish(r);
            for (Resource child : new ArrayList<>(model.getChildren())) {
                if (!child.getName().equals("manifest") && Long.parseLong(child.getName()) < previous) {
                    model.delete(child);
                }
            }
        }
        LOG.log(System.Logger.Level.INFO, "serving {0}: {1} variants{2}", r, r.manifest().getVariantsCount(),
                manifest.getObserverCount() > 0 ? ", " + manifest.getObserverCount() + " observers notified" : "");
        return true;
    }

    /** The releases served now, by model id. */
    synchronized List<Release> releases() {
        return manifests.values().stream().map(ManifestResource::release).toList();
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        StringBuilder links = new StringBuilder();
        synchronized (this) {
            for (String model : manifests.keySet()) {
                if (!links.isEmpty()) {
                    links.append(',');
                }
                links.append('<').append(PATH).append('/').append(model).append("/manifest>;rt=\"pipit.manifest\";ct=")
                        .append(ContentFormats.SIGNED_MANIFEST).append(";obs");
            }
        }
        Response response = new Response(CoAP.ResponseCode.CONTENT);
        response.setPayload(links.toString());
        response.getOptions().setContentFormat(ContentFormats.LINK_FORMAT).setMaxAge(maxAgeSeconds);
        exchange.respond(response);
    }
}
