package io.nexus.dynamodb;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every call of a DynamoDB client with the interceptor is an observation, child of the current one, against DynamoDB Local. */
class AwsObservationsTest {

    @Test
    void eachCallIsARemoteCallObservationInsideTheCurrentOne() {
        List<String> stopped = new CopyOnWriteArrayList<>();
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public void onStop(Observation.Context context) {
                if (!context.getName().equals("nexus.remote.call")) {
                    return;
                }
                Observation.ContextView parent = context.getParentObservation() == null ? null
                        : context.getParentObservation().getContextView();
                stopped.add(context.getContextualName() + " " + context.getLowCardinalityKeyValue("nexus.outcome").getValue()
                        + " in " + (parent == null ? "-" : parent.getName()));
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }
        });
        try (DynamoDbClient client = DynamoDbLocal.newClient(o -> o.addExecutionInterceptor(AwsObservations.interceptor(registry)))) {
            Observation.createNotStarted("work", registry).observe(() -> {
                client.listTables();
                assertThrows(ResourceNotFoundException.class, () -> client.describeTable(b -> b.tableName("no-such-table")));
            });
        }
        assertEquals(List.of("dynamodb list-tables success in work",
                "dynamodb describe-table ResourceNotFoundException in work"), stopped);
    }
}
