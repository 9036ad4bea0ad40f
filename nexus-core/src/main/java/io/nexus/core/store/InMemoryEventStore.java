package io.nexus.core.store;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.NewEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The embedded event store: everything in memory, nothing installed.
 *
 * <p>Implementation notes. Appends are serialized by one lock: that gives contiguous global positions
 * and a global order that matches commit order, and at in-memory speeds one lock sustains millions of
 * events per second. Reads take no lock: each stream and the global log are append-only arrays whose
 * element writes are published by a volatile size written after them, so a reader that sees size
 * {@code n} sees the first {@code n} elements. Each stream keeps an event-id index for idempotency.
 * Listeners never run under the write lock (a slow listener must not hold up appends to other streams):
 * each committed append is queued under the lock, in commit order, and after releasing it the appending
 * thread delivers the queue unless another thread is already delivering, in which case that thread
 * delivers this append too and the append returns at once. Listeners thus see appends in global order,
 * one at a time, usually on the appending thread before {@code append} returns; under contention (or
 * when a listener itself appends) a little later, on the thread that is delivering.
 *
 * <p>Thread-safe.
 */
public final class InMemoryEventStore implements EventStore {

    /** The default largest event accepted, in bytes. */
    public static final int DEFAULT_MAX_EVENT_SIZE = 1024 * 1024;

    private static final Logger log = LoggerFactory.getLogger(InMemoryEventStore.class);

    private final Clock clock;
    private final int maxEventSize;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Map<String, StreamLog> streams = new ConcurrentHashMap<>();
    private final GlobalLog global = new GlobalLog();
    private final List<Registration> listeners = new CopyOnWriteArrayList<>();
    private final Queue<List<EventEnvelope>> undelivered = new ConcurrentLinkedQueue<>();
    private final ReentrantLock deliveryLock = new ReentrantLock();

    private InMemoryEventStore(Clock clock, int maxEventSize) {
        this.clock = clock;
        this.maxEventSize = maxEventSize;
    }

    /** A store on the system clock with the default event size limit. */
    public static InMemoryEventStore create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public AppendResult append(String streamId, String aggregateType, ExpectedVersion expected, List<NewEvent> events) {
        requireText(streamId, "streamId");
        requireText(aggregateType, "aggregateType");
        Objects.requireNonNull(expected, "expected");
        if (events == null || events.isEmpty()) {
            throw new IllegalArgumentException("events must hold at least one event for stream '" + streamId + "'");
        }
        Set<UUID> batchIds = new HashSet<>(events.size() * 2);
        for (NewEvent event : events) {
            if (event == null) {
                throw new IllegalArgumentException("events must not hold null, but the batch for stream '" + streamId
                        + "' does: " + events);
            }
            if (!batchIds.add(event.eventId())) {
                throw new DuplicateEventIdException(streamId, event.eventId(), "appears twice in one append");
            }
            int size = event.approximateSize();
            if (size > maxEventSize) {
                throw new EventTooLargeException(streamId, event.eventType(), size, maxEventSize);
            }
        }

        List<EventEnvelope> stored;
        writeLock.lock();
        try {
            StreamLog stream = streams.get(streamId);
            long current = stream == null ? 0 : stream.size;
            if (stream != null) {
                // The type check comes first: a re-sent batch under another aggregate type is misuse, not a no-op.
                if (!stream.aggregateType.equals(aggregateType)) {
                    throw new StreamTypeMismatchException(streamId, aggregateType, stream.aggregateType);
                }
                AppendResult replay = stream.idempotentReplay(streamId, expected, events);
                if (replay != null) {
                    return replay;
                }
            }
            if (expected.isAheadOf(current)) {
                throw new ExpectedVersionAheadException(streamId, expected, current);
            }
            if (!expected.isSatisfiedBy(current)) {
                throw new ConcurrencyConflictException(streamId, expected, current);
            }
            if (stream == null) {
                stream = new StreamLog(aggregateType);
            }
            Instant now = clock.instant();
            if (stream.lastTimestamp != null && now.isBefore(stream.lastTimestamp)) {
                now = stream.lastTimestamp;
            }
            stored = new ArrayList<>(events.size());
            long position = global.head;
            long version = current;
            for (NewEvent event : events) {
                stored.add(EventEnvelope.stored(event, streamId, aggregateType, ++version, ++position, now));
            }
            stream.addAll(stored);
            streams.putIfAbsent(streamId, stream);
            global.addAll(stored);
            if (!listeners.isEmpty()) {
                undelivered.add(stored);
            }
        } finally {
            writeLock.unlock();
        }
        deliver();
        return new AppendResult(streamId, stored.get(stored.size() - 1).version(), stored, false);
    }

    /** Tells the listeners of queued appends in commit order, unless another thread (or this one, further up) is at it. */
    private void deliver() {
        while (!undelivered.isEmpty()) {
            if (deliveryLock.isHeldByCurrentThread() || !deliveryLock.tryLock()) {
                return;
            }
            try {
                List<EventEnvelope> batch;
                while ((batch = undelivered.poll()) != null) {
                    for (Registration listener : listeners) {
                        try {
                            listener.onAppend(batch);
                        } catch (RuntimeException e) {
                            log.warn("Append listener {} failed for stream '{}'; the append stands", listener,
                                    batch.get(0).streamId(), e);
                        }
                    }
                }
            } finally {
                deliveryLock.unlock();
            }
            // Re-checked after unlocking: an append queued just before the unlock found the lock taken.
        }
    }

    @Override
    public List<EventEnvelope> read(StreamQuery query) {
        StreamLog stream = streams.get(query.streamId());
        if (stream == null) {
            return List.of();
        }
        int size = stream.size;
        EventEnvelope[] events = stream.events;
        int end = (int) Math.min(size, query.toVersion());
        if (query.asOf() != null) {
            end = Math.min(end, stream.countAtOrBefore(events, end, query.asOf()));
        }
        int start = (int) Math.min(query.fromVersion() - 1, end);
        int count = Math.min(end - start, query.maxCount());
        return count <= 0 ? List.of() : readOnly(Arrays.copyOfRange(events, start, start + count));
    }

    @Override
    public long currentVersion(String streamId) {
        StreamLog stream = streams.get(streamId);
        return stream == null ? 0 : stream.size;
    }

    /** {@inheritDoc} One lookup in the stream's event-id index, without a lock. */
    @Override
    public OptionalLong versionOf(String streamId, UUID eventId) {
        requireText(streamId, "streamId");
        Objects.requireNonNull(eventId, "eventId");
        StreamLog stream = streams.get(streamId);
        if (stream == null) {
            return OptionalLong.empty();
        }
        Integer index = stream.indexById.get(eventId);
        // The index is written before the volatile size: an id of an append still in progress is not found yet.
        return index == null || index >= stream.size ? OptionalLong.empty() : OptionalLong.of(index + 1L);
    }

    @Override
    public List<EventEnvelope> readAll(long fromPosition, int maxCount) {
        if (fromPosition < 1) {
            throw new IllegalArgumentException("fromPosition must be >= 1, but was " + fromPosition);
        }
        if (maxCount < 0) {
            throw new IllegalArgumentException("maxCount must be >= 0, but was " + maxCount);
        }
        return global.read(fromPosition, maxCount);
    }

    @Override
    public long headPosition() {
        return global.head;
    }

    @Override
    public Subscription subscribe(AppendListener listener) {
        Objects.requireNonNull(listener, "listener");
        // Each subscription removes its own registration, so closing it twice cannot remove another
        // subscription of the same listener.
        Registration registration = new Registration(listener);
        listeners.add(registration);
        return () -> listeners.remove(registration);
    }

    /** The number of streams held. */
    public int streamCount() {
        return streams.size();
    }

    /** A read-only view of a fresh array; {@code List.of} would copy it a second time on every read. */
    private static List<EventEnvelope> readOnly(EventEnvelope[] fresh) {
        return java.util.Collections.unmodifiableList(Arrays.asList(fresh));
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank, but was '" + value + "'");
        }
    }

    /** One subscription's entry in the listener list; equal only to itself. */
    private static final class Registration implements AppendListener {
        private final AppendListener listener;

        Registration(AppendListener listener) {
            this.listener = listener;
        }

        @Override
        public void onAppend(List<EventEnvelope> events) {
            listener.onAppend(events);
        }

        @Override
        public String toString() {
            return listener.toString();
        }
    }

    /**
     * One stream: an append-only array and its event-id index. Mutated only under the write lock; the index
     * is concurrent because {@link #versionOf} reads it without the lock.
     */
    private static final class StreamLog {
        final String aggregateType;
        final Map<UUID, Integer> indexById = new ConcurrentHashMap<>();
        volatile EventEnvelope[] events = new EventEnvelope[8];
        volatile int size;
        @Nullable Instant lastTimestamp;

        StreamLog(String aggregateType) {
            this.aggregateType = aggregateType;
        }

        void addAll(List<EventEnvelope> batch) {
            EventEnvelope[] array = events;
            int n = size;
            if (n + batch.size() > array.length) {
                array = Arrays.copyOf(array, Math.max(array.length * 2, n + batch.size()));
            }
            for (EventEnvelope e : batch) {
                indexById.put(e.eventId(), n);
                array[n++] = e;
            }
            lastTimestamp = batch.get(batch.size() - 1).timestamp();
            events = array;
            size = n;
        }

        /** The stored originals when {@code batch} repeats an earlier append; null when it is new. */
        @Nullable AppendResult idempotentReplay(String streamId, ExpectedVersion expected, List<NewEvent> batch) {
            Integer first = indexById.get(batch.get(0).eventId());
            if (first == null) {
                for (NewEvent event : batch) {
                    if (indexById.containsKey(event.eventId())) {
                        throw new DuplicateEventIdException(streamId, event.eventId(),
                                "is already stored at version " + (indexById.get(event.eventId()) + 1));
                    }
                }
                return null;
            }
            boolean samePosition = expected instanceof ExpectedVersion.Exact exact ? exact.version() == first
                    : expected == ExpectedVersion.any();
            boolean sameRun = first + batch.size() <= size;
            for (int i = 0; sameRun && i < batch.size(); i++) {
                sameRun = events[first + i].eventId().equals(batch.get(i).eventId());
            }
            if (!samePosition || !sameRun) {
                throw new DuplicateEventIdException(streamId, batch.get(0).eventId(),
                        "is already stored at version " + (first + 1) + ", not where this append expects it");
            }
            List<EventEnvelope> originals = List.of(Arrays.copyOfRange(events, first, first + batch.size()));
            return new AppendResult(streamId, first + batch.size(), originals, true);
        }

        /** How many of the first {@code end} events were stored at or before {@code instant}. */
        int countAtOrBefore(EventEnvelope[] array, int end, Instant instant) {
            int lo = 0;
            int hi = end;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (array[mid].timestamp().isAfter(instant)) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return lo;
        }
    }

    /** The global log in fixed-size chunks, so growing it never copies events. */
    private static final class GlobalLog {
        private static final int CHUNK_BITS = 16;
        private static final int CHUNK_SIZE = 1 << CHUNK_BITS;

        volatile EventEnvelope[][] chunks = new EventEnvelope[4][];
        volatile long head;

        void addAll(List<EventEnvelope> batch) {
            EventEnvelope[][] table = chunks;
            long position = head;
            for (EventEnvelope e : batch) {
                int index = (int) (position >>> CHUNK_BITS);
                if (index >= table.length) {
                    table = Arrays.copyOf(table, table.length * 2);
                }
                if (table[index] == null) {
                    table[index] = new EventEnvelope[CHUNK_SIZE];
                }
                table[index][(int) (position & (CHUNK_SIZE - 1))] = e;
                position++;
            }
            chunks = table;
            head = position;
        }

        List<EventEnvelope> read(long fromPosition, int maxCount) {
            long end = head;
            EventEnvelope[][] table = chunks;
            long count = Math.min(maxCount, end - fromPosition + 1);
            if (count <= 0) {
                return List.of();
            }
            EventEnvelope[] out = new EventEnvelope[(int) count];
            long index = fromPosition - 1;
            for (int i = 0; i < count; i++, index++) {
                out[i] = table[(int) (index >>> CHUNK_BITS)][(int) (index & (CHUNK_SIZE - 1))];
            }
            return readOnly(out);
        }
    }

    /** Options for {@link InMemoryEventStore}. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private int maxEventSize = DEFAULT_MAX_EVENT_SIZE;

        private Builder() {
        }

        /** The clock that timestamps events. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The largest event accepted, in bytes (payload plus metadata). */
        public Builder maxEventSize(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxEventSize must be >= 1, but was " + bytes);
            }
            this.maxEventSize = bytes;
            return this;
        }

        public InMemoryEventStore build() {
            return new InMemoryEventStore(clock, maxEventSize);
        }
    }
}
