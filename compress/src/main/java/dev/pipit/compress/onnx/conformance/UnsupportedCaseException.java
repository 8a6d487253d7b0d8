package dev.pipit.compress.onnx.conformance;

/** A test case outside what the runtime implements (an attribute, a type or a layout); the message says which. */
public final class UnsupportedCaseException extends RuntimeException {

    public UnsupportedCaseException(String reason) {
        super(reason);
    }
}
