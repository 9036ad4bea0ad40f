package io.nexus.benchmarks.readside;

import io.nexus.benchmarks.Deposited;
import io.nexus.benchmarks.Workloads;
import io.nexus.core.event.NewEvent;
import io.nexus.core.notification.Notification;
import io.nexus.core.notification.NotificationHub;
import io.nexus.core.projection.ProcessingMode;
import io.nexus.core.projection.ProjectionProcessor;
import io.nexus.core.projection.TaskScheduler;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.store.Subscription;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The end-to-end read path, wired once: an embedded store, a {@link ReadSideWorkloads.CountingProjection}
 * run by a {@link ProjectionProcessor} in the given mode with a {@link NotificationHub} as its listener, and
 * one hub client per aggregate subscribed to that aggregate. {@link #appendAndAwait} appends one event to
 * the next aggregate (round-robin) straight to the store and returns when the client of that aggregate
 * has been notified of the new version.
 *
 * <p>Each client watches its own aggregate, as a user watches their own writes, so the hub's default
 * throttle (100 notifications per second per client) never delays a notification unless one aggregate
 * is written more than 100 times a second: with {@code aggregates} clients in round-robin that is above
 * {@code 100 × aggregates} operations per second. {@link #throttled()} counts the notifications the
 * throttle held back (delivered later by the hub's flush task), so a run can prove it measured none.
 *
 * <p>One caller thread at a time; the notification is delivered on the appending thread (inline mode)
 * or on the processor's thread (asynchronous mode).
 */
public final class NotificationPipeline implements AutoCloseable {

    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final String HUB_THREAD = "nexus-benchmark-notifications";

    private final InMemoryEventStore store = InMemoryEventStore.builder().build();
    private final TaskScheduler hubScheduler = TaskScheduler.singleThread(HUB_THREAD);
    private final NotificationHub hub = NotificationHub.builder(hubScheduler).build();
    private final ReadSideWorkloads.CountingProjection projection = new ReadSideWorkloads.CountingProjection();
    private final ProjectionProcessor processor;
    private final String[] ids;
    private final long[] versions;
    private final List<Subscription> subscriptions = new ArrayList<>();
    private final NewEvent[] templates;
    private final long runId = System.nanoTime();
    private long sequence;
    private int next;

    private volatile Thread waiter;
    private volatile long deliveredVersion;
    private volatile String deliveredAggregate;
    private volatile long deliveredAtNanos;
    private volatile boolean deliveredByFlush;
    private long throttled;

    public NotificationPipeline(ProcessingMode mode, int aggregates) {
        EventCodec codec = ReadSideWorkloads.codec();
        this.processor = ProjectionProcessor.builder(projection, store, codec).mode(mode).listener(hub).build();
        this.ids = new String[aggregates];
        this.versions = new long[aggregates];
        this.templates = new NewEvent[aggregates];
        for (int a = 0; a < aggregates; a++) {
            String id = Workloads.accountId(a);
            ids[a] = id;
            // One encoded payload per aggregate, reused: the bytes and decoded object are immutable, and the
            // measured path is the read side, not serialization.
            templates[a] = codec.encode(new Deposited(id, 1 + a % 100, Workloads.REFERENCE), new UUID(0, a), null, null, Map.of());
            subscriptions.add(hub.subscribe("client-" + a, id, 0, this::delivered));
        }
        processor.start();
    }

    private void delivered(Notification notification) {
        deliveredAtNanos = System.nanoTime();
        deliveredByFlush = Thread.currentThread().getName().equals(HUB_THREAD);
        deliveredAggregate = notification.aggregateId();
        deliveredVersion = notification.version();
        Thread t = waiter;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Appends one event to the next aggregate and waits until its client is notified of that version.
     *
     * @return the {@link System#nanoTime()} at which the notification was delivered (minus the start time
     *         is the end-to-end latency without the caller's own wake-up)
     * @throws IllegalStateException if no notification arrives within 10 s
     */
    public long appendAndAwait() {
        int a = next;
        next = next + 1 == ids.length ? 0 : next + 1;
        String id = ids[a];
        long expected = versions[a];
        NewEvent template = templates[a];
        NewEvent event = new NewEvent(new UUID(runId, ++sequence), template.eventType(), template.schemaVersion(),
                template.payload(), null, null, Map.of());
        waiter = Thread.currentThread();
        store.append(id, Workloads.AGGREGATE_TYPE, ExpectedVersion.exactly(expected), List.of(event));
        long version = expected + 1;
        versions[a] = version;
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (deliveredVersion != version || !id.equals(deliveredAggregate)) {
            if (deliveredVersion > version && id.equals(deliveredAggregate)) {
                break;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("No notification of aggregate '" + id + "' version " + version
                        + " within 10 s; processor health: " + processor.health());
            }
            LockSupport.parkNanos(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(1)));
        }
        if (deliveredByFlush) {
            throttled++;
        }
        return deliveredAtNanos;
    }

    /** Awaited notifications that the throttle held back and the hub's flush task delivered later. */
    public long throttled() {
        return throttled;
    }

    public ReadSideWorkloads.CountingProjection projection() {
        return projection;
    }

    public NotificationHub hub() {
        return hub;
    }

    public InMemoryEventStore store() {
        return store;
    }

    @Override
    public void close() {
        subscriptions.forEach(Subscription::close);
        processor.close();
        hubScheduler.close();
    }
}
