package io.nexus.testkit.contract;

import io.nexus.core.bus.BusPath;
import io.nexus.core.bus.ConsumerGroup;
import io.nexus.core.bus.ConsumerGroupHealth;
import io.nexus.core.bus.EventBus;
import io.nexus.core.bus.RoutingRule;
import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.deadletter.DeadLetterQueue;
import io.nexus.core.deadletter.InMemoryDeadLetterQueue;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.store.Subscription;
import io.nexus.testkit.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The contract every {@link EventBus} implementation passes. An implementation's run is a subclass
 * that supplies a fresh bus per test:
 *
 * <pre>{@code
 * class InMemoryEventBusContractTest extends EventBusContract {
 *     protected EventBus createBus(Options options) {
 *         return InMemoryEventBus.builder().routing(options.routing()).deadLetters(options.deadLetters())
 *                 .consumerRetry(options.consumerRetry()).build();
 *     }
 * }
 * }</pre>
 *
 * The bus must honour the options it is given: events of type {@value #SECONDARY_TYPE} take the
 * secondary path, every other type the primary path; consumer groups keep their dead letters and parked
 * events in the given queue and retry with the given policy ({@value #ATTEMPTS} attempts, a few
 * milliseconds apart). Waits are bounded by {@link #timeout()}; raise it for slow transports.
 */
public abstract class EventBusContract {

    /** The event type the contract routes to the secondary path. */
    protected static final String SECONDARY_TYPE = "AuditNoted";
    /** An event type of the primary path. */
    protected static final String PRIMARY_TYPE = "OrderPlaced";

    /** The attempts of the consumer retry policy the contract gives the bus. */
    protected static final int ATTEMPTS = 5;

    /**
     * What the contract asks of the bus under test.
     *
     * @param routing       the routing rule to honour
     * @param deadLetters   where consumer groups keep dead letters and parked events
     * @param consumerRetry the consumer retry policy ({@value #ATTEMPTS} attempts)
     */
    public record Options(RoutingRule routing, DeadLetterQueue deadLetters, RetryPolicy consumerRetry) {
    }

    private EventBus bus;
    private DeadLetterQueue deadLetters;
    private final List<Subscription> subscriptions = new ArrayList<>();

    /** A new, empty bus that honours {@code options}. Called once per test. */
    protected abstract EventBus createBus(Options options);

    /** How long to wait for deliveries before failing; 30 s by default. */
    protected Duration timeout() {
        return Duration.ofSeconds(30);
    }

    @BeforeEach
    void createTheBus() {
        deadLetters = new InMemoryDeadLetterQueue();
        bus = createBus(new Options(RoutingRule.secondaryFor(Set.of(SECONDARY_TYPE)), deadLetters,
                RetryPolicy.custom().maxAttempts(ATTEMPTS).initialDelay(Duration.ofMillis(1)).maxDelay(Duration.ofMillis(10))
                        .jitter(0).build()));
    }

    @AfterEach
    void closeTheBus() {
        subscriptions.forEach(Subscription::close);
        bus.close();
    }

    /** The bus under test. */
    protected EventBus bus() {
        return bus;
    }

    @Test
    void deliversEventsOfOneAggregateInPublishOrderWhileManyPublishConcurrently() throws Exception {
        int keys = 16;
        int perKey = 40;
        Map<String, List<Long>> seen = new ConcurrentHashMap<>();
        AtomicInteger delivered = new AtomicInteger();
        track(bus.subscribe("order-check", BusPath.PRIMARY, event -> {
            seen.computeIfAbsent(event.streamId(), k -> Collections.synchronizedList(new ArrayList<>())).add(event.version());
            delivered.incrementAndGet();
        }));
        ExecutorService publishers = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(publishers.submit(() -> {
                    for (int v = 1; v <= perKey; v++) {
                        for (int k = thread; k < keys; k += 4) {
                            bus.publish(List.of(event("order-" + k, v, PRIMARY_TYPE)));
                        }
                    }
                }));
            }
            for (Future<?> future : futures) {
                future.get(timeout().toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            publishers.shutdownNow();
        }
        await("all " + keys * perKey + " events delivered", () -> distinct(seen) == keys * perKey);
        for (int k = 0; k < keys; k++) {
            List<Long> versions = List.copyOf(seen.get("order-" + k));
            assertEquals(range(1, perKey), firstOccurrences(versions), "order of stream 'order-" + k + "'");
            assertRedeliveriesOnlyRepeatASuffix("order-" + k, versions);
        }
    }

    @Test
    void keepsTheOrderOfOneAppendsEvents() {
        List<Long> seen = Collections.synchronizedList(new ArrayList<>());
        track(bus.subscribe("batch", BusPath.PRIMARY, event -> seen.add(event.version())));
        List<EventEnvelope> batch = new ArrayList<>();
        for (int v = 1; v <= 50; v++) {
            batch.add(event("order-batch", v, PRIMARY_TYPE));
        }
        bus.publish(batch);
        await("50 events delivered", () -> Set.copyOf(List.copyOf(seen)).size() == 50); // List.copyOf locks the list
        assertEquals(range(1, 50), firstOccurrences(List.copyOf(seen)));
    }

    @Test
    void fansOutEveryEventToEveryConsumerGroup() {
        int groups = 3;
        List<Set<UUID>> received = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            Set<UUID> ids = ConcurrentHashMap.newKeySet();
            received.add(ids);
            track(bus.subscribe("group-" + g, BusPath.PRIMARY, event -> ids.add(event.eventId())));
        }
        Set<UUID> published = publishAcrossStreams(5, 10, PRIMARY_TYPE);
        for (int g = 0; g < groups; g++) {
            Set<UUID> ids = received.get(g);
            await("group-" + g + " received all 50 events", () -> ids.containsAll(published));
            assertEquals(published, Set.copyOf(ids), "group-" + g + " received exactly the published events");
        }
    }

    @Test
    void aGroupThatSubscribesLaterStartsFromTheOldestEvent() {
        Set<UUID> published = publishAcrossStreams(3, 5, PRIMARY_TYPE);
        Set<UUID> ids = ConcurrentHashMap.newKeySet();
        track(bus.subscribe("late-group", BusPath.PRIMARY, event -> ids.add(event.eventId())));
        await("the late group received the 15 earlier events", () -> ids.containsAll(published));
    }

    @Test
    void routesEachEventTypeToItsPath() {
        Set<String> primaryTypes = ConcurrentHashMap.newKeySet();
        Set<String> secondaryTypes = ConcurrentHashMap.newKeySet();
        AtomicInteger primaryCount = new AtomicInteger();
        AtomicInteger secondaryCount = new AtomicInteger();
        track(bus.subscribe("router", BusPath.PRIMARY, event -> {
            primaryTypes.add(event.eventType());
            primaryCount.incrementAndGet();
        }));
        track(bus.subscribe("router", BusPath.SECONDARY, event -> {
            secondaryTypes.add(event.eventType());
            secondaryCount.incrementAndGet();
        }));
        bus.publish(List.of(event("order-r", 1, PRIMARY_TYPE), event("order-r", 2, SECONDARY_TYPE),
                event("order-r", 3, PRIMARY_TYPE), event("order-r", 4, SECONDARY_TYPE)));
        await("both paths received their events", () -> primaryCount.get() >= 2 && secondaryCount.get() >= 2);
        assertEquals(Set.of(PRIMARY_TYPE), primaryTypes);
        assertEquals(Set.of(SECONDARY_TYPE), secondaryTypes);
    }

    @Test
    void redeliversAnEventItsConsumerFailedOnAndAnIdempotentConsumerEndsWithEachEventOnce() {
        Set<UUID> failedOnce = ConcurrentHashMap.newKeySet();
        Map<UUID, Integer> state = new ConcurrentHashMap<>();
        AtomicInteger deliveries = new AtomicInteger();
        track(bus.subscribe("flaky", BusPath.PRIMARY, event -> {
            deliveries.incrementAndGet();
            if (event.version() % 3 == 0 && failedOnce.add(event.eventId())) {
                throw new IllegalStateException("transient failure on first delivery of " + event.idempotencyKey());
            }
            state.putIfAbsent(event.eventId(), 1);
        }));
        Set<UUID> published = publishAcrossStreams(4, 9, PRIMARY_TYPE);
        await("every event handled", () -> state.keySet().containsAll(published));
        assertEquals(published, state.keySet());
        assertEquals(12, failedOnce.size(), "each event with version 3, 6, 9 failed once");
        assertTrue(deliveries.get() >= published.size() + failedOnce.size(),
                "failed events were delivered again: " + deliveries.get() + " deliveries");
    }

    @Test
    void aFailingEventIsNotOvertakenByLaterEventsOfItsAggregate() {
        List<Long> handled = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failures = new AtomicInteger();
        track(bus.subscribe("strict", BusPath.PRIMARY, event -> {
            if (event.version() == 2 && failures.getAndIncrement() < 3) {
                throw new IllegalStateException("failing version 2");
            }
            handled.add(event.version());
        }));
        bus.publish(List.of(event("order-f", 1, PRIMARY_TYPE), event("order-f", 2, PRIMARY_TYPE),
                event("order-f", 3, PRIMARY_TYPE), event("order-f", 4, PRIMARY_TYPE)));
        await("all four handled", () -> Set.copyOf(List.copyOf(handled)).size() == 4); // List.copyOf locks the list
        assertEquals(List.of(1L, 2L, 3L, 4L), firstOccurrences(List.copyOf(handled)));
        assertTrue(failures.get() >= 4, "version 2 was redelivered after failing");
    }

    @Test
    void resumesFromItsCheckpointAfterAConsumerCrash() {
        String crashed = "order-crash";
        List<EventEnvelope> all = new ArrayList<>();
        for (int v = 1; v <= 10; v++) {
            all.add(event(crashed, v, PRIMARY_TYPE));
        }
        for (int s = 0; s < 3; s++) {
            for (int v = 1; v <= 10; v++) {
                all.add(event("order-ok-" + s, v, PRIMARY_TYPE));
            }
        }
        Set<UUID> firstRun = ConcurrentHashMap.newKeySet();
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        Subscription first = bus.subscribe("resumer", BusPath.PRIMARY, event -> {
            if (event.streamId().equals(crashed) && event.version() == 6) {
                stuck.countDown();
                never.await();  // the consumer process hangs here and is killed
            }
            firstRun.add(event.eventId());
        });
        for (int i = 0; i < all.size(); i += 10) {
            bus.publish(all.subList(i, i + 10));
        }
        await("the first consumer reached the poison point", () -> stuck.getCount() == 0);
        // Streams that share the crashed stream's partition may be held up behind it, as on any
        // partitioned log; versions 1..5 of the crashed stream were acknowledged before it died.
        first.close();

        Map<String, List<Long>> secondRun = new ConcurrentHashMap<>();
        Set<UUID> secondIds = ConcurrentHashMap.newKeySet();
        track(bus.subscribe("resumer", BusPath.PRIMARY, event -> {
            secondRun.computeIfAbsent(event.streamId(), k -> Collections.synchronizedList(new ArrayList<>()))
                    .add(event.version());
            secondIds.add(event.eventId());
        }));
        await("the restarted consumer received versions 6..10 of '" + crashed + "'",
                () -> secondRun.containsKey(crashed) && Set.copyOf(secondRun.get(crashed)).containsAll(range(6, 10)));
        Set<UUID> allIds = all.stream().map(EventEnvelope::eventId).collect(java.util.stream.Collectors.toSet());
        await("every event handled by one run or the other: nothing lost across the crash", () -> {
            Set<UUID> union = new java.util.HashSet<>(firstRun);
            union.addAll(secondIds);
            return union.containsAll(allIds);
        });
        List<Long> resumed = firstOccurrences(List.copyOf(secondRun.get(crashed)));
        assertEquals(range(resumed.get(0), 10), resumed, "the crashed stream resumed in order");
        assertEquals(6L, resumed.get(0),
                "the restarted consumer resumed right after the last acknowledged event of '" + crashed + "'");
        assertTrue(secondIds.size() < all.size(),
                "the restarted consumer resumed from its checkpoint instead of from the beginning: it received "
                        + secondIds.size() + " of " + all.size() + " events");
    }

    @Test
    void aSlowConsumerDoesNotDelayOtherGroupsOrTheOtherPath() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        track(bus.subscribe("slow-primary", BusPath.PRIMARY, event -> release.await()));
        track(bus.subscribe("slow-secondary", BusPath.SECONDARY, event -> release.await()));
        Set<UUID> fastPrimary = ConcurrentHashMap.newKeySet();
        Set<UUID> fastSecondary = ConcurrentHashMap.newKeySet();
        track(bus.subscribe("fast", BusPath.PRIMARY, event -> fastPrimary.add(event.eventId())));
        try {
            Set<UUID> primary = publishAcrossStreams(4, 5, PRIMARY_TYPE);
            await("the fast group received every primary event while the slow one is stuck",
                    () -> fastPrimary.containsAll(primary));
            track(bus.subscribe("fast", BusPath.SECONDARY, event -> fastSecondary.add(event.eventId())));
            Set<UUID> secondary = new java.util.HashSet<>();
            for (int v = 1; v <= 5; v++) {
                EventEnvelope e = event("audit-" + v, 1, SECONDARY_TYPE);
                secondary.add(e.eventId());
                bus.publish(List.of(e));
            }
            await("the secondary path delivered while both slow consumers are stuck",
                    () -> fastSecondary.containsAll(secondary));
        } finally {
            release.countDown();
        }
    }

    @Test
    void aFailingConsumerOnTheSecondaryPathDoesNotDelayThePrimaryPath() {
        track(bus.subscribe("app", BusPath.SECONDARY, event -> {
            throw new IllegalStateException("secondary consumer always fails");
        }));
        Set<UUID> primaryIds = ConcurrentHashMap.newKeySet();
        track(bus.subscribe("app", BusPath.PRIMARY, event -> primaryIds.add(event.eventId())));
        bus.publish(List.of(event("order-s", 1, SECONDARY_TYPE), event("order-s", 2, SECONDARY_TYPE)));
        Set<UUID> primary = publishAcrossStreams(3, 3, PRIMARY_TYPE);
        await("the primary path delivered", () -> primaryIds.containsAll(primary));
    }

    @Test
    void aPoisonEventIsDeadLetteredAfterItsRetriesAndTheRestOfItsAggregateIsParkedWhileTheOthersGoOn() {
        Poisoned consumer = new Poisoned("order-poison", 2);
        ConsumerGroup group = track(bus.subscribe("poisoned", BusPath.PRIMARY, consumer));
        bus.publish(versions("order-poison", 1, 4));
        Set<UUID> others = publishAcrossStreams(6, 3, PRIMARY_TYPE);

        await("every event of the other aggregates handled: the poison event blocks nothing else",
                () -> consumer.ids.containsAll(others));
        await("the poison event is a dead letter with two events parked behind it",
                () -> group.health().deadLetters() == 1 && group.health().parkedEvents() == 2);
        List<DeadLetter> letters = group.deadLetters();
        assertEquals(1, letters.size());
        DeadLetter letter = letters.get(0);
        assertEquals("order-poison", letter.event().streamId());
        assertEquals(2, letter.event().version());
        assertEquals(ATTEMPTS, letter.attempts(), "dead-lettered after the policy's attempts");
        assertEquals(ATTEMPTS, consumer.poisonCalls.get(), "the poison event was tried exactly the policy's attempts");
        assertTrue(letter.causeMessage().contains("poison"), letter.causeMessage());
        assertEquals(List.of(1L), consumer.versionsOf("order-poison"), "nothing after the poison event was handled");
        assertEquals(List.of(3L, 4L), deadLetters.parked(group.consumer(), "order-poison").stream()
                .map(EventEnvelope::version).toList(), "the rest of the aggregate is parked in the dead-letter queue");
        ConsumerGroupHealth health = group.health();
        assertEquals(ConsumerGroupHealth.Status.DEAD_LETTERS, health.status());
        assertEquals(BusPath.PRIMARY, health.path());
        assertTrue(health.lastError() != null && health.lastError().contains("poison"), String.valueOf(health.lastError()));
    }

    @Test
    void retryingADeadLetterAfterAFixHandlesItThenItsParkedEventsInOrder() {
        Poisoned consumer = new Poisoned("order-fix", 2);
        ConsumerGroup group = track(bus.subscribe("fixable", BusPath.PRIMARY, consumer));
        bus.publish(versions("order-fix", 1, 4));
        await("the poison event is a dead letter with two events parked",
                () -> group.health().deadLetters() == 1 && group.health().parkedEvents() == 2);
        DeadLetter letter = group.deadLetters().get(0);

        assertFalse(group.retryDeadLetter(letter.id()), "a retry before the fix fails");
        assertEquals(ATTEMPTS + 1, group.deadLetters().get(0).attempts(), "the failed retry was counted");
        consumer.fixed = true;
        assertTrue(group.retryDeadLetter(letter.id()));

        assertEquals(List.of(1L, 2L, 3L, 4L), consumer.versionsOf("order-fix"), "the dead letter, then the parked events");
        assertEquals(List.of(), group.deadLetters());
        assertEquals(List.of(), deadLetters.parked(group.consumer(), "order-fix"));
        bus.publish(versions("order-fix", 5, 5));
        await("a later event of the aggregate is delivered again", () -> consumer.versionsOf("order-fix").contains(5L));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), consumer.versionsOf("order-fix"));
        assertEquals(ConsumerGroupHealth.Status.RUNNING, group.health().status());
    }

    @Test
    void discardingADeadLetterDropsItAndReleasesTheParkedEvents() {
        Poisoned consumer = new Poisoned("order-drop", 2);
        ConsumerGroup group = track(bus.subscribe("discarding", BusPath.PRIMARY, consumer));
        bus.publish(versions("order-drop", 1, 3));
        await("the poison event is a dead letter with one event parked",
                () -> group.health().deadLetters() == 1 && group.health().parkedEvents() == 1);

        group.discardDeadLetter(group.deadLetters().get(0).id());

        assertEquals(List.of(1L, 3L), consumer.versionsOf("order-drop"), "the parked event was handled, the letter never");
        assertEquals(List.of(), group.deadLetters());
        assertEquals(List.of(), deadLetters.parked(group.consumer(), "order-drop"));
        assertThrows(io.nexus.core.deadletter.DeadLetterNotFoundException.class,
                () -> group.discardDeadLetter(UUID.randomUUID()));
    }

    @Test
    void parkingSurvivesARestartOfTheGroupUntilTheDeadLetterIsRetried() {
        Poisoned first = new Poisoned("order-durable", 2);
        ConsumerGroup before = bus.subscribe("durable", BusPath.PRIMARY, first);
        bus.publish(versions("order-durable", 1, 3));
        await("the poison event is a dead letter with one event parked",
                () -> before.health().deadLetters() == 1 && before.health().parkedEvents() == 1);
        before.close();
        assertEquals(ConsumerGroupHealth.Status.STOPPED, before.health().status());

        Poisoned second = new Poisoned("order-durable", 2);
        second.fixed = true;
        ConsumerGroup after = track(bus.subscribe("durable", BusPath.PRIMARY, second));
        bus.publish(versions("order-durable", 4, 4));
        bus.publish(List.of(event("order-marker", 1, PRIMARY_TYPE)));
        await("the restarted group parked the new event behind the dead letter too",
                () -> deadLetters.parked(after.consumer(), "order-durable").size() == 2);
        await("the restarted group delivers other aggregates", () -> second.versionsOf("order-marker").contains(1L));
        assertEquals(List.of(), second.versionsOf("order-durable"), "nothing of the parked aggregate was handled");

        assertTrue(after.retryDeadLetter(after.deadLetters().get(0).id()));
        assertEquals(List.of(2L, 3L, 4L), second.versionsOf("order-durable"));
        assertEquals(0, after.health().deadLetters());
    }

    @Test
    void healthSaysFailingWhileAnEventIsRetriedAndRunningOnceItIsHandled() throws Exception {
        CountDownLatch secondAttempt = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger attempts = new AtomicInteger();
        Set<UUID> handled = ConcurrentHashMap.newKeySet();
        ConsumerGroup group = track(bus.subscribe("health", BusPath.PRIMARY, event -> {
            if (event.streamId().equals("order-slow")) {
                int attempt = attempts.incrementAndGet();
                if (attempt == 1) {
                    throw new IllegalStateException("first attempt fails");
                }
                if (attempt == 2) {
                    secondAttempt.countDown();
                    release.await();
                }
            }
            handled.add(event.eventId());
        }));
        assertEquals(ConsumerGroupHealth.Status.RUNNING, group.health().status());
        EventEnvelope slow = event("order-slow", 1, PRIMARY_TYPE);
        bus.publish(List.of(slow));
        try {
            await("the second attempt started", () -> secondAttempt.getCount() == 0);
            ConsumerGroupHealth failing = group.health();
            assertEquals(ConsumerGroupHealth.Status.FAILING, failing.status());
            assertEquals(1, failing.retrying());
            assertEquals(0, failing.deadLetters());
            assertEquals("health", failing.group());
        } finally {
            release.countDown();
        }
        await("the event was handled on its second attempt", () -> handled.contains(slow.eventId()));
        await("the group is running again", () -> group.health().status() == ConsumerGroupHealth.Status.RUNNING);
        assertEquals(0, group.health().retrying());
    }

    @Test
    void theSecondaryPathDeadLettersWithoutParkingAndRedrivesTheLetterOnRetry() {
        Poisoned consumer = new Poisoned("audit-poison", 1);
        ConsumerGroup group = track(bus.subscribe("auditor", BusPath.SECONDARY, consumer));
        bus.publish(List.of(event("audit-poison", 1, SECONDARY_TYPE), event("audit-poison", 2, SECONDARY_TYPE)));

        await("the later event of the same aggregate went on", () -> consumer.versionsOf("audit-poison").contains(2L));
        await("the failed event is a dead letter", () -> group.health().deadLetters() == 1);
        assertEquals(0, group.health().parkedEvents(), "the secondary path parks nothing");
        assertEquals(BusPath.SECONDARY, group.health().path());
        assertEquals(1, group.deadLetters().get(0).event().version());

        consumer.fixed = true;
        assertTrue(group.retryDeadLetter(group.deadLetters().get(0).id()), "the redrive handles the letter");
        assertEquals(List.of(2L, 1L), consumer.versionsOf("audit-poison"));
        assertEquals(ConsumerGroupHealth.Status.RUNNING, group.health().status());
    }

    @Test
    void rejectsABlankGroupName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> bus.subscribe(" ", BusPath.PRIMARY, event -> { }));
        assertTrue(String.valueOf(e.getMessage()).contains("group"), e.getMessage());
    }

    @Test
    void publishingNothingDeliversNothing() {
        AtomicInteger count = new AtomicInteger();
        track(bus.subscribe("empty", BusPath.PRIMARY, event -> count.incrementAndGet()));
        bus.publish(List.of());
        bus.publish(List.of(event("order-marker", 1, PRIMARY_TYPE)));
        await("the marker event arrived", () -> count.get() >= 1);
        assertEquals(1, count.get());
    }

    // ---------------------------------------------------------------- helpers

    /** Closes {@code subscription} after the test. */
    protected <S extends Subscription> S track(S subscription) {
        subscriptions.add(subscription);
        return subscription;
    }

    /** The dead-letter queue the bus under test was given. */
    protected DeadLetterQueue deadLetters() {
        return deadLetters;
    }

    /** Versions {@code from..to} of {@code streamId}, primary type, as one append. */
    protected static List<EventEnvelope> versions(String streamId, long from, long to) {
        List<EventEnvelope> out = new ArrayList<>();
        for (long v = from; v <= to; v++) {
            out.add(event(streamId, v, PRIMARY_TYPE));
        }
        return out;
    }

    /** A consumer that fails on one event of one aggregate until {@link #fixed}, and records the rest. */
    private static final class Poisoned implements io.nexus.core.bus.BusConsumer {
        private final String stream;
        private final long version;
        final Map<String, List<Long>> handled = new ConcurrentHashMap<>();
        final Set<UUID> ids = ConcurrentHashMap.newKeySet();
        final AtomicInteger poisonCalls = new AtomicInteger();
        volatile boolean fixed;

        Poisoned(String stream, long version) {
            this.stream = stream;
            this.version = version;
        }

        @Override
        public void onEvent(EventEnvelope event) {
            if (!fixed && event.streamId().equals(stream) && event.version() == version) {
                poisonCalls.incrementAndGet();
                throw new IllegalStateException("poison: cannot handle " + event.idempotencyKey());
            }
            handled.computeIfAbsent(event.streamId(), k -> Collections.synchronizedList(new ArrayList<>())).add(event.version());
            ids.add(event.eventId());
        }

        List<Long> versionsOf(String streamId) {
            List<Long> versions = handled.get(streamId);
            if (versions == null) {
                return List.of();
            }
            synchronized (versions) {
                return firstOccurrences(List.copyOf(versions));
            }
        }
    }

    /** A stored-looking envelope of {@code streamId} at {@code version}. */
    protected static EventEnvelope event(String streamId, long version, String eventType) {
        return new EventEnvelope(UUID.randomUUID(), streamId, "Order", version, EventEnvelope.NO_POSITION, eventType, 1,
                Instant.now(), null, null, Map.of(), EventPayload.ofJson("{\"v\":" + version + "}"));
    }

    private Set<UUID> publishAcrossStreams(int streams, int versions, String type) {
        Set<UUID> ids = new java.util.HashSet<>();
        for (int v = 1; v <= versions; v++) {
            for (int s = 0; s < streams; s++) {
                EventEnvelope e = event("stream-" + type + "-" + s, v, type);
                ids.add(e.eventId());
                bus.publish(List.of(e));
            }
        }
        return ids;
    }

    /** Waits up to {@link #timeout()} for {@code condition}; fails naming {@code what}. */
    protected void await(String what, BooleanSupplier condition) {
        Await.until(what, timeout(), condition::getAsBoolean);
    }

    private static int distinct(Map<String, List<Long>> seen) {
        int n = 0;
        for (List<Long> versions : seen.values()) {
            synchronized (versions) {
                n += Set.copyOf(versions).size();
            }
        }
        return n;
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long v = from; v <= to; v++) {
            out.add(v);
        }
        return out;
    }

    private static List<Long> firstOccurrences(List<Long> versions) {
        return new ArrayList<>(new LinkedHashMap<Long, Boolean>() {{
            versions.forEach(v -> putIfAbsent(v, Boolean.TRUE));
        }}.keySet());
    }

    /** A redelivery replays from some earlier version onwards; it never jumps forward past an unseen one. */
    private static void assertRedeliveriesOnlyRepeatASuffix(String stream, List<Long> versions) {
        long highest = 0;
        for (long v : versions) {
            assertFalse(v > highest + 1, "stream '" + stream + "' skipped to version " + v + " after " + highest + ": " + versions);
            highest = Math.max(highest, v);
        }
    }
}
