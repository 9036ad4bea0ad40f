/**
 * Searchable read models on OpenSearch: {@link io.nexus.opensearch.OpenSearchReadModel} keeps versioned
 * documents in an index behind an alias, {@link io.nexus.opensearch.OpenSearchProjection} fills it from events
 * through the user's {@link io.nexus.opensearch.DocumentMapper}, and {@link io.nexus.opensearch.Query} reads it.
 */
@NullMarked
package io.nexus.opensearch;

import org.jspecify.annotations.NullMarked;
