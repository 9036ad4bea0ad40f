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
     * Orders in the script: 40 make 555 commands, which the build runs; {@code -Dnexus.wholeSystem.orders=200}
     * makes about 2,000 (docs/whole-system-test.md says what each costs on DynamoDB Local).
     */
    static final int ORDERS = Integer.getInteger("nexus.wholeSystem.orders", 40);
    static final long SEED = 20261130L;
    static final int THREADS = 6;
    /** A bound on each wait for the asynchronous parts to settle; reaching it fails the test. */
    static final Duration SETTLE = Duration.ofMinutes(10);

    @Test
    void theWholeSystemSurvivesACloseAndASigkillAndEndsEqualToAFreshReplay() throws Exception {
        Workload workload = Workload.generate(ORDERS, SEED);
        String run = UUID.randomUUID().toString().substring(0, 8);
        OrderSystem.Names names = new OrderSystem.Names("whole-" + run + "-", "whole-orders-" + run, "orders-" + run);
        int size = workload.size();
        int endOfFirst = size * 30 / 100;
        int endOfChild = size * 65 / 100;

        try (SystemEngines engines = SystemEngines.start()) {
            EngineEndpoints endpoints = engines.endpoints();
            OrderSystem.provision(endpoints, names);

            // 1. An application in this JVM, closed while its saga, router and projections still work, once the
            //    poison event (early in the script) is a dead letter.
            Instant firstClosed;
            try (OrderSystem first = OrderSystem.start(endpoints, names)) {
                Driver.drive(first, workload.steps().subList(0, endOfFirst), THREADS, index -> { });
                await("the poison event dead-lettered by the first application",
                        () -> first.summaryProcessor().deadLetters().stream().findFirst().orElse(null));
                firstClosed = Instant.now();
            }

            // 2. An application in a child JVM, killed with SIGKILL a third of the way through its stretch.
            Set<Integer> doneInChild = runChildAndKill(endpoints, names, endOfFirst, endOfChild, (endOfChild - endOfFirst) / 3);
            assertTrue(doneInChild.size() < endOfChild - endOfFirst, "the child finished its stretch before it was killed");

            // 3. A new application on the same tables and streams finishes the script.
            // Every step the child did not report done is sent again: those in flight when it died may have
            // been applied, and their command ids make the re-send answer "already applied".
            List<Workload.Step> rest = workload.steps().subList(endOfFirst, size).stream()
                    .filter(step -> !doneInChild.contains(step.index())).toList();
            try (OrderSystem last = OrderSystem.start(endpoints, names)) {
                Driver.drive(last, rest, THREADS, index -> { });
                verify(last, workload, firstClosed);
            }
        }
    }

    private static void verify(OrderSystem system, Workload workload, Instant firstClosed) {
        String poisonOrder = workload.poisonOrderId();
        String orderType = OrderModule.definition().name();

        // Every saga ends: shipped, or compensated where the provider declined the payment.
        Map<String, SagaState> expectedSagas = new TreeMap<>();
        workload.expected().values().stream().filter(Workload.ExpectedOrder::confirmed).forEach(order ->
                expectedSagas.put(order.orderId(), Workload.declines(order.orderId()) ? SagaState.COMPENSATED : SagaState.COMPLETED));
        awaitEqual("saga states", expectedSagas, () -> sagaStates(system, expectedSagas.keySet()));

        // The store holds exactly what the script asked for: nothing lost, nothing applied twice. On DynamoDB the
        // global log is indexed from the table's Stream shortly after the appends, so its last events may need a moment.
        awaitEqual("orders in the store vs the script", expectedOrders(workload), () -> replayedOrders(
                LogReplay.of(system.nexus().eventStore(), system.nexus().codec(), orderType)));
        LogReplay replay = LogReplay.of(system.nexus().eventStore(), system.nexus().codec(), orderType);
        long addLines = workload.steps().stream().filter(s -> s.command() instanceof AddLine).count();
        assertEquals(addLines, (long) replay.eventCounts().get("LineAdded"), "LineAdded events vs AddLine commands");

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

        // Every read model equals the replay.
        awaitEqual("the DynamoDB-side summaries vs the replay", replayedOrders(replay),
                () -> summaryRows(system, replay.orders().keySet()));
        awaitEqual("the OpenSearch documents (fed from Kinesis) vs the replay", searchDocuments(replay),
                () -> indexedDocuments(system, replay.orders().keySet()));
    }

    // ---- the child JVM ---------------------------------------------------------------------------

    /** Runs the system in a child JVM on steps [from, to) and kills it after {@code killAfter} of them; returns the done ones. */
    private static Set<Integer> runChildAndKill(EngineEndpoints endpoints, OrderSystem.Names names, int from, int to, int killAfter)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx512m");
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
        T last = actual.get();
        while (!expected.equals(last) && System.nanoTime() < deadline) {
            pause();
            last = actual.get();
        }
        assertEquals(expected, last, what);
    }

    /** Waits until {@code probe} returns non-null and returns it; past {@link #SETTLE} fails. */
    private static <T> T await(String what, Supplier<T> probe) {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        T value = probe.get();
        while (value == null) {
            if (System.nanoTime() > deadline) {
                fail("gave up waiting for " + what + " after " + SETTLE);
            }
            pause();
            value = probe.get();
        }
        return value;
    }

    /** Lets the asynchronous parts work between two probes; the probe decides, never the pause. */
    private static void pause() {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
}
