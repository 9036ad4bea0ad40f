package io.nexus.kinesis;

import io.nexus.core.bus.EventBus;
import io.nexus.testkit.contract.EventBusContract;

import java.time.Duration;

/**
 * The Kinesis bus against the bus contract, on kinesis-mock; fresh streams per test (primary: two
 * shards, secondary: one), deleted after it.
 */
class KinesisEventBusContractTest extends EventBusContract {

    @Override
    protected EventBus createBus(Options options) {
        KinesisMock mock = KinesisMock.get();
        String primary = mock.createStream("contract-primary", 2);
        String secondary = mock.createStream("contract-secondary", 1);
        KinesisEventBus bus = KinesisEventBus.builder(mock.admin())
                .primaryStream(primary)
                .secondaryStream(secondary)
                .routing(options.routing())
                .deadLetters(options.deadLetters())
                .consumerRetry(options.consumerRetry())
                .pollInterval(Duration.ofMillis(50))
                .maxPollInterval(Duration.ofMillis(800))
                .shardSyncInterval(Duration.ofSeconds(2))
                .build();
        return new EventBus() {
            @Override
            public void publish(java.util.List<io.nexus.core.event.EventEnvelope> events) {
                bus.publish(events);
            }

            @Override
            public io.nexus.core.bus.ConsumerGroup subscribe(String group, io.nexus.core.bus.BusPath path,
                                                              io.nexus.core.bus.BusConsumer consumer) {
                return bus.subscribe(group, path, consumer);
            }

            @Override
            public void close() {
                bus.close();
                mock.deleteStream(primary);
                mock.deleteStream(secondary);
            }
        };
    }

    @Override
    protected Duration timeout() {
        // A bound on waiting, not a speed check: on a loaded 2-core build machine one PutRecords round trip
        // to kinesis-mock took 0.4-1.3 s, and the concurrent-publishers case makes 160 of them per thread.
        return Duration.ofSeconds(240);
    }
}
