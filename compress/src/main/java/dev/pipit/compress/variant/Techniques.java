package dev.pipit.compress.variant;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The variants the toolkit produces, by id. */
public final class Techniques {

    private static final List<Technique> ALL = List.of(new Fp32(), new StaticInt8(), new DynamicInt8(),
            new StochasticRoundingInt8(), new QuantizationAwareInt8(), new SparsePruned(), new ChannelPruned(),
            new Palettized(), new LowRank(), new Distilled(),
            new AdversarialInt8(), new DifferentiallyPrivate(1), new DifferentiallyPrivate(3), new DifferentiallyPrivate(8),
            new PrivateSparsePruned());
    private static final Map<String, Technique> BY_ID = ALL.stream()
            .collect(Collectors.toMap(Technique::id, Function.identity()));

    private Techniques() {
    }

    /** Every id, in the order the report lists them. */
    public static List<String> ids() {
        return ALL.stream().map(Technique::id).toList();
    }

    /** @throws IllegalArgumentException listing the known ids */
    public static Technique byId(String id) {
        Technique t = BY_ID.get(id);
        if (t == null) {
            throw new IllegalArgumentException("unknown variant '" + id + "'; supported: " + String.join(", ", ids()));
        }
        return t;
    }
}
