package io.nexus.examples.order.system;

import io.nexus.local.EngineEndpoints;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

/**
 * The Order system in a JVM of its own, for the whole-system test to kill: starts an {@link OrderSystem}
 * on the engines named by the {@code nexus.engines.*} system properties, sends the steps
 * {@code [from, to)} of the workload, and prints {@code done <index>} for each one that succeeded,
 * {@code ready} once started and {@code sent} when all were sent. Then it keeps working (the saga, the
 * projections, the bus) until it is killed.
 *
 * <p>Arguments: table prefix, bus stream, search alias, workload orders, workload seed, from, to, threads.
 */
public final class OrderSystemProcess {

    private OrderSystemProcess() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        OrderSystem.Names names = new OrderSystem.Names(args[0], args[1], args[2]);
        Workload workload = Workload.generate(Integer.parseInt(args[3]), Long.parseLong(args[4]));
        int from = Integer.parseInt(args[5]);
        int to = Integer.parseInt(args[6]);
        int threads = Integer.parseInt(args[7]);
        OrderSystem system = OrderSystem.start(EngineEndpoints.fromProperties(System::getProperty), names);
        println(out, "ready");
        Driver.drive(system, workload.steps().subList(from, to), threads, index -> println(out, "done " + index));
        println(out, "sent");
        new CountDownLatch(1).await();
    }

    private static void println(PrintStream out, String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
