package io.nexus.opa;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.styra.opa.wasm.OpaPolicy;
import io.nexus.core.NexusException;
import io.nexus.core.policy.PolicyDecision;
import io.nexus.core.policy.PolicyDocuments;
import io.nexus.core.policy.PolicyRequest;
import io.nexus.core.policy.PolicyRule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A Nexus policy rule that evaluates a compiled OPA policy ({@code opa build -t wasm}) with opa-java-wasm, on
 * the same input document every Nexus policy gets ({@link PolicyDocuments#toJson(PolicyRequest)}, specified in
 * {@code docs/governance.md}). The entrypoint's result is read as a decision document: {@code true}/{@code false},
 * or {@code {"allow": bool, "reasons": [...], "rule": "..."}}; an undefined result denies.
 *
 * <pre>{@code
 * OpaPolicyEngine opa = OpaPolicyEngine.builder(Path.of("policies/bundle.tar.gz"))
 *         .entrypoint("nexus/decision")
 *         .build();
 * Nexus.builder().policy(Policies.builtIn().appendOnly().and(opa))...
 * }</pre>
 *
 * <p>Implementation notes. An {@link OpaPolicy} instance is single-threaded, so callers borrow instances from a
 * pool that grows on demand up to {@link Builder#poolSize} (loading one takes seconds; the first in a JVM
 * longest) and wait when all are lent. A policy loaded from a file is checked for change (modification time and
 * size) at most once per {@link Builder#reloadCheckInterval} on the calling thread, or at once with
 * {@link #reloadIfChanged()}; a changed file is loaded in full before it replaces the old generation, whose
 * instances are dropped as they come back, so a broken file never replaces a working policy (it is logged and
 * the old policy keeps deciding). Thread-safe.
 */
public final class OpaPolicyEngine implements PolicyRule, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OpaPolicyEngine.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String name;
    private final String entrypoint;
    private final @Nullable String dataOverride;
    private final Function<PolicyRequest, ?> input;
    private final boolean compiled;
    private final @Nullable Path file;
    private final Supplier<OpaBundle> source;
    private final Clock clock;
    private final Duration reloadCheckInterval;
    private final int poolSize;
    private volatile Generation current;
    private volatile Instant nextCheck;
    private volatile boolean closed;

    /** One loaded version of the policy and the instances made from it. */
    private final class Generation {
        final OpaBundle bundle;
        final @Nullable String data;
        final @Nullable FileTime modified;
        final long size;
        final BlockingQueue<OpaPolicy> idle = new LinkedBlockingQueue<>();
        final Semaphore permits;

        Generation(OpaBundle bundle, @Nullable FileTime modified, long size) {
            this.bundle = bundle;
            this.data = dataOverride != null ? dataOverride : bundle.data();
            this.modified = modified;
            this.size = size;
            this.permits = new Semaphore(poolSize);
        }

        OpaPolicy newInstance() {
            OpaPolicy.Builder builder = OpaPolicy.builder().withPolicy(bundle.wasm());
            if (!compiled) {
                builder.disableCompiler();
            }
            OpaPolicy policy = builder.build();
            if (!policy.entrypoints().containsKey(entrypoint)) {
                throw new NexusException("OPA policy '" + name + "' has no entrypoint '" + entrypoint + "' (it has "
                        + policy.entrypoints().keySet() + "); compile it with 'opa build -t wasm -e " + entrypoint + "'");
            }
            policy.entrypoint(entrypoint);
            if (data != null) {
                policy.data(data);
            }
            return policy;
        }
    }

    private OpaPolicyEngine(Builder b) {
        this.name = b.name;
        this.entrypoint = Objects.requireNonNull(b.entrypoint, "entrypoint"); // build() has checked it
        this.dataOverride = b.data;
        this.input = b.input;
        this.compiled = b.compiled;
        this.file = b.file;
        this.source = b.source;
        this.clock = b.clock;
        this.reloadCheckInterval = b.reloadCheckInterval;
        this.poolSize = b.poolSize;
        this.current = load();
        // Fail at build time, not on the first command: the entrypoint must exist.
        OpaPolicy first = current.newInstance();
        current.idle.add(first);
        this.nextCheck = clock.instant().plus(reloadCheckInterval);
    }

    /** A builder for the bundle or wasm module in {@code file}, reloaded when the file changes. */
    public static Builder builder(Path file) {
        Objects.requireNonNull(file, "file");
        return new Builder(file, () -> OpaBundle.file(file));
    }

    /** A builder for a bundle or wasm module on the classpath (never reloaded). */
    public static Builder classpath(String resource) {
        Objects.requireNonNull(resource, "resource");
        return new Builder(null, () -> OpaBundle.classpath(resource));
    }

    /** A builder for {@code bundle} (never reloaded). */
    public static Builder builder(OpaBundle bundle) {
        Objects.requireNonNull(bundle, "bundle");
        return new Builder(null, () -> bundle);
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Evaluates the policy on {@code request}'s input document.
     *
     * @throws NexusException if the policy cannot be evaluated or returns no decision document (the action is refused)
     * @throws IllegalStateException if the engine is closed
     */
    @Override
    public PolicyDecision evaluate(PolicyRequest request) {
        if (closed) {
            throw new IllegalStateException("OPA policy '" + name + "' is closed");
        }
        if (file != null && !clock.instant().isBefore(nextCheck)) {
            nextCheck = clock.instant().plus(reloadCheckInterval);
            reloadQuietly();
        }
        String json = toJson(input.apply(request));
        Generation generation = current;
        OpaPolicy policy = borrow(generation);
        boolean healthy = false;
        String result;
        try {
            result = policy.evaluate(json);
            healthy = true;
        } catch (RuntimeException e) {
            throw new NexusException("OPA policy '" + name + "' failed on '" + request.action() + "': " + e.getMessage(), e, true);
        } finally {
            giveBack(generation, policy, healthy);
        }
        try {
            return PolicyDocuments.decisionFrom(MAPPER.readTree(result), name, "denied by OPA policy '" + name + "' (" + entrypoint + ")");
        } catch (IOException e) {
            throw new NexusException("OPA policy '" + name + "' returned no JSON: " + result, e);
        }
    }

    /**
     * Loads the policy file again if it changed since it was loaded, and switches to it.
     *
     * @return whether a new version was loaded
     * @throws NexusException if the changed file cannot be loaded; the loaded policy keeps deciding
     */
    public boolean reloadIfChanged() {
        if (file == null) {
            return false;
        }
        synchronized (this) {
            Generation loaded = current;
            FileTime modified;
            long size;
            try {
                modified = Files.getLastModifiedTime(file);
                size = Files.size(file);
            } catch (IOException e) {
                throw new NexusException("OPA policy file '" + file + "' cannot be read: " + e.getMessage(), e, true);
            }
            if (modified.equals(loaded.modified) && size == loaded.size) {
                return false;
            }
            Generation next = load();
            next.idle.add(next.newInstance());
            current = next;
            loaded.idle.clear();
            log.info("OPA policy '{}' reloaded from {}", name, file);
            return true;
        }
    }

    private void reloadQuietly() {
        try {
            reloadIfChanged();
        } catch (RuntimeException e) {
            log.warn("OPA policy '{}' could not be reloaded from {}; the loaded version keeps deciding", name, file, e);
        }
    }

    private Generation load() {
        OpaBundle bundle = source.get();
        @Nullable FileTime modified = null;
        long size = -1;
        if (file != null) {
            try {
                modified = Files.getLastModifiedTime(file);
                size = Files.size(file);
            } catch (IOException e) {
                throw new NexusException("OPA policy file '" + file + "' cannot be read: " + e.getMessage(), e);
            }
        }
        return new Generation(bundle, modified, size);
    }

    private OpaPolicy borrow(Generation generation) {
        try {
            generation.permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NexusException("Interrupted while waiting for an instance of OPA policy '" + name + "'", e, true);
        }
        OpaPolicy policy = generation.idle.poll();
        if (policy != null) {
            return policy;
        }
        try {
            return generation.newInstance();
        } catch (RuntimeException e) {
            generation.permits.release();
            throw e;
        }
    }

    private void giveBack(Generation generation, OpaPolicy policy, boolean healthy) {
        // An instance that failed may hold a broken heap; one of an old generation is out of date.
        if (healthy && generation == current && !closed) {
            generation.idle.add(policy);
        }
        generation.permits.release();
    }

    private static String toJson(Object document) {
        if (document instanceof String s) {
            return s;
        }
        if (document instanceof JsonNode node) {
            return node.toString();
        }
        try {
            return MAPPER.writeValueAsString(document);
        } catch (IOException e) {
            throw new NexusException("The OPA input document cannot be written as JSON: " + e.getMessage(), e);
        }
    }

    /** Drops the pooled instances; later evaluations fail. */
    @Override
    public void close() {
        closed = true;
        current.idle.clear();
    }

    /** Configures an {@link OpaPolicyEngine}; each setter checks its value. */
    public static final class Builder {
        private final @Nullable Path file;
        private final Supplier<OpaBundle> source;
        private String name = "opa";
        private @Nullable String entrypoint;
        private @Nullable String data;
        private Function<PolicyRequest, ?> input = PolicyDocuments::toTree;
        private boolean compiled = true;
        private Clock clock = Clock.systemUTC();
        private Duration reloadCheckInterval = Duration.ofSeconds(5);
        private int poolSize = Runtime.getRuntime().availableProcessors();

        private Builder(@Nullable Path file, Supplier<OpaBundle> source) {
            this.file = file;
            this.source = source;
        }

        /** The entrypoint evaluated, as given to {@code opa build -e} ({@code "nexus/decision"}). Required. */
        public Builder entrypoint(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("entrypoint must not be blank, but was '" + value + "'");
            }
            this.entrypoint = value;
            return this;
        }

        /** The rule name reported in decisions and audit records; {@code "opa"} by default. */
        public Builder name(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("name must not be blank, but was '" + value + "'");
            }
            this.name = value;
            return this;
        }

        /** The data document (JSON), replacing the bundle's {@code data.json}; see docs/governance.md for its layout. */
        public Builder data(String json) {
            this.data = Objects.requireNonNull(json, "data");
            return this;
        }

        /**
         * What the policy gets as {@code input}: the Nexus input document by default. A policy written for another
         * input shape can be fed through a mapping (a String is sent as JSON text, anything else through Jackson).
         */
        public Builder input(Function<PolicyRequest, ?> value) {
            this.input = Objects.requireNonNull(value, "input");
            return this;
        }

        /** Whether wasm is compiled to JVM bytecode (true, the default: slower to load, faster to evaluate) or interpreted. */
        public Builder compiled(boolean value) {
            this.compiled = value;
            return this;
        }

        /** At most this many instances evaluate at once; the number of processors by default. */
        public Builder poolSize(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("poolSize must be >= 1, but was " + value);
            }
            this.poolSize = value;
            return this;
        }

        /** How often a file policy is checked for change (5 s by default). */
        public Builder reloadCheckInterval(Duration value) {
            if (value == null || value.isNegative()) {
                throw new IllegalArgumentException("reloadCheckInterval must be zero or positive, but was " + value);
            }
            this.reloadCheckInterval = value;
            return this;
        }

        /** The clock of reload checks. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Loads the policy and one instance.
         *
         * @throws IllegalStateException if no entrypoint was given
         * @throws NexusException        if the policy cannot be read or lacks the entrypoint
         */
        public OpaPolicyEngine build() {
            if (entrypoint == null) {
                throw new IllegalStateException("entrypoint is required: the rule compiled with 'opa build -t wasm -e <entrypoint>'");
            }
            return new OpaPolicyEngine(this);
        }
    }
}
