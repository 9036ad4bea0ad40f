package io.nexus.core.temporal;

import io.nexus.core.Nexus;
import io.nexus.core.aggregate.AggregateRepository;
import io.nexus.core.aggregate.TemporalLimitExceededException;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.policy.PolicyDecision;
import io.nexus.core.policy.PolicyDeniedException;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.store.ReadStream;
import io.nexus.core.store.StreamQuery;
import io.nexus.core.testdomain.Account;
import io.nexus.core.testdomain.Accounts;
import io.nexus.core.testdomain.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TemporalQueryServiceTest {

    private final MutableClock clock = new MutableClock();
    private final InMemoryAuditLog audit = new InMemoryAuditLog();
    private final QueryContext ann = QueryContext.of("client-a", Map.of("user", "ann", "role", "auditor"));
    private Nexus nexus;
    private AggregateRepository<Account> accounts;
    private Instant afterSecondDeposit;

    @BeforeEach
    void history() {
        nexus = Accounts.nexus().clock(clock).build();
        accounts = nexus.repository(Account.class);
        nexus.commands().send(new Account.Open("acc-1", "ann"));
        for (int i = 1; i <= 9; i++) {
            clock.advance(Duration.ofDays(1));
            nexus.commands().send(new Account.Deposit("acc-1", 10));
            if (i == 2) {
                afterSecondDeposit = clock.instant();
            }
        }
    }

    @AfterEach
    void close() {
        nexus.close();
    }

    private TemporalQueryService.Builder service() {
        return TemporalQueryService.builder(nexus.eventStore()).clock(clock).auditLog(audit);
    }

    @Test
    void rebuildsAtAVersionAndAsOfAnInstantAndAuditsEach() {
        try (TemporalQueryService temporal = service().build()) {
            TemporalResult<Account> v4 = temporal.atVersion(ann, accounts, "acc-1", 4);
            assertEquals(30, v4.aggregate().balance());
            assertEquals(4, v4.aggregate().version());
            TemporalResult<Account> then = temporal.asOf(ann, accounts, "acc-1", afterSecondDeposit);
            assertEquals(20, then.aggregate().balance());
        }
        List<AuditRecord> records = audit.recent(10);
        assertEquals(2, records.size());
        assertEquals(AuditRecord.Outcome.SUCCEEDED, records.get(0).outcome());
        assertEquals("version 4", records.get(0).target());
        assertEquals("client-a", records.get(0).clientId());
        assertEquals("ann", records.get(0).principal().get("user"));
        assertEquals("Account", records.get(1).aggregateType());
        assertEquals("as of " + afterSecondDeposit, records.get(1).target());
    }

    @Test
    void eachClientHasItsOwnRateLimitOverASlidingWindow() {
        try (TemporalQueryService temporal = service().build()) {
            for (int i = 0; i < 10; i++) {
                temporal.atVersion(ann, accounts, "acc-1", 2);
            }
            TemporalQueryRefusedException limited = assertThrows(TemporalQueryRefusedException.class,
                    () -> temporal.atVersion(ann, accounts, "acc-1", 2));
            assertEquals(AuditRecord.Outcome.RATE_LIMITED, limited.reason());
            assertTrue(limited.isTransient());
            assertTrue(limited.getMessage().contains("client-a"), limited.getMessage());
            temporal.atVersion(QueryContext.of("client-b", Map.of()), accounts, "acc-1", 2);
            clock.advance(Duration.ofSeconds(61));
            temporal.atVersion(ann, accounts, "acc-1", 2);
        }
        assertEquals(AuditRecord.Outcome.RATE_LIMITED, audit.recent(3).get(0).outcome());
    }

    @Test
    void theRateLimitSaysWhenToRetryAsADuration() {
        try (TemporalQueryService temporal = service().build()) {
            for (int i = 0; i < 10; i++) {
                temporal.atVersion(ann, accounts, "acc-1", 2);
            }
            clock.advance(Duration.ofSeconds(15));
            TemporalQueryRateLimitedException limited = assertThrows(TemporalQueryRateLimitedException.class,
                    () -> temporal.atVersion(ann, accounts, "acc-1", 2));
            assertEquals(Duration.ofSeconds(45), limited.retryAfter());
            assertEquals(AuditRecord.Outcome.RATE_LIMITED, limited.reason());
            assertEquals("client-a", limited.clientId());
            clock.advance(limited.retryAfter().minusSeconds(1));
            assertEquals(Duration.ofSeconds(1),
                    assertThrows(TemporalQueryRateLimitedException.class, () -> temporal.atVersion(ann, accounts, "acc-1", 2))
                            .retryAfter());
            clock.advance(Duration.ofSeconds(1));
            assertEquals(2, temporal.atVersion(ann, accounts, "acc-1", 2).aggregate().version(), "admitted once the wait is over");
        }
    }

    @Test
    void aVersionBeyondTheStreamIsOutOfRangeAndAMissingAggregateIsNotFound() {
        nexus.commands().send(new Account.Open("acc-6", "bob"));
        for (int i = 0; i < 5; i++) {
            nexus.commands().send(new Account.Deposit("acc-6", 1));
        }
        try (TemporalQueryService temporal = service().build()) {
            assertEquals(5, temporal.atVersion(ann, accounts, "acc-6", 6).aggregate().balance(), "the last version is served");

            TemporalQueryRefusedException beyond = assertThrows(TemporalQueryRefusedException.class,
                    () -> temporal.atVersion(ann, accounts, "acc-6", 999));
            assertEquals(AuditRecord.Outcome.OUT_OF_RANGE, beyond.reason());
            assertFalse(beyond.isTransient());
            assertEquals("acc-6", beyond.aggregateId());
            assertEquals("Account", beyond.aggregateType());
            assertEquals("version 999", beyond.target());
            assertTrue(beyond.getMessage().contains("'acc-6'") && beyond.getMessage().contains("6 events"), beyond.getMessage());
            assertEquals(AuditRecord.Outcome.OUT_OF_RANGE,
                    assertThrows(TemporalQueryRefusedException.class, () -> temporal.atVersion(ann, accounts, "acc-6", 7)).reason());

            TemporalQueryRefusedException missing = assertThrows(TemporalQueryRefusedException.class,
                    () -> temporal.atVersion(ann, accounts, "acc-none", 1));
            assertEquals(AuditRecord.Outcome.NOT_FOUND, missing.reason());
            assertFalse(missing.isTransient());
            assertTrue(missing.getMessage().contains("'acc-none'") && missing.getMessage().contains("does not exist"),
                    missing.getMessage());
            assertEquals(AuditRecord.Outcome.NOT_FOUND, assertThrows(TemporalQueryRefusedException.class,
                    () -> temporal.asOf(ann, accounts, "acc-none", clock.instant())).reason());
            TemporalQueryRefusedException notYet = assertThrows(TemporalQueryRefusedException.class,
                    () -> temporal.asOf(ann, accounts, "acc-1", clock.instant().minus(Duration.ofDays(10))));
            assertEquals(AuditRecord.Outcome.NOT_FOUND, notYet.reason(), "acc-1 was opened 9 days ago");
            assertTrue(notYet.getMessage().contains("first event"), notYet.getMessage());
        }
        List<AuditRecord> records = audit.recent(6);
        assertEquals(List.of(AuditRecord.Outcome.SUCCEEDED, AuditRecord.Outcome.OUT_OF_RANGE, AuditRecord.Outcome.OUT_OF_RANGE,
                AuditRecord.Outcome.NOT_FOUND, AuditRecord.Outcome.NOT_FOUND, AuditRecord.Outcome.NOT_FOUND),
                records.stream().map(AuditRecord::outcome).toList());
        assertTrue(records.get(1).detail().contains("6 events"), records.get(1).detail());
    }

    @Test
    void aFailingAuditLogFailsTheQueryAndKeepsItsRealOutcome() {
        IllegalStateException down = new IllegalStateException("audit table unavailable");
        List<AuditRecord> attempted = new java.util.ArrayList<>();
        AuditLog failing = new AuditLog() {
            @Override
            public void record(AuditRecord record) {
                attempted.add(record);
                throw down;
            }

            @Override
            public List<AuditRecord> recent(int max) {
                return List.of();
            }
        };
        try (TemporalQueryService temporal = service().auditLog(failing).maxRange(Duration.ofDays(5)).build()) {
            AuditFailedException served = assertThrows(AuditFailedException.class,
                    () -> temporal.atVersion(ann, accounts, "acc-1", 9));
            assertEquals(AuditRecord.Outcome.SUCCEEDED, served.outcome());
            assertEquals(80, ((Account) served.result().orElseThrow().aggregate()).balance(), "the rebuilt aggregate is kept");
            assertTrue(served.queryFailure().isEmpty());
            assertSame(down, served.getCause());
            assertSame(attempted.get(0), served.auditRecord());
            assertFalse(served.isTransient(), "an IllegalStateException says nothing about a retry");
            assertTrue(served.getMessage().contains("'acc-1'") && served.getMessage().contains("SUCCEEDED")
                    && served.getMessage().contains("audit table unavailable"), served.getMessage());

            AuditFailedException refused = assertThrows(AuditFailedException.class,
                    () -> temporal.atVersion(ann, accounts, "acc-1", 2));
            assertEquals(AuditRecord.Outcome.OUT_OF_RANGE, refused.outcome());
            assertTrue(refused.result().isEmpty());
            TemporalQueryRefusedException refusal = (TemporalQueryRefusedException) refused.queryFailure().orElseThrow();
            assertEquals(AuditRecord.Outcome.OUT_OF_RANGE, refusal.reason());
            assertEquals(List.of(refusal), List.of(refused.getSuppressed()));
        }
        assertEquals(2, attempted.size());

        AuditLog throttled = new AuditLog() {
            @Override
            public void record(AuditRecord record) {
                throw new io.nexus.core.NexusException("audit table throttled", null, true);
            }

            @Override
            public List<AuditRecord> recent(int max) {
                return List.of();
            }
        };
        try (TemporalQueryService temporal = service().auditLog(throttled).build()) {
            assertTrue(assertThrows(AuditFailedException.class, () -> temporal.atVersion(ann, accounts, "acc-1", 2)).isTransient(),
                    "a transient audit failure makes the whole query worth retrying");
        }
    }

    @Test
    void thePolicyDecidesWhoMayReadHistory() {
        try (TemporalQueryService temporal = service()
                .policy(r -> TemporalQueryService.ACTION.equals(r.action()) && "auditor".equals(r.principal().get("role"))
                        ? PolicyDecision.allow() : PolicyDecision.deny("only auditors may read history"))
                .build()) {
            temporal.atVersion(ann, accounts, "acc-1", 2);
            PolicyDeniedException denied = assertThrows(PolicyDeniedException.class,
                    () -> temporal.atVersion(QueryContext.of("client-c", Map.of("user", "bob")), accounts, "acc-1", 2));
            assertTrue(denied.getMessage().contains("only auditors"), denied.getMessage());
        }
        assertEquals(AuditRecord.Outcome.DENIED, audit.recent(1).get(0).outcome());
    }

    @Test
    void queriesOutsideTheRangeAreRefused() {
        try (TemporalQueryService temporal = service().maxRange(Duration.ofDays(5)).build()) {
            TemporalQueryRefusedException old = assertThrows(TemporalQueryRefusedException.class,
                    () -> temporal.asOf(ann, accounts, "acc-1", clock.instant().minus(Duration.ofDays(6))));
            assertEquals(AuditRecord.Outcome.OUT_OF_RANGE, old.reason());
            assertFalse(old.isTransient());
            assertThrows(TemporalQueryRefusedException.class,
                    () -> temporal.asOf(ann, accounts, "acc-1", clock.instant().plusSeconds(1)));
            assertThrows(TemporalQueryRefusedException.class, () -> temporal.atVersion(ann, accounts, "acc-1", 2),
                    "version 2 was stored 8 days ago");
            assertEquals(80, temporal.atVersion(ann, accounts, "acc-1", 9).aggregate().balance(), "version 9 is 1 day old");
        }
        assertEquals(AuditRecord.Outcome.OUT_OF_RANGE, audit.recent(4).get(0).outcome());
    }

    @Test
    void theDefaultRangeIsNinetyDays() {
        try (TemporalQueryService temporal = service().build()) {
            clock.advance(Duration.ofDays(80));
            assertEquals(0, temporal.atVersion(ann, accounts, "acc-1", 1).aggregate().balance(), "version 1 is 89 days old");
            clock.advance(Duration.ofDays(2));
            assertThrows(TemporalQueryRefusedException.class, () -> temporal.atVersion(ann, accounts, "acc-1", 1));
        }
    }

    @Test
    void resourceBoundsStopAQueryWithAClearError() throws Exception {
        try (TemporalQueryService temporal = service().maxEvents(5).build()) {
            TemporalLimitExceededException tooMany = assertThrows(TemporalLimitExceededException.class,
                    () -> temporal.atVersion(ann, accounts, "acc-1", 8));
            assertTrue(tooMany.getMessage().contains("5 events"), tooMany.getMessage());
            assertEquals(5, temporal.atVersion(ann, accounts, "acc-1", 5).aggregate().version(), "five events are within the bound");
        }
        assertEquals(AuditRecord.Outcome.LIMIT_EXCEEDED, audit.recent(2).get(0).outcome());

        CountDownLatch release = new CountDownLatch(1);
        InMemoryEventStore slowStore = InMemoryEventStore.builder().clock(clock).build();
        ReadStream reads = new ReadStream() {
            @Override
            public List<EventEnvelope> read(StreamQuery query) {
                return slowStore.read(query);
            }

            @Override
            public long currentVersion(String streamId) {
                return slowStore.currentVersion(streamId);
            }
        };
        try (Nexus slow = Accounts.nexus().clock(clock).eventStore(new io.nexus.core.store.EventStore() {
            @Override
            public io.nexus.core.store.AppendResult append(String s, String t, io.nexus.core.store.ExpectedVersion e,
                                                           List<io.nexus.core.event.NewEvent> events) {
                return slowStore.append(s, t, e, events);
            }

            @Override
            public List<EventEnvelope> read(StreamQuery query) {
                try {
                    release.await();
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                return slowStore.read(query);
            }

            @Override
            public long currentVersion(String streamId) {
                return slowStore.currentVersion(streamId);
            }

            @Override
            public List<EventEnvelope> readAll(long from, int max) {
                return slowStore.readAll(from, max);
            }

            @Override
            public long headPosition() {
                return slowStore.headPosition();
            }

            @Override
            public io.nexus.core.store.Subscription subscribe(io.nexus.core.store.AppendListener l) {
                return slowStore.subscribe(l);
            }
        }).build(); TemporalQueryService temporal = TemporalQueryService.builder(reads).clock(clock).auditLog(audit)
                .timeout(Duration.ofMillis(200)).build()) {
            slowStore.append("acc-9", "Account", io.nexus.core.store.ExpectedVersion.noStream(),
                    List.of(nexus.codec().encode(new Account.Opened("x"), java.util.UUID.randomUUID(), null, null, Map.of())));
            TemporalLimitExceededException tooSlow = assertThrows(TemporalLimitExceededException.class,
                    () -> temporal.atVersion(ann, slow.repository(Account.class), "acc-9", 1));
            assertTrue(tooSlow.getMessage().contains("seconds"), tooSlow.getMessage());
        } finally {
            release.countDown();
        }
    }
}
