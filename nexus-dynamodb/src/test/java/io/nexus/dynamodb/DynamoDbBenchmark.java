package io.nexus.dynamodb;

import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.StreamQuery;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * A harness (not a test) measuring the DynamoDB event store against DynamoDB Local: requests per
 * append and per load, the capacity units DynamoDB Local reports for them, and wall time on Local
 * (a relative figure only; Local is no performance proxy for the service). Run with the test class path:
 * {@code java -cp <test classpath> io.nexus.dynamodb.DynamoDbBenchmark}. Results go to docs/dynamodb.md.
 */
public final class DynamoDbBenchmark {

    private DynamoDbBenchmark() {
    }

    public static void main(String[] args) {
        Counter counter = new Counter();
        try (DynamoDbClient client = DynamoDbLocal.newClient(b -> b.addExecutionInterceptor(counter))) {
            DynamoDbTables.Names tables = DynamoDbTables.Names.withPrefix("bench-" + UUID.randomUUID() + "-");
            DynamoDbTables.createIfMissing(client, tables);
            DynamoDbEventStore store = DynamoDbEventStore.builder(client).tableName(tables.events()).build();
            String payload = "{\"orderId\":\"" + UUID.randomUUID() + "\",\"sku\":\"SKU-123\",\"quantity\":3,"
                    + "\"price\":\"19.99\",\"note\":\"" + "n".repeat(100) + "\"}";
            int streams = 20;
            int warmup = 40;
            for (int i = 0; i < warmup; i++) {
                store.append("warm-" + (i % streams), "Order", ExpectedVersion.any(), List.of(event(payload)));
            }

            run("append 1 event (~250 B)", 100, counter, i -> store.append("s1-" + (i % streams), "Order",
                    ExpectedVersion.exactly(i / streams), List.of(event(payload))));
            run("append 10 events (~250 B each)", 40, counter, i -> store.append("s10-" + (i % streams), "Order",
                    ExpectedVersion.exactly((long) (i / streams) * 10), batch(payload, 10)));
            run("load 5-event stream (consistent)", 100, counter,
                    i -> store.read(StreamQuery.stream("s1-" + (i % streams))));
            run("load 20-event stream (consistent)", 100, counter,
                    i -> store.read(StreamQuery.stream("s10-" + (i % streams))));
            run("currentVersion", 100, counter, i -> store.currentVersion("s1-" + (i % streams)));
            run("readAll page of 500", 5, counter, i -> store.readAll(1 + (long) i * 100, 500));
        }
    }

    private static NewEvent event(String payload) {
        return NewEvent.of("OrderLineAdded", 1, EventPayload.ofJson(payload));
    }

    private static List<NewEvent> batch(String payload, int n) {
        List<NewEvent> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(event(payload));
        }
        return out;
    }

    private interface Op {
        void run(int i);
    }

    private static void run(String name, int iterations, Counter counter, Op op) {
        counter.reset();
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            op.run(i);
        }
        double micros = (System.nanoTime() - start) / 1000.0 / iterations;
        StringBuilder requests = new StringBuilder();
        counter.requests.forEach((k, v) -> requests.append(k).append('=')
                .append(String.format("%.2f", v / (double) iterations)).append(' '));
        System.out.printf("%-36s %8.0f us/op on Local | requests/op: %s| capacity units/op (Local's report): %.2f%n",
                name, micros, requests, counter.units.sum() / iterations);
    }

    /** Counts requests per operation and asks DynamoDB for the capacity each consumed. */
    static final class Counter implements ExecutionInterceptor {
        final Map<String, Integer> requests = new TreeMap<>();
        final DoubleAdder units = new DoubleAdder();

        synchronized void reset() {
            requests.clear();
            units.reset();
        }

        @Override
        public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
            SdkRequest r = context.request();
            if (r instanceof TransactWriteItemsRequest t) {
                return t.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build();
            }
            if (r instanceof GetItemRequest g) {
                return g.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build();
            }
            if (r instanceof QueryRequest q) {
                return q.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build();
            }
            if (r instanceof BatchGetItemRequest b) {
                return b.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build();
            }
            return r;
        }

        @Override
        public synchronized void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
            requests.merge(context.request().getClass().getSimpleName().replace("Request", ""), 1, Integer::sum);
            Object response = context.response();
            if (response instanceof TransactWriteItemsResponse t && t.hasConsumedCapacity()) {
                t.consumedCapacity().forEach(this::add);
            } else if (response instanceof GetItemResponse g) {
                add(g.consumedCapacity());
            } else if (response instanceof QueryResponse q) {
                add(q.consumedCapacity());
            }
        }

        private void add(ConsumedCapacity c) {
            if (c != null && c.capacityUnits() != null) {
                units.add(c.capacityUnits());
            }
        }
    }
}
