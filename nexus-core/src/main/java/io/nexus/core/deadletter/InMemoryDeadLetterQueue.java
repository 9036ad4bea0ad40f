package io.nexus.core.deadletter;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** The embedded {@link DeadLetterQueue}: a concurrent map by id. Thread-safe. */
public final class InMemoryDeadLetterQueue implements DeadLetterQueue {

    private final Map<UUID, DeadLetter> byId = new ConcurrentHashMap<>();

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
}
