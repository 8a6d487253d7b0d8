package dev.pipit.agent.transfer.coap;

import com.google.protobuf.Message;
import dev.pipit.protocol.v1.DeviceStatus;
import dev.pipit.protocol.v1.MemoryReport;
import dev.pipit.protocol.v1.Rejection;

/**
 * CoAP Content-Format numbers of Pipit's protobuf messages, as protocol/README.md ("CoAP") lists them and
 * {@code fleet.coap.PipitContentFormats} serves them. Unregistered, so from the range RFC 7252 12.3 sets
 * aside for experiments; variant payloads are opaque bytes, {@code application/octet-stream} (42).
 */
final class ContentFormats {

    static final int LINK_FORMAT = 40;
    static final int OCTET_STREAM = 42;
    static final int SIGNED_MANIFEST = 65200;
    static final int DEVICE_STATUS = 65201;
    static final int MEMORY_REPORT = 65202;
    static final int REJECTION = 65203;

    private ContentFormats() {
    }

    /** The number of a report's type, or -1 for a message CoAP does not carry. */
    static int of(Message m) {
        if (m instanceof DeviceStatus) {
            return DEVICE_STATUS;
        }
        if (m instanceof MemoryReport) {
            return MEMORY_REPORT;
        }
        if (m instanceof Rejection) {
            return REJECTION;
        }
        return -1;
    }
}
