package dev.pipit.protocol.graph;

/** A variant payload that does not decode into a well-formed graph. */
public final class MalformedGraphException extends RuntimeException {

    public MalformedGraphException(String message) {
        super(message);
    }
}
