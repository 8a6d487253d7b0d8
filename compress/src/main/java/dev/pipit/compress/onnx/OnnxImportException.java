package dev.pipit.compress.onnx;

import java.io.IOException;

/** An ONNX model Pipit cannot import; the message names the node and operator at fault. */
public final class OnnxImportException extends IOException {

    public OnnxImportException(String message) {
        super(message);
    }
}
