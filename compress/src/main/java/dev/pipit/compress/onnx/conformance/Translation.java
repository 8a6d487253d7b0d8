package dev.pipit.compress.onnx.conformance;

import dev.pipit.runtime.graph.Graph;

/**
 * A single-node ONNX test translated to a runtime graph with one fp32 input and output.
 *
 * @param graph the runtime graph
 * @param input the graph input, {@code batch} samples
 * @param batch samples to run
 * @param output how to read the fp32 graph output back as the ONNX output's values
 */
public record Translation(Graph graph, float[] input, int batch, OutputCodec output) {

    public Translation {
        input = input.clone();
    }

    @Override
    public float[] input() {
        return input.clone();
    }

    /**
     * Reads the fp32 graph output as the ONNX output: int8 outputs leave the graph through a DEQUANTIZE
     * with their quantization, so {@code round(y / scale) + zeroPoint} recovers them exactly (uint8 ones
     * shifted back by 128); integer-valued fp32 outputs (ConvInteger, MatMulInteger) are rounded.
     *
     * @param scale the int8 output's scale, 0 when the output is not int8
     */
    public record OutputCodec(float scale, int zeroPoint, boolean uint8, boolean integer) {

        public static final OutputCodec FLOAT = new OutputCodec(0f, 0, false, false);
        public static final OutputCodec INTEGER = new OutputCodec(0f, 0, false, true);

        public double decode(float y) {
            if (scale > 0f) {
                return Math.round(y / scale) + zeroPoint + (uint8 ? 128 : 0);
            }
            return integer ? Math.rint(y) : y;
        }
    }
}
