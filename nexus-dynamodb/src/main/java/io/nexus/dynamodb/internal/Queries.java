package io.nexus.dynamodb.internal;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Paged {@code Query} calls of the durable ports, each page through {@link AwsCalls}. Thread-safe. */
public final class Queries {

    private final DynamoDbClient client;
    private final AwsCalls calls;

    public Queries(DynamoDbClient client, AwsCalls calls) {
        this.client = client;
        this.calls = calls;
    }

    /** Every item {@code request} matches, in key order (or reverse), reading page after page. */
    public List<Map<String, AttributeValue>> all(String what, QueryRequest request) {
        return upTo(what, request, Integer.MAX_VALUE);
    }

    /** At most {@code max} items {@code request} matches, reading only the pages needed. */
    public List<Map<String, AttributeValue>> upTo(String what, QueryRequest request, int max) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        while (items.size() < max) {
            QueryRequest.Builder page = request.toBuilder().exclusiveStartKey(start);
            if (max != Integer.MAX_VALUE) {
                page.limit(Math.min(1000, max - items.size()));
            }
            QueryRequest built = page.build();
            QueryResponse response = calls.call(what, () -> client.query(built));
            items.addAll(response.items());
            start = next(response);
            if (start == null) {
                break;
            }
        }
        return items.size() > max ? items.subList(0, max) : items;
    }

    /** How many items {@code request} matches ({@code Select.COUNT}, every page). */
    public long count(String what, QueryRequest request) {
        long count = 0;
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest built = request.toBuilder().select(Select.COUNT).exclusiveStartKey(start).build();
            QueryResponse response = calls.call(what, () -> client.query(built));
            count += response.count();
            start = next(response);
        } while (start != null);
        return count;
    }

    private static @Nullable Map<String, AttributeValue> next(QueryResponse response) {
        return response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
    }
}
