package io.nexus.core.schema;

import org.jspecify.annotations.Nullable;
import io.nexus.core.NexusException;

/** The registry has no subject of that name. Permanent: register a first schema version for it. */
public class UnknownSubjectException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final String subject;

    public UnknownSubjectException(String subject, @Nullable String registryMessage, @Nullable Throwable cause) {
        super("Subject '" + subject + "' does not exist in the schema registry"
                + (registryMessage == null ? "" : " (registry said: " + registryMessage + ")")
                + "; register its first schema version before using it.", cause);
        this.subject = subject;
    }

    public UnknownSubjectException(String subject) {
        this(subject, null, null);
    }

    public String subject() {
        return subject;
    }
}
