package dev.pipit.fleet.coap;

/**
 * CoAP Content-Format numbers of what the Pipit CoAP server serves and accepts (protocol/README.md, "CoAP").
 * Protobuf messages have no registered Content-Format, so Pipit numbers its own from the range RFC 7252
 * 12.3 sets aside for experiments; variant payloads are opaque bytes, checked against the signed manifest.
 */
public final class ContentFormats {

    /** The model index, RFC 6690. */
    public static final int LINK_FORMAT = 40;
    /** A variant payload (a serialized VariantGraph): application/octet-stream. */
    public static final int OCTET_STREAM = 42;
    /** {@code application/x-protobuf; proto=pipit.v1.SignedManifest}. */
    public static final int SIGNED_MANIFEST = 65200;
    /** {@code application/x-protobuf; proto=pipit.v1.DeviceStatus}. */
    public static final int DEVICE_STATUS = 65201;
    /** {@code application/x-protobuf; proto=pipit.v1.MemoryReport}. */
    public static final int MEMORY_REPORT = 65202;
    /** {@code application/x-protobuf; proto=pipit.v1.Rejection}. */
    public static final int REJECTION = 65203;

    private ContentFormats() {
    }
}
