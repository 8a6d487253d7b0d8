package dev.pipit.runtime;

/** A graph that cannot run: unknown operator, inconsistent shapes, missing or out-of-range tensors. */
public final class InvalidGraphException extends RuntimeException {

    public InvalidGraphException(String message) {
        super(message);
    }
}
