package io.nexus.core.temporal;

/**
 * An aggregate as it was.
 *
 * @param aggregate the rebuilt aggregate; its {@code version()} is the last event applied
 * @param target    what was asked for, as in the audit record
 * @param <A>       the aggregate type
 */
public record TemporalResult<A>(A aggregate, String target) {
}
