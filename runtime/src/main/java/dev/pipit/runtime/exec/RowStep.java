package dev.pipit.runtime.exec;

/** A step whose output channels {@code [from, to)} can be computed independently of the others. */
@FunctionalInterface
interface RowStep {

    void run(Frame frame, int batch, int from, int to);
}
