package dev.pipit.compress.variant;

import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.evaluate.Evaluator;
import dev.pipit.compress.quantize.WeightQuantizer;
import dev.pipit.compress.train.Distillation;
import dev.pipit.compress.train.GraphLowering;
import dev.pipit.compress.train.Network;
import dev.pipit.compress.train.RandomShift;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Graph;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Knowledge distillation into a student with at most a quarter of the teacher's parameters, then int8.
 * "Consistent" teaching (Beyer et al. 2022): every batch is moved by up to 2 pixels and the teacher is
 * asked online on exactly the images the student sees, its outputs weighted α against the labels.
 * The teacher is a copy of the parent first fine-tuned for eight epochs on such shifted batches: a
 * parent never trained on moved images gets many of them wrong, and would teach those errors.
 * The same student, from the same initialisation, data order, shifts, epochs and schedule, is also
 * trained on the labels alone and quantized the same way: the details record both, so the gain of
 * distillation is measured, not assumed.
 */
final class Distilled implements Technique {

    static final float TEMPERATURE = 1f;
    static final float ALPHA = 0.5f;
    static final float RATE = 3e-3f;
    static final RandomShift SHIFT = new RandomShift(2);
    /**
     * Chosen among 2, 4 and 8 on held-out training images (three seeds on the PyTorch CNN): a student can
     * only gain from a teacher clearly better than itself, and eight epochs make the most of an undertrained parent.
     */
    static final int TEACHER_ADAPT_EPOCHS = 8;
    /** A third of the student's rate: small enough to keep the parent's features while it learns the shifts. */
    static final float TEACHER_ADAPT_RATE = 1e-3f;

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
        int epochs = context.budget().distill();
        Graph adapted = GraphLowering.toGraph(adaptedTeacher(context));
        try (InterpreterTeacher teacher = new InterpreterTeacher(adapted, 128, context.threads())) {
            context.fineTune("distilled student", student, epochs, RATE, new Distillation(teacher, TEMPERATURE, ALPHA), SHIFT);
        }
        context.fineTune("labels-only student", baseline, epochs, RATE, null, SHIFT);
        Graph baselineFp32 = GraphLowering.toGraph(baseline);
        Graph studentFp32 = GraphLowering.toGraph(student);
        VariantResult labelsOnly = context.quantize(baselineFp32, WeightQuantizer.perChannel(), "", Map.of());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("studentParameters", student.parameterCount());
        details.put("teacherParameters", teacherParameters);
        details.put("temperature", TEMPERATURE);
        details.put("alpha", ALPHA);
        details.put("epochs", epochs);
        details.put("maxShiftPixels", SHIFT.maxShift());
        details.put("teacherAdaptEpochs", TEACHER_ADAPT_EPOCHS);
        details.put("teacherAdaptRate", TEACHER_ADAPT_RATE);
        float[] shifted = shiftedTest(context);
        details.put("parentShiftedAccuracy", shiftedAccuracy(context.parent(), shifted, context.test()));
        details.put("teacherShiftedAccuracy", shiftedAccuracy(adapted, shifted, context.test()));
        details.put("teacherFp32Accuracy", context.testAccuracy(adapted));
        details.put("labelsOnlyFp32Accuracy", context.testAccuracy(baselineFp32));
        details.put("labelsOnlyInt8Accuracy", context.testAccuracy(labelsOnly.graph()));
        details.put("distilledFp32Accuracy", context.testAccuracy(studentFp32));
        return context.quantize(studentFp32, WeightQuantizer.perChannel(), String.format(Locale.ROOT,
                "student %s (%d parameters, %.1f%% of the teacher) distilled %d epochs on shifted images from the parent adapted "
                + "%d epochs to them (T=%.0f, α=%.1f), int8",
                convolutional ? "CNN 8-16-48" : "MLP 64", student.parameterCount(),
                100.0 * student.parameterCount() / teacherParameters, epochs, TEACHER_ADAPT_EPOCHS, TEMPERATURE, ALPHA), details);
    }

    /** A trainable copy of the parent fine-tuned with labels on shifted batches; the parent graph is left as it is. */
    static Network adaptedTeacher(CompressionContext context) {
        Network teacher = context.trainable();
        context.fineTune("teacher adaptation", teacher, TEACHER_ADAPT_EPOCHS, TEACHER_ADAPT_RATE, null, SHIFT);
        return teacher;
    }

    private static long parameters(Graph g) {
        return g.tensors().stream().filter(t -> t.isConstant()).mapToLong(t -> t.elementCount()).sum();
    }

    /** The test images each moved by SHIFT (fixed draws), to report accuracies on, never to choose anything by. */
    private static float[] shiftedTest(CompressionContext context) {
        LabeledImages test = context.test();
        float[] images = new float[test.count() * test.imageSize()];
        test.copyImages(0, test.count(), images, 0);
        SHIFT.apply(images, test.count(), new int[] {1, test.rows(), test.cols()}, new Random(context.seed()));
        return images;
    }

    private static double shiftedAccuracy(Graph g, float[] shiftedTest, LabeledImages test) {
        try (Interpreter interpreter = Interpreter.load(g, new RuntimeOptions(Evaluator.ACCURACY_BATCH, 1))) {
            return Evaluator.accuracy(Evaluator.predict(interpreter, shiftedTest, test.count(), Evaluator.ACCURACY_BATCH), test);
        }
    }
}
