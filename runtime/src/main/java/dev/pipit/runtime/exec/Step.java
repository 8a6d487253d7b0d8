package dev.pipit.runtime.exec;

/** One compiled node: its kernel bound to its tensors' locations. */
@FunctionalInterface
interface Step {

    void run(Frame frame, int batch);
}
