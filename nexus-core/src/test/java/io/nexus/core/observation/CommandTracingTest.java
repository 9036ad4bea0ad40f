package io.nexus.core.observation;

import io.nexus.core.Awaiting;
import io.nexus.core.Nexus;
import io.nexus.core.bus.BusPath;
import io.nexus.core.bus.InMemoryEventBus;
import io.nexus.core.command.CommandMetadata;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.projection.Projection;
import io.nexus.core.projection.TypedProjection;
import io.nexus.core.testdomain.Account;
import io.nexus.core.testdomain.Accounts;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A command and what it causes on the embedded engines, traced through the observation registry of the application. */
class CommandTracingTest {

    @Test
    void aCommandIsOneSpanWithItsLoadDecisionAndAppendAsChildrenAndItsEventsCarryTheAppendsContext() {
        try (OtelTracing tracing = new OtelTracing();
             Nexus nexus = Accounts.nexus().observationRegistry(tracing.registry).build()) {
            nexus.commands().send(new Account.Open("acc-1", "ann"));

            SpanData command = tracing.only("command open");
            assertEquals("Open", command.getAttributes().asMap().entrySet().stream()
                    .filter(e -> e.getKey().getKey().equals("nexus.command")).findFirst().orElseThrow().getValue());
            for (String child : List.of("load account", "decide open", "append account")) {
                SpanData span = tracing.only(child);
                assertEquals(command.getSpanId(), span.getParentSpanId(), child + " is a child of the command");
                assertEquals(command.getTraceId(), span.getTraceId());
            }
            SpanData append = tracing.only("append account");
            EventEnvelope stored = nexus.eventStore().readAll(1, 10).get(0);
            assertEquals("00-" + append.getTraceId() + "-" + append.getSpanId() + "-01", stored.metadata().get(EventTraceContext.TRACEPARENT),
                    "the event carries the append's W3C trace context");
        }
    }

    @Test
    void busConsumersAndProjectionsContinueTheTraceOfTheCommandThatStoredTheEventOnTheirOwnThreads() throws Exception {
        List<String> consumerMdc = new CopyOnWriteArrayList<>();
        Map<String, String> projectionMdc = new ConcurrentHashMap<>();
        TypedProjection owners = Projection.handling("owners").on(Account.Opened.class, (event, envelope) -> {
            projectionMdc.putAll(MDC.getCopyOfContextMap());
        }).build();
        try (OtelTracing tracing = new OtelTracing();
             Nexus nexus = Accounts.nexus().observationRegistry(tracing.registry).projection(owners)
                     .eventBus(InMemoryEventBus.builder().build(), bus -> bus.consumer("billing", BusPath.PRIMARY, event ->
                             consumerMdc.add(MDC.get(NexusMdc.CONSUMER) + "/" + MDC.get(NexusMdc.EVENT_TYPE) + "/"
                                     + MDC.get(NexusMdc.CORRELATION_ID) + "/" + MDC.get(NexusMdc.AGGREGATE_ID))))
                     .build()) {
            nexus.start();
            UUID commandId = UUID.randomUUID();
            nexus.commands().send(new Account.Open("acc-1", "ann"), CommandMetadata.withCommandId(commandId).correlationId("req-7"));
            Awaiting.until("the consumer and the projection handled the event and their spans ended", () ->
                    !tracing.named("consume account-opened").isEmpty() && !tracing.named("project account-opened").isEmpty()
                            && !tracing.named("publish events").isEmpty());

            SpanData append = tracing.only("append account");
            for (String name : List.of("consume account-opened", "project account-opened")) {
                SpanData span = tracing.only(name);
                assertEquals(append.getTraceId(), span.getTraceId(), name + " is in the command's trace");
                assertEquals(append.getSpanId(), span.getParentSpanId(), name + " is a child of the append");
            }
            SpanData publish = tracing.named("publish events").get(0);
            assertNotEquals(append.getTraceId(), publish.getTraceId(), "a batch of many traces' events is not a child of one of them");
            assertEquals(List.of(append.getTraceId() + "/" + append.getSpanId()), publish.getLinks().stream()
                    .map(l -> l.getSpanContext().getTraceId() + "/" + l.getSpanContext().getSpanId()).toList(),
                    "the batch's span links the context of each event it carries");

            assertEquals(List.of("billing/AccountOpened/req-7/acc-1"), consumerMdc);
            assertEquals("owners", projectionMdc.get(NexusMdc.CONSUMER));
            assertEquals(commandId.toString(), projectionMdc.get(NexusMdc.CAUSATION_ID), "the event's cause is the command");
        }
    }

    @Test
    void theCommandsMdcKeysAreSetWhileItIsHandledAndRestoredAfterwards() {
        Map<String, String> seen = new ConcurrentHashMap<>();
        try (Nexus nexus = Nexus.builder().eventTypes(Account.eventTypes()).snapshotExecutor(Runnable::run)
                .aggregate(Accounts.DEFINITION, routes -> routes.create(Account.Open.class, Account.Open::accountId, (account, open, context) -> {
                    seen.putAll(MDC.getCopyOfContextMap());
                    account.open(open);
                })).build()) {
            MDC.put(NexusMdc.CORRELATION_ID, "outer");
            UUID commandId = UUID.randomUUID();
            nexus.commands().send(new Account.Open("acc-1", "ann"),
                    CommandMetadata.withCommandId(commandId).correlationId("req-1").causationId("event-9"));
            assertEquals(Map.of(NexusMdc.CORRELATION_ID, "req-1", NexusMdc.CAUSATION_ID, "event-9", NexusMdc.COMMAND_ID,
                    commandId.toString(), NexusMdc.COMMAND_TYPE, "Open", NexusMdc.AGGREGATE_ID, "acc-1"), seen);
            assertEquals("outer", MDC.get(NexusMdc.CORRELATION_ID), "the caller's value is restored");
            assertNull(MDC.get(NexusMdc.AGGREGATE_ID), "keys the caller did not have are removed");
            EventEnvelope stored = nexus.eventStore().readAll(1, 10).get(0);
            assertEquals("event-9", stored.metadata().get(CommandMetadata.CAUSATION_KEY), "the command's cause is recorded with its events");
            assertEquals(commandId.toString(), stored.causationId());
            assertTrue(stored.metadata().get(EventTraceContext.TRACEPARENT) == null, "nothing is traced without a registry");
        } finally {
            MDC.clear();
        }
    }
}
