package dev.pipit.compress.onnx.conformance;

/**
 * The outcome of one node test case.
 *
 * @param name the case folder's name
 * @param status pass, fail, or unsupported (outside what the runtime implements)
 * @param reason why it failed or is unsupported; for a pass, any tolerated difference
 */
public record CaseResult(String name, Status status, String reason) {

    public enum Status { PASS, FAIL, UNSUPPORTED }
}
