package io.nexus.postgresql;

import io.nexus.core.Nexus;
import io.nexus.core.NexusModule;
import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.aggregate.AggregateDefinition;
import io.nexus.core.aggregate.EventSourcingHandler;
import io.nexus.core.projection.Projection;
import io.nexus.core.serialization.EventType;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.store.StreamQuery;
import io.nexus.testkit.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The code of docs/postgresql.md, run against an embedded PostgreSQL server. */
class PostgresDocTest {

    @EventType("OrderPlaced")
    record OrderPlaced(String orderId) { }

    record PlaceOrder(String orderId) { }

    /** An order that is placed once. */
    public static final class Order extends Aggregate {
        void place(PlaceOrder command) {
            apply(new OrderPlaced(command.orderId()));
        }

        @EventSourcingHandler
        private void on(OrderPlaced event) {
        }
    }

    /** The application's event types and aggregate, as the page's {@code OrderModule}. */
    static final class OrderModule implements NexusModule {
        @Override
        public void configure(Nexus.Builder builder) {
            builder.eventTypes(EventTypes.builder().register(OrderPlaced.class).build())
                    .aggregate(AggregateDefinition.builder(Order.class, Order::new).build(),
                            routes -> routes.create(PlaceOrder.class, PlaceOrder::orderId, Order::place));
        }
    }

    @Test
    void oneCallPutsEveryPortOnPostgres() {
        String url = EmbeddedPostgresServer.jdbcUrl();
        String user = "postgres";
        String secret = null;
        // tag::engines[]
        // url: e.g. "jdbc:postgresql://localhost:5432/shop"
        try (PostgresEngines postgres = PostgresEngines.builder(url, user, secret)
                     .schema("nexus")            // default "nexus"
                     .poolSize(16)               // default 16; one connection LISTENs while projections run
                     .build();                   // creates the pool, migrates the schema, builds the ports
             Nexus nexus = Nexus.builder().engines(postgres).module(new OrderModule()).build()) {
            nexus.start();
            nexus.commands().send(new PlaceOrder("order-42"));
        }
        // end::engines[]
        PostgresEventStore store = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource()).schema("nexus").build();
        assertEquals(1, store.currentVersion("order-42"));
        assertEquals("OrderPlaced", store.read(StreamQuery.stream("order-42")).get(0).eventType());
    }

    // tag::instance[]
    /** What every instance of the application runs, each with its own id. */
    static Nexus instance(PostgresEngines postgres, String instanceId, Set<String> counted) {
        return Nexus.builder()
                .engines(postgres)                          // every port, the lease store included, in one schema
                .instanceId(instanceId)                     // default: host name, process id and a random suffix
                .leaseDuration(Duration.ofSeconds(10))      // a dead instance's consumers move within 10-15 s
                .module(new OrderModule())
                .projection(Projection.handling("placed-orders")  // runs in one instance at a time
                        .on(OrderPlaced.class, (event, envelope) -> counted.add(envelope.streamId()))
                        .build())
                .build();
    }
    // end::instance[]

    @Test
    void twoInstancesRunTheProjectionOnceAndTheSecondTakesOverWhenTheFirstCloses() {
        Set<String> first = ConcurrentHashMap.newKeySet();
        Set<String> second = ConcurrentHashMap.newKeySet();
        try (PostgresEngines postgres = PostgresEngines.builder(EmbeddedPostgresServer.jdbcUrl(), "postgres", null)
                .schema("doc_instances").build();
             Nexus shop1 = instance(postgres, "shop-1", first);
             Nexus shop2 = instance(postgres, "shop-2", second)) {
            shop1.start();
            shop2.start();
            assertEquals("shop-1", shop2.leases().current("placed-orders").orElseThrow().owner(), "the first to start runs it");
            shop2.commands().send(new PlaceOrder("order-1"));
            Await.until("shop-1 projects the order placed through shop-2", () -> first.contains("order-1"));
            shop1.close();
            shop2.commands().send(new PlaceOrder("order-2"));
            Await.until("shop-2 takes the projection over and projects the next order", () -> second.contains("order-2"));
            assertEquals(Set.of("order-1"), first, "shop-1 projected what came while it ran");
            assertFalse(second.contains("order-1"), "shop-2 took over from shop-1's checkpoint: " + second);
            assertEquals("shop-2", shop2.leases().current("placed-orders").orElseThrow().owner());
        }
    }

    @Test
    void scriptsForAMigrationToolThenACheckAtStart(@TempDir Path migrations) throws IOException, SQLException {
        String url = EmbeddedPostgresServer.jdbcUrl();
        String user = "postgres";
        String secret = null;
        String schema = EmbeddedPostgresServer.freshSchema("tool");
        // tag::scripts[]
        // One file per migration, for a tool that runs this folder (Flyway's naming here);
        // after an upgrade of nexus-postgresql, the new versions are new files.
        for (PostgresSchema.Script script : PostgresSchema.scripts(schema)) {
            Files.writeString(migrations.resolve("V" + script.version() + "__nexus.sql"), script.sql());
        }
        // end::scripts[]
        try (Connection connection = EmbeddedPostgresServer.dataSource().getConnection();
             Statement statement = connection.createStatement();
             Stream<Path> files = Files.list(migrations)) {
            // the tool: each file once, in version order
            for (Path file : files.sorted(Comparator.comparingInt(f -> Integer.parseInt(
                    f.getFileName().toString().replaceAll("^V(\\d+)__.*", "$1")))).toList()) {
                statement.execute(Files.readString(file));
            }
        }
        // tag::verify[]
        // The application's user may not run DDL: the engines check the schema's version instead,
        // and fail at build with PostgresSchemaVersionException, naming what is missing.
        try (PostgresEngines postgres = PostgresEngines.builder(url, user, secret)
                .schema(schema)
                .createSchema(false)
                .build()) {
            postgres.eventStore().headPosition();
        }
        // end::verify[]
        assertEquals(PostgresSchema.latestVersion(), PostgresSchema.verify(EmbeddedPostgresServer.dataSource(), schema));
    }
}
