package io.nexus.benchmarks;

import io.nexus.core.Nexus;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.List;

/**
 * Heap retained per stored event by the embedded store: heap used after a full GC once the events are
 * stored, minus heap used after a full GC before, divided by the number of events. Two shapes:
 *
 * <ul>
 *   <li>raw: 1,000,000 events of about 100 bytes appended in batches of 100 straight to
 *       {@link InMemoryEventStore} (payload bytes only, no correlation/causation ids, no metadata);</li>
 *   <li>commands: 1,000 aggregates × 100 commands through {@code Nexus.commands()}: each event also keeps its
 *       decoded object (the payload cache), correlation and causation ids, and a derived event id.</li>
 * </ul>
 *
 * <p>Run: {@code java -Xms4g -Xmx4g -cp nexus-benchmarks/target/benchmarks.jar io.nexus.benchmarks.MemoryPerEvent}.
 * Arguments (optional): raw event count, command-run aggregate count, commands per aggregate.
 */
public final class MemoryPerEvent {

    private MemoryPerEvent() {
    }

    public static void main(String[] args) {
        int rawEvents = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int aggregates = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int commandsEach = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        System.out.printf("JVM: %s %s, max heap %d MiB%n", System.getProperty("java.vm.name"),
                System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20);
        // A first pass warms class loading and JIT so their allocations do not count in the measured pass.
        raw(10_000);
        commands(10, 10);
        double raw = raw(rawEvents);
        System.out.printf("raw append:  %,d events, %.1f bytes/event%n", rawEvents, raw);
        double viaCommands = commands(aggregates, commandsEach);
        System.out.printf("via commands: %,d events, %.1f bytes/event%n", aggregates * commandsEach, viaCommands);
    }

    /** Bytes retained per event after appending {@code events} raw events (a multiple of 100) to a fresh store. */
    static double raw(int events) {
        if (events % 100 != 0 || events < 100) {
            throw new IllegalArgumentException("events must be a positive multiple of 100, but was " + events);
        }
        int streams = Math.max(1, Math.min(1_000, events / 1_000));
        InMemoryEventStore store = InMemoryEventStore.create();
        long before = usedHeapAfterGc();
        int batches = events / 100;
        for (int b = 0; b < batches; b++) {
            int stream = b % streams;
            String id = Workloads.accountId(stream);
            List<NewEvent> batch = Workloads.AppendRun.newBatch(id, 100, b);
            store.append(id, Workloads.AGGREGATE_TYPE, ExpectedVersion.exactly((long) (b / streams) * 100), batch);
        }
        long after = usedHeapAfterGc();
        if (store.headPosition() != events) {
            throw new IllegalStateException("stored " + store.headPosition() + " events, expected " + events);
        }
        Reference.reachabilityFence(store);
        return (double) (after - before) / events;
    }

    /** Bytes retained per event after {@code aggregates × commandsEach} commands on a fresh Nexus. */
    static double commands(int aggregates, int commandsEach) {
        Deposit[] commands = Workloads.roundRobinDeposits(aggregates, commandsEach);
        Nexus nexus = Workloads.plainNexus();
        long before = usedHeapAfterGc();
        for (Deposit command : commands) {
            nexus.commands().send(command);
        }
        long after = usedHeapAfterGc();
        long stored = nexus.eventStore().headPosition();
        if (stored != (long) aggregates * commandsEach) {
            throw new IllegalStateException("stored " + stored + " events, expected " + (long) aggregates * commandsEach);
        }
        // The commands stay reachable through both measurements, so they cancel out.
        Reference.reachabilityFence(commands);
        Reference.reachabilityFence(nexus);
        nexus.close();
        return (double) (after - before) / stored;
    }

    private static long usedHeapAfterGc() {
        // System.gc() is a full, compacting collection with the default G1 unless -XX:+DisableExplicitGC;
        // repeating it lets reference processing and finalization settle.
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
