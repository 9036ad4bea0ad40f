package io.nexus.opensearch;

import java.util.List;
import java.util.Map;

/**
 * One page of query results.
 *
 * @param hits       the documents of this page, in result order
 * @param total      how many documents match in all
 * @param highlights per document id, per field, the highlighted fragments (empty unless highlighting was asked for)
 * @param <D>        the document type
 */
public record Page<D>(List<Versioned<D>> hits, long total, Map<String, Map<String, List<String>>> highlights) {

    public Page {
        hits = List.copyOf(hits);
        highlights = Map.copyOf(highlights);
    }
}
