package io.nexus.opa;

import io.nexus.core.NexusException;
import io.nexus.core.policy.PolicyActions;
import io.nexus.core.policy.PolicyDecision;
import io.nexus.core.policy.PolicyDeniedException;
import io.nexus.core.policy.PolicyDecisionPoint;
import io.nexus.core.policy.PolicyRequest;
import io.nexus.core.temporal.AuditRecord;
import io.nexus.core.temporal.InMemoryAuditLog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the compiled policy that ships inside the opa-java-wasm jar ({@code demo-policy.wasm}, entrypoint
 * {@code opa/wasm/test/allowed}: {@code allowed if data.role[input.user] == "admin"}), the only compiled OPA
 * policy obtainable on the build machines. It reads {@code input.user}, so the tests map the Nexus input
 * document's principal onto that shape.
 */
class OpaPolicyEngineTest {

    static final String DEMO = "demo-policy.wasm";
    static final String ENTRYPOINT = "opa/wasm/test/allowed";
    static final String ROLES = "{\"role\":{\"alice\":\"admin\",\"bob\":\"user\"}}";

    static OpaPolicyEngine shared;

    @BeforeAll
    static void load() {
        shared = demo(OpaPolicyEngine.classpath(DEMO)).data(ROLES).poolSize(2).build();
    }

    @AfterAll
    static void close() {
        shared.close();
    }

    static OpaPolicyEngine.Builder demo(OpaPolicyEngine.Builder builder) {
        return builder.entrypoint(ENTRYPOINT).compiled(false).input(request -> Map.of("user", request.principal().getOrDefault("sub", "")));
    }

    static PolicyRequest as(String user) {
        return PolicyRequest.builder(PolicyActions.APPEND).principal(Map.of("sub", user)).aggregate("Order", "o-1").build();
    }

    @Test
    void theDemoPolicyDecidesWithItsDataDocument() {
        assertTrue(shared.evaluate(as("alice")).allowed());
        PolicyDecision bob = shared.evaluate(as("bob"));
        assertFalse(bob.allowed());
        assertEquals("opa", bob.rule());
        assertTrue(bob.reason().contains("denied by OPA policy 'opa' (opa/wasm/test/allowed)"), bob.reason());
    }

    @Test
    void concurrentCallersShareThePool() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> answers = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String user = i % 2 == 0 ? "alice" : "bob";
                answers.add(callers.submit(() -> shared.evaluate(as(user)).allowed()));
            }
            for (int i = 0; i < answers.size(); i++) {
                assertEquals(i % 2 == 0, answers.get(i).get(), "answer " + i);
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void theDefaultInputIsTheNexusDocument() {
        try (OpaPolicyEngine engine = OpaPolicyEngine.classpath(DEMO).entrypoint(ENTRYPOINT).compiled(false).data(ROLES).poolSize(1).build()) {
            // The Nexus document has no top-level "user", so the demo rule's body is undefined: denied.
            assertFalse(engine.evaluate(as("alice")).allowed());
        }
    }

    @Test
    void aBundleFileIsReloadedWhenItChanges(@TempDir Path dir) throws Exception {
        byte[] wasm = OpaBundle.classpath(DEMO).wasm();
        Path bundle = dir.resolve("bundle.tar.gz");
        Files.write(bundle, OpaBundle.toTarGz(wasm, ROLES));
        Files.setLastModifiedTime(bundle, FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
        MutableClock clock = new MutableClock();
        try (OpaPolicyEngine engine = demo(OpaPolicyEngine.builder(bundle)).poolSize(1).clock(clock)
                .reloadCheckInterval(Duration.ofSeconds(5)).build()) {
            assertTrue(engine.evaluate(as("alice")).allowed(), "the bundle's data.json is the data document");

            Files.write(bundle, OpaBundle.toTarGz(wasm, "{\"role\":{\"alice\":\"user\",\"bob\":\"admin\"}}"));
            Files.setLastModifiedTime(bundle, FileTime.from(Instant.parse("2026-01-01T00:01:00Z")));
            assertTrue(engine.evaluate(as("alice")).allowed(), "not checked again before the interval");
            clock.advance(Duration.ofSeconds(5));
            assertFalse(engine.evaluate(as("alice")).allowed(), "reloaded");
            assertTrue(engine.evaluate(as("bob")).allowed());
            assertFalse(engine.reloadIfChanged(), "nothing changed since");

            Files.write(bundle, new byte[]{1, 2, 3});
            assertThrows(NexusException.class, engine::reloadIfChanged);
            assertTrue(engine.evaluate(as("bob")).allowed(), "a broken file never replaces a working policy");
        }
    }

    @Test
    void aMissingEntrypointOrPolicyFailsAtBuild(@TempDir Path dir) throws Exception {
        NexusException entry = assertThrows(NexusException.class,
                () -> OpaPolicyEngine.classpath(DEMO).entrypoint("nexus/decision").compiled(false).build());
        assertTrue(entry.getMessage().contains("has no entrypoint 'nexus/decision' (it has [opa/wasm/test/allowed])"), entry.getMessage());
        assertThrows(NexusException.class, () -> OpaPolicyEngine.classpath("nope.wasm").entrypoint(ENTRYPOINT).build());
        Path notWasm = Files.writeString(dir.resolve("policy.rego"), "package nexus");
        NexusException source = assertThrows(NexusException.class, () -> OpaPolicyEngine.builder(notWasm).entrypoint(ENTRYPOINT).build());
        assertTrue(source.getMessage().contains("opa build -t wasm"), source.getMessage());
    }

    @Test
    void anOpaDenialIsAuditedLikeAnyOther() {
        InMemoryAuditLog audit = new InMemoryAuditLog();
        PolicyDecisionPoint point = PolicyDecisionPoint.builder(io.nexus.core.policy.Policies.builtIn().appendOnly().and(shared))
                .auditLog(audit).build();
        PolicyDeniedException denied = assertThrows(PolicyDeniedException.class, () -> point.enforce(as("bob")));
        assertEquals("opa", denied.rule());
        AuditRecord record = audit.recent(1).get(0);
        assertEquals(AuditRecord.Outcome.DENIED, record.outcome());
        assertEquals("opa", record.rule());
        assertEquals(Map.of("sub", "bob"), record.principal());
    }

    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-06-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
