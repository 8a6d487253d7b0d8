package dev.pipit.runtime.graph;

/**
 * Operators the runtime executes. Each has an fp32 form and, where listed, an int8 form; the form is
 * chosen by the data type of the node's tensors. Every node is validated when the graph is loaded.
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>The first input and the output are activations {@code [batch, …]} (batch −1 where declared);
 *       images are NCHW {@code [n, c, h, w]}.
 *   <li>Int8 activations: per-tensor asymmetric quantization, zero point in [-128, 127]. Int8 weights:
 *       symmetric (zero point 0), values in [-127, 127], per tensor or per output channel (axis 0).
 *       Int32 bias: scale {@code inputScale · weightScale[c]}, zero point 0.
 *   <li>Requantization is TFLite's default double-rounding {@code MultiplyByQuantizedMultiplier}
 *       ({@link dev.pipit.runtime.quant.FixedPoint}); quantizing a real value rounds half away from zero.
 *   <li>Attributes are strings: integers and floats in Java syntax, lists comma-separated
 *       ({@code "strides" -> "2,2"}).
 *   <li>Fused activation (FULLY_CONNECTED, CONV_2D, ADD, MATMUL, FULLY_CONNECTED_DYNAMIC):
 *       {@code "activation"} = {@code NONE} (default) | {@code RELU} | {@code RELU6} | {@code CLIP}, the
 *       latter with {@code "activation_min"} / {@code "activation_max"} (real values, default ∓∞). Int8
 *       outputs clamp to {@code zeroPoint + round(bound / scale)} within [-128, 127].
 * </ul>
 *
 * <h2>Weight formats (int8 FULLY_CONNECTED and CONV_2D)</h2>
 * Attribute {@code "weight_format"} says how the weights follow the first input; they stay in this form
 * in memory (decoded inside the kernels) and {@code weightBytes} counts their stored bytes. {@code K} is
 * the length of a dense weight row: {@code in} for FULLY_CONNECTED, {@code (in / group) · kh · kw} for
 * CONV_2D (row-major over {@code [in / group, kh, kw]}, which then needs {@code "kernel_shape"}).
 * <ul>
 *   <li>{@code "dense"} (default): one tensor W, {@code [out, in]} or {@code [out, in / group, kh, kw]}.
 *   <li>{@code "csr"}: three tensors. {@code row_ends} INT32 {@code [out]}: where each output channel's
 *       entries end (exclusive; channel {@code c} starts where {@code c − 1} ends); it carries the weight
 *       quantization. {@code column_indices}: INT32 {@code [nnz]}, or INT8 {@code [nnz, 2]} holding
 *       unsigned 16-bit little-endian indices (K ≤ 65,536); strictly increasing within a channel.
 *       {@code values} INT8 {@code [nnz]}. Held as char (or int) indices, int8 values and int row
 *       starts; time and memory scale with nnz.
 *   <li>{@code "bitmap"}: two tensors. {@code mask} INT8 {@code [out, ⌈K / 8⌉]}: bit {@code k % 8} of
 *       byte {@code k / 8} of a channel's row is set where weight {@code k} is stored (bits past K are 0);
 *       it carries the weight quantization. {@code values} INT8 {@code [max(stored, 1)]}: the stored
 *       weights in row-major order (an all-zero matrix holds one padding 0). Held as is plus int row
 *       starts; time scales with the stored weights.
 *   <li>{@code "palette4"} / {@code "palette8"}: two tensors. {@code indices} INT8
 *       {@code [out, rowBytes]}: 8-bit indices ({@code rowBytes = K}) or 4-bit ones packed two per byte,
 *       even column in the low nibble ({@code rowBytes = ⌈K / 2⌉}); it carries the weight quantization.
 *       {@code codebook} INT8 {@code [entries]} (one per layer) or {@code [out, entries]} (one per output
 *       channel), at most 16 / 256 entries, values in [-127, 127].
 * </ul>
 * Products equal the dense weights' bit for bit. {@link CompressedWeights} builds these tensors.
 */
public enum OpType {
    /**
     * {@code y = x · Wᵀ + b}. Inputs: x {@code [n, in]}, the weights (see weight formats), optional bias
     * {@code [out]}; output {@code [n, out]}. Attributes: activation, weight_format. Int8: inputs int8,
     * weights int8, bias int32, output int8; {@code acc = Σ w·(x − x_zp) + bias} requantized by
     * {@code inputScale · weightScale[c] / outputScale}, plus the output zero point, clamped.
     */
    FULLY_CONNECTED,
    /** {@code y = max(x, 0)}. Int8: {@code x − x_zp} requantized by {@code inputScale / outputScale}, clamped at the output zero point. */
    RELU,
    /**
     * Softmax over the last axis. fp32: shifted by the row maximum. Int8 (TFLite): output scale 1/256,
     * zero point −128; {@code y = round(256 · softmax(x)) − 128} with the exponentials of the int8
     * differences to the row maximum evaluated in double, rounded half away from zero, clamped.
     */
    SOFTMAX,
    /** Collapse all dimensions after the first: {@code [n, …]} to {@code [n, product]}. A view; int8 keeps its quantization. */
    FLATTEN,
    /** fp32 to int8 with the output tensor's per-tensor quantization. */
    QUANTIZE,
    /** int8 to fp32 with the input tensor's quantization. */
    DEQUANTIZE,
    /**
     * 2-D convolution (cross-correlation). Inputs: x {@code [n, c, h, w]}, the weights
     * {@code [out, c / group, kh, kw]} (see weight formats; per-output-channel symmetric int8), optional
     * bias {@code [out]} (fp32, or int32 for int8). Output {@code [n, out, oh, ow]} with
     * {@code oh = (h + top + bottom − dh·(kh − 1) − 1) / sh + 1} (likewise {@code ow}). Attributes:
     * {@code "strides"} {@code "sh,sw"} (default {@code "1,1"}), {@code "pads"}
     * {@code "top,left,bottom,right"} (default {@code "0,0,0,0"}), {@code "dilations"} {@code "dh,dw"}
     * (default {@code "1,1"}), {@code "group"} (default 1; c and out divisible by it; depthwise:
     * {@code group = c}), {@code "kernel_shape"} {@code "kh,kw"} (needed with compressed weights, else
     * checked against W), activation, weight_format. Int8 as FULLY_CONNECTED, padding holding the input
     * zero point (real 0).
     */
    CONV_2D,
    /**
     * Max pooling over {@code [n, c, h, w]}. Attributes: {@code "kernel_shape"} {@code "kh,kw"}
     * (required), {@code "strides"} (default {@code "1,1"}), {@code "pads"} (default none; padding never
     * wins). Int8: input and output quantization must be equal.
     */
    MAX_POOL,
    /**
     * Average pooling over {@code [n, c, h, w]}, attributes as MAX_POOL. Only elements inside the input
     * count (ONNX {@code count_include_pad = 0}, TFLite). Int8 (TFLite): equal input and output
     * quantization; {@code sum / count} rounded half away from zero.
     */
    AVERAGE_POOL,
    /**
     * Mean over the spatial axes: {@code [n, c, h, w]} to {@code [n, c, 1, 1]} (or {@code [n, c]}). Int8:
     * {@code Σ (x − x_zp)} requantized by {@code inputScale / (outputScale · h · w)}, plus the output
     * zero point, clamped.
     */
    GLOBAL_AVERAGE_POOL,
    /**
     * {@code y = a + b}. Inputs: a (activation; y has its shape), b (activation or constant) broadcast to
     * a NumPy-style (per-sample shapes right-aligned, b's dimensions 1 or equal; a constant b may carry a
     * leading batch dimension of 1), e.g. a per-channel {@code [c, 1, 1]} or scalar {@code [1]} operand.
     * Attribute: activation. Int8 (TFLite's quantized Add): inputs offset by their zero points, shifted
     * left by 20, scaled by {@code inputScale / (2 · max(inputScales))}, summed, scaled by
     * {@code 2 · max(inputScales) / (2^20 · outputScale)}, plus the output zero point, clamped.
     */
    ADD,
    /** {@code y = min(max(x, 0), 6)}. Int8 as RELU, also clamped at {@code zp + round(6 / outputScale)}. */
    RELU6,
    /**
     * {@code y = min(max(x, min), max)}; attributes {@code "min"}, {@code "max"} (real values, default
     * ∓∞). Int8 as RELU6 with these bounds.
     */
    CLIP,
    /**
     * {@code y = x ≥ 0 ? x : alpha · x}; attribute {@code "alpha"} (≥ 0, default 0.01). Int8 (TFLite):
     * {@code x − x_zp} requantized by {@code inputScale / outputScale} when non-negative, by
     * {@code alpha · inputScale / outputScale} otherwise, plus the output zero point, clamped.
     */
    LEAKY_RELU,
    /**
     * Concatenation of one or more activations along attribute {@code "axis"} (required; negative counts
     * from the end; not the batch axis); the other dimensions must match. Int8: an input quantized
     * unlike the output is requantized, {@code y_zp + (x − x_zp) · inputScale / outputScale}, clamped.
     */
    CONCAT,
    /**
     * The same elements under another shape. Attribute {@code "shape"} (optional): the dimensions after
     * the batch one, one of which may be −1 (inferred); it must agree with the output's declared shape.
     * A view; int8 keeps its quantization.
     */
    RESHAPE,
    /**
     * {@code Y = A · B}. Inputs: A {@code [n, K]} or {@code [n, M, K]}; B a constant {@code [K, N]}, or
     * for fp32 an activation {@code [n, K, N]} (one product per sample). Output {@code [n, N]} or
     * {@code [n, M, N]}. Attribute: activation. Int8: B a constant, symmetric per tensor or per column
     * (axis 1); computed as FULLY_CONNECTED with {@code W = Bᵀ} and no bias.
     */
    MATMUL,
    /**
     * Dynamic-range int8 fully-connected: x fp32 {@code [n, in]}, W INT8 {@code [out, in]} symmetric per
     * output channel (or per tensor), optional bias FLOAT32 {@code [out]}, y fp32 {@code [n, out]}.
     * Each sample is quantized from its own range (asymmetric): {@code min = min(x_min, 0)},
     * {@code max = max(x_max, 0)}, {@code scale = (max − min) / 255}, {@code zp = clamp(round(−128 − min /
     * scale))}, {@code q = clamp(round(zp + x · (1 / scale)))} in fp32, ties away from zero (a zero sample
     * uses scale 1, zp 0); {@code acc = Σ w·(q − zp)} in int32;
     * {@code y = acc · (scale · weightScale[c]) + b[c]} in fp32, then the activation. Attribute: activation.
     */
    FULLY_CONNECTED_DYNAMIC,
    /**
     * {@code y = (x − mean) / √(var + ε) · scale + bias} per channel (axis 1), fp32 only. Inputs: x
     * {@code [n, c, …]}, then constants scale, bias, mean, var, each {@code [c]}. Attribute
     * {@code "epsilon"} (default 1e-5). Folded at load into the weights and bias of a directly preceding
     * fp32 dense CONV_2D or FULLY_CONNECTED without activation whose output only it reads; otherwise
     * run on its own.
     */
    BATCH_NORMALIZATION
}
