package io.nexus.dynamodb;

import io.nexus.core.NexusException;

/**
 * {@link DynamoDbEventStore#subscribe} was called on a store built without a DynamoDB Streams client.
 * Permanent: pass one with {@code DynamoDbEventStore.builder(client).streamsClient(streamsClient)}.
 */
public class ChangeCaptureNotConfiguredException extends NexusException {

    private static final long serialVersionUID = 1L;

    public ChangeCaptureNotConfiguredException(String table) {
        super("The DynamoDB event store on table '" + table + "' has no Streams client, so it cannot deliver appends to "
                + "subscribers; build it with streamsClient(DynamoDbStreamsClient).");
    }
}
