package io.nexus.core.saga;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SagaDefinitionTest {

    record Confirmed(String orderId) { }

    record Reserve(String orderId) { }

    record Release(String orderId) { }

    record Reserved(String orderId, String warehouse) { }

    record Unavailable(String orderId, String reason) { }

    private static SagaDefinition.Builder<Confirmed> saga() {
        return SagaDefinition.startedBy("fulfilment", Confirmed.class, Confirmed::orderId);
    }

    @Test
    void readsBackWhatWasDeclared() {
        SagaDefinition<Confirmed> definition = saga()
                .step("cancel-on-failure", step -> step.compensatedBy(c -> new Release(c.orderId())))
                .step("reserve", step -> step
                        .sends(c -> new Reserve(c.orderId()))
                        .compensatedBy(c -> new Release(c.orderId()))
                        .timeout(Duration.ofMinutes(30))
                        .succeedsOn(Reserved.class, Reserved::orderId, r -> !r.warehouse().isEmpty())
                        .failsOn(Unavailable.class, Unavailable::orderId, Unavailable::reason))
                .build();

        assertEquals("fulfilment", definition.name());
        assertEquals("o-1", definition.sagaIdOf(new Confirmed("o-1")));
        assertEquals(List.of("cancel-on-failure", "reserve"), definition.steps().stream().map(SagaDefinition.Step::name).toList());
        SagaDefinition.Step<Confirmed> reserve = definition.step("reserve").orElseThrow();
        assertEquals(1, reserve.index());
        assertEquals(Optional.of(Duration.ofMinutes(30)), reserve.timeout());
        assertEquals(new Reserve("o-1"), reserve.action().orElseThrow().create(new Confirmed("o-1")));
        assertEquals(new Release("o-1"), reserve.compensation().orElseThrow().create(new Confirmed("o-1")));
        assertTrue(reserve.awaitsReply());
        assertFalse(definition.steps().get(0).awaitsReply());
        assertEquals(Set.of(Reserved.class, Unavailable.class), definition.replyTypes());

        SagaDefinition.Reply<?> failure = reserve.replyFor(new Unavailable("o-1", "sold out")).orElseThrow();
        assertFalse(failure.success());
        assertEquals("sold out", failure.reasonOf(new Unavailable("o-1", "sold out")));
        assertEquals("o-1", failure.correlationKey(new Unavailable("o-1", "sold out")));
        assertTrue(reserve.replyFor(new Reserved("o-1", "")).isEmpty(), "the filter applies");
        assertTrue(reserve.replyFor(new Reserved("o-1", "w1")).orElseThrow().success());
        assertTrue(reserve.replyFor("something else").isEmpty());
    }

    @Test
    void malformedDefinitionsFailFastNamingTheProblem() {
        assertMessage(IllegalArgumentException.class, "saga name must be", () -> SagaDefinition.startedBy("no spaces", Confirmed.class, Confirmed::orderId));
        assertMessage(IllegalStateException.class, "saga 'fulfilment' has no steps", () -> saga().build());
        assertMessage(IllegalArgumentException.class, "already has a step named 'a'",
                () -> saga().step("a", s -> s.sends(c -> new Reserve(c.orderId()))).step("a", s -> s.sends(c -> new Reserve(c.orderId()))));
        assertMessage(IllegalArgumentException.class, "step name must be", () -> saga().step("a/b", s -> s.sends(c -> new Reserve(c.orderId()))));
        assertMessage(IllegalStateException.class, "step 'a' waits for replies or has a timeout but performs no action",
                () -> saga().step("a", s -> s.succeedsOn(Reserved.class, Reserved::orderId)));
        assertMessage(IllegalStateException.class, "step 'a' has a timeout but no reply to wait for",
                () -> saga().step("a", s -> s.sends(c -> new Reserve(c.orderId())).timeout(Duration.ofSeconds(1))));
        assertMessage(IllegalStateException.class, "step 'a' declares only failure replies",
                () -> saga().step("a", s -> s.sends(c -> new Reserve(c.orderId())).failsOn(Unavailable.class, Unavailable::orderId)));
        assertMessage(IllegalStateException.class, "step 'a' already has an action",
                () -> saga().step("a", s -> s.sends(c -> new Reserve(c.orderId())).emits(c -> new Reserve(c.orderId()))));
        assertMessage(IllegalStateException.class, "step 'a' already has a compensation",
                () -> saga().step("a", s -> s.compensatedBy(c -> new Release(c.orderId())).compensatedByEvent(c -> new Release(c.orderId()))));
        assertMessage(IllegalArgumentException.class, "timeout of step 'a' must be positive, but was PT0S",
                () -> saga().step("a", s -> s.sends(c -> new Reserve(c.orderId())).timeout(Duration.ZERO)));
        SagaDefinition<Confirmed> definition = saga().step("a", s -> s.sends(c -> new Reserve(c.orderId()))).build();
        assertMessage(IllegalArgumentException.class, "saga 'fulfilment' got no id", () -> definition.sagaIdOf(new Confirmed(" ")));
    }

    private static void assertMessage(Class<? extends Throwable> type, String fragment, org.junit.jupiter.api.function.Executable call) {
        Throwable e = assertThrows(type, call);
        assertTrue(e.getMessage().contains(fragment), () -> "'" + e.getMessage() + "' should contain '" + fragment + "'");
    }
}
