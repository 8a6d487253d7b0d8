package dev.pipit.fleet.coap;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.DeviceStatus;
import dev.pipit.protocol.v1.MemoryReport;
import dev.pipit.protocol.v1.Rejection;
import java.security.Principal;
import java.util.function.Function;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;

/**
 * {@code /pipit/v1/devices/{id}/reports}: a device POSTs its DeviceStatus, MemoryReport or Rejection here,
 * the Content-Format naming the type (Block1 when larger than a block). Over DTLS, the id in the path must be
 * the device the peer authenticated as (PSK identity, certificate CN, or the file name of its raw public key),
 * the CoAP counterpart of the per-device MQTT ACL. Answers 2.04; 4.03 for another device's id, 4.13 with
 * Size1 above the size limit, 4.15 for an unknown Content-Format, 4.00 for a body that does not parse.
 */
final class ReportsResource extends CoapResource {

    private final String deviceId;
    private final Function<Principal, String> identities;
    private final DeviceReports reports;
    private final int maxBytes;

    private ReportsResource(String deviceId, Function<Principal, String> identities, DeviceReports reports, int maxBytes) {
        super("reports");
        this.deviceId = deviceId;
        this.identities = identities;
        this.reports = reports;
        this.maxBytes = maxBytes;
    }

    /**
     * {@code /pipit/v1/devices}: resolves {@code {id}/reports} for any valid device id.
     *
     * @param identities the device id a DTLS peer authenticated as, or null; null for plain CoAP
     */
    static CoapResource devices(Function<Principal, String> identities, DeviceReports reports, int maxBytes) {
        return new CoapResource("devices") {
            @Override
            public Resource getChild(String id) {
                try {
                    Topics.segment(id);
                } catch (IllegalArgumentException e) {
                    return null;
                }
                return new CoapResource(id) {
                    @Override
                    public Resource getChild(String name) {
                        return name.equals("reports") ? new ReportsResource(id, identities, reports, maxBytes) : null;
                    }
                };
            }
        };
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        if (identities != null) {
            Principal peer = exchange.advanced().getRequest().getSourceContext().getPeerIdentity();
            String authenticated = peer == null ? null : identities.apply(peer);
            if (!deviceId.equals(authenticated)) {
                exchange.respond(CoAP.ResponseCode.FORBIDDEN, "authenticated as " + authenticated + ", not " + deviceId);
                return;
            }
        }
        byte[] body = exchange.getRequestPayload();
        if (body.length > maxBytes) {
            Response tooLarge = new Response(CoAP.ResponseCode.REQUEST_ENTITY_TOO_LARGE);
            tooLarge.getOptions().setSize1(maxBytes);
            exchange.respond(tooLarge);
            return;
        }
        Message report;
        try {
            report = switch (exchange.getRequestOptions().getContentFormat()) {
                case ContentFormats.DEVICE_STATUS -> DeviceStatus.parseFrom(body);
                case ContentFormats.MEMORY_REPORT -> MemoryReport.parseFrom(body);
                case ContentFormats.REJECTION -> Rejection.parseFrom(body);
                default -> null;
            };
        } catch (InvalidProtocolBufferException e) {
            exchange.respond(CoAP.ResponseCode.BAD_REQUEST, "not a valid report: " + e.getMessage());
            return;
        }
        if (report == null) {
            exchange.respond(CoAP.ResponseCode.UNSUPPORTED_CONTENT_FORMAT, "reports are DeviceStatus ("
                    + ContentFormats.DEVICE_STATUS + "), MemoryReport (" + ContentFormats.MEMORY_REPORT + ") or Rejection ("
                    + ContentFormats.REJECTION + ")");
            return;
        }
        if (report instanceof DeviceStatus s && !s.getDeviceId().isEmpty() && !s.getDeviceId().equals(deviceId)) {
            exchange.respond(CoAP.ResponseCode.BAD_REQUEST, "status of " + s.getDeviceId() + " posted for " + deviceId);
            return;
        }
        if (!reports.accept(deviceId, report, System.currentTimeMillis())) {
            exchange.respond(CoAP.ResponseCode.SERVICE_UNAVAILABLE, "too many devices");
            return;
        }
        exchange.respond(CoAP.ResponseCode.CHANGED);
    }
}
