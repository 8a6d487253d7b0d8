package dev.pipit.fleet.rollout;

import dev.pipit.protocol.v1.ActiveModel;
import dev.pipit.protocol.v1.DeviceStatus;
import dev.pipit.protocol.v1.InferenceRequest;
import dev.pipit.protocol.v1.InferenceResponse;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.MemoryReport;
import dev.pipit.protocol.v1.Rejection;
import dev.pipit.protocol.v1.TensorSpec;
import dev.pipit.protocol.v1.Variant;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether a device that was sent a release runs it healthily, from what it reports: the release active
 * (the agent activates only a variant that passed its golden check on the device), a memory report
 * since the activation within the device's model memory budget, and an inference over MQTT — the
 * manifest's golden inputs — answered without error and with the golden outputs. Pure: the controller
 * feeds it observations and sends the probe.
 */
final class HealthCheck {

    /** Golden samples sent in the probe: enough to catch wrong outputs, small enough for any device. */
    static final int PROBE_SAMPLES = 4;

    /** What the device's reports say so far. */
    sealed interface Verdict {
        /** Not decided yet; {@code missing} says what is awaited. */
        record Waiting(String missing) implements Verdict {
        }

        /** Everything reported is fine: the inference probe decides. */
        record Probe(ActiveModel active, MemoryReport memory) implements Verdict {
        }

        record Failed(String reason) implements Verdict {
        }
    }

    private HealthCheck() {
    }

    static Verdict judge(String model, long version, DeviceStatus status, MemoryReport memory) {
        if (status == null) {
            return new Verdict.Waiting("no status reported");
        }
        Rejection r = status.getLastRejection();
        if (r.getModelId().equals(model) && r.getVersion() == version) {
            return new Verdict.Failed("rejected v" + version + (r.getVariant().isEmpty() ? "" : " " + r.getVariant())
                    + ": " + r.getReason());
        }
        ActiveModel a = status.getActive();
        if (!a.getModelId().equals(model) || a.getVersion() != version) {
            return new Verdict.Waiting("v" + version + " not active" + (a.getModelId().isEmpty() ? " (no model active)"
                    : " (runs " + a.getModelId() + " v" + a.getVersion() + ")") + (status.getOnline() ? "" : ", offline"));
        }
        if (memory == null || !memory.getVariant().equals(a.getVariant())
                || memory.getEpochMillis() < a.getActivatedEpochMillis()) {
            return new Verdict.Waiting("no memory report since v" + version + " " + a.getVariant() + " was activated");
        }
        Optional<String> overBudget = overBudget(memory);
        if (overBudget.isPresent()) {
            return new Verdict.Failed(overBudget.get());
        }
        return new Verdict.Probe(a, memory);
    }

    /** Weights and arena as loaded, against the profile's budget (or, from agents that report none, the prediction). */
    static Optional<String> overBudget(MemoryReport m) {
        long used = m.getWeightBytes() + m.getArenaBytes();
        if (m.getBudgetBytes() > 0 && used > m.getBudgetBytes()) {
            return Optional.of(String.format(Locale.ROOT, "variant %s uses %d bytes (weights %d, arena %d), over the "
                    + "device's model memory budget of %d", m.getVariant(), used, m.getWeightBytes(), m.getArenaBytes(),
                    m.getBudgetBytes()));
        }
        // The weights as loaded are what the manifest declared; more means the manifest's sizes lie.
        if (m.getPredictedWeightBytes() > 0 && m.getWeightBytes() > m.getPredictedWeightBytes() * 5 / 4) {
            return Optional.of(String.format(Locale.ROOT, "variant %s holds %d bytes of weights, the manifest "
                    + "predicted %d", m.getVariant(), m.getWeightBytes(), m.getPredictedWeightBytes()));
        }
        return Optional.empty();
    }

    /** The first golden samples of the manifest, or one all-zero sample when it has none. */
    static InferenceRequest probe(Manifest m) {
        int samples = samples(m);
        InferenceRequest.Builder r = InferenceRequest.newBuilder().setBatch(samples);
        if (m.getGolden().getCount() == 0) {
            for (int i = 0; i < inputSize(m.getInput()); i++) {
                r.addValues(0f);
            }
            return r.build();
        }
        int in = m.getGolden().getValuesCount() / m.getGolden().getCount();
        return r.addAllValues(m.getGolden().getValuesList().subList(0, samples * in)).build();
    }

    /** Why the probe's answer shows an unhealthy device, or empty when it is the golden answer. */
    static Optional<String> probeFailure(InferenceResponse r, Manifest m, String variantId) {
        if (!r.getError().isEmpty()) {
            return Optional.of("inference probe failed: " + r.getError());
        }
        if (!r.getModelId().equals(m.getModelId()) || r.getVersion() != m.getVersion()) {
            return Optional.of("inference probe answered by " + r.getModelId() + " v" + r.getVersion() + ", not v"
                    + m.getVersion());
        }
        if (m.getGolden().getCount() == 0) {
            return Optional.empty();
        }
        Variant v = m.getVariantsList().stream().filter(x -> x.getId().equals(variantId)).findFirst().orElse(null);
        if (v == null || !v.hasGolden()) {
            return Optional.of("variant " + variantId + " is not in the manifest of v" + m.getVersion());
        }
        int samples = samples(m);
        int out = v.getGolden().getValuesCount() / m.getGolden().getCount();
        if (r.getValuesCount() != samples * out || r.getArgmaxCount() != samples) {
            return Optional.of("inference probe answered " + r.getValuesCount() + " values for " + samples
                    + " golden samples of " + out + " outputs");
        }
        for (int s = 0; s < samples; s++) {
            if (r.getArgmax(s) != v.getGolden().getArgmax(s)) {
                return Optional.of("inference probe: golden sample " + s + " predicts class " + r.getArgmax(s)
                        + ", expected " + v.getGolden().getArgmax(s));
            }
            for (int i = s * out; i < (s + 1) * out; i++) {
                float diff = Math.abs(r.getValues(i) - v.getGolden().getValues(i));
                if (!(diff <= v.getGolden().getTolerance())) {
                    return Optional.of(String.format(Locale.ROOT, "inference probe: golden sample %d output %d is %g, "
                            + "expected %g within %g", s, i - s * out, r.getValues(i), v.getGolden().getValues(i),
                            v.getGolden().getTolerance()));
                }
            }
        }
        return Optional.empty();
    }

    private static int samples(Manifest m) {
        return m.getGolden().getCount() == 0 ? 1 : Math.min(PROBE_SAMPLES, m.getGolden().getCount());
    }

    private static int inputSize(TensorSpec spec) {
        int n = 1;
        for (int d : spec.getShapeList()) {
            n *= d < 0 ? 1 : d;
        }
        return n;
    }
}
