package io.nexus.core.projection;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.serialization.EventType;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/** Events, a codec and a recording projection shared by the projection tests. */
final class Fixtures {

    @EventType("ItemAdded")
    record ItemAdded(String item) {
    }

    @EventType("Ignored")
    record Ignored(String note) {
    }

    static final EventTypes TYPES = EventTypes.builder().register(ItemAdded.class).register(Ignored.class).build();
    static final EventCodec CODEC = EventCodec.jackson(TYPES);

    private Fixtures() {
    }

    static AppendResult add(InMemoryEventStore store, String stream, String... items) {
        List<NewEvent> events = new ArrayList<>();
        for (String item : items) {
            events.add(CODEC.encode(new ItemAdded(item), UUID.randomUUID(), null, null, Map.of()));
        }
        return store.append(stream, "Cart", ExpectedVersion.any(), events);
    }

    static AppendResult raw(InMemoryEventStore store, String stream, String type, int schemaVersion, String json) {
        return store.append(stream, "Cart", ExpectedVersion.any(),
                List.of(NewEvent.of(type, schemaVersion, EventPayload.ofJson(json))));
    }

    /**
     * Records each handled event (the read model: items per stream, deduplicated by idempotency key)
     * and every delivery; fails while {@code failWhen} matches.
     */
    static class Recorder implements Projection {
        final String name;
        final Set<String> types;
        final List<String> deliveries = Collections.synchronizedList(new ArrayList<>());
        final Map<String, List<String>> itemsByStream = new ConcurrentHashMap<>();
        final Set<String> applied = ConcurrentHashMap.newKeySet();
        volatile Predicate<EventEnvelope> failWhen = e -> false;

        Recorder(String name) {
            this(name, Set.of("ItemAdded"));
        }

        Recorder(String name, Set<String> types) {
            this.name = name;
            this.types = types;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<String> eventTypes() {
            return types;
        }

        @Override
        public void handle(Object event, EventEnvelope envelope) {
            deliveries.add(envelope.idempotencyKey());
            if (failWhen.test(envelope)) {
                throw new IllegalStateException("handler rejects " + envelope.idempotencyKey());
            }
            if (applied.add(envelope.idempotencyKey())) {
                String item = event instanceof ItemAdded added ? added.item() : String.valueOf(event);
                itemsByStream.computeIfAbsent(envelope.streamId(), k -> Collections.synchronizedList(new ArrayList<>()))
                        .add(item);
            }
        }

        List<String> items(String stream) {
            return List.copyOf(itemsByStream.getOrDefault(stream, List.of()));
        }

        long deliveriesOf(String key) {
            return deliveries.stream().filter(key::equals).count();
        }
    }
}
