package dev.pipit.runtime.kernel;

import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.util.function.BooleanSupplier;

/**
 * Chooses the {@link VectorKernels} once per JVM: the Vector API implementation when the module
 * {@code jdk.incubator.vector} is in the boot layer, {@code -Dpipit.vector} is not {@code false} and C2
 * is enabled (without C2, vector code is not intrinsified and runs far slower than scalar loops, as
 * under Greengrass's reduced {@code -XX:TieredStopAtLevel=1}); the scalar one otherwise, logged once.
 */
public final class VectorKernelsProvider {

    private static final System.Logger LOG = System.getLogger(VectorKernelsProvider.class.getName());
    private static final String PANAMA_CLASS = "dev.pipit.runtime.kernel.PanamaKernels";

    private VectorKernelsProvider() {
    }

    /** The kernels chosen at start-up. */
    public static VectorKernels get() {
        return Holder.KERNELS;
    }

    private static final class Holder {
        static final VectorKernels KERNELS = select(
                ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                System.getProperty("pipit.vector"),
                VectorKernelsProvider::c2Disabled);
    }

    /**
     * The decision, separated from the JVM's state for testing. The C2 question goes through JMX (about 70
     * classes, 0.6 MiB on a device), so it is asked only when the module is there to use.
     */
    static VectorKernels select(boolean modulePresent, String vectorProperty, BooleanSupplier c2Disabled) {
        String why;
        if ("false".equalsIgnoreCase(vectorProperty)) {
            why = "disabled by -Dpipit.vector=false";
        } else if (!modulePresent) {
            why = "module jdk.incubator.vector is not loaded (run with --add-modules jdk.incubator.vector)";
        } else if (c2Disabled.getAsBoolean()) {
            why = "the C2 compiler is disabled (TieredStopAtLevel below 4 or -Xint), so vector code would not be compiled";
        } else {
            try {
                VectorKernels panama = (VectorKernels) Class.forName(PANAMA_CLASS).getDeclaredConstructor().newInstance();
                LOG.log(Level.INFO, "Using Vector API kernels ({0})", panama.name());
                return panama;
            } catch (ReflectiveOperationException | LinkageError e) {
                why = rootMessage(e);
            }
        }
        LOG.log(Level.INFO, "Vector API not available, using scalar kernels: {0}", why);
        return new ScalarKernels();
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while ((cause instanceof InvocationTargetException || cause instanceof ExceptionInInitializerError)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.toString();
    }

    private static boolean c2Disabled() {
        if (ModuleLayer.boot().findModule("jdk.management").isEmpty()) {
            return false; // cannot tell: assume the default, C2 enabled
        }
        var hotspot = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
        if (hotspot == null) {
            return false;
        }
        try {
            return Integer.parseInt(hotspot.getVMOption("TieredStopAtLevel").getValue()) < 4
                    || !Boolean.parseBoolean(hotspot.getVMOption("UseCompiler").getValue());
        } catch (IllegalArgumentException e) { // option unknown to this VM
            return false;
        }
    }
}
