package io.nexus.core.observation;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** docs/observability.md lists every meter, observation, observation key and MDC key Nexus declares. */
class ObservabilityDocsTest {

    private static final Path DOC = Path.of("..", "docs", "observability.md");

    @Test
    void everyMeterObservationAndMdcKeyIsDocumented() throws Exception {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        List<String> missing = new ArrayList<>();
        for (NexusMeters.MeterDoc meter : NexusMeters.all()) {
            if (!doc.contains("`" + meter.name() + "`")) {
                missing.add("meter " + meter.name());
            }
        }
        for (NexusObservation observation : NexusObservation.values()) {
            if (!doc.contains("`" + observation.getName() + "`")) {
                missing.add("observation " + observation.getName());
            }
        }
        for (NexusObservation.KeyNames key : NexusObservation.KeyNames.values()) {
            if (!doc.contains("`" + key.asString() + "`")) {
                missing.add("observation key " + key.asString());
            }
        }
        for (Field field : NexusMdc.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class
                    && !doc.contains("`" + field.get(null) + "`")) {
                missing.add("MDC key " + field.get(null));
            }
        }
        assertEquals(List.of(), missing, "not in docs/observability.md");
    }

    @Test
    void noObservationIsNamedLikeAMeter() {
        for (NexusObservation observation : NexusObservation.values()) {
            assertEquals(false, NexusMeters.find(observation.getName()).isPresent(),
                    observation.getName() + " would clash with the meter of that name under a DefaultMeterObservationHandler");
        }
    }
}
