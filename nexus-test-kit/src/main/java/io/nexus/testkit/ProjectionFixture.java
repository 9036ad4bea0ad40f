package io.nexus.testkit;

import io.nexus.core.Nexus;
import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.event.NewEvent;
import io.nexus.core.lifecycle.NexusContext;
import io.nexus.core.projection.ProcessingMode;
import io.nexus.core.projection.ProjectionProcessor;
import io.nexus.core.projection.TypedProjection;
import io.nexus.core.readmodel.ReadModelStore;
import io.nexus.core.readmodel.Versioned;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.upcast.Upcaster;
import io.nexus.testkit.internal.Differences;
import io.nexus.testkit.logging.LogCapture;
import org.opentest4j.AssertionFailedError;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Given events, expect the read model: tests for one projection, run by the real processor (decoding,
 * upcasting, checkpoints, read-model stores) of an in-memory application.
 *
 * <pre>{@code
 * ProjectionFixture summaries = ProjectionFixture.forProjection(OrderModule.eventTypes(),
 *         context -> new OrderSummaryProjection(context.readModels()));
 * summaries.given("order-1", new OrderPlaced("customer-7"), new LineAdded("sku-1", 2, 500))
 *          .expectReadModel(OrderSummaryProjection.NAME, Row.class, "order-1", expectedRow);
 * }</pre>
 *
 * Each {@code given} starts from an empty application; events are stored as history of streams of
 * aggregate type {@link #aggregateType(String) "aggregate"} and applied before {@code given} returns. A
 * handler that throws fails the test with its exception (the projection is given one attempt per event;
 * its dead-letter log line is captured, not printed). Not thread-safe: one fixture per test.
 */
public final class ProjectionFixture {

    private static final Duration CATCH_UP_LIMIT = Duration.ofSeconds(10);

    private final EventTypes types;
    private final Function<? super NexusContext, ? extends TypedProjection> factory;
    private final ControllableClock clock = ControllableClock.standard();
    private final List<Upcaster> upcasters = new ArrayList<>();
    private String aggregateType = "aggregate";

    private ProjectionFixture(EventTypes types, Function<? super NexusContext, ? extends TypedProjection> factory) {
        this.types = Objects.requireNonNull(types, "types");
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    /**
     * A fixture for the projection {@code factory} makes from the application (take read-model stores from
     * {@code context.readModels()}), consuming events of {@code types}.
     */
    public static ProjectionFixture forProjection(EventTypes types, Function<? super NexusContext, ? extends TypedProjection> factory) {
        return new ProjectionFixture(types, factory);
    }

    /** The aggregate type the given streams are stored under ({@code "aggregate"} by default). */
    public ProjectionFixture aggregateType(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("aggregateType must not be blank, but was '" + value + "'");
        }
        this.aggregateType = value;
        return this;
    }

    /** Adds an upcaster (given events may then be old versions, see {@link Given#andStored}). */
    public ProjectionFixture upcaster(Upcaster value) {
        upcasters.add(Objects.requireNonNull(value, "upcaster"));
        return this;
    }

    /** The clock of the application (the events' timestamps). */
    public ControllableClock clock() {
        return clock;
    }

    /** Stream {@code streamId} has these events; the projection has applied them when this returns. */
    public Given given(String streamId, Object... events) {
        return new Given().and(streamId, events);
    }

    /** No events: the read model starts empty. */
    public Given givenNothing() {
        return new Given();
    }

    /** The events so far and the read model they built, with assertions that chain. */
    public final class Given implements AutoCloseable {
        private final Nexus nexus;
        private final String name;
        private final List<String> history = new ArrayList<>();
        private String logs = "";

        private Given() {
            String[] made = new String[1];
            Nexus.Builder builder = Nexus.builder().eventTypes(types).clock(clock).projection(context -> {
                TypedProjection projection = factory.apply(context);
                made[0] = projection.name();
                return projection;
            }, options -> options.mode(ProcessingMode.INLINE).retry(RetryPolicy.none()));
            upcasters.forEach(builder::upcaster);
            this.nexus = builder.build();
            this.name = made[0];
            nexus.start();
        }

        /** More events, for the same or another stream; applied when this returns. */
        public Given and(String streamId, Object... events) {
            List<NewEvent> encoded = new ArrayList<>(events.length);
            for (Object event : events) {
                encoded.add(nexus.codec().encode(event, UUID.randomUUID(), null, null, Map.of()));
                history.add(streamId + ": " + Differences.show(event));
            }
            return append(streamId, encoded);
        }

        /** Events in stored form (an old schema version that upcasters convert, say); applied when this returns. */
        public Given andStored(String streamId, NewEvent... events) {
            for (NewEvent event : events) {
                history.add(streamId + ": " + event.eventType() + " (stored, schema version " + event.schemaVersion() + ")");
            }
            return append(streamId, List.of(events));
        }

        private Given append(String streamId, List<NewEvent> events) {
            if (!events.isEmpty()) {
                try (LogCapture capture = LogCapture.start()) {
                    nexus.eventStore().append(streamId, aggregateType, ExpectedVersion.any(), events);
                    awaitCaughtUp();
                    logs += capture.text();
                }
            }
            List<DeadLetter> failed = processor().deadLetters();
            if (!failed.isEmpty()) {
                DeadLetter first = failed.get(0);
                throw new AssertionFailedError("Projection '" + name + "' failed on " + first.event().eventType() + " of stream '"
                        + first.event().streamId() + "' version " + first.event().version() + ": " + first.causeType() + ": "
                        + first.causeMessage() + "\n  events given:" + Differences.numbered(history)
                        + "\n  its stack trace:\n" + first.causeTrace()
                        + "\nA handler must accept every event its stream can hold; fix the handler or the events given.");
            }
            return this;
        }

        private void awaitCaughtUp() {
            long head = nexus.eventStore().headPosition();
            long deadline = System.nanoTime() + CATCH_UP_LIMIT.toNanos();
            while (processor().position() < head && processor().deadLetters().isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionFailedError("Projection '" + name + "' reached position " + processor().position()
                            + " of " + head + " within " + CATCH_UP_LIMIT.toSeconds() + " s; its health: " + processor().health());
                }
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
        }

        private ProjectionProcessor processor() {
            return nexus.projection(name);
        }

        /**
         * The read model {@code store} holds {@code expected} under {@code id}; a failure lists the differing fields.
         */
        public <V> Given expectReadModel(String store, Class<V> type, String id, V expected) {
            Optional<Versioned<V>> actual = nexus.readModels().store(store, type).get(id);
            if (actual.isEmpty()) {
                throw new AssertionFailedError("Read model '" + store + "' has no entry '" + id + "' after the events given:"
                        + Differences.numbered(history) + "\n  expected: " + Differences.show(expected)
                        + "\nCheck that the projection handles these events and stores under this id.", expected, null);
            }
            if (!Objects.equals(expected, actual.get().value())) {
                throw new AssertionFailedError("Read model '" + store + "' entry '" + id + "' differs from the expected one."
                        + "\n  expected: " + Differences.show(expected) + "\n  actual:   " + Differences.show(actual.get().value())
                        + "\n  differences:" + Differences.block(expected, actual.get().value())
                        + "\n  events given:" + Differences.numbered(history)
                        + "\nCheck the projection's handler of the event that sets these fields.", expected, actual.get().value());
            }
            return this;
        }

        /** The read model {@code store} has no entry {@code id}. */
        public <V> Given expectNoReadModel(String store, Class<V> type, String id) {
            nexus.readModels().store(store, type).get(id).ifPresent(actual -> {
                throw new AssertionFailedError("Read model '" + store + "' has an entry '" + id + "' (" + Differences.show(actual.value())
                        + ", version " + actual.version() + ") but none was expected; events given:" + Differences.numbered(history),
                        null, actual.value());
            });
            return this;
        }

        /** The read model {@code store} satisfies {@code assertions}. */
        public <V> Given expectReadModel(String store, Class<V> type, Consumer<ReadModelStore<V>> assertions) {
            assertions.accept(nexus.readModels().store(store, type));
            return this;
        }

        /** What the projection's processor logged while applying the given events. */
        public String logs() {
            return logs;
        }

        /** The application under test, for anything the fixture does not cover. */
        public Nexus nexus() {
            return nexus;
        }

        /** Closes the application. */
        @Override
        public void close() {
            nexus.close();
        }
    }
}
