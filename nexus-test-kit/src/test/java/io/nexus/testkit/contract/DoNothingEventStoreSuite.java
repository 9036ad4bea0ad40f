package io.nexus.testkit.contract;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.AppendListener;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.EventStore;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.StreamQuery;
import io.nexus.core.store.Subscription;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The event store contract against a store that accepts every append and keeps nothing. Run only by
 * {@link ContractMetaTest}, which demands that every case fails; the name keeps Surefire from running it
 * on its own.
 */
class DoNothingEventStoreSuite extends EventStoreContract {

    @Override
    protected EventStore createStore() {
        return new DoNothingEventStore();
    }

    /** Nothing is ever delivered, so waiting long proves nothing more. */
    @Override
    protected Duration deliveryTimeout() {
        return Duration.ofMillis(100);
    }

    /** Answers appends with plausible results, validates nothing, stores nothing, reads nothing. */
    static final class DoNothingEventStore implements EventStore {

        @Override
        public AppendResult append(String streamId, String aggregateType, ExpectedVersion expected, List<NewEvent> events) {
            long version = expected instanceof ExpectedVersion.Exact exact ? exact.version() : 0;
            Instant now = Instant.now();
            List<EventEnvelope> stored = new ArrayList<>();
            for (NewEvent event : events) {
                version++;
                stored.add(EventEnvelope.stored(event, streamId, aggregateType, version, version, now));
            }
            return new AppendResult(streamId, version, stored, false);
        }

        @Override
        public List<EventEnvelope> read(StreamQuery query) {
            return List.of();
        }

        @Override
        public long currentVersion(String streamId) {
            return 0;
        }

        @Override
        public List<EventEnvelope> readAll(long fromPosition, int maxCount) {
            return List.of();
        }

        @Override
        public long headPosition() {
            return 0;
        }

        @Override
        public Subscription subscribe(AppendListener listener) {
            return () -> {
            };
        }
    }
}
