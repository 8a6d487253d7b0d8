package dev.pipit.runtime.exec;

/** The arrays one run works on: the preallocated arenas and, during the run, the caller's input and output. */
final class Frame {

    final byte[] int8Arena;
    final float[] floatArena;
    float[] input;
    float[] output;

    Frame(int int8Elements, int floatElements) {
        this.int8Arena = new byte[int8Elements];
        this.floatArena = new float[floatElements];
    }

    float[] floats(Location location) {
        return switch (location.storage()) {
            case INPUT -> input;
            case OUTPUT -> output;
            case FLOAT_ARENA -> floatArena;
            case INT8_ARENA -> throw new IllegalArgumentException("int8 tensor read as fp32");
        };
    }
}
