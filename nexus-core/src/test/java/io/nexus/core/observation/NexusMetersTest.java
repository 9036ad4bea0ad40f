package io.nexus.core.observation;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The declared meters' descriptions, as Micrometer and the generated docs show them. */
class NexusMetersTest {

    @Test
    void aSummaryWhoseDescriptionNamesItsUnitGetsNoUnitSuffix() {
        NexusMeters.MeterDoc doc = NexusMeters.find(NexusMeters.KINESIS_CONSUME_MILLIS_BEHIND).orElseThrow();
        assertEquals("How far a shard reader is behind the tip of its shard (iterator age), in milliseconds", doc.description());
    }

    @Test
    void noDescriptionNamesAMissingUnit() {
        for (NexusMeters.MeterDoc doc : NexusMeters.all()) {
            assertFalse(doc.description().contains("null"), () -> "meter '" + doc.name() + "' has description '"
                    + doc.description() + "'");
        }
    }
}
