package dev.pipit.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class VectorKernelsProviderTest {

    @Test
    void get_calledTwice_returnsTheInstanceChosenOnce() {
        assertSame(VectorKernelsProvider.get(), VectorKernelsProvider.get());
    }

    @Test
    void select_moduleMissing_fallsBackToScalar() {
        assertInstanceOf(ScalarKernels.class, VectorKernelsProvider.select(false, null, () -> false));
    }

    @Test
    void select_moduleMissing_doesNotAskAboutTheCompiler() {
        assertInstanceOf(ScalarKernels.class, VectorKernelsProvider.select(false, null, () -> {
            throw new AssertionError("the JMX question was asked without the module");
        }));
    }

    @Test
    void select_propertyFalse_fallsBackToScalar() {
        assertInstanceOf(ScalarKernels.class, VectorKernelsProvider.select(true, "false", () -> false));
    }

    @Test
    void select_c2Disabled_fallsBackToScalar() {
        assertInstanceOf(ScalarKernels.class, VectorKernelsProvider.select(true, null, () -> true));
    }

    @Test
    void select_modulePresentAndEnabled_choosesPanama() {
        assertInstanceOf(PanamaKernels.class, VectorKernelsProvider.select(true, "true", () -> false));
    }
}
