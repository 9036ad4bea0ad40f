package io.nexus.core.schema;

/**
 * How a subject's new schema versions must relate to its existing ones, as Confluent Schema Registry and
 * AWS Glue Schema Registry define the modes.
 *
 * <ul>
 *   <li>{@code BACKWARD}: consumers using the new schema can read data written with the latest one.</li>
 *   <li>{@code FORWARD}: consumers using the latest schema can read data written with the new one.</li>
 *   <li>{@code FULL}: both.</li>
 *   <li>{@code *_TRANSITIVE}: the same, against every existing version instead of the latest only
 *       (Glue calls these {@code BACKWARD_ALL}, {@code FORWARD_ALL}, {@code FULL_ALL}).</li>
 *   <li>{@code NONE}: no check.</li>
 * </ul>
 */
public enum CompatibilityMode {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    CompatibilityMode(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    /** Whether the new schema must read data written with the existing one(s). */
    public boolean checksBackward() {
        return backward;
    }

    /** Whether the existing schema(s) must read data written with the new one. */
    public boolean checksForward() {
        return forward;
    }

    /** Whether every existing version is checked, not only the latest. */
    public boolean isTransitive() {
        return transitive;
    }
}
