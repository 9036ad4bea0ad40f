package io.nexus.benchmarks.aws;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a DynamoDB client's writes cost in capacity units, two ways: the units the endpoint reports
 * ({@code ReturnConsumedCapacity TOTAL}, which this interceptor adds to every item write and read), and the
 * units DynamoDB's published rules give for the items in the requests: a write costs 1 WCU per started KB of
 * the item, twice that inside a transaction; a strongly consistent read 1 RCU per started 4 KB. DynamoDB Local
 * reports transactions loosely, so the computed figure is the one the bill follows. Also counts cancelled
 * transactions (contention). Thread-safe.
 *
 * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html">DynamoDB
 *     read and write operations: capacity unit consumption</a>
 * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html">DynamoDB
 *     item sizes</a>
 */
public final class WriteCapacity implements ExecutionInterceptor {

    private final DoubleAdder reportedWrite = new DoubleAdder();
    private final DoubleAdder reportedRead = new DoubleAdder();
    private final LongAdder computedWrite = new LongAdder();
    private final LongAdder computedHalfReads = new LongAdder();
    private final LongAdder transactions = new LongAdder();
    private final LongAdder cancelled = new LongAdder();

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        SdkRequest request = context.request();
        if (request instanceof TransactWriteItemsRequest t) {
            return t.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build();
        } else if (request instanceof PutItemRequest p) {
            return p.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build();
        } else if (request instanceof UpdateItemRequest u) {
            return u.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build();
        } else if (request instanceof GetItemRequest g) {
            return g.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build();
        }
        return request;
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        SdkRequest request = context.request();
        if (request instanceof TransactWriteItemsRequest t) {
            transactions.increment();
            for (TransactWriteItem item : t.transactItems()) {
                if (item.put() != null) {
                    computedWrite.add(2 * kilobytes(size(item.put().item())));
                } else if (item.update() != null) {
                    computedWrite.add(2 * kilobytes(size(item.update())));
                } else if (item.delete() != null) {
                    computedWrite.add(2 * kilobytes(size(item.delete().key())));
                } else if (item.conditionCheck() != null) {
                    computedHalfReads.add(4);
                }
            }
        } else if (request instanceof PutItemRequest p) {
            computedWrite.add(kilobytes(size(p.item())));
        } else if (request instanceof UpdateItemRequest u) {
            computedWrite.add(kilobytes(size(u.key()) + size(u.expressionAttributeValues())));
        } else if (request instanceof GetItemRequest g) {
            // Heads are far below 4 KB: one unit consistent, half a unit eventually consistent.
            computedHalfReads.add(Boolean.TRUE.equals(g.consistentRead()) ? 2 : 1);
        }
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        SdkResponse response = context.response();
        if (response instanceof TransactWriteItemsResponse t) {
            t.consumedCapacity().forEach(c -> reportedWrite.add(write(c)));
        } else if (response instanceof PutItemResponse p && p.consumedCapacity() != null) {
            reportedWrite.add(write(p.consumedCapacity()));
        } else if (response instanceof UpdateItemResponse u && u.consumedCapacity() != null) {
            reportedWrite.add(write(u.consumedCapacity()));
        } else if (response instanceof GetItemResponse g && g.consumedCapacity() != null) {
            ConsumedCapacity c = g.consumedCapacity();
            reportedRead.add(c.readCapacityUnits() != null ? c.readCapacityUnits() : orZero(c.capacityUnits()));
        }
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        if (context.exception() instanceof TransactionCanceledException) {
            cancelled.increment();
        }
    }

    private static double write(ConsumedCapacity c) {
        return c.writeCapacityUnits() != null ? c.writeCapacityUnits() : orZero(c.capacityUnits());
    }

    private static double orZero(Double value) {
        return value == null ? 0 : value;
    }

    private static long kilobytes(long bytes) {
        return Math.max(1, (bytes + 1023) / 1024);
    }

    /** An update's written size, estimated as its key plus every value it sets. */
    private static long size(Update update) {
        return size(update.key()) + size(update.expressionAttributeValues());
    }

    /** An item's size by DynamoDB's rules: attribute names plus values. */
    static long size(Map<String, AttributeValue> item) {
        long bytes = 0;
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            bytes += utf8(e.getKey()) + size(e.getValue());
        }
        return bytes;
    }

    private static long size(AttributeValue value) {
        if (value.s() != null) {
            return utf8(value.s());
        } else if (value.n() != null) {
            String digits = value.n().replace("-", "").replace(".", "").replaceFirst("^0+", "");
            return (digits.length() + 1) / 2 + 1;
        } else if (value.b() != null) {
            return value.b().asByteArray().length;
        } else if (value.bool() != null || Boolean.TRUE.equals(value.nul())) {
            return 1;
        } else if (value.hasM()) {
            long bytes = 3;
            for (Map.Entry<String, AttributeValue> e : value.m().entrySet()) {
                bytes += 1 + utf8(e.getKey()) + size(e.getValue());
            }
            return bytes;
        } else if (value.hasL()) {
            long bytes = 3;
            for (AttributeValue element : value.l()) {
                bytes += 1 + size(element);
            }
            return bytes;
        } else if (value.hasSs()) {
            return value.ss().stream().mapToLong(WriteCapacity::utf8).sum();
        }
        return 0;
    }

    private static long utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Forgets everything counted so far. */
    public void reset() {
        reportedWrite.reset();
        reportedRead.reset();
        computedWrite.reset();
        computedHalfReads.reset();
        transactions.reset();
        cancelled.reset();
    }

    /** Write units by the published rules, for the items the requests wrote (a retried request counted again). */
    public long computedWriteUnits() {
        return computedWrite.sum();
    }

    /** Read units by the published rules (single-item reads of items up to 4 KB). */
    public double computedReadUnits() {
        return computedHalfReads.sum() / 2.0;
    }

    /** Write units the endpoint reported. */
    public double reportedWriteUnits() {
        return reportedWrite.sum();
    }

    /** Read units the endpoint reported. */
    public double reportedReadUnits() {
        return reportedRead.sum();
    }

    /** {@code TransactWriteItems} requests sent. */
    public long transactions() {
        return transactions.sum();
    }

    /** {@code TransactWriteItems} requests cancelled (a condition failed or another transaction conflicted). */
    public long cancelled() {
        return cancelled.sum();
    }
}
