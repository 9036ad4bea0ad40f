package io.nexus.testkit.contract;

import io.nexus.core.schema.CompatibilityMode;
import io.nexus.core.schema.CompatibilityReport;
import io.nexus.core.schema.IncompatibleSchemaException;
import io.nexus.core.schema.InvalidSchemaException;
import io.nexus.core.schema.SchemaFingerprint;
import io.nexus.core.schema.SchemaRegistry;
import io.nexus.core.schema.SchemaVersion;
import io.nexus.core.schema.UnknownSchemaException;
import io.nexus.core.schema.UnknownSubjectException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every {@link SchemaRegistry} passes. An implementation's test extends this class and supplies a
 * registry in {@link #registry()}; every test uses its own fresh subject names, so a shared (even a real, remote)
 * registry may be used, provided its default compatibility mode is BACKWARD.
 *
 * <pre>{@code
 * class InMemorySchemaRegistryContractTest extends SchemaRegistryContract {
 *     protected SchemaRegistry registry() { return InMemorySchemaRegistry.create(); }
 * }
 * }</pre>
 */
public abstract class SchemaRegistryContract {

    /** Version 1 of the test schema: an open object with a required id and an optional integer quantity. */
    protected static final String V1 = "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},"
            + "\"qty\":{\"type\":\"integer\"}},\"required\":[\"id\"]}";
    /** V1 with the optional property removed: backward compatible, not forward compatible (open model). */
    protected static final String V1_WITHOUT_QTY = "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"}},\"required\":[\"id\"]}";
    /** V1 with a property added to the open model: forward compatible, not backward compatible. */
    protected static final String V1_WITH_NOTE = "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},"
            + "\"qty\":{\"type\":\"integer\"},\"note\":{\"type\":\"string\"}},\"required\":[\"id\"]}";
    /** V1 with quantity changed to a string: incompatible both ways. */
    protected static final String V1_QTY_STRING = "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},"
            + "\"qty\":{\"type\":\"string\"}},\"required\":[\"id\"]}";

    protected SchemaRegistry registry;

    /** A registry to test; may be shared between tests (subjects are unique per test). */
    protected abstract SchemaRegistry registry();

    @BeforeEach
    void setUpRegistry() {
        registry = registry();
    }

    /**
     * Whether the registry records registration times; override with {@code false} for a registry whose API
     * exposes none (Confluent), which then must leave {@link SchemaVersion#registeredAt()} {@code null}.
     */
    protected boolean recordsRegistrationTime() {
        return true;
    }

    /** A subject name no other test uses. */
    protected static String subject(String base) {
        return base + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String described(String schema, String description) {
        return schema.replaceFirst("\\{", "{\"description\":\"" + description + "\",");
    }

    @Nested
    class Registration {

        @Test
        void firstVersionIsOneWithMetadata() {
            String s = subject("OrderPlaced");
            Instant before = Instant.now().minus(5, ChronoUnit.MINUTES);

            SchemaVersion v = registry.register(s, V1);

            assertEquals(s, v.subject());
            assertEquals(1, v.version());
            assertEquals(SchemaFingerprint.of(s, V1), v.fingerprint());
            assertEquals(SchemaFingerprint.of(s, V1), SchemaFingerprint.of(s, v.schema()));
            assertEquals(recordsRegistrationTime(), v.registeredAt() != null, "registeredAt " + v.registeredAt());
            Instant registeredAt = v.registeredAt();
            if (recordsRegistrationTime() && registeredAt != null) {
                assertTrue(!registeredAt.isBefore(before) && registeredAt.isBefore(Instant.now().plus(5, ChronoUnit.MINUTES)),
                        "registeredAt " + registeredAt);
            }
        }

        @Test
        void theSameSchemaAgainIsIdempotentEvenReformatted() {
            String s = subject("OrderPlaced");
            SchemaVersion first = registry.register(s, V1);

            SchemaVersion again = registry.register(s, "{ \"required\" : [\"id\"], \"properties\": {\"qty\":{\"type\":\"integer\"},"
                    + " \"id\":{\"type\":\"string\"}}, \"type\":\"object\" }");

            assertEquals(first.version(), again.version());
            assertEquals(first.fingerprint(), again.fingerprint());
            assertEquals(List.of(1), registry.versions(s));
        }

        @Test
        void aCompatibleChangeBecomesTheNextVersion() {
            String s = subject("OrderPlaced");
            registry.register(s, V1);

            SchemaVersion v2 = registry.register(s, V1_WITHOUT_QTY);

            assertEquals(2, v2.version());
            assertEquals(List.of(1, 2), registry.versions(s));
            assertEquals(v2.fingerprint(), registry.latest(s).fingerprint());
            assertEquals(SchemaFingerprint.of(s, V1), registry.version(s, 1).fingerprint());
            assertEquals(2, registry.version(s, 2).version());
        }

        @Test
        void anIncompatibleChangeIsRefusedWithEachDifferenceAndNothingRegistered() {
            String s = subject("OrderPlaced");
            registry.register(s, V1);

            IncompatibleSchemaException e = assertThrows(IncompatibleSchemaException.class,
                    () -> registry.register(s, V1_QTY_STRING));

            assertEquals(s, e.subject());
            assertEquals(CompatibilityMode.BACKWARD, e.mode());
            assertFalse(e.incompatibilities().isEmpty());
            assertTrue(String.valueOf(e.getMessage()).contains("'" + s + "'") && String.valueOf(e.getMessage()).contains("BACKWARD"), e.getMessage());
            assertTrue(e.incompatibilities().stream().anyMatch(i -> i.againstVersion() == 1), e.incompatibilities().toString());
            assertEquals(List.of(1), registry.versions(s));
        }

        @Test
        void addingAPropertyToAnOpenModelBreaksBackwardCompatibility() {
            String s = subject("OrderPlaced");
            registry.register(s, V1);

            IncompatibleSchemaException e = assertThrows(IncompatibleSchemaException.class, () -> registry.register(s, V1_WITH_NOTE));

            assertTrue(e.incompatibilities().stream().anyMatch(i -> i.pointer().equals("/properties/note")
                    || i.message().contains("note")), e.incompatibilities().toString());
        }

        @Test
        void concurrentRegistrationsOfOneSchemaYieldOneVersion() throws Exception {
            String s = subject("OrderPlaced");
            int threads = 8;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            try {
                List<Future<SchemaVersion>> results = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    results.add(pool.submit(() -> {
                        start.await();
                        return registry.register(s, V1);
                    }));
                }
                start.countDown();
                Set<Integer> versions = results.stream().map(f -> {
                    try {
                        return f.get(60, TimeUnit.SECONDS).version();
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }).collect(Collectors.toSet());
                assertEquals(Set.of(1), versions);
                assertEquals(List.of(1), registry.versions(s));
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Nested
    class Lookup {

        @Test
        void findsAVersionByDefinition() {
            String s = subject("OrderPlaced");
            registry.register(s, V1);
            registry.register(s, V1_WITHOUT_QTY);

            Optional<SchemaVersion> found = registry.find(s, V1_WITHOUT_QTY);

            assertTrue(found.isPresent());
            assertEquals(2, found.get().version());
            assertTrue(registry.find(s, V1_QTY_STRING).isEmpty());
            assertTrue(registry.find(subject("Nobody"), V1).isEmpty());
        }

        @Test
        void listsSubjects() {
            String a = subject("A");
            String b = subject("B");
            registry.register(a, V1);
            registry.register(b, V1);

            assertTrue(registry.subjects().containsAll(List.of(a, b)), registry.subjects().toString());
        }

        @Test
        void anUnknownSubjectIsATypedError() {
            String s = subject("Nobody");

            UnknownSubjectException e = assertThrows(UnknownSubjectException.class, () -> registry.latest(s));
            assertEquals(s, e.subject());
            assertThrows(UnknownSubjectException.class, () -> registry.version(s, 1));
            assertThrows(UnknownSubjectException.class, () -> registry.versions(s));
        }

        @Test
        void anUnknownVersionIsATypedError() {
            String s = subject("OrderPlaced");
            registry.register(s, V1);

            UnknownSchemaException e = assertThrows(UnknownSchemaException.class, () -> registry.version(s, 7));
            assertEquals(7, e.schemaVersion());
        }
    }

    @Nested
    class BadInput {

        @Test
        void malformedJsonIsRefusedAndNothingRegistered() {
            String s = subject("Broken");

            InvalidSchemaException e = assertThrows(InvalidSchemaException.class, () -> registry.register(s, "{\"type\": \"object\""));

            assertTrue(String.valueOf(e.getMessage()).contains(s), e.getMessage());
            assertThrows(UnknownSubjectException.class, () -> registry.versions(s));
        }

        @Test
        void aDocumentThatIsNotAJsonSchemaIsRefused() {
            String s = subject("Broken");

            assertThrows(InvalidSchemaException.class, () -> registry.register(s, "{\"type\":\"strin\"}"));
            assertThrows(InvalidSchemaException.class, () -> registry.register(s, "[1,2]"));
            assertThrows(UnknownSubjectException.class, () -> registry.versions(s));
        }

        @Test
        void anInvalidCandidateIsRefusedByTheCheckToo() {
            String s = subject("Broken");
            registry.register(s, V1);

            assertThrows(InvalidSchemaException.class, () -> registry.check(s, "not json"));
            assertEquals(List.of(1), registry.versions(s));
        }
    }

    @Nested
    class Compatibility {

        @Test
        void checkJudgesWithoutRegistering() {
            String s = subject("OrderPlaced");
            registry.register(s, V1);

            CompatibilityReport ok = registry.check(s, V1_WITHOUT_QTY);
            CompatibilityReport bad = registry.check(s, V1_QTY_STRING);

            assertTrue(ok.isCompatible(), ok.toString());
            assertFalse(bad.isCompatible());
            assertEquals(CompatibilityMode.BACKWARD, bad.mode());
            assertEquals(List.of(1), registry.versions(s));
        }

        @Test
        void aNewSubjectAcceptsAnySchema() {
            assertTrue(registry.check(subject("Fresh"), V1_QTY_STRING).isCompatible());
        }

        @Test
        void modesArePerSubjectWithADefault() {
            String s = subject("OrderPlaced");
            String other = subject("Other");
            registry.register(s, V1);
            registry.register(other, V1);

            assertEquals(CompatibilityMode.BACKWARD, registry.defaultCompatibility());
            assertEquals(registry.defaultCompatibility(), registry.compatibility(s));

            registry.setCompatibility(s, CompatibilityMode.FORWARD);

            assertEquals(CompatibilityMode.FORWARD, registry.compatibility(s));
            assertEquals(CompatibilityMode.BACKWARD, registry.compatibility(other));
            // FORWARD: old readers read new data. Adding to an open model is fine, removing is not.
            assertEquals(2, registry.register(s, V1_WITH_NOTE).version());
            IncompatibleSchemaException e = assertThrows(IncompatibleSchemaException.class, () -> registry.register(s, V1_WITHOUT_QTY));
            assertEquals(CompatibilityMode.FORWARD, e.mode());
        }

        @Test
        void fullModeNeedsBothDirections() {
            String s = subject("OrderPlaced");
            registry.register(s, V1);
            registry.setCompatibility(s, CompatibilityMode.FULL);

            assertThrows(IncompatibleSchemaException.class, () -> registry.register(s, V1_WITHOUT_QTY));
            assertThrows(IncompatibleSchemaException.class, () -> registry.register(s, V1_WITH_NOTE));
            assertEquals(2, registry.register(s, described(V1, "full")).version());
        }

        @Test
        void noneAcceptsAnyChange() {
            String s = subject("OrderPlaced");
            registry.register(s, V1);
            registry.setCompatibility(s, CompatibilityMode.NONE);

            assertEquals(2, registry.register(s, V1_QTY_STRING).version());
        }

        @Test
        void transitiveModesCheckEveryVersion() {
            String s = subject("OrderPlaced");
            registry.register(s, V1);
            registry.setCompatibility(s, CompatibilityMode.NONE);
            registry.register(s, V1_QTY_STRING);
            String v3 = described(V1_QTY_STRING, "v3");

            registry.setCompatibility(s, CompatibilityMode.BACKWARD_TRANSITIVE);
            IncompatibleSchemaException e = assertThrows(IncompatibleSchemaException.class, () -> registry.register(s, v3));
            assertEquals(CompatibilityMode.BACKWARD_TRANSITIVE, e.mode());
            assertTrue(e.incompatibilities().stream().allMatch(i -> i.againstVersion() == 1), e.incompatibilities().toString());

            registry.setCompatibility(s, CompatibilityMode.BACKWARD);
            assertEquals(3, registry.register(s, v3).version());
        }
    }
}
