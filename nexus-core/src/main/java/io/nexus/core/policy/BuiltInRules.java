package io.nexus.core.policy;

import io.nexus.core.schema.ReadSchemas;
import io.nexus.core.schema.UnknownSchemaException;
import io.nexus.core.schema.UnknownSubjectException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/** The built-in rules behind {@link Policies}; each denial says what was refused and what to do instead. */
final class BuiltInRules {

    private BuiltInRules() {
    }

    static final String APPEND_ONLY = "append-only";
    static final String SCHEMA_REQUIRED = "schema-required";
    static final String EVENT_OWNERSHIP = "event-ownership";
    static final String PAYLOAD_LIMIT = "payload-limit";
    static final String PERSONAL_DATA = "personal-data";

    /** History is never changed in place: update and delete actions are refused. */
    static final class AppendOnly implements PolicyRule {
        @Override
        public String name() {
            return APPEND_ONLY;
        }

        @Override
        public PolicyDecision evaluate(PolicyRequest request) {
            String action = request.action();
            if (!PolicyActions.HISTORY_UPDATE.equals(action) && !PolicyActions.HISTORY_DELETE.equals(action)) {
                return PolicyDecision.allow(APPEND_ONLY);
            }
            String what = request.aggregateId() == null ? "stored events" : "the history of " + request.aggregateType()
                    + " '" + request.aggregateId() + "'";
            return PolicyDecision.deny(APPEND_ONLY, List.of("History is append-only: '" + action + "' would "
                    + (PolicyActions.HISTORY_UPDATE.equals(action) ? "change " : "delete ") + what
                    + "; append a compensating event instead (a correction, or an erasure marker that projections honour)"));
        }
    }

    /** Every appended event's type and schema version must be registered in the schema registry. */
    static final class SchemaRequired implements PolicyRule {
        private final ReadSchemas registry;
        private final Set<String> known = ConcurrentHashMap.newKeySet();

        SchemaRequired(ReadSchemas registry) {
            this.registry = registry;
        }

        @Override
        public String name() {
            return SCHEMA_REQUIRED;
        }

        @Override
        public PolicyDecision evaluate(PolicyRequest request) {
            List<String> reasons = new ArrayList<>();
            for (PolicyEvent event : request.events()) {
                String key = event.type() + "/" + event.schemaVersion();
                if (known.contains(key)) {
                    continue;
                }
                try {
                    registry.version(event.type(), event.schemaVersion());
                    // Registered versions are immutable, so a positive answer can be kept.
                    known.add(key);
                } catch (UnknownSubjectException | UnknownSchemaException e) {
                    reasons.add("Event type '" + event.type() + "' v" + event.schemaVersion()
                            + " is not registered in the schema registry; register its schema first (SchemaFiles.register"
                            + "Classpath(nexus.schemaRegistry(), ...)) or leave schema governance off (allowUnregisteredEventTypes())");
                }
            }
            return reasons.isEmpty() ? PolicyDecision.allow(SCHEMA_REQUIRED) : PolicyDecision.deny(SCHEMA_REQUIRED, reasons);
        }
    }

    /** An event type that has an owner may only be appended to a stream of its owner's aggregate type. */
    static final class EventOwnership implements PolicyRule {
        final Map<String, String> owners;

        EventOwnership(Map<String, String> owners) {
            this.owners = Map.copyOf(owners);
        }

        @Override
        public String name() {
            return EVENT_OWNERSHIP;
        }

        @Override
        public PolicyDecision evaluate(PolicyRequest request) {
            List<String> reasons = new ArrayList<>();
            for (PolicyEvent event : request.events()) {
                String owner = owners.get(event.type());
                if (owner != null && !owner.equals(request.aggregateType())) {
                    reasons.add("Event type '" + event.type() + "' belongs to aggregate type '" + owner + "', but '"
                            + request.aggregateType() + "' appends it; let a " + owner + " decide it (send it a command), "
                            + "or give " + request.aggregateType() + " its own event type");
                }
            }
            return reasons.isEmpty() ? PolicyDecision.allow(EVENT_OWNERSHIP) : PolicyDecision.deny(EVENT_OWNERSHIP, reasons);
        }
    }

    /** Payloads may not exceed their event type's limit (or the default limit). */
    static final class PayloadLimit implements PolicyRule {
        final Map<String, Integer> limits;
        final int defaultLimit;

        PayloadLimit(Map<String, Integer> limits, int defaultLimit) {
            this.limits = Map.copyOf(limits);
            this.defaultLimit = defaultLimit;
        }

        @Override
        public String name() {
            return PAYLOAD_LIMIT;
        }

        @Override
        public PolicyDecision evaluate(PolicyRequest request) {
            List<String> reasons = new ArrayList<>();
            for (PolicyEvent event : request.events()) {
                int limit = limits.getOrDefault(event.type(), defaultLimit);
                if (event.payloadSize() > limit) {
                    reasons.add("Event type '" + event.type() + "' payload is " + event.payloadSize() + " bytes, over its limit of "
                            + limit + " bytes; keep large content out of events (store it elsewhere and reference it), "
                            + "or raise the limit with payloadLimit(\"" + event.type() + "\", bytes)");
                }
            }
            return reasons.isEmpty() ? PolicyDecision.allow(PAYLOAD_LIMIT) : PolicyDecision.deny(PAYLOAD_LIMIT, reasons);
        }
    }

    /** Fields marked as personal data may appear only in the event types allowed to carry them. */
    static final class PersonalData implements PolicyRule {
        final Set<String> fields;
        final Set<String> allowedIn;

        PersonalData(Set<String> fields, Set<String> allowedIn) {
            this.fields = Set.copyOf(fields);
            this.allowedIn = Set.copyOf(allowedIn);
        }

        @Override
        public String name() {
            return PERSONAL_DATA;
        }

        @Override
        public PolicyDecision evaluate(PolicyRequest request) {
            List<String> reasons = new ArrayList<>();
            for (PolicyEvent event : request.events()) {
                if (allowedIn.contains(event.type())) {
                    continue;
                }
                Set<String> found = new TreeSet<>();
                for (String path : event.fields()) {
                    for (String marked : fields) {
                        if (path.equals(marked) || path.endsWith("." + marked)) {
                            found.add(path);
                        }
                    }
                }
                if (!found.isEmpty()) {
                    reasons.add("Event type '" + event.type() + "' carries personal data " + found + " but is not allowed to; "
                            + "refer to the person by id instead, or allow it with personalData(fields, Set.of(\"" + event.type() + "\", ...))");
                }
            }
            return reasons.isEmpty() ? PolicyDecision.allow(PERSONAL_DATA) : PolicyDecision.deny(PERSONAL_DATA, reasons);
        }
    }
}
