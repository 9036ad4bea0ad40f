package io.nexus.dynamodb.internal;

import io.nexus.core.NexusException;
import io.nexus.core.retry.RetryPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.InternalServerErrorException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.LimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.RequestLimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.TransactionInProgressException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Runs DynamoDB calls with retry on throttling and transient faults, and translates what is left into
 * Nexus exceptions with the AWS error as the cause.
 *
 * <p>Implementation notes. The SDK's own retries (if the caller's client keeps them on) run first,
 * inside one call; this layer adds a bounded, jittered backoff on top so that a burst of throttling
 * longer than the SDK's budget still does not fail a command. A {@link TransactionCanceledException}
 * is never retried here: its cancellation reasons decide what happens, and only the caller can read
 * them. Every retry of the module runs here, on a {@link RetryPolicy}: {@link #call} for transient
 * failures, {@link #repeat} for an operation its caller decides to run again (a lost race, a partly
 * visible append), {@link #batchGet} for the keys DynamoDB left unprocessed. Thread-safe.
 */
public final class AwsCalls {

    /** Turns an AWS failure into the caller's exception type. */
    @FunctionalInterface
    public interface Translator {
        NexusException translate(String message, @Nullable SdkException cause, boolean transientFailure);
    }

    private static final Logger log = LoggerFactory.getLogger(AwsCalls.class);
    /** Keys DynamoDB had no capacity for are asked for again until none are left, pausing up to a second. */
    private static final RetryPolicy UNPROCESSED = RetryPolicy.custom().maxAttempts(Integer.MAX_VALUE)
            .initialDelay(Duration.ofMillis(10)).maxDelay(Duration.ofSeconds(1)).jitter(0.5).build();

    private final RetryPolicy retryPolicy;
    private final Translator translator;

    public AwsCalls(RetryPolicy retryPolicy, Translator translator) {
        this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
        this.translator = Objects.requireNonNull(translator, "translator");
    }

    /**
     * Runs {@code call}, retrying transient failures.
     *
     * @param what names the operation and its subject for messages, e.g. "read stream 'order-1'"
     */
    public <T> T call(String what, Supplier<T> call) {
        Attempts attempts = new Attempts();
        try {
            return retryPolicy.execute(() -> {
                attempts.count++;
                try {
                    return call.get();
                } catch (SdkException e) {
                    attempts.lastFailure = e;
                    throw e;
                }
            }, e -> !(e instanceof TransactionCanceledException) && e instanceof SdkException s && isTransient(s), delay -> {
                SdkException last = attempts.lastFailure;
                log.debug("DynamoDB call to {} failed on attempt {} ({}); retrying in {}", what, attempts.count,
                        last == null ? null : last.getMessage(), delay);
                RetryPolicy.Sleeper.threadSleep().sleep(delay);
            }, ThreadLocalRandom.current());
        } catch (TransactionCanceledException e) {
            throw e;
        } catch (SdkException e) {
            throw translate(what, e, isTransient(e), attempts.count);
        } catch (RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            throw interrupted(what, attempts.lastFailure);
        } catch (Exception e) {
            // The call is a Supplier and the sleeper throws only InterruptedException.
            throw new IllegalStateException("Unexpected checked exception from " + what, e);
        }
    }

    /** The attempts of one {@link #call}, for its messages. */
    private static final class Attempts {
        int count;
        @Nullable SdkException lastFailure;
    }

    /**
     * Runs {@code attempt} (given its 1-based number) until it returns, under {@code policy}: an attempt that
     * throws {@link Again} runs again after the policy's backoff, and once the policy allows no more attempts,
     * {@code exhausted} turns the number of attempts and the last {@link Again}'s cause into the failure thrown.
     * Any other exception ends the loop as it is.
     *
     * @param what names the operation and its subject for messages, e.g. "append to stream 'order-1'"
     */
    public <T> T repeat(String what, RetryPolicy policy, IntFunction<T> attempt, Exhausted exhausted) {
        int[] count = {0};
        @Nullable Again[] last = {null};
        try {
            return policy.execute(() -> {
                try {
                    return attempt.apply(++count[0]);
                } catch (Again again) {
                    last[0] = again;
                    throw again;
                }
            }, e -> e instanceof Again, RetryPolicy.Sleeper.threadSleep(), ThreadLocalRandom.current());
        } catch (Again e) {
            throw exhausted.failure(count[0], e.sdkCause());
        } catch (RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            throw interrupted(what, last[0] == null ? null : last[0].sdkCause());
        } catch (Exception e) {
            // The attempt is an IntFunction and the sleeper throws only InterruptedException.
            throw new IllegalStateException("Unexpected checked exception from " + what, e);
        }
    }

    /** Thrown by an attempt of {@link #repeat} to ask for another one; carries what DynamoDB answered, if anything. */
    public static final class Again extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** @param cause the DynamoDB failure behind the retry, or {@code null} */
        public Again(@Nullable SdkException cause) {
            super(null, cause, false, false);
        }

        @Nullable SdkException sdkCause() {
            return (SdkException) getCause();
        }
    }

    /** The failure of a {@link #repeat} whose attempts ran out. */
    @FunctionalInterface
    public interface Exhausted {
        /**
         * @param attempts  how many attempts ran
         * @param lastCause the DynamoDB failure behind the last retry, or {@code null}
         */
        RuntimeException failure(int attempts, @Nullable SdkException lastCause);
    }

    /**
     * Reads every key of {@code request} with {@code BatchGetItem}, asking again (after a backoff) for the keys
     * DynamoDB left unprocessed until none is left; each request is a {@link #call}.
     *
     * @param request at most 100 keys, as {@code BatchGetItem} takes them
     * @return the items found, of every table in the request
     */
    public List<Map<String, AttributeValue>> batchGet(String what, DynamoDbClient client, Map<String, KeysAndAttributes> request) {
        List<Map<String, AttributeValue>> found = new ArrayList<>();
        RetryPolicy.Backoff backoff = UNPROCESSED.backoff(ThreadLocalRandom.current());
        Map<String, KeysAndAttributes> pending = request;
        while (!pending.isEmpty()) {
            Map<String, KeysAndAttributes> asked = pending;
            BatchGetItemResponse response = call(what, () -> client.batchGetItem(b -> b.requestItems(asked)));
            response.responses().values().forEach(found::addAll);
            pending = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
            if (!pending.isEmpty()) {
                // Not a failure: DynamoDB had no capacity for these keys now, so they are asked for after a pause.
                Duration delay = backoff.failed();
                try {
                    RetryPolicy.Sleeper.threadSleep().sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw interrupted(what, null);
                }
            }
        }
        return found;
    }

    /** The transient failure of {@code what} when a wait to retry it after {@code cause} was interrupted. */
    public NexusException interrupted(String what, @Nullable SdkException cause) {
        return translator.translate("Interrupted while waiting to retry " + what + "; try again.", cause, true);
    }

    /** The failure of {@code what} as the caller's exception type. */
    public NexusException translate(String what, SdkException e, boolean transientFailure, int attempts) {
        String reason = e instanceof AwsServiceException ase && ase.awsErrorDetails() != null
                ? ase.awsErrorDetails().errorCode() + ": " + ase.awsErrorDetails().errorMessage()
                : e.getMessage();
        String next = transientFailure
                ? "DynamoDB was throttling or unavailable; retry later or raise the table's capacity."
                : "the request was refused; check the table definition, permissions and configuration.";
        return translator.translate("DynamoDB failed to " + what + " after " + attempts + " attempt(s) (" + reason
                + "); " + next, e, transientFailure);
    }

    /** Whether a retry of the same request may succeed. */
    public static boolean isTransient(SdkException e) {
        if (e instanceof AbortedException) {
            return false;
        }
        if (e instanceof SdkClientException) {
            return true;
        }
        if (e instanceof ProvisionedThroughputExceededException || e instanceof RequestLimitExceededException
                || e instanceof InternalServerErrorException || e instanceof LimitExceededException
                || e instanceof TransactionInProgressException) {
            return true;
        }
        if (e instanceof AwsServiceException ase) {
            return ase.isThrottlingException() || ase.statusCode() >= 500;
        }
        return e.retryable();
    }
}
