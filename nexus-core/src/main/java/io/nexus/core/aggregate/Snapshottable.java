package io.nexus.core.aggregate;

/**
 * Implemented by an aggregate whose state can be snapshotted: a snapshot plus the events after it
 * must rebuild exactly the state a full replay would. Enable snapshots with
 * {@link AggregateDefinition.Builder#snapshots}.
 *
 * @param <S> the state's type: immutable and serializable by the event serializer (a record is ideal)
 */
public interface Snapshottable<S> {

    /** The state to store. Called on the command thread; the value is serialized in the background, so it must be immutable. */
    S snapshotState();

    /** Restores the state of a fresh aggregate from a snapshot. */
    void restoreSnapshotState(S state);
}
