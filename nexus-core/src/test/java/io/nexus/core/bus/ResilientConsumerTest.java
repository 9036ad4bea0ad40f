package io.nexus.core.bus;

import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.deadletter.DeadLetterNotFoundException;
import io.nexus.core.deadletter.InMemoryDeadLetterQueue;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.retry.RetryPolicy;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The retry, dead-letter and parking rules every bus shares, driven directly on the calling thread (the
 * buses run the same cases through {@code EventBusContract}).
 */
class ResilientConsumerTest {

    private final InMemoryDeadLetterQueue queue = new InMemoryDeadLetterQueue();
    private final List<String> handled = new ArrayList<>();
    private final Set<String> poison = new HashSet<>();
    private int calls;

    private final BusConsumer consumer = event -> {
        calls++;
        if (poison.contains(event.idempotencyKey())) {
            throw new IllegalStateException("cannot handle " + event.idempotencyKey());
        }
        handled.add(event.idempotencyKey());
    };

    private ResilientConsumer consumer(BusPath path) {
        return ResilientConsumer.builder("billing", path, "billing/" + path, consumer).deadLetters(queue)
                .retry(RetryPolicy.attempts(3)).build();
    }

    private static EventEnvelope event(String stream, long version) {
        return new EventEnvelope(UUID.randomUUID(), stream, "Order", version, EventEnvelope.NO_POSITION, "OrderPlaced", 1,
                Instant.parse("2026-01-01T00:00:00Z"), null, null, Map.of(), EventPayload.ofJson("{}"));
    }

    @Test
    void aPoisonEventIsTriedThePoliciesAttemptsThenDeadLetteredAndLaterEventsOfItsStreamParked() throws Exception {
        ResilientConsumer group = consumer(BusPath.PRIMARY);
        poison.add("a@2");

        assertTrue(group.deliver(event("a", 1)));
        assertTrue(group.deliver(event("a", 2)), "the poison event is acknowledged once dead-lettered");
        assertEquals(1 + 3, calls, "three attempts of the poison event");
        assertTrue(group.deliver(event("a", 3)));
        assertTrue(group.deliver(event("b", 1)), "another stream goes on");
        assertTrue(group.deliver(event("a", 4)));

        assertEquals(List.of("a@1", "b@1"), handled);
        assertEquals(List.of(3L, 4L), queue.parked("billing/PRIMARY", "a").stream().map(EventEnvelope::version).toList());
        ConsumerGroupHealth health = group.health();
        assertEquals(ConsumerGroupHealth.Status.DEAD_LETTERS, health.status());
        assertEquals(1, health.deadLetters());
        assertEquals(2, health.parkedEvents());
        DeadLetter letter = group.deadLetters().get(0);
        assertEquals(3, letter.attempts());
        assertEquals("java.lang.IllegalStateException", letter.causeType());

        assertFalse(group.retryDeadLetter(letter.id()), "still failing");
        assertEquals(4, group.deadLetters().get(0).attempts(), "a failed retry counts one more attempt");
        poison.clear();
        assertTrue(group.retryDeadLetter(letter.id()));

        assertEquals(List.of("a@1", "b@1", "a@2", "a@3", "a@4"), handled);
        assertEquals(List.of(), queue.parked("billing/PRIMARY", "a"));
        assertEquals(ConsumerGroupHealth.Status.RUNNING, group.health().status());
        assertTrue(group.deliver(event("a", 5)));
        assertEquals("a@5", handled.get(handled.size() - 1), "the stream is no longer parked");
        assertThrows(DeadLetterNotFoundException.class, () -> group.retryDeadLetter(letter.id()));
    }

    @Test
    void discardingDropsTheDeadLetterAndHandlesTheParkedEventsInOrder() throws Exception {
        ResilientConsumer group = consumer(BusPath.PRIMARY);
        poison.add("a@1");
        group.deliver(event("a", 1));
        group.deliver(event("a", 2));
        group.deliver(event("a", 3));

        group.discardDeadLetter(group.deadLetters().get(0).id());

        assertEquals(List.of("a@2", "a@3"), handled);
        assertEquals(0, queue.count("billing/PRIMARY"));
        assertEquals(List.of(), queue.parked("billing/PRIMARY", "a"));
    }

    @Test
    void aParkedEventThatFailsOnReleaseBecomesTheNewDeadLetterAndKeepsTheRestParked() throws Exception {
        ResilientConsumer group = consumer(BusPath.PRIMARY);
        poison.add("a@1");
        poison.add("a@3");
        for (int v = 1; v <= 4; v++) {
            group.deliver(event("a", v));
        }
        poison.remove("a@1");

        assertTrue(group.retryDeadLetter(group.deadLetters().get(0).id()));

        assertEquals(List.of("a@1", "a@2"), handled);
        List<DeadLetter> letters = group.deadLetters();
        assertEquals(1, letters.size(), "the old letter is gone, the failing parked event is the new one");
        assertEquals(3, letters.get(0).event().version());
        assertEquals(List.of(4L), queue.parked("billing/PRIMARY", "a").stream().map(EventEnvelope::version).toList());
    }

    @Test
    void refreshingParkingPicksUpLettersStoredAndSettledByAnotherProcessOfTheGroup() throws Exception {
        // Two processes of one group share the queue; the partition of stream "a" moves from the first to the second.
        ResilientConsumer first = consumer(BusPath.PRIMARY);
        ResilientConsumer second = consumer(BusPath.PRIMARY);
        poison.add("a@2");
        first.deliver(event("a", 1));
        first.deliver(event("a", 2));

        second.refreshParking();
        assertTrue(second.deliver(event("a", 3)));
        assertEquals(List.of("a@1"), handled, "the second process parks behind the first one's dead letter");
        assertEquals(List.of(3L), queue.parked("billing/PRIMARY", "a").stream().map(EventEnvelope::version).toList());

        poison.clear();
        assertTrue(first.retryDeadLetter(first.deadLetters().get(0).id()));
        second.refreshParking();
        assertTrue(second.deliver(event("a", 4)));
        assertEquals(List.of("a@1", "a@2", "a@3", "a@4"), handled, "the settled letter no longer parks the stream");
    }

    @Test
    void parkingSurvivesARestartAndARedeliveredDeadLetterIsNotParkedBehindItself() throws Exception {
        ResilientConsumer first = consumer(BusPath.PRIMARY);
        poison.add("a@2");
        EventEnvelope two = event("a", 2);
        first.deliver(event("a", 1));
        first.deliver(two);
        first.deliver(event("a", 3));
        first.stop();

        ResilientConsumer restarted = consumer(BusPath.PRIMARY);
        // The bus redelivers what was not checkpointed before the crash: the dead letter's own event and 3.
        assertTrue(restarted.deliver(two));
        assertTrue(restarted.deliver(event("a", 3)));
        assertTrue(restarted.deliver(event("a", 4)));

        assertEquals(List.of("a@1"), handled);
        assertEquals(List.of(3L, 4L), queue.parked("billing/PRIMARY", "a").stream().map(EventEnvelope::version).toList());
        poison.clear();
        restarted.retryDeadLetter(restarted.deadLetters().get(0).id());
        assertEquals(List.of("a@1", "a@2", "a@3", "a@4"), handled);
    }

    @Test
    void theSecondaryPathIsAQueueWithARedrivePolicyNothingIsParked() throws Exception {
        ResilientConsumer group = consumer(BusPath.SECONDARY);
        poison.add("a@1");
        group.deliver(event("a", 1));
        group.deliver(event("a", 2));

        assertEquals(List.of("a@2"), handled, "later events of the stream are not held back");
        assertEquals(0, group.health().parkedEvents());
        assertEquals(ConsumerGroupHealth.Status.DEAD_LETTERS, group.health().status());
        poison.clear();
        assertTrue(group.retryDeadLetter(group.deadLetters().get(0).id()), "redrive");
        assertEquals(List.of("a@2", "a@1"), handled);
        assertEquals(ConsumerGroupHealth.Status.RUNNING, group.health().status());
    }

    @Test
    void aStoppedGroupAcknowledgesNothingAndRefusesOperatorCalls() throws Exception {
        ResilientConsumer group = consumer(BusPath.PRIMARY);
        group.stop();
        assertFalse(group.deliver(event("a", 1)));
        assertEquals(ConsumerGroupHealth.Status.STOPPED, group.health().status());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> group.retryDeadLetter(UUID.randomUUID()));
        assertTrue(e.getMessage().contains("'billing/PRIMARY'"), e.getMessage());
    }
}
