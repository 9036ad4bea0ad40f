package io.nexus.aws;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.observation.NexusObservation;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

import java.util.Locale;
import java.util.Objects;

/**
 * Observes every call of an AWS SDK v2 client as a {@link NexusObservation#REMOTE_CALL}: span names
 * {@code dynamodb put-item}, {@code dynamodb-streams get-records}, {@code kinesis put-records},
 * {@code glue register-schema-version}; low-cardinality keys {@code nexus.remote.system} (the service),
 * {@code nexus.remote.operation} (the SDK's operation name, {@code PutItem}) and {@code nexus.outcome}
 * ({@code success} or the failure's exception class, {@code ConditionalCheckFailedException}). Each is a child
 * of whatever observation is current when the call starts (the command whose append it is, the consumer that
 * reads); a call made with none current is not observed ({@link NexusObservation#remoteCallInTrace}), so the
 * background polls of change capture, trackers and the Kinesis bus's shard readers start no trace of their own and
 * the interceptor can be added to every client. The caller owns the client, so it adds the interceptor:
 *
 * <pre>{@code
 * DynamoDbClient client = DynamoDbClient.builder()
 *         .overrideConfiguration(o -> o.addExecutionInterceptor(AwsObservations.interceptor(observationRegistry)))
 *         ...
 *         .build();
 * }</pre>
 *
 * Thread-safe; works with synchronous and asynchronous clients (the observation is started and stopped, never
 * put in scope on the SDK's threads).
 */
public final class AwsObservations {

    private static final ExecutionAttribute<Observation> OBSERVATION = new ExecutionAttribute<>("nexus.observation");

    private AwsObservations() {
    }

    /**
     * An interceptor observing each call of the client it is added to on {@code registry}; it does nothing when
     * the registry is the no-op one.
     *
     * @throws NullPointerException if {@code registry} is null
     */
    public static ExecutionInterceptor interceptor(ObservationRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        return new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
                String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
                Observation observation = NexusObservation.remoteCallInTrace(system(service), operation == null ? "unknown" : operation,
                        registry);
                if (!observation.isNoop()) {
                    attributes.putAttribute(OBSERVATION, observation.start());
                }
            }

            @Override
            public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
                stop(attributes, null);
            }

            @Override
            public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
                stop(attributes, context.exception());
            }
        };
    }

    private static void stop(ExecutionAttributes attributes, @Nullable Throwable failure) {
        Observation observation = attributes.getAttribute(OBSERVATION);
        if (observation == null) {
            return;
        }
        attributes.putAttribute(OBSERVATION, null);
        if (failure != null) {
            observation.error(failure);
        }
        observation.lowCardinalityKeyValue(NexusObservation.KeyNames.OUTCOME.asString(),
                failure == null ? "success" : failure.getClass().getSimpleName()).stop();
    }

    /** {@code "DynamoDB Streams"} → {@code "dynamodb-streams"}. */
    private static String system(@Nullable String service) {
        return service == null ? "aws" : service.trim().toLowerCase(Locale.ROOT).replace(' ', '-');
    }
}
