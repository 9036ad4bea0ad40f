package io.nexus.core.deadletter;

import io.nexus.core.event.EventEnvelope;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The embedded {@link DeadLetterQueue}: a concurrent map by id. Not durable: it forgets everything when the
 * process ends, so consumers keep their checkpoints before its dead letters. Thread-safe.
 */
public final class InMemoryDeadLetterQueue implements DeadLetterQueue {

    private final Map<UUID, DeadLetter> byId = new ConcurrentHashMap<>();
    private final Map<String, NavigableMap<Long, EventEnvelope>> parked = new ConcurrentHashMap<>();

    /** False: the queue lives only as long as this instance. */
    @Override
    public boolean isDurable() {
        return false;
    }

    @Override
    public void put(DeadLetter deadLetter) {
        Objects.requireNonNull(deadLetter, "deadLetter");
        byId.put(deadLetter.id(), deadLetter);
    }

    @Override
    public List<DeadLetter> list(String consumer) {
        Objects.requireNonNull(consumer, "consumer");
        List<DeadLetter> out = new ArrayList<>();
        for (DeadLetter letter : byId.values()) {
            if (letter.consumer().equals(consumer)) {
                out.add(letter);
            }
        }
        out.sort(Comparator.comparing(DeadLetter::firstFailedAt).thenComparing(l -> l.event().globalPosition()));
        return out;
    }

    @Override
    public Optional<DeadLetter> find(UUID id) {
        return Optional.ofNullable(byId.get(Objects.requireNonNull(id, "id")));
    }

    @Override
    public boolean remove(UUID id) {
        return byId.remove(Objects.requireNonNull(id, "id")) != null;
    }

    @Override
    public void park(String consumer, EventEnvelope event) {
        Objects.requireNonNull(event, "event");
        parked.computeIfAbsent(key(consumer, event.streamId()), k -> new ConcurrentSkipListMap<>())
                .putIfAbsent(event.version(), event);
    }

    @Override
    public List<EventEnvelope> parked(String consumer, String streamId) {
        NavigableMap<Long, EventEnvelope> events = parked.get(key(consumer, streamId));
        return events == null ? List.of() : List.copyOf(events.values());
    }

    @Override
    public int unpark(String consumer, String streamId, long throughVersion) {
        NavigableMap<Long, EventEnvelope> events = parked.get(key(consumer, streamId));
        if (events == null) {
            return 0;
        }
        NavigableMap<Long, EventEnvelope> done = events.headMap(throughVersion, true);
        int removed = done.size();
        done.clear();
        return removed;
    }

    private static String key(String consumer, String streamId) {
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(streamId, "streamId");
        return consumer + '\u0000' + streamId;
    }
}
