package dev.pipit.runtime.exec;

/**
 * A step whose output channels {@code [from, to)} can be computed independently of the others.
 * {@code part} (0 for the caller, 1… for workers) selects the scratch this call may use.
 */
@FunctionalInterface
interface RowStep {

    void run(Frame frame, int batch, int from, int to, int part);
}
