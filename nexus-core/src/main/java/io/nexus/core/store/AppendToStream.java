package io.nexus.core.store;

import io.nexus.core.event.NewEvent;

import java.util.List;

/** The write role of an event store. */
@FunctionalInterface
public interface AppendToStream {

    /**
     * Appends {@code events} to the end of the stream, atomically: all of them or none.
     *
     * <p>Contract, for every implementation:
     * <ul>
     *   <li>the append succeeds only if {@code expected} is satisfied by the stream's current version;
     *       the events get versions {@code current + 1 .. current + n};</li>
     *   <li>an exact expectation below the stream's version (the stream moved on) is a transient
     *       {@link ConcurrencyConflictException}; one above it ({@link ExpectedVersion#isAheadOf}, including
     *       any positive version on a stream that does not exist) is a permanent
     *       {@link ExpectedVersionAheadException};</li>
     *   <li>re-appending a batch whose event ids are already stored, in the same order and at the
     *       position the expectation names (anywhere, for {@link ExpectedVersion#any()}), is an
     *       idempotent success with {@link AppendResult#duplicate()} set and nothing written;</li>
     *   <li>an event id that the stream holds at another position, or that appears twice in the
     *       batch, fails with {@link DuplicateEventIdException};</li>
     *   <li>every validation happens before anything is written: a failed append leaves the store unchanged.</li>
     * </ul>
     * Thread-safe: concurrent appends to one stream at the same expected version see exactly one winner.
     *
     * @param streamId      the aggregate id; not blank
     * @param aggregateType the aggregate type that owns the stream; not blank, and fixed by the first append
     * @param expected      the optimistic-concurrency expectation
     * @param events        at least one event
     * @return the stored envelopes and the stream's new version
     * @throws ConcurrencyConflictException if the stream is past {@code expected} (transient)
     * @throws ExpectedVersionAheadException if {@code expected} is ahead of the stream (permanent)
     * @throws DuplicateEventIdException    if an event id repeats
     * @throws EventTooLargeException       if an event exceeds the store's size limit
     * @throws AppendTooLargeException      if the batch exceeds what the store writes atomically
     * @throws StreamTypeMismatchException  if the stream belongs to another aggregate type
     * @throws IllegalArgumentException     if an argument is blank, null or empty
     */
    AppendResult append(String streamId, String aggregateType, ExpectedVersion expected, List<NewEvent> events);
}
