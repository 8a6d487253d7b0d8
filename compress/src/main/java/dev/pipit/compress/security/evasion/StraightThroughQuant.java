package dev.pipit.compress.security.evasion;

import dev.pipit.compress.train.FakeQuant;
import dev.pipit.compress.train.Layer;

/**
 * An int8 activation as the attacker differentiates it: the forward pass rounds and clamps to the int8
 * grid like the deployed kernels, the backward pass is the identity (BPDA, Athalye et al., 2018), so
 * neither rounding nor saturation hides the gradient. Training's {@link FakeQuant} zeroes it outside
 * the range instead.
 */
final class StraightThroughQuant implements Layer {

    private final FakeQuant rounding;

    StraightThroughQuant(int[] shape, float scale, int zeroPoint) {
        this.rounding = new FakeQuant(shape, scale, zeroPoint);
    }

    @Override
    public int[] outputShape() {
        return rounding.outputShape();
    }

    @Override
    public void forward(float[] x, float[] y, int from, int to) {
        rounding.forward(x, y, from, to);
    }

    @Override
    public void backward(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
        int size = outputSize();
        System.arraycopy(dy, from * size, dx, from * size, (to - from) * size);
    }
}
