package io.nexus.benchmarks.aws;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the requests an SDK client sends, per operation name (as AWS bills and throttles them), and how long
 * the emulator took to answer them (sent → answered, SDK retries each counted), so a benchmark can report
 * what each measured operation costs in requests and where its time went. Thread-safe.
 */
public final class RequestCounter implements ExecutionInterceptor {

    private static final ExecutionAttribute<Long> SENT = new ExecutionAttribute<>("nexus.benchmark.sent");

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> nanos = new ConcurrentHashMap<>();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        counts.computeIfAbsent(operation(attributes), k -> new LongAdder()).increment();
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        attributes.putAttribute(SENT, System.nanoTime());
    }

    @Override
    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
        Long sent = attributes.getAttribute(SENT);
        if (sent != null) {
            nanos.computeIfAbsent(operation(attributes), k -> new LongAdder()).add(System.nanoTime() - sent);
        }
    }

    private static String operation(ExecutionAttributes attributes) {
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        return operation == null ? "?" : operation;
    }

    /** The counts so far, per operation, in name order. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Forgets the counts and times so far. */
    public void reset() {
        counts.clear();
        nanos.clear();
    }

    /**
     * One line: each operation's count divided by {@code per}, and the mean time the emulator took to answer
     * it, e.g. "GetItem 1.00 (12.3 ms), TransactWriteItems 1.00 (25.0 ms)".
     */
    public String per(double per) {
        return per(per, true);
    }

    /** As {@link #per(double)}, with the times only if {@code times}. */
    public String per(double per, boolean times) {
        StringBuilder out = new StringBuilder();
        snapshot().forEach((k, v) -> {
            LongAdder time = nanos.get(k);
            out.append(out.length() == 0 ? "" : ", ").append(k).append(' ').append(String.format("%.2f", v / per));
            if (times && time != null && v > 0) {
                out.append(String.format(" (%.1f ms)", time.sum() / 1e6 / v));
            }
        });
        return out.length() == 0 ? "none" : out.toString();
    }
}
