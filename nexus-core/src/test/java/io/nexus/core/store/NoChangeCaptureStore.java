package io.nexus.core.store;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.NewEvent;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The embedded store seen through a store without live change capture (as a DynamoDB store built
 * without a Streams client): every role works but {@link #subscribe}, which refuses, as such stores do.
 */
public final class NoChangeCaptureStore implements EventStore {

    private final InMemoryEventStore delegate;
    private final AtomicInteger subscribeCalls = new AtomicInteger();

    public NoChangeCaptureStore(InMemoryEventStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** How many times {@link #subscribe} was asked. */
    public int subscribeCalls() {
        return subscribeCalls.get();
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
    public long headPosition() {
        return delegate.headPosition();
    }

    @Override
    public Subscription subscribe(AppendListener listener) {
        subscribeCalls.incrementAndGet();
        throw new UnsupportedOperationException("this store has no change capture; poll readAll instead");
    }
}
