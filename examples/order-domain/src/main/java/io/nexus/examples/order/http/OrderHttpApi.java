package io.nexus.examples.order.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.nexus.core.NexusException;
import io.nexus.core.aggregate.AggregateAlreadyExistsException;
import io.nexus.core.aggregate.AggregateNotFoundException;
import io.nexus.core.command.CommandBus;
import io.nexus.core.command.CommandRejectedException;
import io.nexus.core.command.CommandResult;
import io.nexus.core.command.InvalidCommandException;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.notification.NotificationHub;
import io.nexus.core.schema.SchemaViolationException;
import io.nexus.core.schema.Violation;
import io.nexus.core.store.ConcurrencyConflictException;
import io.nexus.examples.order.domain.AddLine;
import io.nexus.examples.order.domain.CancelOrder;
import io.nexus.examples.order.domain.ConfirmOrder;
import io.nexus.examples.order.domain.OrderRejectedException;
import io.nexus.examples.order.domain.OrderStatus;
import io.nexus.examples.order.domain.PlaceOrder;
import io.nexus.examples.order.domain.RemoveLine;
import io.nexus.examples.order.projection.OrderSummary;
import io.nexus.examples.order.projection.OrderSummaries;
import io.nexus.examples.order.projection.ReadModelUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Order HTTP API on the JDK's {@link HttpServer}, JSON in and out.
 *
 * <pre>
 * POST   /orders                    {"customerId": "c-1", "orderId": "optional"}   201 + Location
 * POST   /orders/{id}/lines         {"sku": "apple", "quantity": 3, "unitPriceCents": 250}
 * DELETE /orders/{id}/lines/{sku}
 * POST   /orders/{id}/confirm
 * POST   /orders/{id}/cancel
 * GET    /orders/{id}               the order's summary
 * GET    /orders?customerId=&amp;status=  the summaries, by id
 * </pre>
 *
 * A command answers {@code {"orderId", "version", "events", "alreadyApplied"}}: {@code version} is the
 * order's version afterwards, which the summary's {@code version} reaches once it shows the command.
 * Errors answer {@code {"error": code, "message": text}}: malformed JSON and invalid requests or
 * commands 400, an unknown order or route 404, a rule about the command's values 422
 * ({@code "rule"} names it), a rule about the order's state, an existing order or a concurrent change
 * 409, an event refused by its schema 422 (with {@code "violations"}), a stopped read model 503.
 *
 * <p>Request bodies are strict: unknown fields are refused, so a typo never passes unnoticed.
 * Thread-safe; requests are served by a small pool of daemon threads.
 */
public final class OrderHttpApi implements AutoCloseable {

    /** The largest request body accepted. */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    private static final Logger log = LoggerFactory.getLogger(OrderHttpApi.class);
    private static final String JSON = "application/json; charset=utf-8";

    /** How long a command's answer waits for the read model to show the command's version. */
    static final int READ_YOUR_WRITES_SECONDS = 5;
    static final Duration READ_YOUR_WRITES_TIMEOUT = Duration.ofSeconds(READ_YOUR_WRITES_SECONDS);

    private final CommandBus commands;
    private final NotificationHub notifications;
    private final OrderSummaries summaries;
    private final ObjectMapper mapper;
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private OrderHttpApi(CommandBus commands, OrderSummaries summaries, NotificationHub notifications, HttpServer server,
                         ExecutorService executor) {
        this.commands = commands;
        this.notifications = notifications;
        this.summaries = summaries;
        this.server = server;
        this.executor = executor;
        this.mapper = JsonMapper.builder().addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
    }

    /**
     * Starts serving on {@code address} (port 0 picks a free port; see {@link #port()}). A command is
     * answered once {@code notifications} says the read model shows its version (or after
     * {@value #READ_YOUR_WRITES_SECONDS} s), so a client reads its own writes.
     *
     * @throws IOException if the address cannot be bound
     */
    public static OrderHttpApi start(CommandBus commands, OrderSummaries summaries, NotificationHub notifications,
                                     InetSocketAddress address) throws IOException {
        Objects.requireNonNull(commands, "commands");
        Objects.requireNonNull(summaries, "summaries");
        Objects.requireNonNull(notifications, "notifications");
        HttpServer server = HttpServer.create(Objects.requireNonNull(address, "address"), 64);
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "order-http-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        OrderHttpApi api = new OrderHttpApi(commands, summaries, notifications, server, executor);
        server.createContext("/", api::handle);
        server.setExecutor(executor);
        server.start();
        return api;
    }

    /** The port the server listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://localhost:<port>}. */
    public URI baseUri() {
        return URI.create("http://localhost:" + port());
    }

    /** Stops the server at once (requests still in flight are cut off) and its threads. Closing twice is harmless. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    // ---- routing -------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) {
        try (exchange) {
            Reply reply;
            try {
                reply = route(exchange);
            } catch (ApiException e) {
                reply = error(e.status(), e.error(), e.getMessage());
                if (e.allow() != null) {
                    reply.headers.put("Allow", e.allow());
                }
            } catch (NexusException e) {
                reply = fromNexus(e);
            } catch (RuntimeException e) {
                log.error("Unexpected failure serving {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                reply = error(500, "internal", "The server failed unexpectedly (" + e.getClass().getSimpleName()
                        + "); nothing may have been changed, check the order before retrying.");
            }
            send(exchange, reply);
        } catch (IOException e) {
            log.debug("Client went away while being answered: {}", e.toString());
        }
    }

    private Reply route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        List<String> path = segments(exchange.getRequestURI().getRawPath());
        if (path.isEmpty() || !path.get(0).equals("orders")) {
            throw notFound(exchange);
        }
        int n = path.size();
        if (n == 1) {
            return switch (method) {
                case "POST" -> place(body(exchange));
                case "GET" -> list(query(exchange.getRequestURI().getRawQuery()));
                default -> throw notAllowed(method, "GET, POST");
            };
        }
        String orderId = path.get(1);
        if (n == 2) {
            if (!method.equals("GET")) {
                throw notAllowed(method, "GET");
            }
            return summary(orderId);
        }
        String action = path.get(2);
        if (n == 3 && action.equals("lines")) {
            requireMethod(method, "POST");
            return addLine(orderId, body(exchange));
        }
        if (n == 4 && action.equals("lines")) {
            requireMethod(method, "DELETE");
            return command(200, new RemoveLine(orderId, path.get(3)));
        }
        if (n == 3 && action.equals("confirm")) {
            requireMethod(method, "POST");
            return command(200, new ConfirmOrder(orderId));
        }
        if (n == 3 && action.equals("cancel")) {
            requireMethod(method, "POST");
            return command(200, new CancelOrder(orderId));
        }
        throw notFound(exchange);
    }

    // ---- endpoints -----------------------------------------------------------------------------

    private Reply place(ObjectNode body) {
        allowOnly(body, "customerId", "orderId");
        String customerId = text(body, "customerId", true);
        String orderId = text(body, "orderId", false);
        if (orderId == null) {
            orderId = "order-" + UUID.randomUUID().toString().substring(0, 8);
        }
        Reply reply = command(201, new PlaceOrder(orderId, customerId));
        reply.headers.put("Location", "/orders/" + orderId);
        return reply;
    }

    private Reply addLine(String orderId, ObjectNode body) {
        allowOnly(body, "sku", "quantity", "unitPriceCents");
        String sku = text(body, "sku", true);
        int quantity = (int) integer(body, "quantity", Integer.MIN_VALUE, Integer.MAX_VALUE);
        long unitPrice = integer(body, "unitPriceCents", Long.MIN_VALUE, Long.MAX_VALUE);
        return command(200, new AddLine(orderId, sku, quantity, unitPrice));
    }

    private Reply command(int status, Object command) {
        CommandResult result = commands.send(command);
        awaitReadModel(result);
        ObjectNode json = mapper.createObjectNode();
        json.put("orderId", result.aggregateId());
        json.put("version", result.version());
        ArrayNode events = json.putArray("events");
        for (EventEnvelope e : result.events()) {
            events.add(e.eventType());
        }
        json.put("alreadyApplied", result.alreadyApplied());
        return new Reply(status, json);
    }

    private void awaitReadModel(CommandResult result) {
        if (result.version() < 1) {
            return;
        }
        try {
            notifications.awaitVersion(result.aggregateId(), result.version(), READ_YOUR_WRITES_TIMEOUT).join();
        } catch (CompletionException e) {
            // The command is stored; a read model that is late (or holds the order back) does not undo it.
            log.warn("Order '{}' version {} is not in the read model after {} s", result.aggregateId(), result.version(),
                    READ_YOUR_WRITES_SECONDS);
        }
    }

    private Reply summary(String orderId) {
        OrderSummary summary = summaries.find(orderId).orElseThrow(() -> new ApiException(404, "not_found",
                "Order '" + orderId + "' does not exist; check the id or place the order first."));
        return new Reply(200, mapper.valueToTree(summary));
    }

    private Reply list(Map<String, String> query) {
        for (String key : query.keySet()) {
            if (!key.equals("customerId") && !key.equals("status")) {
                throw new ApiException(400, "invalid", "Query parameter '" + key + "' is not supported; expected customerId and/or status.");
            }
        }
        OrderStatus status = null;
        String rawStatus = query.get("status");
        if (rawStatus != null) {
            try {
                status = OrderStatus.valueOf(rawStatus.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, "invalid", "Query parameter status must be one of "
                        + Arrays.toString(OrderStatus.values()) + " but was '" + rawStatus + "'.");
            }
        }
        List<OrderSummary> rows = summaries.list(query.get("customerId"), status);
        ObjectNode json = mapper.createObjectNode();
        json.put("count", rows.size());
        json.set("orders", mapper.valueToTree(rows));
        return new Reply(200, json);
    }

    // ---- errors --------------------------------------------------------------------------------

    private Reply fromNexus(NexusException e) {
        if (e instanceof OrderRejectedException rejected) {
            Reply reply = error(rejected.rule().aboutInput() ? 422 : 409, "rejected", e.getMessage());
            ((ObjectNode) reply.body).put("rule", rejected.rule().name());
            return reply;
        }
        if (e instanceof CommandRejectedException) {
            return error(409, "rejected", e.getMessage());
        }
        if (e instanceof InvalidCommandException) {
            return error(400, "invalid", e.getMessage());
        }
        if (e instanceof AggregateNotFoundException) {
            return error(404, "not_found", e.getMessage());
        }
        if (e instanceof AggregateAlreadyExistsException) {
            return error(409, "already_exists", e.getMessage());
        }
        if (e instanceof ConcurrencyConflictException) {
            return error(409, "conflict", e.getMessage());
        }
        if (e instanceof SchemaViolationException violation) {
            Reply reply = error(422, "schema_violation", e.getMessage());
            ArrayNode list = ((ObjectNode) reply.body).putArray("violations");
            for (Violation v : violation.violations()) {
                list.addObject().put("pointer", v.pointer()).put("message", v.message());
            }
            return reply;
        }
        if (e instanceof ReadModelUnavailableException || e.isTransient()) {
            return error(503, "unavailable", e.getMessage());
        }
        log.error("Command failed", e);
        return error(500, "internal", e.getMessage());
    }

    private Reply error(int status, String code, String message) {
        ObjectNode json = mapper.createObjectNode();
        json.put("error", code);
        json.put("message", message);
        return new Reply(status, json);
    }

    private static ApiException notFound(HttpExchange exchange) {
        return new ApiException(404, "not_found", "No endpoint at " + exchange.getRequestMethod() + " "
                + exchange.getRequestURI().getRawPath() + "; see the routes under /orders.");
    }

    private static ApiException notAllowed(String method, String allowed) {
        return new ApiException(405, "method_not_allowed", "Method " + method + " is not allowed here; expected " + allowed + ".", allowed);
    }

    private static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw notAllowed(method, expected);
        }
    }

    // ---- request parsing -----------------------------------------------------------------------

    private ObjectNode body(HttpExchange exchange) throws IOException {
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new ApiException(413, "payload_too_large", "The request body is larger than " + MAX_BODY_BYTES
                    + " bytes; send a smaller JSON object.");
        }
        if (bytes.length == 0) {
            throw new ApiException(400, "malformed_json", "The request body is empty; expected a JSON object.");
        }
        JsonNode node;
        try {
            node = mapper.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "malformed_json", "The request body is not valid JSON: " + e.getOriginalMessage()
                    + "; send a JSON object.");
        }
        if (!(node instanceof ObjectNode object)) {
            throw new ApiException(400, "malformed_json", "The request body must be a JSON object but was "
                    + (node == null ? "empty" : node.getNodeType().name().toLowerCase(Locale.ROOT)) + ".");
        }
        return object;
    }

    private static void allowOnly(ObjectNode body, String... fields) {
        Set<String> allowed = Set.of(fields);
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw new ApiException(400, "invalid", "Field '" + name + "' is not supported; expected only "
                        + String.join(", ", fields) + ".");
            }
        }
    }

    private static String text(ObjectNode body, String field, boolean required) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new ApiException(400, "invalid", "Field '" + field + "' is required; send it as a string.");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw new ApiException(400, "invalid", "Field '" + field + "' must be a string but was "
                    + value.getNodeType().name().toLowerCase(Locale.ROOT) + ".");
        }
        return value.textValue();
    }

    private static long integer(ObjectNode body, String field, long min, long max) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw new ApiException(400, "invalid", "Field '" + field + "' is required; send it as a whole number.");
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < min || value.longValue() > max) {
            throw new ApiException(400, "invalid", "Field '" + field + "' must be a whole number in " + min + ".." + max
                    + " but was " + value + ".");
        }
        return value.longValue();
    }

    private static List<String> segments(String rawPath) {
        List<String> result = new ArrayList<>();
        for (String part : rawPath.split("/")) {
            if (!part.isEmpty()) {
                result.add(decode(part));
            }
        }
        return result;
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> result = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return result;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (result.putIfAbsent(key, value) != null) {
                throw new ApiException(400, "invalid", "Query parameter '" + key + "' is given twice; give it once.");
            }
        }
        return result;
    }

    /** Percent-decodes a path segment ('+' stays a plus sign, as in paths it is one). */
    private static String decode(String part) {
        try {
            return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "invalid", "Path segment '" + part + "' is not validly percent-encoded.");
        }
    }

    // ---- responses -----------------------------------------------------------------------------

    private void send(HttpExchange exchange, Reply reply) throws IOException {
        byte[] bytes = mapper.writeValueAsBytes(reply.body);
        exchange.getResponseHeaders().set("Content-Type", JSON);
        reply.headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(reply.status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static final class Reply {
        final int status;
        final JsonNode body;
        final Map<String, String> headers = new HashMap<>();

        Reply(int status, JsonNode body) {
            this.status = status;
            this.body = body;
        }
    }
}
