package io.nexus.core.policy;

import io.nexus.core.schema.CompatibilityMode;
import io.nexus.core.schema.CompatibilityReport;
import io.nexus.core.schema.SchemaRegistry;
import io.nexus.core.schema.SchemaVersion;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link SchemaRegistry} whose changes go through the policy first: {@link #register} asks for action
 * {@code schema-register} and {@link #setCompatibility} for {@code schema-mode-change} (attributes
 * {@code subject}, and {@code mode} or {@code schemaSize}); reads and dry-run checks are not asked about.
 * What {@code nexus.schemaRegistry()} returns. Thread-safe when the registry and policy are.
 */
public final class GovernedSchemaRegistry implements SchemaRegistry {

    private final SchemaRegistry registry;
    private final PolicyEngine policy;
    private final Map<String, String> principal;

    private GovernedSchemaRegistry(SchemaRegistry registry, PolicyEngine policy, Map<String, String> principal) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.principal = Map.copyOf(principal);
    }

    /** {@code registry} governed by {@code policy}, acting for no particular principal. */
    public static GovernedSchemaRegistry of(SchemaRegistry registry, PolicyEngine policy) {
        return new GovernedSchemaRegistry(registry, policy, Map.of());
    }

    /** The same registry and policy, acting on behalf of {@code principal}. */
    public GovernedSchemaRegistry actingAs(Map<String, String> principal) {
        return new GovernedSchemaRegistry(registry, policy, Objects.requireNonNull(principal, "principal"));
    }

    /** The registry behind the policy (changes made on it directly are not governed). */
    public SchemaRegistry unwrap() {
        return registry;
    }

    @Override
    public String name() {
        return registry.name();
    }

    /**
     * {@inheritDoc}
     *
     * @throws PolicyDeniedException if the policy refuses the registration; nothing is registered
     */
    @Override
    public SchemaVersion register(String subject, String schema) {
        Objects.requireNonNull(schema, "schema");
        PolicyDecisionPoint.enforce(policy, PolicyRequest.builder(PolicyActions.SCHEMA_REGISTER).principal(principal)
                .attribute("subject", subject).attribute("schemaSize", schema.getBytes(StandardCharsets.UTF_8).length).build());
        return registry.register(subject, schema);
    }

    /**
     * {@inheritDoc}
     *
     * @throws PolicyDeniedException if the policy refuses the change; the mode stays
     */
    @Override
    public void setCompatibility(String subject, CompatibilityMode mode) {
        Objects.requireNonNull(mode, "mode");
        PolicyDecisionPoint.enforce(policy, PolicyRequest.builder(PolicyActions.SCHEMA_MODE_CHANGE).principal(principal)
                .attribute("subject", subject).attribute("mode", mode.name()).build());
        registry.setCompatibility(subject, mode);
    }

    @Override
    public SchemaVersion version(String subject, int version) {
        return registry.version(subject, version);
    }

    @Override
    public SchemaVersion latest(String subject) {
        return registry.latest(subject);
    }

    @Override
    public Optional<SchemaVersion> find(String subject, String schema) {
        return registry.find(subject, schema);
    }

    @Override
    public List<Integer> versions(String subject) {
        return registry.versions(subject);
    }

    @Override
    public List<String> subjects() {
        return registry.subjects();
    }

    @Override
    public CompatibilityReport check(String subject, String schema) {
        return registry.check(subject, schema);
    }

    @Override
    public CompatibilityMode defaultCompatibility() {
        return registry.defaultCompatibility();
    }

    @Override
    public CompatibilityMode compatibility(String subject) {
        return registry.compatibility(subject);
    }
}
