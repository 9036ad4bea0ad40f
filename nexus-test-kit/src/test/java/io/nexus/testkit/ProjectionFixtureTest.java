package io.nexus.testkit;

import io.nexus.core.projection.Projection;
import io.nexus.core.readmodel.ReadModelStore;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import static io.nexus.testkit.FailureMessagesTest.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ProjectionFixtureTest {

    record Totals(int max, int value) { }

    private final ProjectionFixture totals = ProjectionFixture.forProjection(Counter.TYPES, context -> {
        ReadModelStore<Totals> rows = context.readModels().store("totals", Totals.class);
        return Projection.handling("totals")
                .on(Counter.Created.class, (e, env) -> rows.put(env.streamId(), new Totals(e.max(), 0), env.version()))
                .on(Counter.Incremented.class, (e, env) -> {
                    if (e.by() == 13) {
                        throw new IllegalStateException("unlucky increment");
                    }
                    Totals row = rows.get(env.streamId()).orElseThrow().value();
                    rows.put(env.streamId(), new Totals(row.max(), row.value() + e.by()), env.version());
                })
                .build();
    });

    @Test
    void givenEventsBuildTheExpectedReadModel() {
        totals.given("c-1", new Counter.Created(10), new Counter.Incremented(3, totals.clock().instant()))
                .and("c-2", new Counter.Created(4))
                .expectReadModel("totals", Totals.class, "c-1", new Totals(10, 3))
                .expectReadModel("totals", Totals.class, "c-2", new Totals(4, 0))
                .expectNoReadModel("totals", Totals.class, "c-3")
                .expectReadModel("totals", Totals.class, store -> assertEquals(2, store.count()));
    }

    @Test
    void aWrongReadModelShowsTheDifferingFieldsAndTheEvents() {
        AssertionFailedError failure = assertThrows(AssertionFailedError.class, () -> totals
                .given("c-1", new Counter.Created(10), new Counter.Incremented(3, totals.clock().instant()))
                .expectReadModel("totals", Totals.class, "c-1", new Totals(10, 4)));
        assertContains(failure.getMessage(), "Read model 'totals' entry 'c-1' differs from the expected one.",
                "expected: Totals[max=10, value=4]", "actual:   Totals[max=10, value=3]", "value: expected 4 but was 3",
                "1. \"c-1: Created[max=10]\"");
    }

    @Test
    void aHandlerThatThrowsFailsTheTestWithItsCauseAndNoLogOutput() {
        ProjectionFixture.Given given = totals.given("c-1", new Counter.Created(20));
        AssertionFailedError failure = assertThrows(AssertionFailedError.class,
                () -> given.and("c-1", new Counter.Incremented(13, totals.clock().instant())));
        assertContains(failure.getMessage(), "Projection 'totals' failed on Incremented of stream 'c-1' version 2: "
                + "java.lang.IllegalStateException: unlucky increment", "A handler must accept every event");
        assertContains(given.logs(), "Projection 'totals' dead-lettered 'Incremented'");
    }
}
