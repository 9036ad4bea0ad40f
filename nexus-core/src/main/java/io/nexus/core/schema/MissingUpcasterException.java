package io.nexus.core.schema;

import io.nexus.core.NexusException;

import java.util.List;
import java.util.stream.Collectors;

/** A breaking schema change has no upcaster from the previous version. Permanent: write and register one. */
public class MissingUpcasterException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final List<MissingUpcaster> missing;

    public MissingUpcasterException(List<MissingUpcaster> missing) {
        super("Breaking schema changes without an upcaster: "
                + missing.stream().map(MissingUpcaster::toString).collect(Collectors.joining("; "))
                + ". Add an Upcaster for each step (Upcaster.of(type, fromVersion, fn)) before registering or deploying.");
        this.missing = List.copyOf(missing);
    }

    public List<MissingUpcaster> missing() {
        return missing;
    }
}
