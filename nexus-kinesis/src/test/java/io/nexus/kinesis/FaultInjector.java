package io.nexus.kinesis;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.kinesis.model.GetRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Injects PutRecords faults into a real client talking to kinesis-mock.
 * <ul>
 *   <li>Partial failures: records chosen at random are taken out of the request before it is sent (so
 *       they really are not written) and put back into the response as failed entries with a
 *       {@code ProvisionedThroughputExceededException} or {@code InternalFailure} code, exactly as Kinesis
 *       reports a partial failure.</li>
 *   <li>Throttling: the first {@code n} PutRecords (or GetRecords) calls fail as a whole with
 *       {@link ProvisionedThroughputExceededException}.</li>
 * </ul>
 */
final class FaultInjector implements ExecutionInterceptor {

    private static final ExecutionAttribute<boolean[]> DROPPED = new ExecutionAttribute<>("nexus.test.dropped");

    private final Random random;
    private final double dropRate;
    private final boolean dropEverything;
    private final AtomicInteger throttledCalls;
    private final AtomicInteger throttledReads = new AtomicInteger();
    final AtomicInteger droppedRecords = new AtomicInteger();
    final AtomicInteger throttled = new AtomicInteger();
    final AtomicInteger putCalls = new AtomicInteger();
    private String failingKey;
    private final AtomicInteger failingKeyTimes = new AtomicInteger();
    /** Sees the partition keys of every PutRecords request as it is sent (after any record was dropped). */
    volatile java.util.function.Consumer<List<String>> onPut = keys -> { };

    private FaultInjector(long seed, double dropRate, boolean dropEverything, int throttledCalls) {
        this.random = new Random(seed);
        this.dropRate = dropRate;
        this.dropEverything = dropEverything;
        this.throttledCalls = new AtomicInteger(throttledCalls);
    }

    /** Fails each record of a multi-record request with probability {@code rate} (never all of them). */
    static FaultInjector partialFailures(long seed, double rate) {
        return new FaultInjector(seed, rate, false, 0);
    }

    /**
     * Fails the records of partition key {@code key} the first {@code times} times they are sent, with
     * {@code ProvisionedThroughputExceededException}: a hot key on a throttled shard.
     */
    static FaultInjector failKey(String key, int times) {
        FaultInjector injector = new FaultInjector(0, 0, false, 0);
        injector.failingKey = key;
        injector.failingKeyTimes.set(times);
        return injector;
    }

    /** Throttles the first {@code calls} GetRecords requests. */
    static FaultInjector throttleFirstReads(int calls) {
        FaultInjector injector = new FaultInjector(0, 0, false, 0);
        injector.throttledReads.set(calls);
        return injector;
    }

    /** Throttles the first {@code calls} PutRecords requests as a whole. */
    static FaultInjector throttleFirst(int calls) {
        return new FaultInjector(0, 0, false, calls);
    }

    /**
     * Reports every record of every request as failed, forever. The records do reach the stream: to the
     * bus this looks like responses lost on the way back, the worst case of a partial failure.
     */
    static FaultInjector alwaysFailing() {
        return new FaultInjector(0, 1, true, 0);
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (context.request() instanceof GetRecordsRequest && throttledReads.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throttled.incrementAndGet();
            throw throttling();
        }
        if (context.request() instanceof PutRecordsRequest) {
            putCalls.incrementAndGet();
            if (throttledCalls.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throttled.incrementAndGet();
                throw throttling();
            }
        }
    }

    private static ProvisionedThroughputExceededException throttling() {
        return (ProvisionedThroughputExceededException) ProvisionedThroughputExceededException.builder()
                .message("Rate exceeded for shard (injected)")
                .statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ProvisionedThroughputExceededException")
                        .errorMessage("Rate exceeded for shard (injected)").serviceName("Kinesis").build())
                .build();
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        if (!(context.request() instanceof PutRecordsRequest request)) {
            return context.request();
        }
        if (dropEverything) {
            attributes.putAttribute(DROPPED, new boolean[request.records().size()]);
            return request;
        }
        if (failingKey != null) {
            List<PutRecordsRequestEntry> records = request.records();
            boolean[] dropped = new boolean[records.size()];
            List<PutRecordsRequestEntry> kept = new ArrayList<>();
            for (int i = 0; i < records.size(); i++) {
                dropped[i] = records.get(i).partitionKey().equals(failingKey)
                        && failingKeyTimes.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
                if (!dropped[i]) {
                    kept.add(records.get(i));
                }
            }
            onPut.accept(kept.stream().map(PutRecordsRequestEntry::partitionKey).toList());
            if (kept.isEmpty()) {
                // Kinesis refuses an empty request: a request of only the hot key is throttled as a whole.
                droppedRecords.addAndGet(records.size());
                throttled.incrementAndGet();
                throw throttling();
            }
            attributes.putAttribute(DROPPED, dropped);
            return request.toBuilder().records(kept).build();
        }
        if (request.records().size() < 2 || dropRate == 0) {
            return context.request();
        }
        List<PutRecordsRequestEntry> records = request.records();
        boolean[] dropped = new boolean[records.size()];
        List<PutRecordsRequestEntry> kept = new ArrayList<>();
        synchronized (random) {
            for (int i = 0; i < records.size(); i++) {
                dropped[i] = i > 0 && random.nextDouble() < dropRate;
                if (!dropped[i]) {
                    kept.add(records.get(i));
                }
            }
        }
        attributes.putAttribute(DROPPED, dropped);
        return request.toBuilder().records(kept).build();
    }

    @Override
    public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
        boolean[] dropped = attributes.getAttribute(DROPPED);
        if (dropped == null || !(context.response() instanceof PutRecordsResponse response)) {
            return context.response();
        }
        List<PutRecordsResultEntry> results = new ArrayList<>();
        if (dropEverything) {
            for (int i = 0; i < dropped.length; i++) {
                results.add(PutRecordsResultEntry.builder().errorCode("InternalFailure").errorMessage("injected").build());
            }
            return response.toBuilder().records(results).failedRecordCount(dropped.length).build();
        }
        int next = 0;
        int failed = response.failedRecordCount() == null ? 0 : response.failedRecordCount();
        for (int i = 0; i < dropped.length; i++) {
            if (dropped[i]) {
                failed++;
                droppedRecords.incrementAndGet();
                String code = i % 2 == 0 || failingKey != null ? "ProvisionedThroughputExceededException" : "InternalFailure";
                results.add(PutRecordsResultEntry.builder().errorCode(code).errorMessage("injected " + code).build());
            } else {
                results.add(response.records().get(next++));
            }
        }
        return response.toBuilder().records(results).failedRecordCount(failed).build();
    }
}
