package io.nexus.core.deadletter;

import io.nexus.core.NexusException;

import java.util.UUID;

/**
 * A dead letter named by id does not exist for the consumer asked: it was already retried successfully,
 * discarded, or belongs to another consumer. Permanent; list the consumer's dead letters to find the
 * current ids. Nothing is changed.
 */
public class DeadLetterNotFoundException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final UUID deadLetterId;
    private final String consumer;

    public DeadLetterNotFoundException(UUID deadLetterId, String consumer) {
        super("Dead letter '" + deadLetterId + "' of consumer '" + consumer + "' was not found; it was retried, "
                + "discarded or belongs to another consumer. List the consumer's dead letters for current ids.");
        this.deadLetterId = deadLetterId;
        this.consumer = consumer;
    }

    public UUID deadLetterId() {
        return deadLetterId;
    }

    public String consumer() {
        return consumer;
    }
}
