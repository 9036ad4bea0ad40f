package io.nexus.core.schema;

import io.nexus.core.NexusException;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A schema was refused because it breaks the subject's compatibility mode; nothing was registered. The message
 * lists each breaking difference and the mode it violates. Permanent: make the change compatible, or publish
 * it as a new major version of the event type with an upcaster (see {@link SchemaEvolution}).
 */
public class IncompatibleSchemaException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final String subject;
    private final CompatibilityMode mode;
    private final List<Incompatibility> incompatibilities;

    public IncompatibleSchemaException(String subject, CompatibilityMode mode, List<Incompatibility> incompatibilities) {
        super("Schema for subject '" + subject + "' violates compatibility mode " + mode + ": "
                + incompatibilities.stream().map(Incompatibility::toString).collect(Collectors.joining("; "))
                + ". Nothing was registered; make the change " + mode
                + "-compatible, or register it as a breaking change with an upcaster (SchemaEvolution.registerBreakingChange).");
        this.subject = subject;
        this.mode = mode;
        this.incompatibilities = List.copyOf(incompatibilities);
    }

    public String subject() {
        return subject;
    }

    public CompatibilityMode mode() {
        return mode;
    }

    public List<Incompatibility> incompatibilities() {
        return incompatibilities;
    }
}
