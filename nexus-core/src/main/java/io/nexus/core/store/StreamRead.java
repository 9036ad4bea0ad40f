package io.nexus.core.store;

import io.nexus.core.event.EventEnvelope;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What {@link ReadStream#readAndFind} returns: the events a stream read selected, and where the same stream holds
 * the event id that was looked up.
 *
 * @param events       the events of the read, in version order, exactly as {@link ReadStream#read} returns them
 * @param foundVersion the version at which the stream holds the looked-up event id, exactly as
 *                     {@link ReadStream#versionOf} answers; empty when it holds none
 */
public record StreamRead(List<EventEnvelope> events, OptionalLong foundVersion) {

    /**
     * @throws NullPointerException if either argument is {@code null}
     */
    public StreamRead {
        events = List.copyOf(events);
        Objects.requireNonNull(foundVersion, "foundVersion");
    }
}
