package io.nexus.examples.order.engines;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** Opens the engines of a profile by name. */
public final class EngineProfiles {

    /** The profiles there are. */
    public static final List<String> NAMES = List.of("embedded", "aws", "local");

    private EngineProfiles() {
    }

    /**
     * The engines of {@code profile}, configured from {@code env}; progress of slow start-ups goes to {@code out}.
     *
     * @throws IllegalArgumentException if the profile is unknown or its configuration is incomplete (all problems named)
     */
    public static AppEngines open(String profile, Map<String, String> env, PrintStream out) {
        return switch (profile) {
            case "embedded" -> new EmbeddedEngines();
            default -> throw new IllegalArgumentException("profile '" + profile + "' is not available in this build; "
                    + "expected one of " + NAMES);
        };
    }
}
