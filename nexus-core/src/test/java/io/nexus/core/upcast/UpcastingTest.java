package io.nexus.core.upcast;

import io.nexus.core.Nexus;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.serialization.DecodedEvent;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.serialization.EventSerializationException;
import io.nexus.core.serialization.EventType;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.serialization.JacksonEventSerializer;
import io.nexus.core.serialization.UnknownEventTypeException;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.testdomain.Account;
import io.nexus.core.testdomain.Accounts;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UpcastingTest {

    @EventType(value = "Renamed", version = 3)
    record RenamedV3(String fullName, String country) { }

    private static EventTypes v3Types() {
        return EventTypes.builder().register(RenamedV3.class).build();
    }

    private static final Upcaster V1_TO_V2 = Upcaster.of("Renamed", 1, node -> {
        node.put("fullName", node.remove("name").asText());
        return node;
    });

    private static final Upcaster V2_TO_V3 = Upcaster.of("Renamed", 2, node -> node.put("country", "unknown"));

    private static EnvelopeFactory stored = new EnvelopeFactory();

    static final class EnvelopeFactory {
        EventEnvelope at(int version, String json) {
            return EventEnvelope.stored(NewEvent.of("Renamed", version, EventPayload.ofJson(json)), "s-1", "Thing", 1, 1,
                    java.time.Instant.EPOCH);
        }
    }

    @Test
    void aGapInTheChainIsAStartupErrorNamingTheMissingStep() {
        UpcasterChainException e = assertThrows(UpcasterChainException.class,
                () -> UpcasterChain.of(v3Types(), List.of(V1_TO_V2)));
        assertTrue(e.getMessage().contains("no upcaster from v2 to v3"), e.getMessage());
        assertThrows(UpcasterChainException.class, () -> UpcasterChain.of(v3Types(), List.of(V1_TO_V2, V2_TO_V3,
                Upcaster.of("Renamed", 3, n -> n))));
        assertThrows(UpcasterChainException.class, () -> UpcasterChain.of(v3Types(), List.of(V1_TO_V2, V2_TO_V3,
                Upcaster.of("Unknown", 1, n -> n))));
        assertThrows(UpcasterChainException.class, () -> Nexus.builder().eventTypes(v3Types()).upcaster(V2_TO_V3).build());
    }

    @Test
    void oldVersionsAreUpcastStepByStepDeterministically() {
        EventCodec codec = new EventCodec(v3Types(), new JacksonEventSerializer(), UpcasterChain.of(v3Types(), List.of(V1_TO_V2, V2_TO_V3)));
        EventEnvelope v1 = stored.at(1, "{\"name\":\"Ann\"}");
        assertEquals(new RenamedV3("Ann", "unknown"), codec.decode(v1));
        assertEquals(codec.decode(v1), codec.decode(v1));
        assertEquals(new RenamedV3("Bo", "unknown"), codec.decode(stored.at(2, "{\"fullName\":\"Bo\"}")));
        assertEquals(new RenamedV3("Cy", "NZ"), codec.decode(stored.at(3, "{\"fullName\":\"Cy\",\"country\":\"NZ\"}")));
        EventEnvelope upcast = codec.upcast(v1);
        assertEquals(3, upcast.schemaVersion());
        assertEquals(codec.upcast(v1).payload(), upcast.payload(), "same bytes every time");
        assertEquals(v1.eventId(), upcast.eventId());
    }

    @Test
    void theDecodedEnvelopeSaysWhichSchemaVersionItsPayloadNowHas() {
        EventCodec codec = new EventCodec(v3Types(), new JacksonEventSerializer(), UpcasterChain.of(v3Types(), List.of(V1_TO_V2, V2_TO_V3)));
        EventEnvelope v1 = new EventEnvelope(java.util.UUID.randomUUID(), "s-1", "Thing", 4, 17, "Renamed", 1,
                java.time.Instant.parse("2026-01-01T00:00:00Z"), "corr-1", "cause-1", java.util.Map.of("tenant", "t1"),
                EventPayload.ofJson("{\"name\":\"Ann\"}"));

        DecodedEvent decoded = codec.decodeWithEnvelope(v1);

        assertEquals(new RenamedV3("Ann", "unknown"), decoded.event());
        EventEnvelope upcast = decoded.envelope();
        assertEquals(3, upcast.schemaVersion(), "the payload handed out is v3, and so is the envelope");
        assertEquals(new RenamedV3("Ann", "unknown"), codec.serializer().deserialize(upcast.payload().bytes(), RenamedV3.class),
                "the envelope's bytes are the upcast payload, not the stored v1 bytes");
        assertEquals(codec.upcast(v1).payload(), upcast.payload());
        assertSame(decoded.event(), codec.decode(upcast), "decoding the upcast envelope again costs nothing");
        assertEquals(List.of(v1.eventId(), "s-1", "Thing", 4L, 17L, "Renamed", v1.timestamp(), "corr-1", "cause-1", v1.metadata()),
                List.of(upcast.eventId(), upcast.streamId(), upcast.aggregateType(), upcast.version(), upcast.globalPosition(),
                        upcast.eventType(), upcast.timestamp(), upcast.correlationId(), upcast.causationId(), upcast.metadata()));
        assertEquals(1, v1.schemaVersion(), "the stored envelope itself is unchanged");

        EventEnvelope current = stored.at(3, "{\"fullName\":\"Cy\",\"country\":\"NZ\"}");
        DecodedEvent asStored = codec.decodeWithEnvelope(current);
        assertSame(current, asStored.envelope(), "an event already at the current version keeps its envelope");
        assertEquals(new RenamedV3("Cy", "NZ"), asStored.event());
    }

    @Test
    void unreadableStoredEventsGetTypedErrorsNamingTheEvent() {
        EventCodec codec = new EventCodec(v3Types(), new JacksonEventSerializer(), UpcasterChain.of(v3Types(), List.of(V1_TO_V2, V2_TO_V3)));
        UpcastingException newer = assertThrows(UpcastingException.class, () -> codec.decode(stored.at(4, "{}")));
        assertTrue(newer.getMessage().contains("version 4"), newer.getMessage());
        EventEnvelope unknown = EventEnvelope.stored(NewEvent.of("Mystery", 1, EventPayload.ofJson("{}")), "s-9", "Thing", 7, 7,
                java.time.Instant.EPOCH);
        UnknownEventTypeException u = assertThrows(UnknownEventTypeException.class, () -> codec.decode(unknown));
        assertTrue(u.getMessage().contains("'Mystery'") && u.getMessage().contains("'s-9' version 7"), u.getMessage());
        EventSerializationException malformed = assertThrows(EventSerializationException.class,
                () -> codec.decode(stored.at(3, "{\"fullName\": ")));
        assertTrue(malformed.getMessage().contains("stream 's-1' version 1"), malformed.getMessage());
        assertThrows(EventSerializationException.class, () -> codec.decode(stored.at(1, "[1,2]")));
    }

    @Test
    void aggregatesLoadUpcastEvents() {
        EventTypes types = EventTypes.builder().register(Account.Opened.class).register(Account.Deposited.class, "Deposited", 2)
                .register(Account.Withdrawn.class).build();
        InMemoryEventStore store = InMemoryEventStore.create();
        store.append("acc-1", "Account", ExpectedVersion.noStream(), List.of(
                NewEvent.of("AccountOpened", 1, EventPayload.ofJson("{\"owner\":\"ann\"}")),
                NewEvent.of("Deposited", 1, EventPayload.ofJson("{\"cents\":250}"))));
        try (Nexus nexus = Nexus.builder().eventTypes(types).eventStore(store)
                .upcaster(Upcaster.of("Deposited", 1, n -> {
                    n.put("amount", n.remove("cents").asLong());
                    return n;
                }))
                .aggregate(Accounts.DEFINITION, Accounts::routes).build()) {
            assertEquals(250, nexus.repository(Account.class).load("acc-1").balance());
            nexus.commands().send(new Account.Deposit("acc-1", 5));
            assertEquals(2, store.read(io.nexus.core.store.StreamQuery.stream("acc-1").fromVersion(3)).get(0).schemaVersion());
            assertEquals(255, nexus.repository(Account.class).load("acc-1").balance());
        }
    }
}
