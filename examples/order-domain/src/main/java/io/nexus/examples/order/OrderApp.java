package io.nexus.examples.order;

import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexus.core.Nexus;
import io.nexus.core.bus.BusConsumer;
import io.nexus.core.bus.BusPath;
import io.nexus.core.bus.EventBus;
import io.nexus.core.bus.InMemoryEventBus;
import io.nexus.core.projection.ProcessingMode;
import io.nexus.core.projection.Projection;
import io.nexus.core.schema.InMemorySchemaRegistry;
import io.nexus.core.schema.SchemaRegistry;
import io.nexus.core.temporal.TemporalQueryService;
import io.nexus.examples.order.billing.Billing;
import io.nexus.examples.order.engines.AppEngines;
import io.nexus.examples.order.engines.EmbeddedEngines;
import io.nexus.examples.order.engines.EngineProfiles;
import io.nexus.examples.order.fulfilment.Fulfilment;
import io.nexus.examples.order.fulfilment.FulfilmentModule;
import io.nexus.examples.order.fulfilment.FulfilmentProgress;
import io.nexus.examples.order.fulfilment.FulfilmentSimulator;
import io.nexus.examples.order.http.ApiServices;
import io.nexus.examples.order.http.HistoryPolicy;
import io.nexus.examples.order.http.HttpSettings;
import io.nexus.examples.order.http.OrderHttpApi;
import io.nexus.examples.order.projection.OrderSummaries;
import io.nexus.examples.order.projection.OrderSummaryProjection;

import java.io.PrintStream;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The Order example app, assembled on the builder the way a user assembles theirs ({@link #assemble}):
 * the Order domain with fulfilment, the order-summary read model with notifications, billing and the
 * simulated payment provider on the event bus, the order-fulfilment saga, Prometheus meters, and the
 * HTTP/WebSocket API with its web page. The engines come from the profile: embedded (nothing installed),
 * {@code postgres} (one durable machine), {@code aws} (endpoints from the environment) or {@code local} (DynamoDB Local, kinesis-mock and an
 * OpenSearch node started by the app). It runs a short demo through the API, then serves until stopped.
 * Tracing is the user's choice: {@link #run(String[], ObservationRegistry)} takes the registry (none by default), and
 * then every HTTP request is a span that continues an incoming {@code traceparent} (docs/observability.md).
 *
 * <pre>
 * usage: OrderApp [--port N] [--demo-only] [--profile embedded|postgres|aws|local] [--operator-token T]
 * </pre>
 */
public final class OrderApp {

    /** The port used when neither {@code --port} nor {@code PORT} is given. */
    public static final int DEFAULT_PORT = 8080;

    static final String USAGE = "usage: OrderApp [--port N] [--demo-only] [--profile embedded|postgres|aws|local] [--operator-token T]\n"
            + "  --port N            the HTTP port (default: env PORT, else " + DEFAULT_PORT + "); 0 picks a free port\n"
            + "  --demo-only         exit after the demo instead of serving\n"
            + "  --profile P         the engines (default: env ORDER_APP_PROFILE, else embedded); see README.md\n"
            + "  --operator-token T  the bearer token of /operator/... (default: env OPERATOR_TOKEN, else a random one, printed)";

    private OrderApp() {
    }

    /** Runs the app untraced: see {@link #run(String[], ObservationRegistry)}. */
    public static void main(String[] args) throws Exception {
        run(args, ObservationRegistry.NOOP);
    }

    /**
     * Runs the app as the command line {@code args} say (see {@link #USAGE}), observing in {@code observations}: every
     * HTTP request (continuing an incoming W3C {@code traceparent}), command, event handling, projection and saga step.
     * A registry with a tracing handler (from a Micrometer Tracing bridge: OpenTelemetry or Brave) makes them one
     * trace per request; {@link ObservationRegistry#NOOP} observes nothing. An application that traces calls this from
     * its own {@code main} with its registry.
     */
    public static void run(String[] args, ObservationRegistry observations) throws Exception {
        Objects.requireNonNull(observations, "observations");
        Options options;
        try {
            options = Options.parse(args, System.getenv());
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
        run(options, System.out, observations);
    }

    /**
     * The whole Order app on {@code builder} with the in-process bus and a simulator in manual payment
     * mode: see {@link #assemble(Nexus.Builder, BusConsumer, Duration, FulfilmentSimulator, EventBus)}.
     */
    public static Nexus.Builder assemble(Nexus.Builder builder, BusConsumer billing, Duration reservationTimeout) {
        return assemble(builder, billing, reservationTimeout, new FulfilmentSimulator(), InMemoryEventBus.create());
    }

    /**
     * The whole Order app on {@code builder}: the Order domain with fulfilment, the order-summary read
     * model with notifications ({@link #readSide}), billing ({@link Billing}, or a stand-in) and the simulated
     * payment provider as consumers of {@code bus}, the simulator itself (a component), and the fulfilment saga, whose
     * reservations go through the simulated warehouse.
     */
    public static Nexus.Builder assemble(Nexus.Builder builder, BusConsumer billing, Duration reservationTimeout,
                                         FulfilmentSimulator simulator, EventBus bus) {
        return assemble(builder, billing, reservationTimeout, simulator, bus, InMemorySchemaRegistry.create());
    }

    /**
     * The whole Order app as {@link #assemble(Nexus.Builder, BusConsumer, Duration, FulfilmentSimulator, EventBus)}, with
     * the app's schemas registered in {@code schemas} (the profile's registry) and new events validated against it.
     */
    // tag::assemble[]
    public static Nexus.Builder assemble(Nexus.Builder builder, BusConsumer billing, Duration reservationTimeout,
                                         FulfilmentSimulator simulator, EventBus bus, SchemaRegistry schemas) {
        return readSide(builder.module(new FulfilmentModule(schemas)))  // event types, schemas registered, aggregates, routes
                .projection(new FulfilmentProgress(), options -> options.notifications())
                .eventBus(bus, consumers -> consumers                    // fed by one router from the event store
                        .consumer(Billing.GROUP, BusPath.PRIMARY, billing)
                        .consumer(FulfilmentSimulator.GROUP, BusPath.PRIMARY, simulator))
                .component(simulator)                                   // the demo's payment provider and warehouse
                .component(Fulfilment.component(reservationTimeout, simulator)); // the fulfilment saga
    }
    // end::assemble[]

    /**
     * The order-summary read model the HTTP API serves: applied on the appending thread, and told to the
     * notification hub that command answers and WebSocket clients wait on (read-your-writes).
     */
    // tag::read-side[]
    public static Nexus.Builder readSide(Nexus.Builder builder) {
        return builder
                .projection(context -> new OrderSummaryProjection(context.readModels()),
                        options -> options.mode(ProcessingMode.INLINE).notifications())
                .notifications();                                       // nexus.notifications(): read-your-writes
    }
    // end::read-side[]

    /**
     * The app's {@link Nexus} on {@code engines}, {@link #assemble}d with billing, the simulator and the fulfilment
     * saga: meters go to {@code metrics}, observations to {@code observations} (traces, when it has a tracing handler;
     * {@link ObservationRegistry#NOOP} for none). The HTTP API observes every request in the same registry.
     */
    public static Nexus build(AppEngines engines, PrometheusMeterRegistry metrics, ObservationRegistry observations,
                              FulfilmentSimulator simulator, Duration reservationTimeout) {
        return build(engines, metrics, observations, simulator, reservationTimeout, new Billing());
    }

    /** As {@link #build(AppEngines, PrometheusMeterRegistry, ObservationRegistry, FulfilmentSimulator, Duration)}, with {@code billing} as the billing group's consumer. */
    public static Nexus build(AppEngines engines, PrometheusMeterRegistry metrics, ObservationRegistry observations,
                              FulfilmentSimulator simulator, Duration reservationTimeout, BusConsumer billing) {
        // tag::observability[]
        Nexus.Builder builder = engines.configure(Nexus.builder())
                .meterRegistry(metrics)                 // meters (Micrometer)
                .observationRegistry(observations);     // traces (Micrometer Observation API), and the HTTP requests' spans
        // end::observability[]
        return assemble(builder, billing, reservationTimeout, simulator, engines.eventBus(), engines.schemaRegistry()).build();
    }

    /**
     * Starts the app on the profile's engines, observed in {@code observations}, runs the demo, and unless
     * {@code demoOnly} serves until the JVM shuts down.
     */
    static void run(Options options, PrintStream out, ObservationRegistry observations) throws Exception {
        Duration reservationTimeout = Fulfilment.reservationTimeout(System.getenv(Fulfilment.TIMEOUT_VARIABLE));
        long began = System.nanoTime();
        AppEngines engines = EngineProfiles.open(options.profile(), System.getenv(), out, observations);
        Running app;
        try {
            PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            FulfilmentSimulator simulator = new FulfilmentSimulator();
            Nexus nexus = build(engines, metrics, observations, simulator, reservationTimeout);
            app = start(nexus, HttpSettings.defaults(options.port(), options.operatorToken()), engines, Optional.of(simulator),
                    Optional.of(metrics));
        } catch (RuntimeException e) {
            engines.close();
            throw e;
        }
        boolean serving = false;
        try {
            out.println("Order app (" + engines.profile() + " engines) listening on " + app.baseUri() + "/orders (port "
                    + app.port() + "), started in " + Duration.ofNanos(System.nanoTime() - began).toMillis() + " ms");
            out.println("Web page: " + app.baseUri() + "/   operator token: " + (options.tokenGiven() ? "(as given)" : options.operatorToken()));
            OrderDemo.run(app.baseUri(), out);
            if (options.demoOnly()) {
                return;
            }
            Running running = app;
            Runtime.getRuntime().addShutdownHook(new Thread(running::close, "order-app-shutdown"));
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
     * Starts {@code nexus} and the HTTP API on {@code port} on the embedded engines, with a random operator
     * token. {@code nexus} must have the Order domain ({@link OrderModule}) and the {@link #readSide}
     * registered. The returned app owns {@code nexus}: closing it closes Nexus too, and so does a failure
     * to start.
     */
    public static Running start(Nexus nexus, int port) {
        return start(nexus, HttpSettings.defaults(port, randomToken()), new EmbeddedEngines(),
                nexus.component(FulfilmentSimulator.class), Optional.empty());
    }

    /**
     * Starts {@code nexus} (built on {@code engines}) and the HTTP API as {@code settings} say. The returned
     * app owns {@code nexus} and {@code engines}: closing it closes both, and so does a failure to start.
     *
     * @param simulator the fulfilment simulator registered on {@code nexus}, if fulfilment is assembled
     * @param metrics   the registry {@code nexus} was built with, to serve at {@code /metrics}
     */
    public static Running start(Nexus nexus, HttpSettings settings, AppEngines engines, Optional<FulfilmentSimulator> simulator,
                                Optional<PrometheusMeterRegistry> metrics) {
        Objects.requireNonNull(nexus, "nexus");
        Objects.requireNonNull(engines, "engines");
        TemporalQueryService temporal = null;
        try {
            nexus.start();
            OrderSummaries summaries = OrderSummaries.of(nexus);
            temporal = TemporalQueryService.builder(nexus.eventStore()).policy(HistoryPolicy.after(nexus.policy(), summaries))
                    .auditLog(nexus.auditLog()).clock(nexus.clock()).build();
            Map<String, Supplier<Projection>> projections = new LinkedHashMap<>();
            projections.put(OrderSummaryProjection.NAME, () -> new OrderSummaryProjection(nexus.readModels()).bind(nexus.codec().types()));
            projections.putAll(engines.projections());
            ApiServices services = new ApiServices(nexus, summaries, engines.search(nexus), temporal, simulator, projections,
                    engines.probes(nexus), metrics);
            OrderHttpApi api = OrderHttpApi.start(services, settings);
            return new Running(nexus, summaries, api, temporal, engines);
        } catch (RuntimeException e) {
            if (temporal != null) {
                temporal.close();
            }
            nexus.close();
            engines.close();
            throw e;
        }
    }

    static String randomToken() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** A started app; closing it stops the HTTP API, then Nexus with its components, then the engines. */
    public static final class Running implements AutoCloseable {
        private final Nexus nexus;
        private final OrderSummaries summaries;
        private final OrderHttpApi api;
        private final TemporalQueryService temporal;
        private final AppEngines engines;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Running(Nexus nexus, OrderSummaries summaries, OrderHttpApi api, TemporalQueryService temporal, AppEngines engines) {
            this.nexus = nexus;
            this.summaries = summaries;
            this.api = api;
            this.temporal = temporal;
            this.engines = engines;
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

        /** How many WebSocket connections are open. */
        public int webSocketConnections() {
            return api.webSocketConnections();
        }

        /** Closing twice is harmless. */
        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            api.close();
            temporal.close();
            nexus.close();
            engines.close();
        }
    }

    /**
     * Parsed command line.
     *
     * @param port          the HTTP port, 0..65535
     * @param demoOnly      exit after the demo
     * @param help          only print the usage
     * @param profile       the engines: embedded, aws or local
     * @param operatorToken the operator's bearer token
     * @param tokenGiven    whether the token was given (else it was generated, and is printed)
     */
    record Options(int port, boolean demoOnly, boolean help, String profile, String operatorToken, boolean tokenGiven) {

        /**
         * @param env the environment ({@code PORT}, {@code ORDER_APP_PROFILE}, {@code OPERATOR_TOKEN})
         * @throws IllegalArgumentException naming the bad argument
         */
        static Options parse(String[] args, Map<String, String> env) {
            Integer port = null;
            boolean demoOnly = false;
            boolean help = false;
            String profile = null;
            String token = null;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("--demo-only")) {
                    demoOnly = true;
                } else if (arg.equals("--help") || arg.equals("-h")) {
                    help = true;
                } else if (arg.equals("--port") || arg.startsWith("--port=")) {
                    port = parsePort(value(args, i, "--port", "0..65535"), "--port");
                    i += arg.contains("=") ? 0 : 1;
                } else if (arg.equals("--profile") || arg.startsWith("--profile=")) {
                    profile = value(args, i, "--profile", "embedded, aws or local");
                    i += arg.contains("=") ? 0 : 1;
                } else if (arg.equals("--operator-token") || arg.startsWith("--operator-token=")) {
                    token = value(args, i, "--operator-token", "at least 16 characters");
                    i += arg.contains("=") ? 0 : 1;
                } else {
                    throw new IllegalArgumentException("unknown argument '" + arg + "'");
                }
            }
            if (port == null) {
                String envPort = env.get("PORT");
                port = envPort == null || envPort.isBlank() ? DEFAULT_PORT : parsePort(envPort.trim(), "PORT");
            }
            if (profile == null) {
                profile = env.getOrDefault("ORDER_APP_PROFILE", "embedded");
            }
            if (!EngineProfiles.NAMES.contains(profile)) {
                throw new IllegalArgumentException("--profile must be one of " + EngineProfiles.NAMES + ", but was '" + profile + "'");
            }
            if (token == null) {
                token = env.get("OPERATOR_TOKEN");
            }
            boolean given = token != null && !token.isBlank();
            if (given && token.length() < 16) {
                throw new IllegalArgumentException("the operator token must have at least 16 characters, but had " + token.length());
            }
            return new Options(port, demoOnly, help, profile, given ? token : randomToken(), given);
        }

        private static String value(String[] args, int i, String name, String expected) {
            String arg = args[i];
            if (arg.startsWith(name + "=")) {
                return arg.substring(name.length() + 1);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + " needs a value, " + expected);
            }
            return args[i + 1];
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
