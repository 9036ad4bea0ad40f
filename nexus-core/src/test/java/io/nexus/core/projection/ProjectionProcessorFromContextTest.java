package io.nexus.core.projection;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nexus.core.Nexus;
import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.deadletter.InMemoryDeadLetterQueue;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.testdomain.Account;
import io.nexus.core.testdomain.Accounts;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A processor built from an application's context inherits its store, codec, checkpoints, dead letters, clock and meters. */
class ProjectionProcessorFromContextTest {

    @Test
    void inheritsTheApplicationsPortsAndMeters() {
        ManualScheduler scheduler = new ManualScheduler();
        InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore(scheduler);
        InMemoryDeadLetterQueue deadLetters = new InMemoryDeadLetterQueue();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        List<Object> seen = new ArrayList<>();
        Projection owners = new Projection() {
            @Override
            public String name() {
                return "owners";
            }

            @Override
            public Set<String> eventTypes() {
                return Set.of("AccountOpened", "Deposited");
            }

            @Override
            public void handle(Object event, EventEnvelope envelope) {
                if (event instanceof Account.Deposited deposited && deposited.amount() == 13) {
                    throw new IllegalStateException("unlucky amount");
                }
                seen.add(event);
            }
        };
        try (Nexus nexus = Accounts.nexus().clock(scheduler).checkpointStore(checkpoints).deadLetterQueue(deadLetters)
                .meterRegistry(meters).build();
             ProjectionProcessor processor = ProjectionProcessor.builder(owners, nexus).scheduler(scheduler)
                     .retry(RetryPolicy.custom().maxAttempts(5).initialDelay(Duration.ofMillis(100)).jitter(0).build()).build()) {
            processor.start();
            Instant start = scheduler.instant();
            nexus.commands().send(new Account.Open("acc-1", "ada"));
            nexus.commands().send(new Account.Deposit("acc-1", 13));
            scheduler.advance(Duration.ofMinutes(1));

            assertEquals(List.of(new Account.Opened("ada")), seen, "decoded with the application's codec");
            assertEquals(1, deadLetters.list("owners").size(), "dead-lettered into the application's queue");
            assertEquals(start.plusMillis(1500), deadLetters.list("owners").get(0).lastFailedAt(),
                    "the fifth attempt, 1.5 s later on the application's clock");
            assertEquals(1, checkpoints.load("owners", Checkpoint.GLOBAL).orElseThrow().positionAsLong(),
                    "kept in the application's checkpoint store, before the dead letter of a queue that forgets");
            assertEquals(1.0, meters.get("nexus.projection.events").tag("outcome", "handled").counter().count());
            assertEquals(1.0, meters.get("nexus.projection.deadletters").counter().count());
        }
    }
}
