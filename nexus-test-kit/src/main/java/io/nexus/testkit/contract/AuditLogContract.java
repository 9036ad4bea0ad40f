package io.nexus.testkit.contract;

import io.nexus.core.temporal.AuditLog;
import io.nexus.core.temporal.AuditRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static io.nexus.testkit.contract.ContractSupport.runConcurrently;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The contract every {@link AuditLog} implementation must meet, as a JUnit 5 suite.
 *
 * <p>An implementation runs it by subclassing and supplying a fresh, empty log per test:
 * <pre>{@code
 * class InMemoryAuditLogContractTest extends AuditLogContract {
 *     @Override
 *     protected AuditLog createLog() {
 *         return new InMemoryAuditLog();
 *     }
 * }
 * }</pre>
 * Every case is inherited through the {@link Nested} groups below; none may be overridden to skip it.
 * {@link #createLog()} is called before every test (do per-test setup such as a fresh table inside it);
 * a log that is {@link AutoCloseable} is closed after each test. It must be thread-safe and keep at least
 * the last 500 records.
 *
 * <p>What it checks: {@link Recording} (every field round-trips, records oldest first and newest last,
 * records of one instant in recording order, {@code recent(max)} gives the latest {@code max}),
 * {@link Concurrency} (concurrent records all kept) and {@link BadInput}.
 */
public abstract class AuditLogContract {

    private static final Instant T0 = Instant.parse("2026-11-30T08:00:00.000000007Z");

    private AuditLog log;

    /**
     * A new, empty log. Called once before every test; never returns {@code null}.
     *
     * @return the log under test
     */
    protected abstract AuditLog createLog();

    /**
     * The log of the running test, as {@link #createLog()} returned it.
     *
     * @return the log under test
     */
    protected final AuditLog log() {
        return log;
    }

    /** Creates the log for the next test through {@link #createLog()}. */
    @BeforeEach
    protected final void createFreshLog() {
        log = Objects.requireNonNull(createLog(), "createLog() returned null");
    }

    /**
     * Closes the log of the finished test when it is {@link AutoCloseable}.
     *
     * @throws Exception whatever its {@code close()} throws
     */
    @AfterEach
    protected final void closeLog() throws Exception {
        if (log instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    /** Recording and reading back. */
    @Nested
    @DisplayName("recording")
    public class Recording {

        @Test
        @DisplayName("a record reads back with every field")
        void roundTrip() {
            AuditRecord record = new AuditRecord(T0, "client-7", Map.of("sub", "ada", "role", "auditor", "note", "é"),
                    "Order", "order-42", "as of 2026-01-01T00:00:00Z", AuditRecord.Outcome.DENIED,
                    "principal 'ada' may not read 'order-42'", Duration.ofNanos(1_234_567));
            log.record(record);
            assertEquals(List.of(record), log.recent(10), "recent");
        }

        @Test
        @DisplayName("a policy decision reads back with its action, rule and reasons")
        void policyDecisionRoundTrip() {
            AuditRecord record = new AuditRecord(T0, "policy", Map.of("sub", "eve"), "Order", "order-7", "append [OrderPlaced]",
                    AuditRecord.Outcome.DENIED, "r1; r2", Duration.ofNanos(42), "append", "event-ownership", List.of("r1", "r2"));
            log.record(record);
            assertEquals(List.of(record), log.recent(10), "recent");
        }

        @Test
        @DisplayName("every outcome round-trips, and so does an empty principal and detail")
        void everyOutcome() {
            List<AuditRecord> records = new ArrayList<>();
            int i = 0;
            for (AuditRecord.Outcome outcome : AuditRecord.Outcome.values()) {
                records.add(new AuditRecord(T0.plusSeconds(i++), "c", Map.of(), "Order", "order-" + i, "version " + i,
                        outcome, "", Duration.ZERO));
            }
            records.forEach(log::record);
            assertEquals(records, log.recent(100), "recent");
        }

        @Test
        @DisplayName("recent(max) gives the latest max records, oldest first and newest last")
        void recentIsBoundedNewestLast() {
            List<AuditRecord> records = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                records.add(record(T0.plusMillis(i), "order-" + i));
                log.record(records.get(i));
            }
            assertEquals(records.subList(15, 25), log.recent(10), "recent(10)");
            assertEquals(records, log.recent(1000), "recent(1000)");
            assertEquals(List.of(records.get(24)), log.recent(1), "recent(1)");
            assertEquals(List.of(), log.recent(0), "recent(0)");
        }

        @Test
        @DisplayName("records of the same instant come back in recording order")
        void sameInstantInRecordingOrder() {
            List<AuditRecord> records = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                records.add(record(T0, "order-" + i));
                log.record(records.get(i));
            }
            assertEquals(records, log.recent(12), "records of one instant");
        }

        @Test
        @DisplayName("500 records are all kept, in order")
        void manyRecords() {
            List<AuditRecord> records = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                records.add(record(T0.plusMillis(i), "order-" + i));
                log.record(records.get(i));
            }
            assertEquals(records, log.recent(500), "recent(500)");
            assertEquals(records.subList(450, 500), log.recent(50), "recent(50)");
        }
    }

    /** Several threads recording at once. */
    @Nested
    @DisplayName("concurrency")
    public class Concurrency {

        @Test
        @DisplayName("concurrent records are all kept")
        void concurrentRecords() {
            int threads = 8;
            int each = 10;
            runConcurrently(threads, worker -> {
                for (int i = 0; i < each; i++) {
                    log.record(record(T0.plusSeconds(worker).plusMillis(i), "order-" + worker + "-" + i));
                }
                return null;
            });
            List<AuditRecord> recent = log.recent(1000);
            Set<String> ids = new HashSet<>();
            recent.forEach(r -> ids.add(r.aggregateId()));
            assertEquals(threads * each, ids.size(), "distinct records kept");
            assertEquals(threads * each, recent.size(), "records kept");
        }
    }

    /** Input the port refuses. */
    @Nested
    @DisplayName("bad input")
    public class BadInput {

        // the contract is that the port refuses null: passed on purpose
        @SuppressWarnings("NullAway")
        @Test
        @DisplayName("a null record or a negative max is refused and changes nothing")
        void refused() {
            AuditRecord kept = record(T0, "order-1");
            log.record(kept);
            assertThrows(NullPointerException.class, () -> log.record(null), "record(null)");
            assertThrows(IllegalArgumentException.class, () -> log.recent(-1), "recent(-1)");
            assertEquals(List.of(kept), log.recent(10), "recent after refused calls");
        }
    }

    private static AuditRecord record(Instant at, String aggregateId) {
        return new AuditRecord(at, "client-1", Map.of("sub", "ada"), "Order", aggregateId, "version 3",
                AuditRecord.Outcome.SUCCEEDED, "3 events", Duration.ofMillis(2));
    }
}
