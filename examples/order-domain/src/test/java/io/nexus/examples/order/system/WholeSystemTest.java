package io.nexus.examples.order.system;

import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.notification.Notification;
import io.nexus.core.readmodel.Versioned;
import io.nexus.core.store.Subscription;
import io.nexus.examples.order.OrderModule;
import io.nexus.examples.order.domain.AddLine;
import io.nexus.examples.order.domain.Order;
import io.nexus.examples.order.domain.OrderLine;
import io.nexus.examples.order.domain.OrderState;
import io.nexus.examples.order.search.OrderDocument;
import io.nexus.local.EngineEndpoints;
import io.nexus.saga.SagaState;
import io.nexus.saga.SagaStatus;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The whole Order system on the real engines at once (docs/whole-system-test.md): the Order domain and its
 * fulfilment saga on DynamoDB, DynamoDB Streams change capture routed to a Kinesis bus, a search projection
 * fed from Kinesis into OpenSearch, an order-summary projection into a key-value read-model store with
 * dead letters and notifications, and a payment provider on the bus.
 *
 * <p>The commands of {@link #ORDERS} orders are driven in three stretches by three
 * successive applications on the same tables and streams: the first is closed mid-way, the second runs in a
 * child JVM that is killed with SIGKILL while it works, the third finishes. One command adds a line the
 * summary projection refuses until a fix is deployed. At the end, every read model equals a fresh replay of
 * the store, the store holds exactly what the script asked for, the poison event was dead-lettered and
 * retried after the fix, and every saga finished or was compensated.
 */
class WholeSystemTest {

    /**
     * Orders in the script: 200 make 2,052 commands, which the build runs; {@code -Dnexus.wholeSystem.orders=N}
     * changes it (docs/whole-system-test.md says what it costs on DynamoDB Local).
     */
    static final int ORDERS = Integer.getInteger("nexus.wholeSystem.orders", 200);
    static final long SEED = 20261130L;
    /**
     * Command senders per application. A command is four round trips to DynamoDB; many in flight keep the engines
     * busy instead of waiting on each other. One order's commands stay on one sender, in order.
     */
    static final int THREADS = 16;
    /** A bound on each wait for the asynchronous parts to settle; reaching it fails the test. */
    static final Duration SETTLE = Duration.ofMinutes(10);
    /** Where the test writes how long each phase took (wall clock and this JVM's CPU), for docs/whole-system-test.md. */
    static final Path TIMINGS = Path.of("target", "whole-system-timings.txt");

    @Test
    void theWholeSystemSurvivesACloseAndASigkillAndEndsEqualToAFreshReplay() throws Exception {
        Workload workload = Workload.generate(ORDERS, SEED);
        String run = UUID.randomUUID().toString().substring(0, 8);
        OrderSystem.Names names = new OrderSystem.Names("whole-" + run + "-", "whole-orders-" + run, "orders-" + run);
        int size = workload.size();
        int endOfFirst = size * 30 / 100;
        int endOfChild = size * 65 / 100;
        Timings timings = new Timings(size);

        try (SystemEngines engines = SystemEngines.start()) {
            EngineEndpoints endpoints = engines.endpoints();
            OrderSystem.provision(endpoints, names);
            timings.phase("engines started, tables, stream and index created");

            // 1. An application in this JVM, closed while its saga, router and projections still work, once the
            //    poison event (early in the script) is a dead letter.
            Instant firstClosed;
            try (OrderSystem first = OrderSystem.start(endpoints, names)) {
                timings.phase("first application started");
                Driver.drive(first, workload.steps().subList(0, endOfFirst), THREADS, index -> { });
                timings.phase("first application sent " + endOfFirst + " commands");
                await("the poison event dead-lettered by the first application",
                        () -> first.summaryProcessor().deadLetters().stream().findFirst().orElse(null));
                timings.phase("poison event dead-lettered");
                firstClosed = Instant.now();
            }
            timings.phase("first application closed");

            // 2. An application in a child JVM, killed with SIGKILL a third of the way through its stretch.
            Set<Integer> doneInChild = runChildAndKill(endpoints, names, endOfFirst, endOfChild, (endOfChild - endOfFirst) / 3);
            assertTrue(doneInChild.size() < endOfChild - endOfFirst, "the child finished its stretch before it was killed");
            timings.phase("child JVM started, sent " + doneInChild.size() + " commands, killed");

            // 3. A new application on the same tables and streams finishes the script.
            // Every step the child did not report done is sent again: those in flight when it died may have
            // been applied, and their command ids make the re-send answer "already applied".
            List<Workload.Step> rest = workload.steps().subList(endOfFirst, size).stream()
                    .filter(step -> !doneInChild.contains(step.index())).toList();
            try (OrderSystem last = OrderSystem.start(endpoints, names)) {
                timings.phase("last application started");
                Driver.drive(last, rest, THREADS, index -> { });
                timings.phase("last application sent " + rest.size() + " commands");
                verify(last, workload, firstClosed, timings);
            }
            timings.phase("last application closed");
        }
        timings.phase("engines stopped");
    }

    private static void verify(OrderSystem system, Workload workload, Instant firstClosed, Timings timings) {
        String poisonOrder = workload.poisonOrderId();
        String orderType = OrderModule.definition().name();

        // Every saga ends: shipped, or compensated where the provider declined the payment.
        Map<String, SagaState> expectedSagas = new TreeMap<>();
        workload.expected().values().stream().filter(Workload.ExpectedOrder::confirmed).forEach(order ->
                expectedSagas.put(order.orderId(), Workload.declines(order.orderId()) ? SagaState.COMPENSATED : SagaState.COMPLETED));
        awaitEqual("saga states", expectedSagas, () -> sagaStates(system, expectedSagas.keySet()));
        timings.phase("every saga finished (" + expectedSagas.size() + ")");

        // The store holds exactly what the script asked for: nothing lost, nothing applied twice. On DynamoDB the
        // global log is indexed from the table's Stream shortly after the appends, so its last events may need a moment.
        awaitEqual("orders in the store vs the script", expectedOrders(workload), () -> replayedOrders(
                LogReplay.of(system.nexus().eventStore(), system.nexus().codec(), orderType)));
        LogReplay replay = LogReplay.of(system.nexus().eventStore(), system.nexus().codec(), orderType);
        long addLines = workload.steps().stream().filter(s -> s.command() instanceof AddLine).count();
        assertEquals(addLines, (long) replay.eventCounts().get("LineAdded"), "LineAdded events vs AddLine commands");
        timings.phase("the global log replayed equal to the script");

        // Loading through snapshots (DynamoDB) gives the replayed state; the big orders were snapshotted.
        Map<String, String> loaded = new TreeMap<>();
        for (String orderId : replay.orders().keySet()) {
            Order order = system.nexus().repository(Order.class).load(orderId);
            loaded.put(orderId, describe(order.state(), order.version()));
        }
        assertEquals(replayedOrders(replay), loaded, "aggregates loaded from snapshots and events vs the replay");
        for (int n = 0; n < Workload.BIG_ORDERS; n++) {
            assertTrue(system.nexus().snapshotStore().latest("order-" + n).isPresent(), "no snapshot of big order order-" + n);
        }

        // The poison line is still the dead letter the first application made (the queue is durable: a close
        // and a SIGKILL later, nobody handled it again); its order is parked behind it.
        DeadLetter poison = await("the poison event in the dead-letter queue",
                () -> system.summaryProcessor().deadLetters().stream().findFirst().orElse(null));
        assertEquals(List.of(poisonOrder, "LineAdded"), List.of(poison.event().streamId(), poison.event().eventType()));
        assertTrue(poison.lastFailedAt().isBefore(firstClosed), "the poison event was tried again after the first application: "
                + poison);
        assertEquals(1, system.summaryProcessor().deadLetters().size(), "dead letters: " + system.summaryProcessor().deadLetters());
        Map<String, String> expectedSummaries = replayedOrders(replay);
        expectedSummaries.remove(poisonOrder);
        awaitEqual("summaries of every order but the parked one", expectedSummaries, () -> {
            Map<String, String> rows = summaryRows(system, replay.orders().keySet());
            rows.remove(poisonOrder);
            return rows;
        });
        assertEquals(poison.event().version() - 1, system.summaries().get(poisonOrder).orElseThrow().version(),
                "the parked order's row stops before the poison event");

        // Deploy the fix and retry the dead letter: the parked order catches up and its subscriber hears it.
        List<Notification> heard = new CopyOnWriteArrayList<>();
        long finalVersion = replay.streamVersions().get(poisonOrder);
        try (Subscription ignored = system.nexus().notifications().subscribe("test-client", poisonOrder, poison.event().version() - 1,
                heard::add)) {
            system.deployFix();
            assertTrue(system.summaryProcessor().retryDeadLetter(poison.id()), "the retry of the poison dead letter failed");
            await("a notification of the poison order's last version",
                    () -> heard.stream().anyMatch(n -> n.version() == finalVersion) ? Boolean.TRUE : null);
        }
        assertEquals(List.of(), system.summaryProcessor().deadLetters(), "dead letters after the retry");
        timings.phase("snapshots, dead letter, summaries checked; poison retried and notified");

        // Every read model equals the replay.
        awaitEqual("the DynamoDB-side summaries vs the replay", replayedOrders(replay),
                () -> summaryRows(system, replay.orders().keySet()));
        awaitEqual("the OpenSearch documents (fed from Kinesis) vs the replay", searchDocuments(replay),
                () -> indexedDocuments(system, replay.orders().keySet()));
        timings.phase("read models equal to the replay");
    }

    // ---- the child JVM ---------------------------------------------------------------------------

    /** Runs the system in a child JVM on steps [from, to) and kills it after {@code killAfter} of them; returns the done ones. */
    private static Set<Integer> runChildAndKill(EngineEndpoints endpoints, OrderSystem.Names names, int from, int to, int killAfter)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx512m");
        // The child lives for a few hundred commands: C1 code and one GC thread leave the two cores to the engines.
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.addAll(List.of(endpoints.toJvmArguments()));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(OrderSystemProcess.class.getName());
        command.addAll(List.of(names.tablePrefix(), names.busStream(), names.searchAlias(), String.valueOf(ORDERS),
                String.valueOf(SEED), String.valueOf(from), String.valueOf(to), String.valueOf(THREADS)));
        Path log = Files.createDirectories(Path.of("target")).resolve("whole-system-child.log");
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(log.toFile())).start();
        Set<Integer> done = ConcurrentHashMap.newKeySet();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith("done ")) {
                        done.add(Integer.parseInt(line.substring(5)));
                    }
                }
            } catch (IOException killed) {
                // the pipe closes when the child dies
            }
        }, "whole-system-child-output");
        reader.start();
        try {
            await("the child to send " + killAfter + " commands (see " + log + ")", () -> {
                if (!child.isAlive()) {
                    fail("the child JVM exited with " + child.exitValue() + " before it was killed; see " + log);
                }
                return done.size() >= killAfter ? Boolean.TRUE : null;
            });
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not die");
            reader.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertEquals(137, child.exitValue(), "the child was not killed with SIGKILL");
        return Set.copyOf(done);
    }

    // ---- comparable views ------------------------------------------------------------------------

    private static Map<String, String> expectedOrders(Workload workload) {
        Map<String, String> orders = new TreeMap<>();
        for (Workload.ExpectedOrder order : workload.expected().values()) {
            Map<String, Integer> quantities = new TreeMap<>();
            Map<String, Long> prices = new TreeMap<>();
            order.lines().forEach((sku, line) -> {
                quantities.put(sku, line.quantity());
                prices.put(sku, line.unitPriceCents());
            });
            orders.put(order.orderId(), order.customerId() + " " + order.status() + " " + quantities + " " + prices + " " + order.totalCents());
        }
        return orders;
    }

    /** Orders as the replay has them, in the script's terms (no version): comparable with {@link #expectedOrders}. */
    private static Map<String, String> replayedOrders(LogReplay replay) {
        Map<String, String> orders = new TreeMap<>();
        replay.orders().forEach((id, order) -> orders.put(id, order.customerId() + " " + order.status() + " "
                + new TreeMap<>(order.quantities()) + " " + new TreeMap<>(order.prices()) + " " + order.totalCents()));
        return orders;
    }

    private static String describe(OrderState state, long version) {
        Map<String, Integer> quantities = new TreeMap<>();
        Map<String, Long> prices = new TreeMap<>();
        for (OrderLine line : state.lines()) {
            quantities.put(line.sku(), line.quantity());
            prices.put(line.sku(), line.unitPriceCents());
        }
        return state.customerId() + " " + state.status() + " " + quantities + " " + prices + " " + state.totalCents();
    }

    private static Map<String, String> summaryRows(OrderSystem system, Set<String> orderIds) {
        Map<String, String> rows = new TreeMap<>();
        for (Map.Entry<String, Versioned<OrderSummaries.Row>> entry : system.summaries().getAll(orderIds).entrySet()) {
            OrderSummaries.Row row = entry.getValue().value();
            rows.put(entry.getKey(), row.customerId() + " " + row.status() + " " + new TreeMap<>(row.quantities()) + " "
                    + new TreeMap<>(row.lineAmounts()) + " " + row.totalCents());
        }
        return rows;
    }

    private static Map<String, String> searchDocuments(LogReplay replay) {
        Map<String, String> documents = new TreeMap<>();
        replay.orders().forEach((id, order) -> documents.put(id, order.customerId() + " " + order.status() + " "
                + new TreeMap<>(order.quantities()) + " " + order.totalCents() + " @" + order.version()));
        return documents;
    }

    private static Map<String, String> indexedDocuments(OrderSystem system, Set<String> orderIds) {
        Map<String, String> documents = new TreeMap<>();
        for (String id : orderIds) {
            system.search().orders().get(id).ifPresent(versioned -> {
                OrderDocument document = versioned.document();
                Map<String, Integer> quantities = new TreeMap<>();
                document.lines().forEach(line -> quantities.put(line.sku(), line.quantity()));
                documents.put(id, document.customerId() + " " + document.status() + " " + quantities + " "
                        + document.totalCents() + " @" + versioned.version());
            });
        }
        return documents;
    }

    private static Map<String, SagaState> sagaStates(OrderSystem system, Set<String> orderIds) {
        Map<String, SagaState> states = new TreeMap<>();
        for (String orderId : orderIds) {
            states.put(orderId, system.fulfilment().status(orderId).map(SagaStatus::state).orElse(null));
        }
        return states;
    }

    // ---- bounded waits -----------------------------------------------------------------------------

    /** Waits until {@code actual} equals {@code expected}; past {@link #SETTLE} fails with the last difference. */
    private static <T> void awaitEqual(String what, T expected, Supplier<T> actual) {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        Probes probes = new Probes();
        T last = actual.get();
        while (!expected.equals(last) && System.nanoTime() < deadline) {
            probes.pause();
            last = actual.get();
        }
        assertEquals(expected, last, what);
    }

    /** Waits until {@code probe} returns non-null and returns it; past {@link #SETTLE} fails. */
    private static <T> T await(String what, Supplier<T> probe) {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        Probes probes = new Probes();
        T value = probe.get();
        while (value == null) {
            if (System.nanoTime() > deadline) {
                fail("gave up waiting for " + what + " after " + SETTLE);
            }
            probes.pause();
            value = probe.get();
        }
        return value;
    }

    /**
     * The pauses between the probes of one wait: short at first (most conditions hold soon), then longer up to
     * a second, because a probe (a saga status per order, a replay of the whole log, a document per order) loads
     * the same engines the system under test needs to get there. The probe decides, never the pause.
     */
    private static final class Probes {
        private long pauseMillis = 25;

        void pause() {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pauseMillis));
            pauseMillis = Math.min(1_000, pauseMillis * 2);
        }
    }

    /** How long each phase took, written to {@link #TIMINGS}: wall clock and the CPU time of this JVM. */
    private static final class Timings {
        private final long start = System.nanoTime();
        private final List<String> lines = new ArrayList<>();
        private long last = start;
        private long lastCpu = cpuNanos();

        Timings(int commands) {
            lines.add("whole-system test, " + commands + " commands, " + ORDERS + " orders, " + THREADS + " senders");
        }

        void phase(String name) {
            long now = System.nanoTime();
            long cpu = cpuNanos();
            lines.add(String.format(java.util.Locale.ROOT, "%7.1f s  +%6.1f s wall  +%6.1f s cpu  %s", (now - start) / 1e9,
                    (now - last) / 1e9, (cpu - lastCpu) / 1e9, name));
            last = now;
            lastCpu = cpu;
            try {
                Files.createDirectories(TIMINGS.getParent());
                Files.write(TIMINGS, lines, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        private static long cpuNanos() {
            return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                    instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
        }
    }
}
