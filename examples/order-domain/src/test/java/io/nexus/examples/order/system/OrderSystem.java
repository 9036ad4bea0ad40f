package io.nexus.examples.order.system;

import io.nexus.core.Nexus;
import io.nexus.core.bus.BusPath;
import io.nexus.core.command.CommandMetadata;
import io.nexus.core.command.CommandResult;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.projection.ProjectionProcessor;
import io.nexus.core.readmodel.ReadModelStore;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.dynamodb.DynamoDbEngines;
import io.nexus.dynamodb.DynamoDbTables;
import io.nexus.examples.order.OrderModule;
import io.nexus.examples.order.domain.OrderConfirmed;
import io.nexus.examples.order.fulfilment.Fulfilment;
import io.nexus.examples.order.fulfilment.FulfilmentModule;
import io.nexus.examples.order.fulfilment.Payment;
import io.nexus.examples.order.search.OrderSearch;
import io.nexus.kinesis.KinesisEventBus;
import io.nexus.local.EngineEndpoints;
import io.nexus.saga.SagaComponent;
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
 * The Order application of the whole-system test, assembled on the distributed engines the way a user
 * would: {@code DynamoDbEngines} sets the event store, snapshots, checkpoints, dead letters, timers and
 * read models on DynamoDB; the event bus is Kinesis, fed by the one router from the store's log (woken by
 * DynamoDB Streams change capture), with two consumer groups: the order search projection into OpenSearch
 * and the payment provider; the order-summary projection writes the DynamoDB read-model store with
 * notifications; the fulfilment saga is a component. Any number of these may run one after the other (in
 * this JVM or a child JVM) on the same tables and streams: everything they must remember lives in the
 * engines.
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
    /** Tries per event before the summary projection dead-letters it (quick, so the test need not wait). */
    static final RetryPolicy PROJECTION_RETRY = RetryPolicy.custom().maxAttempts(3).initialDelay(Duration.ofMillis(20))
            .maxDelay(Duration.ofMillis(100)).jitter(0.2).build();

    private final DynamoDbClient dynamoDb;
    private final DynamoDbStreamsClient streams;
    private final KinesisClient kinesis;
    private final OpenSearchClient openSearch;
    private final OrderSearch search;
    private final AtomicBoolean poisonFixed = new AtomicBoolean();
    private final SagaComponent<OrderConfirmed> fulfilment = Fulfilment.component(Duration.ofMinutes(30));
    private final Nexus nexus;

    private OrderSystem(EngineEndpoints endpoints, Names names) {
        dynamoDb = endpoints.dynamoDbClientBuilder().build();
        streams = endpoints.dynamoDbStreamsClientBuilder().build();
        kinesis = endpoints.kinesisClientBuilder().build();
        openSearch = endpoints.openSearchClient();
        search = new OrderSearch(openSearch, names.searchAlias());
        DynamoDbTables.Names tables = names.tables();

        nexus = Nexus.builder()
                .engines(DynamoDbEngines.builder(dynamoDb).streams(streams).tables(tables).build())
                .module(new FulfilmentModule())
                .projection(context -> new OrderSummaries(context.readModels().store(OrderSummaries.NAME, OrderSummaries.Row.class),
                        poisonFixed::get), options -> options.retry(PROJECTION_RETRY).notifications().pollInterval(Duration.ofMillis(250)))
                .notifications()
                .eventBus(context -> KinesisEventBus.builder(kinesis).primaryStream(names.busStream())
                                .checkpoints(context.checkpoints()).deadLetters(context.deadLetters())
                                .pollInterval(Duration.ofMillis(100)).maxPollInterval(Duration.ofSeconds(1))
                                .build(), consumers -> consumers
                        .consumer(SEARCH_CONSUMER, BusPath.PRIMARY, this::index)
                        .consumer(PAYMENT_PROVIDER, BusPath.PRIMARY, this::answerPayment))
                .component(fulfilment)
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

    SagaComponent<OrderConfirmed> fulfilment() {
        return fulfilment;
    }

    ProjectionProcessor summaryProcessor() {
        return nexus.projection(OrderSummaries.NAME);
    }

    ReadModelStore<OrderSummaries.Row> summaries() {
        return nexus.readModels().store(OrderSummaries.NAME, OrderSummaries.Row.class);
    }

    OrderSearch search() {
        return search;
    }

    /** Stops the application (its components in reverse order, then the bus) and the clients. */
    @Override
    public void close() {
        closeQuietly(nexus::close);
        closeQuietly(() -> openSearch._transport().close());
        closeQuietly(kinesis::close);
        closeQuietly(streams::close);
        closeQuietly(dynamoDb::close);
    }

    /** Applies an Order event from the bus to the search index (the projection skips versions it has). */
    private void index(EventEnvelope event) throws Exception {
        if (search.projection().eventTypes().contains(event.eventType())
                && OrderModule.definition().name().equals(event.aggregateType())) {
            search.projection().handle(nexus.codec().decode(event), event);
        }
    }

    /**
     * The payment provider: answers every payment request from the bus, declining the orders the
     * {@link Workload#declines} rule names. The answer's command id derives from the order, so a redelivered
     * request is answered once.
     */
    private void answerPayment(EventEnvelope event) {
        if (!event.eventType().equals("PaymentRequested")) {
            return;
        }
        String orderId = ((Payment.PaymentRequested) nexus.codec().decode(event)).orderId();
        Object answer = Workload.declines(orderId) ? new Payment.DeclinePayment(orderId, "card declined")
                : new Payment.ConfirmPayment(orderId);
        UUID commandId = UUID.nameUUIDFromBytes(("payment-answer/" + orderId).getBytes(StandardCharsets.UTF_8));
        nexus.commands().send(answer, CommandMetadata.withCommandId(commandId));
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing on the way out: the next part must still be closed
        }
    }
}
