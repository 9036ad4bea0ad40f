package io.nexus.examples.order.projection;

import io.nexus.core.NexusException;

/**
 * The read model holds an order back behind an event it could not apply (a dead letter), so it would
 * answer with stale data; it refuses instead. Permanent until the cause is fixed and the dead letter
 * retried ({@code nexus.projection("order-summaries").retryDeadLetter(id)}) or discarded.
 */
public class ReadModelUnavailableException extends NexusException {

    private static final long serialVersionUID = 1L;

    public ReadModelUnavailableException(String readModel, String problem) {
        super("Read model '" + readModel + "' stopped: " + problem
                + "; fix the cause and retry its dead letter (or restart the app to rebuild the read model from the event log).");
    }
}
