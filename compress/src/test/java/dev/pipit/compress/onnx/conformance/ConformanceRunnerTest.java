package dev.pipit.compress.onnx.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Runs Debian's libonnx-testdata node tests for the operators the runtime has (docs/onnx-conformance.md). */
class ConformanceRunnerTest {

    private static final Path NODE_TESTS = Path.of("/usr/share/libonnx-testdata/data/node");

    /** Every case of the in-scope operators whose attributes and types the runtime implements. */
    private static final List<String> IN_SCOPE = List.of(
            "test_add", "test_add_bcast", "test_averagepool_2d_default", "test_averagepool_2d_pads",
            "test_averagepool_2d_precomputed_pads", "test_averagepool_2d_precomputed_same_upper",
            "test_averagepool_2d_precomputed_strides", "test_averagepool_2d_same_lower",
            "test_averagepool_2d_same_upper", "test_averagepool_2d_strides", "test_batchnorm_epsilon",
            "test_batchnorm_example", "test_clip", "test_clip_default_inbounds", "test_clip_default_int8_inbounds",
            "test_clip_default_int8_max", "test_clip_default_int8_min", "test_clip_default_max",
            "test_clip_default_min", "test_clip_example", "test_clip_inbounds", "test_clip_outbounds",
            "test_clip_splitbounds", "test_concat_1d_axis_0", "test_concat_1d_axis_negative_1",
            "test_concat_2d_axis_0", "test_concat_2d_axis_1", "test_concat_2d_axis_negative_1",
            "test_concat_2d_axis_negative_2", "test_concat_3d_axis_0", "test_concat_3d_axis_1",
            "test_concat_3d_axis_2", "test_concat_3d_axis_negative_1", "test_concat_3d_axis_negative_2",
            "test_concat_3d_axis_negative_3", "test_conv_with_autopad_same",
            "test_conv_with_strides_and_asymmetric_padding", "test_conv_with_strides_no_padding",
            "test_conv_with_strides_padding", "test_convinteger_with_padding", "test_convinteger_without_padding",
            "test_dequantizelinear", "test_flatten_axis0", "test_flatten_axis1", "test_flatten_axis2",
            "test_flatten_axis3", "test_flatten_default_axis", "test_flatten_negative_axis1",
            "test_flatten_negative_axis2", "test_flatten_negative_axis3", "test_flatten_negative_axis4",
            "test_gemm_all_attributes", "test_gemm_alpha", "test_gemm_beta", "test_gemm_default_matrix_bias",
            "test_gemm_default_no_bias", "test_gemm_default_scalar_bias", "test_gemm_default_single_elem_vector_bias",
            "test_gemm_default_vector_bias", "test_gemm_default_zero_bias", "test_gemm_transposeA",
            "test_gemm_transposeB", "test_globalaveragepool", "test_globalaveragepool_precomputed", "test_leakyrelu",
            "test_leakyrelu_default", "test_leakyrelu_example", "test_matmul_2d", "test_matmul_3d", "test_matmul_4d",
            "test_matmulinteger", "test_maxpool_2d_default", "test_maxpool_2d_pads",
            "test_maxpool_2d_precomputed_pads", "test_maxpool_2d_precomputed_same_upper",
            "test_maxpool_2d_precomputed_strides", "test_maxpool_2d_same_lower", "test_maxpool_2d_same_upper",
            "test_maxpool_2d_strides", "test_maxpool_2d_uint8", "test_qlinearconv", "test_qlinearmatmul_2D",
            "test_qlinearmatmul_3D", "test_quantizelinear", "test_relu", "test_reshape_extended_dims",
            "test_reshape_negative_dim", "test_reshape_negative_extended_dims", "test_reshape_one_dim",
            "test_reshape_reduced_dims", "test_reshape_reordered_all_dims", "test_reshape_reordered_last_dims",
            "test_reshape_zero_and_negative_dim", "test_reshape_zero_dim", "test_softmax_axis_2",
            "test_softmax_default_axis", "test_softmax_example", "test_softmax_large_number",
            "test_softmax_negative_axis");

    /** Cases of the same operators outside the runtime (3-D pools, ceil_mode, training-mode BN, …): reported, never run wrong. */
    private static final List<String> OUT_OF_SCOPE = List.of(
            "test_add_uint8", "test_averagepool_1d_default", "test_averagepool_2d_ceil",
            "test_averagepool_2d_pads_count_include_pad", "test_averagepool_2d_precomputed_pads_count_include_pad",
            "test_averagepool_3d_default", "test_batchnorm_epsilon_training_mode",
            "test_batchnorm_example_training_mode", "test_dequantizelinear_axis", "test_dynamicquantizelinear",
            "test_dynamicquantizelinear_max_adjusted", "test_dynamicquantizelinear_min_adjusted",
            "test_maxpool_1d_default", "test_maxpool_2d_ceil", "test_maxpool_2d_dilations", "test_maxpool_3d_default",
            "test_maxpool_with_argmax_2d_precomputed_pads", "test_maxpool_with_argmax_2d_precomputed_strides",
            "test_quantizelinear_axis", "test_reshape_allowzero_reordered", "test_softmax_axis_0",
            "test_softmax_axis_1");

    @Test
    void run_inScopeNodeTests_allPass() {
        assertTrue(Files.isDirectory(NODE_TESTS), NODE_TESTS + " is missing: install Debian's libonnx-testdata");
        List<CaseResult> failed = IN_SCOPE.stream().map(n -> ConformanceRunner.run(NODE_TESTS.resolve(n)))
                .filter(r -> r.status() != CaseResult.Status.PASS).toList();
        assertEquals(List.of(), failed);
    }

    @Test
    void run_outOfScopeNodeTests_reportedUnsupportedWithReason() {
        List<CaseResult> results = OUT_OF_SCOPE.stream().map(n -> ConformanceRunner.run(NODE_TESTS.resolve(n))).toList();
        String wrong = results.stream().filter(r -> r.status() != CaseResult.Status.UNSUPPORTED || r.reason().isBlank())
                .map(CaseResult::toString).collect(Collectors.joining("\n"));
        assertEquals("", wrong);
    }

    @Test
    void run_expectedOutputAltered_fails(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path source = NODE_TESTS.resolve("test_relu");
        Path copy = tmp.resolve("test_relu");
        Files.createDirectories(copy.resolve("test_data_set_0"));
        Files.copy(source.resolve("model.onnx"), copy.resolve("model.onnx"));
        Files.copy(source.resolve("test_data_set_0/input_0.pb"), copy.resolve("test_data_set_0/input_0.pb"));
        // the input as expected output: Relu changes every negative element, so the comparison must fail
        Files.copy(source.resolve("test_data_set_0/input_0.pb"), copy.resolve("test_data_set_0/output_0.pb"));

        CaseResult result = ConformanceRunner.run(copy);

        assertEquals(CaseResult.Status.FAIL, result.status(), result.toString());
        assertTrue(result.reason().startsWith("element "), result.reason());
    }
}
