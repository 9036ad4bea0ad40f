package io.nexus.benchmarks.schema;

import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.schema.CompatibilityMode;
import io.nexus.core.schema.EventValidator;
import io.nexus.core.schema.InMemorySchemaRegistry;
import io.nexus.core.schema.JsonSchemaCompatibility;
import io.nexus.core.schema.SchemaFingerprint;
import io.nexus.core.schema.SchemaRegistryEventValidator;
import io.nexus.core.schema.SchemaVersion;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A plain harness (the benchmark module has no JMH set up yet) measuring:
 * <ol>
 *   <li>validation cost per event with the schema cached ({@link SchemaRegistryEventValidator} over the
 *       embedded registry; a 12-field order event of about 400 bytes, one nested object and an array);</li>
 *   <li>compatibility-check time of that schema against 1 version (BACKWARD) and 10 versions
 *       (FULL_TRANSITIVE).</li>
 * </ol>
 * Each measurement runs warm-up rounds, then timed rounds; it prints the median and best round.
 * Run: {@code java -cp <classpath> io.nexus.benchmarks.schema.SchemaValidationHarness}
 */
public final class SchemaValidationHarness {

    static final String SCHEMA = """
            {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
             "properties":{
               "orderId":{"type":"string","pattern":"^o-[0-9]+$"},
               "customerId":{"type":"string","minLength":1,"maxLength":64},
               "currency":{"type":"string","enum":["EUR","USD","GBP"]},
               "total":{"type":"number","minimum":0},
               "placedAt":{"type":"string"},
               "channel":{"type":"string"},
               "priority":{"type":"integer","minimum":0,"maximum":9},
               "gift":{"type":"boolean"},
               "note":{"type":["string","null"]},
               "coupon":{"type":"string"},
               "address":{"type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"},
                          "zip":{"type":"string"},"country":{"type":"string","minLength":2,"maxLength":2}},
                          "required":["city","country"]},
               "lines":{"type":"array","minItems":1,"items":{"type":"object","properties":{
                          "sku":{"type":"string"},"qty":{"type":"integer","minimum":1},"price":{"type":"number"}},
                          "required":["sku","qty","price"]}}
             },
             "required":["orderId","customerId","currency","total","lines"]}""";

    static final String PAYLOAD = """
            {"orderId":"o-42","customerId":"c-7","currency":"EUR","total":59.9,"placedAt":"2026-11-23T10:00:00Z",
             "channel":"web","priority":3,"gift":false,"note":null,"coupon":"WINTER",
             "address":{"street":"Main 1","city":"Berlin","zip":"10115","country":"DE"},
             "lines":[{"sku":"A-1","qty":2,"price":19.95},{"sku":"B-2","qty":1,"price":20.0}]}""";

    private static volatile Object sink;

    private SchemaValidationHarness() {
    }

    public static void main(String[] args) {
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.create();
        registry.register("OrderPlaced", SCHEMA);
        EventValidator validator = SchemaRegistryEventValidator.builder(registry).build();
        NewEvent event = NewEvent.of("OrderPlaced", 1, EventPayload.ofJson(PAYLOAD));
        System.out.printf(Locale.ROOT, "payload bytes: %d%n", event.payload().size());

        report("validate one event (cached schema)", 200_000, () -> validator.validate("order-42", event));

        String candidate = SCHEMA.replace("\"coupon\":{\"type\":\"string\"},", "\"coupon\":{\"type\":\"string\",\"description\":\"code\"},");
        List<SchemaVersion> one = List.of(version(1, SCHEMA));
        List<SchemaVersion> ten = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            ten.add(version(i, SCHEMA.replace("\"type\":\"object\",", "\"type\":\"object\",\"description\":\"v" + i + "\",")));
        }
        report("compatibility check, BACKWARD, 1 version", 5_000,
                () -> sink = JsonSchemaCompatibility.check("OrderPlaced", CompatibilityMode.BACKWARD, candidate, one));
        report("compatibility check, FULL_TRANSITIVE, 10 versions", 1_000,
                () -> sink = JsonSchemaCompatibility.check("OrderPlaced", CompatibilityMode.FULL_TRANSITIVE, candidate, ten));
    }

    private static SchemaVersion version(int v, String schema) {
        return new SchemaVersion("OrderPlaced", v, schema, Instant.EPOCH, SchemaFingerprint.of("OrderPlaced", schema));
    }

    private static void report(String name, int iterations, Runnable action) {
        for (int w = 0; w < 5; w++) {
            time(iterations, action);
        }
        double[] rounds = new double[10];
        for (int r = 0; r < rounds.length; r++) {
            rounds[r] = time(iterations, action);
        }
        java.util.Arrays.sort(rounds);
        System.out.printf(Locale.ROOT, "%-52s median %8.2f us/op   best %8.2f us/op   (%d ops x %d rounds)%n",
                name, rounds[rounds.length / 2], rounds[0], iterations, rounds.length);
    }

    private static double time(int iterations, Runnable action) {
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            action.run();
        }
        return (System.nanoTime() - start) / 1_000.0 / iterations;
    }
}
