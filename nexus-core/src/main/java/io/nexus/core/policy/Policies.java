package io.nexus.core.policy;

import io.nexus.core.schema.ReadSchemas;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A composition of named policy rules: the built-in ones, enabled by name, and the application's own,
 * added with {@link #and}. Every rule is asked in the order it was enabled; the first that denies decides
 * (its name is the decision's rule, its reasons the decision's), and when none denies the action is allowed.
 * Immutable: each method returns a new composition. Thread-safe.
 *
 * <pre>{@code
 * PolicyEngine policy = Policies.builtIn()
 *         .appendOnly()
 *         .schemaRequired(registry)
 *         .eventOwner("Order", "OrderPlaced", "LineAdded")
 *         .payloadLimit(64 * 1024)
 *         .personalData(Set.of("email"), Set.of("CustomerRegistered"))
 *         .and(PolicyRule.of("tenant-isolation", request -> ...));
 * }</pre>
 *
 * <p>The built-in rules, by name:
 * <ul>
 *   <li>{@code append-only}: refuses {@link PolicyActions#HISTORY_UPDATE} and {@link PolicyActions#HISTORY_DELETE};</li>
 *   <li>{@code schema-required}: refuses appending an event type and version the schema registry does not know;</li>
 *   <li>{@code event-ownership}: refuses appending an event type from an aggregate type other than its owner
 *       (event types without a declared owner are not constrained);</li>
 *   <li>{@code payload-limit}: refuses payloads larger than their event type's limit (or the default);</li>
 *   <li>{@code personal-data}: refuses events carrying a field marked as personal data unless their type is allowed to.</li>
 * </ul>
 */
public final class Policies implements PolicyRule {

    /** The name a composition reports for an allowance. */
    public static final String NAME = "policies";

    private final Map<String, PolicyRule> rules;

    private Policies(Map<String, PolicyRule> rules) {
        this.rules = rules;
    }

    /** A composition with no rule yet (allows everything) to enable built-in rules on. */
    public static Policies builtIn() {
        return new Policies(Map.of());
    }

    /** Enables {@code append-only}. */
    public Policies appendOnly() {
        return with(new BuiltInRules.AppendOnly());
    }

    /** Enables {@code schema-required}: every appended event type and schema version must be registered in {@code registry}. */
    public Policies schemaRequired(ReadSchemas registry) {
        return with(new BuiltInRules.SchemaRequired(Objects.requireNonNull(registry, "registry")));
    }

    /**
     * Enables {@code event-ownership} (or extends it): each of {@code eventTypes} may only be appended by aggregate
     * type {@code aggregateType}.
     *
     * @throws IllegalArgumentException if an event type already has another owner
     */
    public Policies eventOwner(String aggregateType, String... eventTypes) {
        Objects.requireNonNull(aggregateType, "aggregateType");
        Map<String, String> owners = new HashMap<>();
        if (rules.get(BuiltInRules.EVENT_OWNERSHIP) instanceof BuiltInRules.EventOwnership existing) {
            owners.putAll(existing.owners);
        }
        for (String type : eventTypes) {
            String previous = owners.putIfAbsent(Objects.requireNonNull(type, "eventType"), aggregateType);
            if (previous != null && !previous.equals(aggregateType)) {
                throw new IllegalArgumentException("event type '" + type + "' is owned by '" + previous + "' and cannot also be owned by '"
                        + aggregateType + "'; give each event type one owning aggregate type");
            }
        }
        return with(new BuiltInRules.EventOwnership(owners));
    }

    /** Enables {@code payload-limit} (or extends it) with {@code maxBytes} for {@code eventType}. */
    public Policies payloadLimit(String eventType, int maxBytes) {
        requirePositive(maxBytes);
        BuiltInRules.PayloadLimit existing = rules.get(BuiltInRules.PAYLOAD_LIMIT) instanceof BuiltInRules.PayloadLimit p ? p : null;
        Map<String, Integer> limits = new HashMap<>(existing == null ? Map.of() : existing.limits);
        limits.put(Objects.requireNonNull(eventType, "eventType"), maxBytes);
        return with(new BuiltInRules.PayloadLimit(limits, existing == null ? Integer.MAX_VALUE : existing.defaultLimit));
    }

    /** Enables {@code payload-limit} (or extends it) with {@code maxBytes} for every event type without its own limit. */
    public Policies payloadLimit(int maxBytes) {
        requirePositive(maxBytes);
        BuiltInRules.PayloadLimit existing = rules.get(BuiltInRules.PAYLOAD_LIMIT) instanceof BuiltInRules.PayloadLimit p ? p : null;
        return with(new BuiltInRules.PayloadLimit(existing == null ? Map.of() : existing.limits, maxBytes));
    }

    /**
     * Enables {@code personal-data} (or extends it): payload fields named in {@code fields} (a name such as
     * {@code "email"} matches at any depth; a dotted path such as {@code "customer.email"} matches that path) may
     * appear only in the event types {@code allowedIn}.
     */
    public Policies personalData(Collection<String> fields, Collection<String> allowedIn) {
        Set<String> f = new HashSet<>(fields);
        Set<String> a = new HashSet<>(allowedIn);
        if (rules.get(BuiltInRules.PERSONAL_DATA) instanceof BuiltInRules.PersonalData existing) {
            f.addAll(existing.fields);
            a.addAll(existing.allowedIn);
        }
        return with(new BuiltInRules.PersonalData(f, a));
    }

    /**
     * Adds the application's {@code rule}, asked after the rules enabled before it.
     *
     * @throws IllegalArgumentException if a rule of the same name is already part of this composition
     */
    public Policies and(PolicyRule rule) {
        Objects.requireNonNull(rule, "rule");
        if (rules.containsKey(rule.name())) {
            throw new IllegalArgumentException("a rule named '" + rule.name() + "' is already enabled; give each rule its own name");
        }
        return with(rule);
    }

    /** Adds {@code engine} as a rule named {@code name}; see {@link #and(PolicyRule)}. */
    public Policies and(String name, PolicyEngine engine) {
        return and(PolicyRule.of(name, engine));
    }

    /** The names of the enabled rules, in the order they are asked. */
    public List<String> ruleNames() {
        return List.copyOf(rules.keySet());
    }

    /** Whether a rule named {@code name} is enabled. */
    public boolean has(String name) {
        return rules.containsKey(name);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public PolicyDecision evaluate(PolicyRequest request) {
        for (PolicyRule rule : rules.values()) {
            PolicyDecision decision = rule.evaluate(request);
            if (decision == null) {
                return PolicyDecision.deny(rule.name(), List.of("rule '" + rule.name() + "' gave no decision"));
            }
            if (!decision.allowed()) {
                return decision.byRule(rule.name());
            }
        }
        return PolicyDecision.allow(NAME);
    }

    @Override
    public String toString() {
        return "Policies" + ruleNames();
    }

    /** Replaces the rule of the same name in place, or appends it. */
    private Policies with(PolicyRule rule) {
        Map<String, PolicyRule> next = new LinkedHashMap<>(rules);
        next.put(rule.name(), rule);
        return new Policies(java.util.Collections.unmodifiableMap(next));
    }

    private static void requirePositive(int maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be >= 1, but was " + maxBytes);
        }
    }
}
