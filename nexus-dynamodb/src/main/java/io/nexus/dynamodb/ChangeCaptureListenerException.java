package io.nexus.dynamodb;

import io.nexus.core.NexusException;

/**
 * The listener of a {@link DynamoDbChangeCapture} reader threw. Nothing past the last delivered batch is
 * checkpointed, so the failed batch is delivered again on the next poll. Transient from the reader's
 * point of view; the listener's own exception is the cause.
 */
public class ChangeCaptureListenerException extends NexusException {

    private static final long serialVersionUID = 1L;

    public ChangeCaptureListenerException(String readerName, String streamId, Throwable cause) {
        super("Change capture '" + readerName + "' could not deliver events of stream '" + streamId + "' because the "
                + "listener threw (" + cause + "); the batch will be delivered again on the next poll.", cause, true);
    }
}
