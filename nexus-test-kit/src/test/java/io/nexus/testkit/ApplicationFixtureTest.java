package io.nexus.testkit;

import io.nexus.core.aggregate.AggregateNotFoundException;
import io.nexus.core.command.CommandRejectedException;
import io.nexus.core.projection.Projection;
import io.nexus.core.readmodel.ReadModelStore;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import static io.nexus.testkit.FailureMessagesTest.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ApplicationFixtureTest {

    private final ApplicationFixture app = ApplicationFixture.of(builder -> builder
            .eventTypes(Counter.TYPES)
            .aggregate(Counter.DEFINITION, Counter::routes)
            .projection(context -> {
                ReadModelStore<Integer> values = context.readModels().store("values", Integer.class);
                return Projection.handling("values")
                        .on(Counter.Created.class, (e, env) -> values.put(env.streamId(), 0, env.version()))
                        .on(Counter.Incremented.class, (e, env) -> values.put(env.streamId(),
                                values.get(env.streamId()).orElseThrow().value() + e.by(), env.version()))
                        .on(Counter.Reset.class, (e, env) -> values.put(env.streamId(), 0, env.version()))
                        .build();
            }, options -> options.notifications())
            .notifications());

    @Test
    void givenCommandsThenEventsReadModelsAndNotifications() {
        try (ApplicationFixture.Then then = app.given(new Counter.Create("c-1", 10), new Counter.Increment("c-1", 2))
                .when(new Counter.Increment("c-1", 5))) {
            then.expectEvents(new Counter.Incremented(5, app.clock().instant()))
                    .expectReadModel("values", Integer.class, "c-1", 7)
                    .expectReadModelSatisfies("values", Integer.class, "c-1", value -> assertEquals(7, value))
                    .expectNotification("c-1", 3);
        }
    }

    @Test
    void refusalsAndWrongExpectationsExplainThemselves() {
        app.given(new Counter.Create("c-1", 1)).when(new Counter.Increment("c-1", 5)).expectException(CommandRejectedException.class);
        AssertionFailedError wrong = assertThrows(AssertionFailedError.class, () -> app.given(new Counter.Create("c-1", 10))
                .when(new Counter.Increment("c-1", 5)).expectReadModel("values", Integer.class, "c-1", 6));
        assertContains(wrong.getMessage(), "Read model 'values' entry 'c-1' differs", "expected 6 but was 5", "1. Incremented[by=5");
        AssertionFailedError badHistory = assertThrows(AssertionFailedError.class, () -> app.given(new Counter.Increment("c-9", 1)));
        assertContains(badHistory.getMessage(), "The given command Increment[id=c-9, by=1] failed with "
                + AggregateNotFoundException.class.getName());
        AssertionFailedError noNotification = assertThrows(AssertionFailedError.class, () -> app.given(new Counter.Create("c-1", 10))
                .when(new Counter.Increment("c-1", 5)).expectNotification("c-1", 3));
        assertContains(noNotification.getMessage(), "Expected a notification that 'c-1' reached version 3");
    }
}
