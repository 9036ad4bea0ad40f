package io.nexus.core.snapshot;

import io.nexus.core.event.EventPayload;

import java.time.Instant;
import java.util.Objects;

/**
 * An aggregate's state as of one version of its stream.
 *
 * @param streamId           the aggregate id
 * @param aggregateType      the aggregate type
 * @param version            the stream version the state reflects: replay continues at {@code version + 1}
 * @param stateSchemaVersion the version of the state's shape; a snapshot whose version differs from the
 *                           aggregate's current one is ignored and rebuilt from events
 * @param createdAt          when the snapshot was taken
 * @param state              the serialized state
 */
public record Snapshot(String streamId, String aggregateType, long version, int stateSchemaVersion, Instant createdAt,
                       EventPayload state) {

    public Snapshot {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(aggregateType, "aggregateType");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(state, "state");
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, but was " + version);
        }
        if (stateSchemaVersion < 1) {
            throw new IllegalArgumentException("stateSchemaVersion must be >= 1, but was " + stateSchemaVersion);
        }
    }
}
