package io.nexus.testkit.contract;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.AppendListener;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.AppendTooLargeException;
import io.nexus.core.store.ConcurrencyConflictException;
import io.nexus.core.store.DuplicateEventIdException;
import io.nexus.core.store.EventStore;
import io.nexus.core.store.EventTooLargeException;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.ExpectedVersionAheadException;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.store.StreamQuery;
import io.nexus.core.store.StreamRead;
import io.nexus.core.store.Subscription;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The event store contract against stores with one realistic bug each, built on the embedded store.
 * Run only by {@link ContractMetaTest}, which demands that the cases aimed at each bug fail; the names
 * keep Surefire from running them on their own.
 */
final class BrokenEventStoreSuites {

    private BrokenEventStoreSuites() {
    }

    /** Common settings of the broken-store runs. */
    abstract static class BrokenSuite extends EventStoreContract {
        @Override
        protected Duration deliveryTimeout() {
            return Duration.ofSeconds(1);
        }
    }

    /** Treats every expectation as {@code any()}: no optimistic concurrency at all. */
    static final class IgnoresExpectedVersion extends BrokenSuite {
        @Override
        protected EventStore createStore() {
            return new ForwardingEventStore(InMemoryEventStore.create()) {
                @Override
                public AppendResult append(String streamId, String type, ExpectedVersion expected, List<NewEvent> events) {
                    return super.append(streamId, type, ExpectedVersion.any(), events);
                }
            };
        }
    }

    /** Checks the expected version, then appends without holding anything: a check-then-act race. */
    static final class CheckThenAct extends BrokenSuite {
        @Override
        protected EventStore createStore() {
            return new ForwardingEventStore(InMemoryEventStore.create()) {
                @Override
                public AppendResult append(String streamId, String type, ExpectedVersion expected, List<NewEvent> events) {
                    if (expected.isSatisfiedBy(currentVersion(streamId))) {
                        // Widens the window between check and write, as a network round trip would.
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                        return super.append(streamId, type, ExpectedVersion.any(), events);
                    }
                    return super.append(streamId, type, expected, events);
                }
            };
        }
    }

    /** Writes the events before an oversized one, then fails: a non-atomic batch. */
    static final class PartialBatch extends BrokenSuite {
        @Override
        protected EventStore createStore() {
            return new ForwardingEventStore(InMemoryEventStore.create()) {
                @Override
                public AppendResult append(String streamId, String type, ExpectedVersion expected, List<NewEvent> events) {
                    for (int i = 0; events != null && i < events.size(); i++) {
                        NewEvent event = events.get(i);
                        if (event != null && event.approximateSize() > InMemoryEventStore.DEFAULT_MAX_EVENT_SIZE) {
                            if (i > 0) {
                                super.append(streamId, type, expected, events.subList(0, i));
                            }
                            throw new EventTooLargeException(streamId, event.eventType(), event.approximateSize(),
                                    InMemoryEventStore.DEFAULT_MAX_EVENT_SIZE);
                        }
                    }
                    return super.append(streamId, type, expected, events);
                }
            };
        }
    }

    /** Has a batch limit, but writes the events up to it before failing. */
    static final class WritesPrefixOfLargeBatch extends BrokenSuite {
        @Override
        protected EventStore createStore() {
            return new ForwardingEventStore(InMemoryEventStore.create()) {
                @Override
                public AppendResult append(String streamId, String type, ExpectedVersion expected, List<NewEvent> events) {
                    if (events != null && events.size() > BatchLimitedEventStoreContractTest.LIMIT) {
                        super.append(streamId, type, expected, events.subList(0, BatchLimitedEventStoreContractTest.LIMIT));
                        throw new AppendTooLargeException(streamId, "events", events.size(),
                                BatchLimitedEventStoreContractTest.LIMIT);
                    }
                    return super.append(streamId, type, expected, events);
                }
            };
        }

        @Override
        protected int maxEventsPerAppend() {
            return BatchLimitedEventStoreContractTest.LIMIT;
        }
    }

    /** Rejects a re-sent batch as a duplicate instead of accepting it as a no-op. */
    static final class NotIdempotent extends BrokenSuite {
        @Override
        protected EventStore createStore() {
            return new ForwardingEventStore(InMemoryEventStore.create()) {
                @Override
                public AppendResult append(String streamId, String type, ExpectedVersion expected, List<NewEvent> events) {
                    AppendResult result = super.append(streamId, type, expected, events);
                    if (result.duplicate()) {
                        throw new DuplicateEventIdException(streamId, events.get(0).eventId(), "is already stored");
                    }
                    return result;
                }
            };
        }
    }

    /** Keeps no size limit of its own. */
    static final class NoSizeLimit extends BrokenSuite {
        @Override
        protected EventStore createStore() {
            return InMemoryEventStore.builder().maxEventSize(Integer.MAX_VALUE).build();
        }
    }

    /** Drops correlation, causation and metadata on the way in. */
    static final class DropsMetadata extends BrokenSuite {
        @Override
        protected EventStore createStore() {
            return new ForwardingEventStore(InMemoryEventStore.create()) {
                @Override
                public AppendResult append(String streamId, String type, ExpectedVersion expected, List<NewEvent> events) {
                    List<NewEvent> stripped = events == null ? null : events.stream()
                            .map(e -> e == null ? null : new NewEvent(e.eventId(), e.eventType(), e.schemaVersion(),
                                    e.payload(), null, null, Map.of()))
                            .toList();
                    return super.append(streamId, type, expected, stripped);
                }
            };
        }
    }

    /** Reads ignore {@code asOf}. */
    static final class IgnoresAsOf extends BrokenSuite {
        @Override
        protected EventStore createStore() {
            return new ForwardingEventStore(InMemoryEventStore.create()) {
                @Override
                public List<EventEnvelope> read(StreamQuery query) {
                    return super.read(new StreamQuery(query.streamId(), query.fromVersion(), query.toVersion(), null,
                            query.maxCount()));
                }
            };
        }
    }

    /** Reads ignore the limit. */
    static final class IgnoresLimit extends BrokenSuite {
        @Override
        protected EventStore createStore() {
            return new ForwardingEventStore(InMemoryEventStore.create()) {
                @Override
                public List<EventEnvelope> read(StreamQuery query) {
                    return super.read(new StreamQuery(query.streamId(), query.fromVersion(), query.toVersion(),
                            query.asOf(), Integer.MAX_VALUE));
                }
            };
        }
    }

    /** {@code readAll} starts one position too late: an off-by-one that drops an event per page. */
    static final class ReadAllOffByOne extends BrokenSuite {
        @Override
        protected EventStore createStore() {
            return new ForwardingEventStore(InMemoryEventStore.create()) {
                @Override
                public List<EventEnvelope> readAll(long fromPosition, int maxCount) {
                    return super.readAll(fromPosition + 1, maxCount);
                }
            };
        }
    }

    /** Closing a subscription does nothing. */
    static final class CloseIgnored extends BrokenSuite {
        @Override
        protected EventStore createStore() {
            return new ForwardingEventStore(InMemoryEventStore.create()) {
                @Override
                public Subscription subscribe(AppendListener listener) {
                    super.subscribe(listener);
                    return () -> {
                    };
                }
            };
        }
    }

    /** Reports an expectation ahead of the stream as a transient conflict, as if a retry could help. */
    static final class AheadIsAConflict extends BrokenSuite {
        @Override
        protected EventStore createStore() {
            return new ForwardingEventStore(InMemoryEventStore.create()) {
                @Override
                public AppendResult append(String streamId, String type, ExpectedVersion expected, List<NewEvent> events) {
                    try {
                        return super.append(streamId, type, expected, events);
                    } catch (ExpectedVersionAheadException e) {
                        throw new ConcurrencyConflictException(streamId, expected, e.actualVersion());
                    }
                }
            };
        }
    }

    /** Looks event ids up in every stream, not only the one asked for. */
    static final class IdLookupAcrossStreams extends BrokenSuite {
        @Override
        protected EventStore createStore() {
            InMemoryEventStore delegate = InMemoryEventStore.create();
            return new ForwardingEventStore(delegate) {
                @Override
                public OptionalLong versionOf(String streamId, UUID eventId) {
                    for (EventEnvelope e : delegate.readAll(1, Integer.MAX_VALUE)) {
                        if (e.eventId().equals(eventId)) {
                            return OptionalLong.of(e.version());
                        }
                    }
                    return OptionalLong.empty();
                }
            };
        }
    }

    /** Looks the event id up only among the events the read returned, as a join of the two would. */
    static final class FindsOnlyInTheRead extends BrokenSuite {
        @Override
        protected EventStore createStore() {
            return new ForwardingEventStore(InMemoryEventStore.create()) {
                @Override
                public StreamRead readAndFind(StreamQuery query, UUID eventId) {
                    List<EventEnvelope> events = read(query);
                    return new StreamRead(events, events.stream().filter(e -> e.eventId().equals(eventId))
                            .mapToLong(EventEnvelope::version).findFirst());
                }
            };
        }
    }

    /** Passes everything to another store; the broken stores override one method each. */
    static class ForwardingEventStore implements EventStore {
        private final EventStore delegate;

        ForwardingEventStore(EventStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public AppendResult append(String streamId, String aggregateType, ExpectedVersion expected, List<NewEvent> events) {
            return delegate.append(streamId, aggregateType, expected, events);
        }

        @Override
        public List<EventEnvelope> read(StreamQuery query) {
            return delegate.read(query);
        }

        @Override
        public long currentVersion(String streamId) {
            return delegate.currentVersion(streamId);
        }

        @Override
        public List<EventEnvelope> readAll(long fromPosition, int maxCount) {
            return delegate.readAll(fromPosition, maxCount);
        }

        @Override
        public OptionalLong versionOf(String streamId, UUID eventId) {
            return delegate.versionOf(streamId, eventId);
        }

        @Override
        public long headPosition() {
            return delegate.headPosition();
        }

        @Override
        public Subscription subscribe(AppendListener listener) {
            return delegate.subscribe(listener);
        }
    }
}
