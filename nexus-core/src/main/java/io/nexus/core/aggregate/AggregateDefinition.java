package io.nexus.core.aggregate;

import org.jspecify.annotations.Nullable;
import io.nexus.core.snapshot.SnapshotTrigger;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * How Nexus builds and stores one aggregate type: its stored type name, a factory for fresh
 * instances, and optionally how it is snapshotted. Immutable.
 *
 * @param <A> the aggregate class
 */
public final class AggregateDefinition<A extends Aggregate> {

    private final Class<A> type;
    private final String name;
    private final Supplier<A> factory;
    private final @Nullable SnapshotSettings snapshots;

    private AggregateDefinition(Class<A> type, String name, Supplier<A> factory, @Nullable SnapshotSettings snapshots) {
        this.type = type;
        this.name = name;
        this.factory = factory;
        this.snapshots = snapshots;
    }

    /** A definition named after the class's simple name, without snapshots. */
    public static <A extends Aggregate> AggregateDefinition<A> of(Class<A> type, Supplier<A> factory) {
        return builder(type, factory).build();
    }

    public static <A extends Aggregate> Builder<A> builder(Class<A> type, Supplier<A> factory) {
        return new Builder<>(type, factory);
    }

    public Class<A> type() {
        return type;
    }

    /** The aggregate type name stored with every event. */
    public String name() {
        return name;
    }

    /** Snapshot settings, when snapshots are enabled. */
    public Optional<SnapshotSettings> snapshots() {
        return Optional.ofNullable(snapshots);
    }

    /** The same definition with snapshots disabled: every load replays all events. */
    public AggregateDefinition<A> withoutSnapshots() {
        return new AggregateDefinition<>(type, name, factory, null);
    }

    A newInstance(String id) {
        A aggregate = factory.get();
        if (aggregate == null || aggregate.getClass() != type) {
            throw new IllegalStateException("factory of " + name + " returned " + (aggregate == null ? "null" : aggregate.getClass().getName())
                    + " instead of a new " + type.getName());
        }
        aggregate.initialize(id);
        return aggregate;
    }

    /**
     * Snapshot settings.
     *
     * @param stateType          the class of {@link Snapshottable#snapshotState()}
     * @param stateSchemaVersion bump it whenever the state's shape changes: older snapshots are then ignored and rebuilt
     * @param trigger            when to snapshot
     */
    public record SnapshotSettings(Class<?> stateType, int stateSchemaVersion, SnapshotTrigger trigger) {
        public SnapshotSettings {
            Objects.requireNonNull(stateType, "stateType");
            Objects.requireNonNull(trigger, "trigger");
            if (stateSchemaVersion < 1) {
                throw new IllegalArgumentException("stateSchemaVersion must be >= 1, but was " + stateSchemaVersion);
            }
        }
    }

    /** Builds an {@link AggregateDefinition}. */
    public static final class Builder<A extends Aggregate> {
        private final Class<A> type;
        private final Supplier<A> factory;
        private String name;
        private @Nullable SnapshotSettings snapshots;

        private Builder(Class<A> type, Supplier<A> factory) {
            this.type = Objects.requireNonNull(type, "type");
            this.factory = Objects.requireNonNull(factory, "factory");
            this.name = type.getSimpleName();
        }

        /** The stored aggregate type name; defaults to the class's simple name. Keep it stable. */
        public Builder<A> name(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("name must not be blank, but was '" + value + "'");
            }
            this.name = value;
            return this;
        }

        /**
         * Enables snapshots. The aggregate class must implement {@link Snapshottable} with {@code stateType}.
         */
        public <S> Builder<A> snapshots(Class<S> stateType, int stateSchemaVersion, SnapshotTrigger trigger) {
            if (!Snapshottable.class.isAssignableFrom(type)) {
                throw new IllegalArgumentException(type.getSimpleName() + " must implement Snapshottable<"
                        + stateType.getSimpleName() + "> to enable snapshots");
            }
            this.snapshots = new SnapshotSettings(stateType, stateSchemaVersion, trigger);
            return this;
        }

        public AggregateDefinition<A> build() {
            return new AggregateDefinition<>(type, name, factory, snapshots);
        }
    }
}
