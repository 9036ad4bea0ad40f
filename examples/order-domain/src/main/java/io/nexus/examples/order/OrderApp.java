package io.nexus.examples.order;

import io.nexus.core.Nexus;
import io.nexus.core.bus.BusPath;
import io.nexus.core.bus.InMemoryEventBus;
import io.nexus.core.projection.ProcessingMode;
import io.nexus.examples.order.billing.Billing;
import io.nexus.examples.order.fulfilment.Fulfilment;
import io.nexus.examples.order.fulfilment.FulfilmentModule;
import io.nexus.examples.order.http.OrderHttpApi;
import io.nexus.examples.order.projection.OrderSummaries;
import io.nexus.examples.order.projection.OrderSummaryProjection;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Order example app, assembled on the builder the way a user assembles theirs ({@link #assemble}):
 * Nexus on its embedded defaults (in-memory stores, JSON Schema validation of every event), the
 * order-summary read model with notifications, billing on the event bus, the order-fulfilment saga (its
 * reservation timeout from the {@code RESERVATION_TIMEOUT} environment variable, 30 minutes by default)
 * and the HTTP API. It runs a short demo through the API, then serves until stopped (Ctrl-C).
 *
 * <pre>
 * usage: OrderApp [--port N] [--demo-only]
 *   --port N     the HTTP port (default: env PORT, else 8080); 0 picks a free port
 *   --demo-only  exit after the demo instead of serving
 * </pre>
 */
public final class OrderApp {

    /** The port used when neither {@code --port} nor {@code PORT} is given. */
    public static final int DEFAULT_PORT = 8080;

    static final String USAGE = "usage: OrderApp [--port N] [--demo-only]\n"
            + "  --port N     the HTTP port (default: env PORT, else " + DEFAULT_PORT + "); 0 picks a free port\n"
            + "  --demo-only  exit after the demo instead of serving";

    private OrderApp() {
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args, System.getenv("PORT"));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.println(USAGE);
            return;
        }
        run(options, System.out);
    }

    /**
     * The whole Order app on {@code builder}: the Order domain with fulfilment, the order-summary read
     * model with notifications ({@link #readSide}), billing on the event bus, and the fulfilment saga.
     */
    public static Nexus.Builder assemble(Nexus.Builder builder, Billing billing, Duration reservationTimeout) {
        return readSide(builder.module(new FulfilmentModule()))
                .eventBus(InMemoryEventBus.create(), bus -> bus.consumer(Billing.GROUP, BusPath.PRIMARY, billing))
                .component(Fulfilment.component(reservationTimeout));
    }

    /**
     * The order-summary read model the HTTP API serves: applied on the appending thread, and told to the
     * notification hub that command answers wait on (read-your-writes).
     */
    public static Nexus.Builder readSide(Nexus.Builder builder) {
        return builder
                .projection(context -> new OrderSummaryProjection(context.readModels()),
                        options -> options.mode(ProcessingMode.INLINE).notifications())
                .notifications();
    }

    /** Starts the app, runs the demo, and unless {@code demoOnly} serves until the JVM shuts down. */
    static void run(Options options, PrintStream out) throws IOException, InterruptedException {
        Duration reservationTimeout = Fulfilment.reservationTimeout(System.getenv(Fulfilment.TIMEOUT_VARIABLE));
        Running app = start(assemble(Nexus.builder(), new Billing(), reservationTimeout).build(), options.port());
        boolean serving = false;
        try {
            out.println("Order app listening on " + app.baseUri() + "/orders (port " + app.port() + ")");
            OrderDemo.run(app.baseUri(), out);
            if (options.demoOnly()) {
                return;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(app::close, "order-app-shutdown"));
            serving = true;
            out.println("Serving on " + app.baseUri() + "/orders until Ctrl-C.");
            new CountDownLatch(1).await();
        } finally {
            if (!serving) {
                app.close();
            }
        }
    }

    /**
     * Starts {@code nexus} and the HTTP API on {@code port}. {@code nexus} must have the Order domain
     * ({@link OrderModule}) and the {@link #readSide} registered. The returned app owns {@code nexus}:
     * closing it closes Nexus too, and so does a failure to start.
     *
     * @throws IOException if the port cannot be bound
     */
    public static Running start(Nexus nexus, int port) throws IOException {
        Objects.requireNonNull(nexus, "nexus");
        try {
            nexus.start();
            OrderSummaries summaries = OrderSummaries.of(nexus);
            OrderHttpApi api = OrderHttpApi.start(nexus.commands(), summaries, nexus.notifications(), new InetSocketAddress(port));
            return new Running(nexus, summaries, api);
        } catch (IOException | RuntimeException e) {
            nexus.close();
            throw e;
        }
    }

    /** A started app; closing it stops the HTTP API, then Nexus with its components. */
    public static final class Running implements AutoCloseable {
        private final Nexus nexus;
        private final OrderSummaries summaries;
        private final OrderHttpApi api;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Running(Nexus nexus, OrderSummaries summaries, OrderHttpApi api) {
            this.nexus = nexus;
            this.summaries = summaries;
            this.api = api;
        }

        public Nexus nexus() {
            return nexus;
        }

        public OrderSummaries summaries() {
            return summaries;
        }

        public int port() {
            return api.port();
        }

        /** {@code http://localhost:<port>}. */
        public URI baseUri() {
            return api.baseUri();
        }

        /** Closing twice is harmless. */
        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            api.close();
            nexus.close();
        }
    }

    /**
     * Parsed command line.
     *
     * @param port     the HTTP port, 0..65535
     * @param demoOnly exit after the demo
     * @param help     only print the usage
     */
    record Options(int port, boolean demoOnly, boolean help) {

        /**
         * @param envPort the {@code PORT} environment variable, or {@code null}
         * @throws IllegalArgumentException naming the bad argument
         */
        static Options parse(String[] args, String envPort) {
            Integer port = null;
            boolean demoOnly = false;
            boolean help = false;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("--demo-only")) {
                    demoOnly = true;
                } else if (arg.equals("--help") || arg.equals("-h")) {
                    help = true;
                } else if (arg.equals("--port")) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("--port needs a value, 0..65535");
                    }
                    port = parsePort(args[++i], "--port");
                } else if (arg.startsWith("--port=")) {
                    port = parsePort(arg.substring("--port=".length()), "--port");
                } else {
                    throw new IllegalArgumentException("unknown argument '" + arg + "'");
                }
            }
            if (port == null) {
                port = envPort == null || envPort.isBlank() ? DEFAULT_PORT : parsePort(envPort.trim(), "PORT");
            }
            return new Options(port, demoOnly, help);
        }

        private static int parsePort(String value, String name) {
            try {
                int port = Integer.parseInt(value);
                if (port >= 0 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(name + " must be a port number 0..65535, but was '" + value + "'");
        }
    }
}
