package io.nexus.core.deadletter;

import io.nexus.core.NexusException;
import org.jspecify.annotations.Nullable;

import java.util.UUID;

/**
 * A dead letter named by id does not exist for the consumer asked: it was already retried successfully,
 * discarded, or belongs to another consumer. Permanent; list the consumer's dead letters to find the
 * current ids. Nothing is changed.
 */
public class DeadLetterNotFoundException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final UUID deadLetterId;
    private final @Nullable String consumer;

    public DeadLetterNotFoundException(UUID deadLetterId, String consumer) {
        super("Dead letter '" + deadLetterId + "' of consumer '" + consumer + "' was not found; it was retried, "
                + "discarded or belongs to another consumer. List the consumer's dead letters for current ids.");
        this.deadLetterId = deadLetterId;
        this.consumer = consumer;
    }

    /** Dead letter {@code deadLetterId} is held by none of an application's consumers ({@link DeadLetterOperations}). */
    public DeadLetterNotFoundException(UUID deadLetterId) {
        super("Dead letter '" + deadLetterId + "' was not found among the dead letters of this application's projections "
                + "and consumer groups; it was retried or discarded. List the dead letters for current ids.");
        this.deadLetterId = deadLetterId;
        this.consumer = null;
    }

    public UUID deadLetterId() {
        return deadLetterId;
    }

    /** The consumer asked, or {@code null} when every consumer of the application was. */
    public @Nullable String consumer() {
        return consumer;
    }
}
