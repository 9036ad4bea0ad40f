package io.nexus.benchmarks;

import io.nexus.core.Nexus;
import io.nexus.core.command.CommandResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Command throughput on the embedded write side, single thread: 1,000 aggregates × 100 commands, each
 * command sent through {@code Nexus.commands()}, which loads its aggregate from the event store (no
 * aggregate cache, no snapshot), applies one event and appends it.
 *
 * <ul>
 *   <li>{@link #command} and {@link #commandLatency} send one command per invocation: commands/s, and
 *       the distribution (p50/p99) per command.
 *       After every 100,000 commands the run starts again on a fresh {@link Nexus}, outside the
 *       measurement, so every measured command meets streams of 0..99 events exactly as in the shape.</li>
 *   <li>{@link #fullRun} sends the whole 100,000 commands to a fresh {@link Nexus} per invocation and
 *       reports commands/s.</li>
 * </ul>
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CommandThroughputBenchmark {

    static final int AGGREGATES = 1_000;
    static final int COMMANDS_EACH = 100;
    static final int TOTAL = AGGREGATES * COMMANDS_EACH;

    /** One command per invocation; rolls over to a fresh Nexus after each full run. */
    @State(Scope.Thread)
    public static class Rolling {
        Deposit[] commands;
        Nexus nexus;
        int next;

        @Setup(Level.Trial)
        public void prepare() {
            commands = Workloads.roundRobinDeposits(AGGREGATES, COMMANDS_EACH);
            next = TOTAL;
        }

        @Setup(Level.Invocation)
        public void rollOver() {
            if (next == TOTAL) {
                if (nexus != null) {
                    nexus.close();
                }
                nexus = Workloads.plainNexus();
                next = 0;
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            nexus.close();
        }
    }

    /** A fresh Nexus for every full run. */
    @State(Scope.Thread)
    public static class Fresh {
        Deposit[] commands;
        Nexus nexus;

        @Setup(Level.Trial)
        public void prepare() {
            commands = Workloads.roundRobinDeposits(AGGREGATES, COMMANDS_EACH);
        }

        @Setup(Level.Invocation)
        public void fresh() {
            nexus = Workloads.plainNexus();
        }

        @TearDown(Level.Invocation)
        public void close() {
            nexus.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public CommandResult command(Rolling state) {
        return state.nexus.commands().send(state.commands[state.next++]);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public CommandResult commandLatency(Rolling state) {
        return state.nexus.commands().send(state.commands[state.next++]);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(TOTAL)
    public long fullRun(Fresh state) {
        long version = 0;
        for (Deposit command : state.commands) {
            version += state.nexus.commands().send(command).version();
        }
        return version;
    }
}
