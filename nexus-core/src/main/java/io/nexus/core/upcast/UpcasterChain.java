package io.nexus.core.upcast;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nexus.core.serialization.EventTypeInfo;
import io.nexus.core.serialization.EventTypes;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * All upcasters of an application, validated against the registered event types when built: every
 * type at schema version {@code n > 1} needs one upcaster for each step {@code 1 -> 2 ... n-1 -> n}.
 * A gap, a duplicate step, a step at or beyond the current version, or an upcaster for an unregistered
 * type is an {@link UpcasterChainException} at startup rather than a surprise when old data is read.
 *
 * <p>Immutable and thread-safe.
 */
public final class UpcasterChain {

    private final Map<String, Upcaster[]> byType;

    private UpcasterChain(Map<String, Upcaster[]> byType) {
        this.byType = byType;
    }

    /** A chain with no upcasters; valid only while every type is at version 1. */
    public static UpcasterChain empty(EventTypes types) {
        return of(types, List.of());
    }

    /**
     * Validates and builds the chain.
     *
     * @throws UpcasterChainException listing every problem found
     */
    public static UpcasterChain of(EventTypes types, Collection<? extends Upcaster> upcasters) {
        Map<String, TreeMap<Integer, Upcaster>> grouped = new HashMap<>();
        StringBuilder problems = new StringBuilder();
        for (Upcaster u : upcasters) {
            if (!types.contains(u.eventType())) {
                problems.append("\n - ").append(u).append(" names event type '").append(u.eventType())
                        .append("', which is not registered");
                continue;
            }
            Upcaster previous = grouped.computeIfAbsent(u.eventType(), k -> new TreeMap<>()).put(u.fromVersion(), u);
            if (previous != null) {
                problems.append("\n - two upcasters for '").append(u.eventType()).append("' v").append(u.fromVersion())
                        .append(" -> v").append(u.fromVersion() + 1).append(": ").append(previous).append(" and ").append(u);
            }
        }
        Map<String, Upcaster[]> byType = new HashMap<>();
        for (EventTypeInfo type : types.all()) {
            TreeMap<Integer, Upcaster> steps = grouped.getOrDefault(type.name(), new TreeMap<>());
            Upcaster[] chain = new Upcaster[type.version()];
            for (int v = 1; v < type.version(); v++) {
                Upcaster step = steps.get(v);
                if (step == null) {
                    problems.append("\n - event type '").append(type.name()).append("' is at version ").append(type.version())
                            .append(" but has no upcaster from v").append(v).append(" to v").append(v + 1);
                }
                chain[v] = step;
            }
            for (int from : steps.keySet()) {
                if (from >= type.version()) {
                    problems.append("\n - an upcaster for '").append(type.name()).append("' reads v").append(from)
                            .append(" but the current version is ").append(type.version());
                }
            }
            byType.put(type.name(), chain);
        }
        if (problems.length() > 0) {
            throw new UpcasterChainException("The upcaster chain is incomplete:" + problems
                    + "\nRegister one upcaster per version step, or correct the event type's version.");
        }
        return new UpcasterChain(byType);
    }

    /**
     * {@code payload}, stored with {@code storedVersion}, brought to the current version of its type.
     * The tree passed in is modified.
     *
     * @throws UpcastingException if the stored version is newer than the current one, or an upcaster fails
     */
    public ObjectNode upcast(String eventType, int storedVersion, int currentVersion, ObjectNode payload) {
        if (storedVersion > currentVersion) {
            throw new UpcastingException("Event type '" + eventType + "' was stored at version " + storedVersion
                    + " but this application knows version " + currentVersion
                    + " at most; deploy the newer application version before reading these events.", null);
        }
        if (storedVersion == currentVersion) {
            return payload;
        }
        Upcaster[] chain = byType.get(eventType);
        if (chain == null) {
            throw new UpcastingException("Event type '" + eventType + "' was stored at version " + storedVersion
                    + " but has no upcasters to version " + currentVersion + "; register them when building the UpcasterChain.", null);
        }
        ObjectNode node = payload;
        for (int v = storedVersion; v < currentVersion; v++) {
            try {
                node = chain[v].upcast(node);
            } catch (RuntimeException e) {
                throw new UpcastingException("Upcaster for '" + eventType + "' v" + v + " -> v" + (v + 1) + " failed: " + e, e);
            }
            if (node == null) {
                throw new UpcastingException("Upcaster for '" + eventType + "' v" + v + " -> v" + (v + 1) + " returned null", null);
            }
        }
        return node;
    }
}
