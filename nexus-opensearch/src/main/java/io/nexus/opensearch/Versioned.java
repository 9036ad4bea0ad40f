package io.nexus.opensearch;

/**
 * A document with the aggregate version it reflects.
 *
 * @param id       the document id (the aggregate id for per-aggregate read models)
 * @param version  the aggregate version of the last event applied to it
 * @param document the document
 * @param <D>      the document type
 */
public record Versioned<D>(String id, long version, D document) {
}
