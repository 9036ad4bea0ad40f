package io.nexus.examples.order.engines;

import io.micrometer.observation.ObservationRegistry;
import io.nexus.aws.AwsObservations;
import io.nexus.core.Nexus;
import io.nexus.core.bus.EventBus;
import io.nexus.core.projection.Projection;
import io.nexus.core.schema.SchemaRegistry;
import io.nexus.dynamodb.DynamoDbCheckpointStore;
import io.nexus.dynamodb.DynamoDbDeadLetterQueue;
import io.nexus.dynamodb.DynamoDbEngines;
import io.nexus.dynamodb.DynamoDbTables;
import io.nexus.examples.order.search.OpenSearchOrderSearch;
import io.nexus.examples.order.search.OrderSearch;
import io.nexus.examples.order.search.OrderTextSearch;
import io.nexus.examples.order.billing.Billing;
import io.nexus.examples.order.fulfilment.FulfilmentSimulator;
import io.nexus.kinesis.KinesisEventBus;
import io.nexus.kinesis.LeasedConsumerGroups;
import io.nexus.local.EngineEndpoints;
import org.opensearch.client.opensearch.OpenSearchClient;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The app on the distributed engines: every durable port on DynamoDB ({@link DynamoDbEngines}: event
 * store with Streams, snapshots, checkpoints, dead letters, timers, audit log, read models), the event bus
 * on Kinesis, order search as an OpenSearch projection, and the schema registry {@link SchemaRegistries} chooses. What is missing (tables, the stream, the index)
 * is created at start. With {@link Settings#leasedGroups()} the bus's consumer groups (billing, the payment provider)
 * run on the Kinesis Client Library ({@link LeasedConsumerGroups}): every instance of the app on the same engines
 * subscribes them, the KCL spreads the stream's shards over the instances through a lease table per group, and the
 * shards of an instance that dies move to the others. Endpoints and names come from {@link Settings}; without endpoint overrides the
 * AWS clients use the default credentials and {@code AWS_REGION}.
 */
public final class AwsEngines implements AppEngines {

    /**
     * Where the engines are and what the app's resources are called.
     *
     * @param dynamoDb    the DynamoDB endpoint, or {@code null} for AWS itself
     * @param kinesis     the Kinesis endpoint, or {@code null} for AWS itself
     * @param openSearch  the OpenSearch endpoint (required)
     * @param region      the AWS region
     * @param tablePrefix the prefix of the DynamoDB table names
     * @param stream      the Kinesis stream of the bus
     * @param searchIndex the OpenSearch index alias of the orders
     * @param leasedGroups  whether the bus's consumer groups run leased on the KCL, shared by every instance of the app
     *                      (lease tables {@code <tablePrefix><group>-<stream>}), or each in this process alone
     * @param leaseFailover how long the leases of an instance that stopped renewing them stay with it before the other
     *                      instances take them over: its consumers of the event store (projections, the router, the
     *                      saga) and, with leased groups, its shards; also how often a group's leader looks for new
     *                      shards
     */
    public record Settings(URI dynamoDb, URI kinesis, URI openSearch, String region, String tablePrefix, String stream,
                           String searchIndex, boolean leasedGroups, Duration leaseFailover) {

        /** Environment variables, all optional but {@code ORDER_APP_OPENSEARCH_ENDPOINT}. */
        public static final List<String> VARIABLES = List.of("ORDER_APP_DYNAMODB_ENDPOINT", "ORDER_APP_KINESIS_ENDPOINT",
                "ORDER_APP_OPENSEARCH_ENDPOINT", "AWS_REGION", "ORDER_APP_TABLE_PREFIX", "ORDER_APP_STREAM", "ORDER_APP_SEARCH_INDEX",
                "ORDER_APP_LEASED_GROUPS", "ORDER_APP_LEASE_FAILOVER");

        /** The failover time of leased groups unless {@code ORDER_APP_LEASE_FAILOVER} says otherwise (the KCL's default). */
        public static final Duration DEFAULT_LEASE_FAILOVER = Duration.ofSeconds(10);

        /**
         * @throws NullPointerException     if a name or {@code leaseFailover} is null
         * @throws IllegalArgumentException if {@code leaseFailover} is under 1 s
         */
        public Settings {
            Objects.requireNonNull(region, "region");
            Objects.requireNonNull(tablePrefix, "tablePrefix");
            Objects.requireNonNull(stream, "stream");
            Objects.requireNonNull(searchIndex, "searchIndex");
            Objects.requireNonNull(leaseFailover, "leaseFailover");
            if (leaseFailover.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("leaseFailover must be at least 1 s, but was " + leaseFailover);
            }
        }

        /**
         * The settings in {@code env}.
         *
         * @throws IllegalArgumentException naming every missing or malformed variable at once
         */
        public static Settings fromEnvironment(Map<String, String> env) {
            List<String> problems = new ArrayList<>();
            URI dynamoDb = uri(env, "ORDER_APP_DYNAMODB_ENDPOINT", false, problems);
            URI kinesis = uri(env, "ORDER_APP_KINESIS_ENDPOINT", false, problems);
            URI openSearch = uri(env, "ORDER_APP_OPENSEARCH_ENDPOINT", true, problems);
            boolean leased = leasedGroups(env, true, problems);
            Duration failover = leaseFailover(env, problems);
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("the aws profile is not configured: " + String.join("; ", problems));
            }
            return new Settings(dynamoDb, kinesis, openSearch, env.getOrDefault("AWS_REGION", EngineEndpoints.REGION),
                    env.getOrDefault("ORDER_APP_TABLE_PREFIX", "order-app-"), env.getOrDefault("ORDER_APP_STREAM", "order-app-events"),
                    env.getOrDefault("ORDER_APP_SEARCH_INDEX", "orders"), leased, failover);
        }

        /**
         * The local engines' endpoints with the default names, and the groups each in this process: the local profile's
         * engines live in its own process, so no second instance can share them, and a new lease table (the in-process
         * DynamoDB Local is new at every start) holds the KCL's first start back by 1-30 s.
         */
        public static Settings of(EngineEndpoints endpoints) {
            return new Settings(endpoints.dynamoDb(), endpoints.kinesis(), endpoints.openSearch(), EngineEndpoints.REGION,
                    "order-app-", "order-app-events", "orders", false, DEFAULT_LEASE_FAILOVER);
        }

        /**
         * {@link #of(EngineEndpoints)} with {@code ORDER_APP_LEASED_GROUPS} (default {@code false}) and
         * {@code ORDER_APP_LEASE_FAILOVER} from {@code env}: the local profile.
         *
         * @throws IllegalArgumentException naming every malformed variable at once
         */
        public static Settings of(EngineEndpoints endpoints, Map<String, String> env) {
            checkLocal(env);
            List<String> ignored = new ArrayList<>();
            return of(endpoints).withLeasedGroups(leasedGroups(env, false, ignored), leaseFailover(env, ignored));
        }

        /**
         * Checks the variables {@link #of(EngineEndpoints, Map)} reads, before the local engines start.
         *
         * @throws IllegalArgumentException naming every malformed variable at once
         */
        static void checkLocal(Map<String, String> env) {
            List<String> problems = new ArrayList<>();
            leasedGroups(env, false, problems);
            leaseFailover(env, problems);
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("the local profile is not configured: " + String.join("; ", problems));
            }
        }

        /** These settings with the bus's groups leased ({@code true}) or each in this process, and the leases' failover time. */
        public Settings withLeasedGroups(boolean leased, Duration failover) {
            return new Settings(dynamoDb, kinesis, openSearch, region, tablePrefix, stream, searchIndex, leased, failover);
        }

        static boolean leasedGroups(Map<String, String> env, boolean byDefault, List<String> problems) {
            String value = env.get("ORDER_APP_LEASED_GROUPS");
            if (value == null || value.isBlank()) {
                return byDefault;
            }
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> {
                    problems.add("ORDER_APP_LEASED_GROUPS must be true or false, but was '" + value + "'");
                    yield byDefault;
                }
            };
        }

        static Duration leaseFailover(Map<String, String> env, List<String> problems) {
            String value = env.get("ORDER_APP_LEASE_FAILOVER");
            if (value == null || value.isBlank()) {
                return DEFAULT_LEASE_FAILOVER;
            }
            try {
                Duration failover = Duration.parse(value.trim());
                if (failover.compareTo(Duration.ofSeconds(1)) >= 0) {
                    return failover;
                }
            } catch (DateTimeParseException e) {
                // named below with what is expected
            }
            problems.add("ORDER_APP_LEASE_FAILOVER must be an ISO-8601 duration of at least 1 s such as PT10S, but was '" + value + "'");
            return DEFAULT_LEASE_FAILOVER;
        }

        static URI uri(Map<String, String> env, String name, boolean required, List<String> problems) {
            String value = env.get(name);
            if (value == null || value.isBlank()) {
                if (required) {
                    problems.add(name + " is required (e.g. http://localhost:9200)");
                }
                return null;
            }
            try {
                URI uri = URI.create(value.trim());
                if (uri.getScheme() == null || uri.getHost() == null) {
                    throw new IllegalArgumentException("no scheme or host");
                }
                return uri;
            } catch (IllegalArgumentException e) {
                problems.add(name + " must be a URL such as http://localhost:8000, but was '" + value + "'");
                return null;
            }
        }
    }

    private final String profile;
    private final Settings settings;
    private final AutoCloseable owned;
    private final DynamoDbClient dynamoDb;
    private final DynamoDbStreamsClient streams;
    private final KinesisClient kinesis;
    private final KinesisAsyncClient kinesisAsync;     // the KCL's, null without leased groups
    private final DynamoDbAsyncClient dynamoDbAsync;   // the KCL's lease tables', null without leased groups
    private final OpenSearchClient openSearch;
    private final DynamoDbTables.Names tables;
    private final OrderSearch search;
    private final KinesisEventBus bus;
    private final SchemaRegistries.Opened registry;
    private final ObservationRegistry observations;

    /**
     * Clients for {@code settings} with the in-memory schema registry, and what is missing created.
     *
     * @param owned closed with these engines (the local engines' processes), or {@code null}
     */
    public AwsEngines(String profile, Settings settings, AutoCloseable owned) {
        this(profile, settings, SchemaRegistries.Settings.EMBEDDED, owned, ObservationRegistry.NOOP);
    }

    /**
     * Clients for {@code settings} with the in-memory schema registry; see
     * {@link #AwsEngines(String, Settings, SchemaRegistries.Settings, AutoCloseable, ObservationRegistry)}.
     */
    public AwsEngines(String profile, Settings settings, AutoCloseable owned, ObservationRegistry observations) {
        this(profile, settings, SchemaRegistries.Settings.EMBEDDED, owned, observations);
    }

    /**
     * Clients for {@code settings} and the schema registry {@code registry} names, and what is missing created; the
     * OpenSearch read model's requests, the schema registry's calls and the DynamoDB, DynamoDB Streams and Kinesis
     * clients' calls are observed in {@code observations}. The AWS clients' calls are observed only inside a trace
     * ({@code io.nexus.aws.AwsObservations}): the bus and the change capture poll, and a poll starts no trace.
     *
     * @param owned closed with these engines (the local engines' processes), or {@code null}
     */
    public AwsEngines(String profile, Settings settings, SchemaRegistries.Settings registry, AutoCloseable owned,
                      ObservationRegistry observations) {
        this.observations = Objects.requireNonNull(observations, "observations");
        this.profile = Objects.requireNonNull(profile, "profile");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.owned = owned;
        this.registry = SchemaRegistries.open(Objects.requireNonNull(registry, "registry"), observations);
        // Every call of the three clients is observed where it is made inside a trace (a command's append, a consumer's
        // handling); the change capture's, trackers' and shard readers' background polls are made outside any and start
        // no trace of their own (AwsObservations, NexusObservation.remoteCallInTrace).
        ExecutionInterceptor observed = AwsObservations.interceptor(observations);
        this.dynamoDb = (settings.dynamoDb() != null ? EngineEndpoints.dynamoDbClientBuilder(settings.dynamoDb())
                : DynamoDbClient.builder().region(Region.of(settings.region())).httpClient(UrlConnectionHttpClient.create()))
                .overrideConfiguration(o -> o.addExecutionInterceptor(observed)).build();
        this.streams = (settings.dynamoDb() != null ? EngineEndpoints.dynamoDbStreamsClientBuilder(settings.dynamoDb())
                : DynamoDbStreamsClient.builder().region(Region.of(settings.region())).httpClient(UrlConnectionHttpClient.create()))
                .overrideConfiguration(o -> o.addExecutionInterceptor(observed)).build();
        this.kinesis = (settings.kinesis() != null ? EngineEndpoints.kinesisClientBuilder(settings.kinesis())
                : KinesisClient.builder().region(Region.of(settings.region())).httpClient(UrlConnectionHttpClient.create()))
                .overrideConfiguration(o -> o.addExecutionInterceptor(observed)).build();
        this.openSearch = EngineEndpoints.openSearchClient(settings.openSearch());
        this.tables = DynamoDbTables.Names.withPrefix(settings.tablePrefix());
        DynamoDbTables.createIfMissing(dynamoDb, tables);
        if (!kinesis.listStreams().streamNames().contains(settings.stream())) {
            kinesis.createStream(r -> r.streamName(settings.stream()).shardCount(2));
        }
        kinesis.waiter().waitUntilStreamExists(r -> r.streamName(settings.stream()));
        this.search = new OrderSearch(openSearch, settings.searchIndex(), observations);
        KinesisEventBus.Builder bus = KinesisEventBus.builder(kinesis).primaryStream(settings.stream())
                .checkpoints(new DynamoDbCheckpointStore(dynamoDb, tables.checkpoints()))
                // In DynamoDB, so that every instance shares one: a parked aggregate's shard may move to another instance.
                .deadLetters(DynamoDbDeadLetterQueue.builder(dynamoDb).tableName(tables.deadLetters()).build())
                .pollInterval(Duration.ofMillis(100)).maxPollInterval(Duration.ofSeconds(1));
        if (settings.leasedGroups()) {
            // The KCL reads and keeps its leases only through asynchronous clients. Its own polls are outside any trace,
            // so they are not observed; the consumers' calls are made on the synchronous clients above.
            this.kinesisAsync = (settings.kinesis() != null ? EngineEndpoints.kinesisAsyncClientBuilder(settings.kinesis())
                    : KinesisAsyncClient.builder().region(Region.of(settings.region()))).build();
            this.dynamoDbAsync = (settings.dynamoDb() != null ? EngineEndpoints.dynamoDbAsyncClientBuilder(settings.dynamoDb())
                    : DynamoDbAsyncClient.builder().region(Region.of(settings.region()))).build();
            // tag::leased-groups[]
            LeasedConsumerGroups groups = LeasedConsumerGroups.builder(kinesisAsync, dynamoDbAsync)
                    .leaseTablePrefix(settings.tablePrefix())           // <prefix><group>-<stream>, next to the app's tables
                    .failoverTime(settings.leaseFailover())             // a dead instance's shards move after this
                    .shardSyncInterval(settings.leaseFailover())        // and new shards are found within it too
                    .build();
            for (String group : List.of(Billing.GROUP, FulfilmentSimulator.GROUP)) {
                groups.createLeaseTable(group, settings.stream());      // with its owner index: the KCL's own waits 10-20 s
            }
            bus.leasedConsumerGroups(groups);
            // end::leased-groups[]
        } else {
            this.kinesisAsync = null;
            this.dynamoDbAsync = null;
        }
        this.bus = bus.build();
    }

    /** The settings these engines run with. */
    public Settings settings() {
        return settings;
    }

    @Override
    public String profile() {
        return profile;
    }

    @Override
    public Nexus.Builder configure(Nexus.Builder builder) {
        // The consumers that follow the event store (projections, router, saga) take leases in the checkpoints table
        // (DynamoDbEngines sets the lease store), on the same failover time as the bus's leased groups.
        return builder.engines(DynamoDbEngines.builder(dynamoDb).streams(streams).tables(tables).build())
                .leaseDuration(settings.leaseFailover())
                .projection(search.projection());
    }

    @Override
    public EventBus eventBus() {
        return bus;
    }

    @Override
    public Optional<OrderTextSearch> search(Nexus nexus) {
        return Optional.of(new OpenSearchOrderSearch(search));
    }

    @Override
    public Map<String, Supplier<Projection>> projections() {
        return Map.of(search.projection().name(), () -> new OrderSearch(openSearch, settings.searchIndex(), observations).projection());
    }

    @Override
    public SchemaRegistry schemaRegistry() {
        return registry.registry();
    }

    @Override
    public Map<String, Callable<String>> probes(Nexus nexus) {
        return Map.of(
                "schema-registry", () -> registry.registry().name() + ", default mode " + registry.registry().defaultCompatibility(),
                "dynamodb", () -> "events table " + dynamoDb.describeTable(r -> r.tableName(tables.events())).table().tableStatusAsString(),
                "kinesis", () -> "stream " + kinesis.describeStreamSummary(r -> r.streamName(settings.stream()))
                        .streamDescriptionSummary().streamStatusAsString(),
                "opensearch", () -> "cluster " + openSearch.cluster().health().status().jsonValue());
    }

    @Override
    public void close() {
        closeQuietly(() -> openSearch._transport().close());
        closeQuietly(kinesis::close);
        // After the bus, which Nexus closed before its engines: its KCL workers gave their leases up through these.
        if (kinesisAsync != null) {
            closeQuietly(kinesisAsync::close);
        }
        if (dynamoDbAsync != null) {
            closeQuietly(dynamoDbAsync::close);
        }
        closeQuietly(streams::close);
        closeQuietly(dynamoDb::close);
        closeQuietly(registry.client());
        if (owned != null) {
            closeQuietly(owned);
        }
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            // Closing on the way out: nothing left to do about it.
        }
    }
}
