package dev.pipit.runtime.graph;

/** Activation fused into the producing kernel (applied before the output is narrowed to int8). */
public enum Activation {
    NONE,
    RELU
}
