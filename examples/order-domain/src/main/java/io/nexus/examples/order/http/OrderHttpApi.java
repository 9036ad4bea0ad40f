package io.nexus.examples.order.http;

import io.javalin.Javalin;
import io.javalin.http.staticfiles.Location;
import io.nexus.core.NexusException;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Order app's HTTP and WebSocket server, on Javalin (Jetty 12).
 *
 * <pre>
 * POST   /orders                       {"customerId", "orderId"?}                 201 + Location
 * POST   /orders/{id}/lines            {"sku", "quantity", "unitPriceCents"}
 * DELETE /orders/{id}/lines/{sku}
 * POST   /orders/{id}/confirm | /cancel
 * GET    /orders/{id}[?waitForVersion=N | ?version=N | ?asOf=instant]
 * GET    /orders?customerId=&amp;status=&amp;page=&amp;size=       GET /orders/search?q=&amp;limit=
 * GET    /orders/{id}/history           GET /orders/{id}/fulfilment
 * POST   /orders/{id}/payment           {"outcome": "charged" | "declined", "reason"?}
 * GET|PUT /simulator                    {"paymentMode", "outOfStock"}
 * GET    /operator/projections[/{name}], POST .../{name}/rebuild, GET .../{name}/dead-letters,
 *        POST .../dead-letters/{id}/retry, DELETE .../dead-letters/{id}, GET /operator/audit   (bearer token)
 * GET    /health/live, /health/ready, /metrics
 * WS     /ws/notifications              (see NotificationSocket)
 * GET    /                              the web page
 * </pre>
 *
 * <p>Implementation notes. Protection: a connection silent for the idle timeout is closed (a client that
 * sends headers, or part of a body, and stalls holds one request thread at most that long; headers that
 * never complete hold none); bodies are read bounded and refused with 413 once they pass the limit (the
 * rest is drained so that the client reads the answer rather than a reset); bodies must be declared
 * JSON (415); error messages never repeat more than a few dozen characters of input. Commands answer
 * once the read model shows them, waiting asynchronously, so slow read models hold no thread either.
 * Tracing: every request is an observation in the registry Nexus was built with ({@link HttpObservation}),
 * continuing an incoming W3C {@code traceparent}. Thread-safe.
 */
public final class OrderHttpApi implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OrderHttpApi.class);

    private final Javalin app;
    private final NotificationSocket sockets;
    private final AtomicBoolean closed = new AtomicBoolean();

    private OrderHttpApi(Javalin app, NotificationSocket sockets) {
        this.app = app;
        this.sockets = sockets;
    }

    /**
     * Starts serving {@code services} as {@code settings} say.
     *
     * @throws io.javalin.util.JavalinException if the port cannot be bound
     */
    public static OrderHttpApi start(ApiServices services, HttpSettings settings) {
        Objects.requireNonNull(services, "services");
        Objects.requireNonNull(settings, "settings");
        Access access = new Access(settings.operatorToken());
        Routes routes = new Routes();
        new OrderRoutes(services, settings, access).register(routes);
        new FulfilmentRoutes(services, settings).register(routes);
        new OperatorRoutes(services, access).register(routes);
        NotificationSocket sockets = new NotificationSocket(services.nexus().notifications(),
                services.nexus().observationRegistry(), services.nexus().meterRegistry());
        HttpObservation observation = new HttpObservation(services.nexus().observationRegistry());

        QueuedThreadPool threads = new QueuedThreadPool(settings.maxThreads(), 4, 60_000);
        threads.setName("order-http");
        threads.setDaemon(true);
        long idleMillis = settings.idleTimeout().toMillis();
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jetty.port = settings.port();
            config.jetty.threadPool = threads;
            config.jetty.modifyHttpConfiguration(http -> {
                http.setIdleTimeout(idleMillis);
                http.setRequestHeaderSize(8 * 1024);
                http.setSendServerVersion(false);
            });
            config.jetty.modifyWebSocketServletFactory(ws -> {
                ws.setIdleTimeout(settings.idleTimeout().multipliedBy(4));
                ws.setMaxTextMessageSize(4 * 1024);
                ws.setMaxBinaryMessageSize(1024);
            });
            config.http.maxRequestSize = settings.maxBodyBytes();
            config.staticFiles.add("/web", Location.CLASSPATH);
            // tag::http-observation[]
            // Every request is observed in the registry Nexus was built with, from before its first handler to its
            // complete answer; each route's handler runs with it current (HttpObservation.routed), so commands are its children.
            config.routes.before(observation::start);
            config.requestLogger.http((ctx, millis) -> HttpObservation.stop(ctx));
            // end::http-observation[]
            routes.install(config.routes);
            config.routes.ws("/ws/notifications", sockets::configure);
            config.routes.exception(ApiException.class, (e, ctx) -> Routes.answer(ctx, Errors.of(e)));
            config.routes.exception(NexusException.class, (e, ctx) -> {
                Errors.Answer answer = Errors.of(e);
                if (answer == null) {
                    HttpObservation.failed(ctx, e);
                    log.error("Unexpected failure serving {} {}", ctx.method(), ctx.path(), e);
                    answer = Errors.of(500, "internal", "The server failed unexpectedly (" + e.getClass().getSimpleName()
                            + "); the command may or may not have been applied, check the order before retrying.");
                }
                Routes.answer(ctx, answer);
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                HttpObservation.failed(ctx, e);
                log.error("Unexpected failure serving {} {}", ctx.method(), ctx.path(), e);
                Routes.answer(ctx, Errors.of(500, "internal", "The server failed unexpectedly (" + e.getClass().getSimpleName()
                        + "); the command may or may not have been applied, check the order before retrying."));
            });
            config.routes.error(404, ctx -> {
                if (ctx.attribute(Routes.ANSWERED) == null) {
                    Routes.answer(ctx, Errors.of(404, "not_found", "No endpoint at " + ctx.method().name() + " "
                            + Requests.quote(ctx.path()) + "; see the routes in the example's README."));
                }
            });
        });
        app.start();
        for (Connector connector : app.jettyServer().server().getConnectors()) {
            if (connector instanceof ServerConnector server) {
                server.setIdleTimeout(idleMillis);
            }
        }
        return new OrderHttpApi(app, sockets);
    }

    /** The port the server listens on. */
    public int port() {
        return app.port();
    }

    /** {@code http://localhost:<port>}. */
    public URI baseUri() {
        return URI.create("http://localhost:" + port());
    }

    /** How many WebSocket connections are open. */
    public int webSocketConnections() {
        return sockets.connections();
    }

    /** Stops the server and its threads. Closing twice is harmless. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            app.stop();
        }
    }
}
