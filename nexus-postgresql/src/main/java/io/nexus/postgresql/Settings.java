package io.nexus.postgresql;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** Checks shared by the builders of this module. */
final class Settings {

    private Settings() {
    }

    /** Refuses a second value for a setting: each is set once, so that a later line cannot silently undo an earlier one. */
    static void requireUnset(String name, @Nullable Object current) {
        if (current != null) {
            throw new IllegalStateException(name + " was already set to " + current + "; set it once");
        }
    }

    static Duration requirePositive(String name, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, but was " + value);
        }
        return value;
    }
}
