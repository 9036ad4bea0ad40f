package io.nexus.benchmarks;

import io.nexus.core.command.CommandMetadata;
import io.nexus.core.event.EventIds;
import io.nexus.core.event.NewEvent;
import io.nexus.core.serialization.EventCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The per-event cost of encoding, the part of every append that runs in the writer before any store sees the
 * event: id generation and JSON serialization of a {@link Deposited} of about 100 bytes.
 *
 * <ul>
 *   <li>{@link #randomUuid}, {@link #fastId}, {@link #commandEventId}: the id alone ({@link UUID#randomUUID()},
 *       {@link EventIds#next()}, the id a command's event gets from its command id).</li>
 *   <li>{@link #serialize}: the JSON alone.</li>
 *   <li>{@link #encodeWithFastId}: an event as a client appending directly builds it (new id, JSON, envelope).</li>
 *   <li>{@link #encodeCommandEvent}: an event as the aggregate repository builds it for a command (derived id,
 *       correlation and causation, JSON).</li>
 *   <li>{@link #encodeWithRandomUuid}: the same as {@link #encodeWithFastId} with a {@link UUID#randomUUID()}, the
 *       cost before {@link EventIds}.</li>
 * </ul>
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EncodeBenchmark {

    /** The codec, an event and a command's metadata, built once. */
    @State(Scope.Thread)
    public static class Codec {
        EventCodec codec;
        Deposited event;
        CommandMetadata metadata;
        long amount;

        @Setup
        public void build() {
            codec = EventCodec.jackson(Workloads.eventTypes());
            event = new Deposited(Workloads.accountId(42), 100, Workloads.REFERENCE);
            metadata = CommandMetadata.create();
        }
    }

    @Benchmark
    public UUID randomUuid() {
        return UUID.randomUUID();
    }

    @Benchmark
    public UUID fastId() {
        return EventIds.next();
    }

    @Benchmark
    public UUID commandEventId(Codec c) {
        return c.metadata.eventId(c.event.accountId(), 0);
    }

    @Benchmark
    public byte[] serialize(Codec c) {
        return c.codec.serializer().serialize(new Deposited(c.event.accountId(), ++c.amount, c.event.reference()));
    }

    @Benchmark
    public NewEvent encodeWithFastId(Codec c) {
        return c.codec.encode(new Deposited(c.event.accountId(), ++c.amount, c.event.reference()), EventIds.next(),
                null, null, Map.of());
    }

    @Benchmark
    public NewEvent encodeCommandEvent(Codec c) {
        return c.codec.encode(new Deposited(c.event.accountId(), ++c.amount, c.event.reference()),
                c.metadata.eventId(c.event.accountId(), 0), c.metadata.correlationId(),
                c.metadata.commandId().toString(), c.metadata.attributes());
    }

    @Benchmark
    public NewEvent encodeWithRandomUuid(Codec c) {
        return c.codec.encode(new Deposited(c.event.accountId(), ++c.amount, c.event.reference()), UUID.randomUUID(),
                null, null, Map.of());
    }
}
