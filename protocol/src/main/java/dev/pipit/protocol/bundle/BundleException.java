package dev.pipit.protocol.bundle;

/** A bundle, manifest or payload that must not be accepted; the message is the reported reason. */
public final class BundleException extends Exception {

    public BundleException(String reason) {
        super(reason);
    }

    public BundleException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
