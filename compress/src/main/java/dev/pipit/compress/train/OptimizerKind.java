package dev.pipit.compress.train;

/** The optimizers the trainer offers. */
public enum OptimizerKind {
    ADAM,
    SGD
}
