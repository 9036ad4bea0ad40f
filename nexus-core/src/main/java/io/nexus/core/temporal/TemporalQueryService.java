package io.nexus.core.temporal;

import org.jspecify.annotations.Nullable;
import io.nexus.core.NexusException;
import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.aggregate.AggregateRepository;
import io.nexus.core.aggregate.TemporalLimitExceededException;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.policy.PolicyDecision;
import io.nexus.core.policy.PolicyDecisionPoint;
import io.nexus.core.policy.PolicyDeniedException;
import io.nexus.core.policy.PolicyEngine;
import io.nexus.core.policy.PolicyRequest;
import io.nexus.core.store.ReadStream;
import io.nexus.core.store.StreamQuery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Rebuilds aggregates as they were at a version or a point in time (upcasters applied), behind the
 * guards a historical read needs in production:
 * <ol>
 *   <li>a per-client rate limit (default 10 queries per minute, sliding window on the service's clock);</li>
 *   <li>authorization: the policy engine is asked for action {@code "temporal-read"} on the aggregate;</li>
 *   <li>a target that exists: a version beyond the stream's last event is {@code OUT_OF_RANGE}, an aggregate
 *       without events (at all, or by the instant asked for) is {@code NOT_FOUND};</li>
 *   <li>a maximum range (default 90 days back from now; the future is refused too);</li>
 *   <li>resource bounds (default 10,000 events replayed and 30 s): past either the query stops with
 *       {@link TemporalLimitExceededException} instead of exhausting the process;</li>
 *   <li>an audit record of every query, whatever its outcome (who, what, when, outcome, duration). A query
 *       whose record cannot be stored ends in {@link AuditFailedException}, which keeps the query's outcome.</li>
 * </ol>
 * Every limit is configurable. Thread-safe; {@link #close()} stops the worker threads.
 */
public final class TemporalQueryService implements AutoCloseable {

    /** The policy action asked for every temporal query. */
    public static final String ACTION = io.nexus.core.policy.PolicyActions.TEMPORAL_READ;

    private final ReadStream store;
    private final PolicyEngine policy;
    private final AuditLog audit;
    private final Clock clock;
    private final int maxQueriesPerWindow;
    private final Duration window;
    private final Duration maxRange;
    private final int maxEvents;
    private final Duration timeout;
    private final ExecutorService workers;
    private final Map<String, Deque<Instant>> recentByClient = new ConcurrentHashMap<>();

    private TemporalQueryService(Builder b) {
        this.store = b.store;
        this.policy = b.policy;
        this.audit = b.audit;
        this.clock = b.clock;
        this.maxQueriesPerWindow = b.maxQueriesPerWindow;
        this.window = b.window;
        this.maxRange = b.maxRange;
        this.maxEvents = b.maxEvents;
        this.timeout = b.timeout;
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "nexus-temporal-query");
            t.setDaemon(true);
            return t;
        });
    }

    /** A service reading event timestamps from {@code store} (the same store the repositories use). */
    public static Builder builder(ReadStream store) {
        return new Builder(store);
    }

    /**
     * The aggregate as it was right after its event {@code version}. The version must exist: one beyond the
     * stream's last event is out of range, a stream without events is not found. The time that event was
     * stored must lie within the allowed range.
     *
     * @throws IllegalArgumentException          if {@code version} is below 1, or {@code id} is blank
     * @throws TemporalQueryRateLimitedException if the client's rate limit is used up (transient)
     * @throws TemporalQueryRefusedException     if the aggregate does not exist ({@code NOT_FOUND}), or the version
     *                                           lies beyond its last event or outside the allowed range
     *                                           ({@code OUT_OF_RANGE})
     * @throws PolicyDeniedException             if the policy refuses
     * @throws TemporalLimitExceededException    if the replay needs more events or time than allowed
     * @throws AuditFailedException              if the query ran but its audit record could not be stored; it
     *                                           carries the query's own outcome
     */
    public <A extends Aggregate> TemporalResult<A> atVersion(QueryContext who, AggregateRepository<A> repository, String id,
                                                           long version) {
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, but was " + version);
        }
        String target = "version " + version;
        return run(who, repository, id, target, type -> {
            List<EventEnvelope> event = store.read(StreamQuery.stream(id).fromVersion(version).toVersion(version));
            if (event.isEmpty()) {
                long last = store.currentVersion(id);
                if (last == 0) {
                    throw notFound(type, id, target, type + " '" + id + "' does not exist (it has no events); check the id.");
                }
                throw new TemporalQueryRefusedException(AuditRecord.Outcome.OUT_OF_RANGE, type, id, target, type + " '" + id
                        + "' has " + last + " events, so version " + version + " does not exist; ask for a version from 1 to "
                        + last + ".");
            }
            checkRange(event.get(0).timestamp(), type, id, target);
            return repository.loadAtVersion(id, version, maxEvents);
        });
    }

    /**
     * The aggregate as it was at {@code instant}: every event stored at or before it applied. An aggregate
     * that has no event at or before the instant (it does not exist, or was created later) is not found.
     *
     * @throws IllegalArgumentException          if {@code id} is blank
     * @throws TemporalQueryRateLimitedException if the client's rate limit is used up (transient)
     * @throws TemporalQueryRefusedException     if the instant is outside the allowed range ({@code OUT_OF_RANGE}),
     *                                           or the aggregate had no events by then ({@code NOT_FOUND})
     * @throws PolicyDeniedException             if the policy refuses
     * @throws TemporalLimitExceededException    if the replay needs more events or time than allowed
     * @throws AuditFailedException              if the query ran but its audit record could not be stored; it
     *                                           carries the query's own outcome
     */
    public <A extends Aggregate> TemporalResult<A> asOf(QueryContext who, AggregateRepository<A> repository, String id,
                                                      Instant instant) {
        Objects.requireNonNull(instant, "instant");
        String target = "as of " + instant;
        return run(who, repository, id, target, type -> {
            checkRange(instant, type, id, target);
            A aggregate = repository.loadAsOf(id, instant, maxEvents);
            if (aggregate.version() == 0) {
                List<EventEnvelope> first = store.read(StreamQuery.stream(id).limit(1));
                throw notFound(type, id, target, first.isEmpty()
                        ? type + " '" + id + "' does not exist (it has no events); check the id."
                        : type + " '" + id + "' did not exist " + target + ": its first event was stored at "
                        + first.get(0).timestamp() + "; ask for a later point in time.");
            }
            return aggregate;
        });
    }

    private static TemporalQueryRefusedException notFound(String type, String id, String target, String message) {
        return new TemporalQueryRefusedException(AuditRecord.Outcome.NOT_FOUND, type, id, target, message);
    }

    /*
     * Every query leaves exactly one audit record. The record is written after the outcome is known and
     * outside the try, so that an audit failure can neither replace the query's outcome (a throw from a
     * finally block would) nor let an unaudited result out as a normal return.
     */
    private <A extends Aggregate> TemporalResult<A> run(QueryContext who, AggregateRepository<A> repository, String id,
                                                      String target, Function<String, A> load) {
        Objects.requireNonNull(who, "who");
        Objects.requireNonNull(repository, "repository");
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("aggregate id must not be blank, but was '" + id + "'");
        }
        String type = repository.definition().name();
        Instant started = clock.instant();
        long startedNanos = System.nanoTime();
        AuditRecord.Outcome outcome = AuditRecord.Outcome.FAILED;
        String detail;
        TemporalResult<A> result = null;
        Throwable failure = null;
        PolicyDecision denial = null;
        try {
            admit(who, type, id, target);
            PolicyRequest request = PolicyRequest.builder(ACTION).principal(who.principal()).aggregate(type, id)
                    .attribute("client", who.clientId()).attribute("target", target).build();
            try {
                PolicyDecisionPoint.enforce(policy, request);
            } catch (PolicyDeniedException e) {
                outcome = AuditRecord.Outcome.DENIED;
                denial = e.decision();
                throw e;
            }
            A aggregate = withinTimeout(() -> load.apply(type), type, id);
            outcome = AuditRecord.Outcome.SUCCEEDED;
            detail = "rebuilt at version " + aggregate.version();
            result = new TemporalResult<>(aggregate, target);
        } catch (TemporalQueryRefusedException e) {
            outcome = e.reason();
            detail = e.getMessage();
            failure = e;
        } catch (TemporalLimitExceededException e) {
            outcome = AuditRecord.Outcome.LIMIT_EXCEEDED;
            detail = e.getMessage();
            failure = e;
        } catch (RuntimeException | Error e) {
            detail = String.valueOf(e.getMessage());
            failure = e;
        }
        AuditRecord record = new AuditRecord(started, who.clientId(), who.principal(), type, id, target, outcome, detail,
                Duration.ofNanos(System.nanoTime() - startedNanos), ACTION, denial == null ? null : denial.rule(),
                denial == null ? List.of() : denial.reasons());
        try {
            audit.record(record);
        } catch (RuntimeException auditFailure) {
            if (failure instanceof Error fatal) {
                fatal.addSuppressed(auditFailure);
                throw fatal;
            }
            throw new AuditFailedException(record, result, failure, auditFailure);
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        // without a failure the query succeeded and set the result
        return Objects.requireNonNull(result, "result");
    }

    private void admit(QueryContext who, String type, String id, String target) {
        Instant now = clock.instant();
        Deque<Instant> recent = recentByClient.computeIfAbsent(who.clientId(), k -> new ArrayDeque<>());
        synchronized (recent) {
            Instant horizon = now.minus(window);
            while (!recent.isEmpty() && !recent.peekFirst().isAfter(horizon)) {
                recent.removeFirst();
            }
            if (recent.size() >= maxQueriesPerWindow) {
                Duration wait = Duration.between(horizon, recent.peekFirst());
                throw new TemporalQueryRateLimitedException(who.clientId(), type, id, target, wait, "Client '" + who.clientId()
                        + "' asked " + recent.size() + " temporal queries in the last " + window + " (limit " + maxQueriesPerWindow
                        + "); retry " + type + " '" + id + "' in " + wait.toMillis() + " ms (retryAfter()).");
            }
            recent.addLast(now);
        }
    }

    private void checkRange(Instant instant, String type, String id, String target) {
        Instant now = clock.instant();
        if (instant.isAfter(now)) {
            throw new TemporalQueryRefusedException(AuditRecord.Outcome.OUT_OF_RANGE, type, id, target, "Temporal query of "
                    + type + " '" + id + "' " + target + " lies in the future (" + instant + ", now is " + now
                    + "); ask for a past point in time.");
        }
        if (instant.isBefore(now.minus(maxRange))) {
            throw new TemporalQueryRefusedException(AuditRecord.Outcome.OUT_OF_RANGE, type, id, target, "Temporal query of "
                    + type + " '" + id + "' " + target + " reaches " + instant + ", further back than the allowed "
                    + maxRange.toDays() + " days (earliest " + now.minus(maxRange)
                    + "); ask for a nearer point in time or raise maxRange.");
        }
    }

    private <A> A withinTimeout(Supplier<A> load, String type, String id) {
        Future<A> future = workers.submit(load::get);
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new TemporalLimitExceededException(type, id, "seconds", timeout.toSeconds());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new NexusException("Temporal query of " + type + " '" + id + "' failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new NexusException("Interrupted while rebuilding " + type + " '" + id + "'", e);
        }
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }

    /** Options for a {@link TemporalQueryService}; the defaults are the design's limits. */
    public static final class Builder {
        private final ReadStream store;
        private PolicyEngine policy = PolicyEngine.allowAll();
        private AuditLog audit = new InMemoryAuditLog();
        private Clock clock = Clock.systemUTC();
        private int maxQueriesPerWindow = 10;
        private Duration window = Duration.ofMinutes(1);
        private Duration maxRange = Duration.ofDays(90);
        private int maxEvents = 10_000;
        private Duration timeout = Duration.ofSeconds(30);

        private Builder(ReadStream store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** Who may read which aggregate type's history (action {@value #ACTION}). */
        public Builder policy(PolicyEngine value) {
            this.policy = Objects.requireNonNull(value, "policy");
            return this;
        }

        public Builder auditLog(AuditLog value) {
            this.audit = Objects.requireNonNull(value, "auditLog");
            return this;
        }

        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** At most {@code queries} per client within any {@code window}. */
        public Builder rateLimit(int queries, Duration per) {
            if (queries < 1) {
                throw new IllegalArgumentException("queries must be >= 1, but was " + queries);
            }
            requirePositive(per, "per");
            this.maxQueriesPerWindow = queries;
            this.window = per;
            return this;
        }

        /** How far back a query may reach. */
        public Builder maxRange(Duration value) {
            requirePositive(value, "maxRange");
            this.maxRange = value;
            return this;
        }

        /** The most events one query may replay. */
        public Builder maxEvents(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxEvents must be >= 1, but was " + value);
            }
            this.maxEvents = value;
            return this;
        }

        /** The longest one query may take. */
        public Builder timeout(Duration value) {
            requirePositive(value, "timeout");
            this.timeout = value;
            return this;
        }

        public TemporalQueryService build() {
            return new TemporalQueryService(this);
        }

        private static void requirePositive(Duration d, String name) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be a positive duration, but was " + d);
            }
        }
    }
}
