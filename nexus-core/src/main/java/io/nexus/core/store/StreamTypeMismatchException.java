package io.nexus.core.store;

import io.nexus.core.NexusException;

/**
 * An append named another aggregate type than the one that owns the stream. Permanent: aggregate ids
 * must be unique across aggregate types (prefix them, e.g. "order-42", or use UUIDs).
 */
public class StreamTypeMismatchException extends NexusException {

    private static final long serialVersionUID = 1L;

    public StreamTypeMismatchException(String streamId, String expectedType, String actualType) {
        super("Stream '" + streamId + "' belongs to aggregate type '" + actualType + "' but '" + expectedType
                + "' was given; make aggregate ids unique across types (e.g. prefix them with the type).");
    }
}
