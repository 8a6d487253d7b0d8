package dev.pipit.compress.variant;

import dev.pipit.compress.quantize.WeightQuantizer;
import dev.pipit.compress.train.Distillation;
import dev.pipit.compress.train.GraphLowering;
import dev.pipit.compress.train.Network;
import dev.pipit.compress.evaluate.Evaluator;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Graph;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Knowledge distillation into a student with at most a quarter of the teacher's parameters, trained on
 * the teacher's softened outputs (T = 4, α = 0.7) plus the labels, then int8. The same student, from the
 * same initialisation and data order, is also trained on the labels alone and quantized the same way:
 * the details record both, so the gain of distillation is measured, not assumed.
 */
final class Distilled implements Technique {

    static final float TEMPERATURE = 4f;
    static final float ALPHA = 0.7f;
    static final float RATE = 3e-3f;

    @Override
    public String id() {
        return "distilled";
    }

    @Override
    public VariantResult build(CompressionContext context) {
        long teacherParameters = parameters(context.parent());
        boolean convolutional = context.parent().nodes().stream().anyMatch(n -> n.op() == dev.pipit.runtime.graph.OpType.CONV_2D);
        Network student = convolutional ? Network.cnn(8, 16, 48, context.seed()) : Network.mlp(new int[] {64, 10}, context.seed());
        if (student.parameterCount() * 4 > teacherParameters) {
            throw new IllegalArgumentException("the student (" + student.parameterCount() + " parameters) is more than a "
                    + "quarter of the teacher (" + teacherParameters + ")");
        }
        Network baseline = student.copy();
        context.log().println("  distilled: teacher logits on " + context.train().count() + " training images");
        float[] teacher = context.parentLogits();
        int epochs = context.budget().distill();
        context.fineTune("distilled student", student, epochs, RATE, new Distillation(teacher, TEMPERATURE, ALPHA), null);
        context.fineTune("labels-only student", baseline, epochs, RATE, null, null);
        VariantResult labelsOnly = context.quantize(GraphLowering.toGraph(baseline), WeightQuantizer.perChannel(), "", Map.of());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("studentParameters", student.parameterCount());
        details.put("teacherParameters", teacherParameters);
        details.put("temperature", TEMPERATURE);
        details.put("alpha", ALPHA);
        details.put("epochs", epochs);
        details.put("labelsOnlyFp32Accuracy", accuracy(GraphLowering.toGraph(baseline), context));
        details.put("labelsOnlyInt8Accuracy", accuracy(labelsOnly.graph(), context));
        details.put("distilledFp32Accuracy", accuracy(GraphLowering.toGraph(student), context));
        return context.quantize(GraphLowering.toGraph(student), WeightQuantizer.perChannel(), String.format(Locale.ROOT,
                "student %s (%d parameters, %.1f%% of the teacher) distilled %d epochs (T=%.0f, α=%.1f), int8",
                convolutional ? "CNN 8-16-48" : "MLP 64", student.parameterCount(),
                100.0 * student.parameterCount() / teacherParameters, epochs, TEMPERATURE, ALPHA), details);
    }

    private static long parameters(Graph g) {
        return g.tensors().stream().filter(t -> t.isConstant()).mapToLong(t -> t.elementCount()).sum();
    }

    private static double accuracy(Graph g, CompressionContext context) {
        try (Interpreter interpreter = Interpreter.load(g, new RuntimeOptions(Evaluator.ACCURACY_BATCH, 1))) {
            return Evaluator.accuracy(interpreter, context.test(), Evaluator.ACCURACY_BATCH);
        }
    }
}
