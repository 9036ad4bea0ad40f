package io.nexus.core.schema;

/**
 * The schema registry port: subjects (one per event type), their immutable JSON Schema versions with
 * registration time and fingerprint, and a compatibility mode per subject with a default.
 *
 * <p>Implementations: {@link InMemorySchemaRegistry} (embedded), {@code GlueSchemaRegistry}
 * (nexus-glue-registry) and {@code ConfluentSchemaRegistry} (nexus-confluent-registry); all pass the
 * {@code SchemaRegistryContract} of nexus-test-kit. Implementations are thread-safe, take no {@code null}
 * argument, and translate every vendor error into a Nexus exception with the vendor's message kept.
 *
 * <p>Event types map to subjects one to one: subject = event type name, version = the schema version the
 * event was written with ({@link io.nexus.core.event.NewEvent#schemaVersion()}). Register versions in order
 * so the numbers match; {@link SchemaFiles} does so at startup and checks it.
 */
public interface SchemaRegistry extends RegisterSchemas, ReadSchemas, CheckCompatibility, ConfigureCompatibility {

    /** A short name for messages and metrics ("in-memory", "glue:my-registry", "confluent:http://..."). */
    String name();
}
