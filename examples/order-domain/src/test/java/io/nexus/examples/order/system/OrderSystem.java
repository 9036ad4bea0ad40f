package io.nexus.examples.order.system;

import io.nexus.core.Nexus;
import io.nexus.core.bus.BusPath;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.command.CommandMetadata;
import io.nexus.core.command.CommandRejectedException;
import io.nexus.core.command.CommandResult;
import io.nexus.core.deadletter.InMemoryDeadLetterQueue;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.lifecycle.NexusComponent;
import io.nexus.core.lifecycle.NexusContext;
import io.nexus.core.notification.NotificationHub;
import io.nexus.core.projection.ProjectionProcessor;
import io.nexus.core.projection.TaskScheduler;
import io.nexus.core.readmodel.InMemoryReadModelStores;
import io.nexus.core.readmodel.ReadModelStore;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.router.EventRouter;
import io.nexus.dynamodb.DynamoDbCheckpointStore;
import io.nexus.dynamodb.DynamoDbEventStore;
import io.nexus.dynamodb.DynamoDbSnapshotStore;
import io.nexus.dynamodb.DynamoDbTables;
import io.nexus.examples.order.OrderModule;
import io.nexus.examples.order.fulfilment.Fulfilment;
import io.nexus.examples.order.fulfilment.FulfilmentModule;
import io.nexus.examples.order.fulfilment.Payment;
import io.nexus.examples.order.search.OrderSearch;
import io.nexus.kinesis.KinesisEventBus;
import io.nexus.local.EngineEndpoints;
import io.nexus.saga.EventStoreScheduler;
import org.opensearch.client.opensearch.OpenSearchClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Order application of the whole-system test, assembled on the distributed engines: the write side,
 * snapshots, checkpoints and timers on DynamoDB; DynamoDB Streams change capture waking the router that
 * publishes the store's log to a Kinesis bus; from Kinesis, the order search projection into OpenSearch and
 * the payment provider that answers payment requests; the order-summary projection into a key-value
 * read-model store with dead letters and notifications; the fulfilment saga. Any number of these may run
 * one after the other (in this JVM or a child JVM) on the same tables and streams: everything they must
 * remember lives in the engines.
 */
final class OrderSystem implements AutoCloseable {

    /** Where one system keeps its data in the engines. */
    record Names(String tablePrefix, String busStream, String searchAlias) {
        DynamoDbTables.Names tables() {
            return DynamoDbTables.Names.withPrefix(tablePrefix);
        }
    }

    static final String PAYMENT_PROVIDER = "payment-provider";
    static final String SEARCH_CONSUMER = "order-search";

    private final DynamoDbClient dynamoDb;
    private final DynamoDbStreamsClient streams;
    private final KinesisClient kinesis;
    private final OpenSearchClient openSearch;
    private final KinesisEventBus bus;
    private final Nexus nexus;
    private final OrderSearch search;
    private final ReadModelStore<OrderSummaries.Row> summaries;
    private final NotificationHub hub;
    private final TaskScheduler hubScheduler;
    private final AtomicBoolean poisonFixed = new AtomicBoolean();
    private final ProjectionProcessor[] summaryProcessor = new ProjectionProcessor[1];
    private Fulfilment fulfilment;

    private OrderSystem(EngineEndpoints endpoints, Names names) {
        dynamoDb = endpoints.dynamoDbClientBuilder().build();
        streams = endpoints.dynamoDbStreamsClientBuilder().build();
        kinesis = endpoints.kinesisClientBuilder().build();
        openSearch = endpoints.openSearchClient();
        DynamoDbTables.Names tables = names.tables();

        DynamoDbEventStore store = DynamoDbEventStore.builder(dynamoDb).tableName(tables.events()).streamsClient(streams)
                .subscriptionPollInterval(Duration.ofMillis(100)).build();
        DynamoDbCheckpointStore checkpoints = new DynamoDbCheckpointStore(dynamoDb, tables.checkpoints());
        bus = KinesisEventBus.builder(kinesis).primaryStream(names.busStream()).checkpoints(checkpoints)
                .pollInterval(Duration.ofMillis(50)).maxPollInterval(Duration.ofMillis(200)).build();
        search = new OrderSearch(openSearch, names.searchAlias());
        InMemoryReadModelStores readModels = new InMemoryReadModelStores();
        summaries = readModels.store(OrderSummaries.NAME, OrderSummaries.Row.class);
        hubScheduler = TaskScheduler.singleThread("order-system-notifications");
        hub = NotificationHub.builder(hubScheduler).build();

        nexus = Nexus.builder()
                .engines(builder -> builder
                        .eventStore(store)
                        .snapshotStore(DynamoDbSnapshotStore.builder(dynamoDb).tableName(tables.snapshots()).build())
                        .checkpointStore(checkpoints)
                        .timers(EventStoreScheduler.create(store))
                        .deadLetterQueue(new InMemoryDeadLetterQueue())
                        .readModels(readModels))
                .module(new FulfilmentModule())
                .component(context -> component("order-router", () -> EventRouter.builder(context.eventStore(), context.eventStore(), bus)
                        .name("orders").checkpoints(context.checkpoints()).pollInterval(Duration.ofMillis(250)).build().start()))
                .component(context -> component(SEARCH_CONSUMER, () -> bus.subscribe(SEARCH_CONSUMER, BusPath.PRIMARY,
                        event -> index(context, event))::close))
                .component(context -> component(PAYMENT_PROVIDER, () -> bus.subscribe(PAYMENT_PROVIDER, BusPath.PRIMARY,
                        event -> answerPayment(context, event))::close))
                .component(context -> component(OrderSummaries.NAME, () -> {
                    ProjectionProcessor processor = ProjectionProcessor.builder(
                                    new OrderSummaries(context.readModels().store(OrderSummaries.NAME, OrderSummaries.Row.class), poisonFixed::get),
                                    context.eventStore(), context.codec())
                            .checkpoints(new InMemoryCheckpointStore())
                            .deadLetters(context.deadLetters())
                            .retry(RetryPolicy.custom().maxAttempts(3).initialDelay(Duration.ofMillis(20)).maxDelay(Duration.ofMillis(100))
                                    .jitter(0.2).build())
                            .pollInterval(Duration.ofMillis(250))
                            .listener(hub)
                            .build();
                    processor.start();
                    summaryProcessor[0] = processor;
                    return processor;
                }))
                .build();
    }

    /**
     * Creates what the system needs in the engines, if missing: the DynamoDB tables, the Kinesis stream
     * (two shards) and the search index. Run once before the first {@link #start}.
     */
    static void provision(EngineEndpoints endpoints, Names names) {
        try (DynamoDbClient dynamoDb = endpoints.dynamoDbClientBuilder().build();
             KinesisClient kinesis = endpoints.kinesisClientBuilder().build()) {
            DynamoDbTables.createIfMissing(dynamoDb, names.tables());
            if (!kinesis.listStreams().streamNames().contains(names.busStream())) {
                kinesis.createStream(r -> r.streamName(names.busStream()).shardCount(2));
            }
            kinesis.waiter().waitUntilStreamExists(r -> r.streamName(names.busStream()));
        }
        OpenSearchClient client = endpoints.openSearchClient();
        try {
            new OrderSearch(client, names.searchAlias());
        } finally {
            closeQuietly(() -> client._transport().close());
        }
    }

    /** Assembles and starts a system on {@code endpoints}; the poison line is refused until {@link #deployFix()}. */
    static OrderSystem start(EngineEndpoints endpoints, Names names) {
        OrderSystem system = new OrderSystem(Objects.requireNonNull(endpoints, "endpoints"), Objects.requireNonNull(names, "names"));
        try {
            system.nexus.start();
            system.fulfilment = Fulfilment.start(system.nexus, Duration.ofMinutes(30));
        } catch (RuntimeException e) {
            system.close();
            throw e;
        }
        return system;
    }

    /** Sends one command of the script with its command id. */
    CommandResult send(Workload.Step step) {
        return nexus.commands().send(step.command(), CommandMetadata.withCommandId(step.commandId()));
    }

    /** The new version of the projection understands the poison line from now on. */
    void deployFix() {
        poisonFixed.set(true);
    }

    Nexus nexus() {
        return nexus;
    }

    Fulfilment fulfilment() {
        return fulfilment;
    }

    ProjectionProcessor summaryProcessor() {
        return summaryProcessor[0];
    }

    ReadModelStore<OrderSummaries.Row> summaries() {
        return summaries;
    }

    OrderSearch search() {
        return search;
    }

    NotificationHub notifications() {
        return hub;
    }

    KinesisEventBus bus() {
        return bus;
    }

    /** Stops the saga, the components in reverse order, the bus and the clients. */
    @Override
    public void close() {
        if (fulfilment != null) {
            closeQuietly(fulfilment::close);
        }
        closeQuietly(nexus::close);
        closeQuietly(bus::close);
        closeQuietly(hubScheduler::close);
        closeQuietly(() -> openSearch._transport().close());
        closeQuietly(kinesis::close);
        closeQuietly(streams::close);
        closeQuietly(dynamoDb::close);
    }

    /** Applies an Order event from the bus to the search index (the projection skips versions it has). */
    private void index(NexusContext context, EventEnvelope event) throws Exception {
        if (search.projection().eventTypes().contains(event.eventType())
                && OrderModule.definition().name().equals(event.aggregateType())) {
            search.projection().handle(context.codec().decode(event), event);
        }
    }

    /**
     * The payment provider: answers every payment request from the bus, declining the orders the
     * {@link Workload#declines} rule names. The answer's command id derives from the order, so a redelivered
     * request does not answer twice.
     */
    private static void answerPayment(NexusContext context, EventEnvelope event) {
        if (!event.eventType().equals("PaymentRequested")) {
            return;
        }
        Payment.PaymentRequested requested = (Payment.PaymentRequested) context.codec().decode(event);
        String orderId = requested.orderId();
        Object answer = Workload.declines(orderId) ? new Payment.DeclinePayment(orderId, "card declined")
                : new Payment.ConfirmPayment(orderId);
        UUID commandId = UUID.nameUUIDFromBytes(("payment-answer/" + orderId).getBytes(StandardCharsets.UTF_8));
        try {
            context.commands().send(answer, CommandMetadata.withCommandId(commandId));
        } catch (CommandRejectedException alreadySettled) {
            // A redelivered request whose answer was recorded before a crash: the payment is settled.
        }
    }

    private static NexusComponent component(String name, Starter starter) {
        return new NexusComponent() {
            private AutoCloseable running;

            @Override
            public String name() {
                return name;
            }

            @Override
            public void start(NexusContext context) {
                running = starter.start();
            }

            @Override
            public void close() {
                AutoCloseable r = running;
                running = null;
                if (r != null) {
                    closeQuietly(r);
                }
            }
        };
    }

    /** Starts a part and returns what stops it. */
    @FunctionalInterface
    private interface Starter {
        AutoCloseable start();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing on the way out: the next part must still be closed
        }
    }
}
