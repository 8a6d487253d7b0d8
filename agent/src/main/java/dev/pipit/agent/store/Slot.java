package dev.pipit.agent.store;

import java.util.Locale;

/** One of the two model slots of the state directory: the active model lives in one, its rollback target or the incoming version in the other. */
public enum Slot {
    A, B;

    public Slot other() {
        return this == A ? B : A;
    }

    /** The directory name under {@code slots/}. */
    public String dirName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Slot parse(String s) {
        return switch (s == null ? "" : s.strip().toLowerCase(Locale.ROOT)) {
            case "a" -> A;
            case "b" -> B;
            default -> throw new IllegalArgumentException("slot must be a or b, was '" + s + "'");
        };
    }
}
