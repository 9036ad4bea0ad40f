package io.nexus.examples.order.projection;

import io.nexus.core.NexusException;

/**
 * The read model stopped because an event could not be applied, so it would answer with stale or
 * wrong data; it refuses queries instead. Permanent until the cause is fixed and the app restarted
 * (the read model is then rebuilt from the event log).
 */
public class ReadModelUnavailableException extends NexusException {

    private static final long serialVersionUID = 1L;

    public ReadModelUnavailableException(String readModel, Throwable cause) {
        super("Read model '" + readModel + "' stopped: " + cause.getMessage()
                + "; fix the cause and restart the app to rebuild it from the event log.", cause);
    }
}
