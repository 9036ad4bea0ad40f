package io.nexus.dynamodb.internal;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Read-then-write steps of the durable ports: a step reads the items it will change, then writes them in
 * one transaction conditioned on what it read. When another writer got there first (a failed condition,
 * or DynamoDB's own transaction conflict) the step runs again from its read, a bounded number of times
 * with a short jittered pause. Thread-safe.
 */
public final class Transactions {

    /** What one attempt decided: the transaction to write, or {@code null} when nothing needs writing. */
    @FunctionalInterface
    public interface Step {
        List<TransactWriteItem> plan();
    }

    private static final int MAX_ATTEMPTS = 50;

    private final DynamoDbClient client;
    private final AwsCalls calls;
    private final SplittableRandom random = new SplittableRandom();

    public Transactions(DynamoDbClient client, AwsCalls calls) {
        this.client = client;
        this.calls = calls;
    }

    /**
     * Plans and writes {@code step} until its transaction commits or it plans nothing.
     *
     * @return whether a transaction was written
     * @throws io.nexus.core.NexusException (transient) when other writers kept winning, or as {@link AwsCalls} reports
     */
    public boolean run(String what, Step step) {
        for (int attempt = 1; ; attempt++) {
            List<TransactWriteItem> items = step.plan();
            if (items == null || items.isEmpty()) {
                return false;
            }
            try {
                calls.call(what, () -> client.transactWriteItems(b -> b.transactItems(items)));
                return true;
            } catch (TransactionCanceledException e) {
                if (!lostARace(e) || attempt >= MAX_ATTEMPTS) {
                    throw calls.translate(what, e, lostARace(e), attempt);
                }
                calls.pause(Duration.ofMillis(1 + random.nextInt(Math.min(50, 2 * attempt))), what, e);
            }
        }
    }

    private static boolean lostARace(TransactionCanceledException e) {
        if (!e.hasCancellationReasons()) {
            return true;
        }
        for (CancellationReason reason : e.cancellationReasons()) {
            String code = reason.code();
            if ("ConditionalCheckFailed".equals(code) || "TransactionConflict".equals(code)) {
                return true;
            }
        }
        return false;
    }
}
