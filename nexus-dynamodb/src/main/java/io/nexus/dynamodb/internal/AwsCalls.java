package io.nexus.dynamodb.internal;

import io.nexus.core.NexusException;
import io.nexus.core.retry.RetryPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.InternalServerErrorException;
import software.amazon.awssdk.services.dynamodb.model.LimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.RequestLimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.TransactionInProgressException;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Runs DynamoDB calls with retry on throttling and transient faults, and translates what is left into
 * Nexus exceptions with the AWS error as the cause.
 *
 * <p>Implementation notes. The SDK's own retries (if the caller's client keeps them on) run first,
 * inside one call; this layer adds a bounded, jittered backoff on top so that a burst of throttling
 * longer than the SDK's budget still does not fail a command. A {@link TransactionCanceledException}
 * is never retried here: its cancellation reasons decide what happens, and only the caller can read
 * them. Thread-safe.
 */
public final class AwsCalls {

    /** Turns an AWS failure into the caller's exception type. */
    @FunctionalInterface
    public interface Translator {
        NexusException translate(String message, SdkException cause, boolean transientFailure);
    }

    private static final Logger log = LoggerFactory.getLogger(AwsCalls.class);

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
                log.debug("DynamoDB call to {} failed on attempt {} ({}); retrying in {}", what, attempts.count,
                        attempts.lastFailure.getMessage(), delay);
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
        SdkException lastFailure;
    }

    /** Sleeps for a backoff {@code delay}; an interrupt ends the wait with a transient failure. */
    public void pause(Duration delay, String what, SdkException cause) {
        try {
            Thread.sleep(delay.toMillis(), delay.toNanosPart() % 1_000_000);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw interrupted(what, cause);
        }
    }

    /** The transient failure of {@code what} when a wait to retry it after {@code cause} was interrupted. */
    public NexusException interrupted(String what, SdkException cause) {
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
