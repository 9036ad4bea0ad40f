package io.nexus.dynamodb.internal;

import io.nexus.core.retry.RetryPolicy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

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
        @Nullable List<TransactWriteItem> plan();
    }

    /** Another writer won: read again soon; the pause grows to at most 50 ms, with full jitter. */
    private static final RetryPolicy RACES = RetryPolicy.custom().maxAttempts(50).initialDelay(Duration.ofMillis(2))
            .maxDelay(Duration.ofMillis(50)).build();

    private final DynamoDbClient client;
    private final AwsCalls calls;

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
        int[] attempts = {0};
        TransactionCanceledException[] lost = {null};
        try {
            return RACES.execute(() -> {
                attempts[0]++;
                List<TransactWriteItem> items = step.plan();
                if (items == null || items.isEmpty()) {
                    return false;
                }
                try {
                    calls.call(what, () -> client.transactWriteItems(b -> b.transactItems(items)));
                } catch (TransactionCanceledException e) {
                    lost[0] = e;
                    throw e;
                }
                return true;
            }, e -> e instanceof TransactionCanceledException t && lostARace(t), RetryPolicy.Sleeper.threadSleep(),
                    ThreadLocalRandom.current());
        } catch (TransactionCanceledException e) {
            throw calls.translate(what, e, lostARace(e), attempts[0]);
        } catch (RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            throw calls.interrupted(what, lost[0]);
        } catch (Exception e) {
            // The step and the call are unchecked, and the sleeper throws only InterruptedException.
            throw new IllegalStateException("Unexpected checked exception from " + what, e);
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
