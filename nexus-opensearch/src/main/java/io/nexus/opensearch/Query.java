package io.nexus.opensearch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A read-model query: exact-value filters, an optional full-text match, sorting and paging. Immutable;
 * each method returns a new query.
 *
 * <pre>{@code
 * Query.all().filter("status", "CONFIRMED").text("blue shoes", "lines.description").sortBy("placedAt", false).page(0, 20)
 * }</pre>
 *
 * @param filters     field → exact value (keyword/term match); all must hold
 * @param text        the full-text query, or {@code null}
 * @param textFields  the fields the text is matched against (empty: all fields)
 * @param sortField   the field to sort by, or {@code null} for relevance
 * @param ascending   the sort direction
 * @param from        the offset of the first hit
 * @param size        the page size, 0..10,000
 * @param highlight   whether to return highlighted fragments for the text match
 */
public record Query(Map<String, Object> filters, @Nullable String text, List<String> textFields, @Nullable String sortField, boolean ascending,
                    int from, int size, boolean highlight) {

    public Query {
        filters = Map.copyOf(filters);
        textFields = List.copyOf(textFields);
        if (from < 0) {
            throw new IllegalArgumentException("from must be >= 0, but was " + from);
        }
        if (size < 0 || size > 10_000) {
            throw new IllegalArgumentException("size must be 0..10000, but was " + size);
        }
    }

    /** Every document, first 10 by relevance. */
    public static Query all() {
        return new Query(Map.of(), null, List.of(), null, true, 0, 10, false);
    }

    /** Only documents whose {@code field} has exactly {@code value}. */
    public Query filter(String field, Object value) {
        Map<String, Object> f = new LinkedHashMap<>(filters);
        f.put(Objects.requireNonNull(field, "field"), Objects.requireNonNull(value, "value"));
        return new Query(f, text, textFields, sortField, ascending, from, size, highlight);
    }

    /** Full-text match of {@code query} against {@code fields} (all fields when none given). */
    public Query text(String query, String... fields) {
        return new Query(filters, Objects.requireNonNull(query, "query"), new ArrayList<>(List.of(fields)), sortField, ascending,
                from, size, highlight);
    }

    /** Return highlighted fragments of the text match. */
    public Query highlighted() {
        return new Query(filters, text, textFields, sortField, ascending, from, size, true);
    }

    public Query sortBy(String field, boolean asc) {
        return new Query(filters, text, textFields, Objects.requireNonNull(field, "field"), asc, from, size, highlight);
    }

    public Query page(int offset, int pageSize) {
        return new Query(filters, text, textFields, sortField, ascending, offset, pageSize, highlight);
    }
}
