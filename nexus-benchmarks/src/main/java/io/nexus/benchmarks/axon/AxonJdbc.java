package io.nexus.benchmarks.axon;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.nexus.benchmarks.Deposited;
import io.nexus.benchmarks.Workloads;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.jdbc.DataSourceConnectionProvider;
import org.axonframework.common.jdbc.UnitOfWorkAwareConnectionProviderWrapper;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.PostgresTokenTableFactory;
import org.axonframework.eventsourcing.AggregateSnapshotter;
import org.axonframework.eventsourcing.EventCountSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.EventSourcingRepository;
import org.axonframework.eventsourcing.GenericAggregateFactory;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.PostgresEventTableFactory;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.modelling.command.AggregateAnnotationCommandHandler;
import org.axonframework.serialization.json.JacksonSerializer;

import java.util.ArrayList;
import java.util.List;

/**
 * Axon Framework 4's JDBC event store on a PostgreSQL database, set up as Axon's reference guide does without
 * Spring: a {@link JdbcEventStorageEngine} with its default schema ({@code createSchema(PostgresEventTableFactory)}),
 * a {@link JacksonSerializer} for events, snapshots and tokens, an {@link EmbeddedEventStore} over it, an
 * {@link EventSourcingRepository} behind a {@link SimpleCommandBus}, and a {@link JdbcTokenStore}. Connections come
 * from a HikariCP pool of the same size as Nexus's through Axon's {@link UnitOfWorkAwareConnectionProviderWrapper},
 * so that the reads and writes of one unit of work (a command, a batch append, an event processor's batch and its
 * token) share one connection and one transaction, committed when the unit of work commits; Axon has no JDBC
 * {@code TransactionManager} of its own outside Spring, so the transaction manager is {@link NoTransactionManager}.
 */
public final class AxonJdbc implements AutoCloseable {

    private final javax.sql.DataSource dataSource;
    private final HikariDataSource ownedPool; // null when the caller owns the data source
    private final ConnectionProvider connections;
    private final JacksonSerializer serializer;
    private final JdbcEventStorageEngine engine;
    private final EmbeddedEventStore eventStore;

    /** Opens a pool of {@code poolSize} on {@code jdbcUrl} and creates Axon's event and snapshot tables. */
    public AxonJdbc(String jdbcUrl, String user, int poolSize) {
        this(pool(jdbcUrl, user, poolSize), true);
    }

    /** Axon on the caller's {@code dataSource}, which {@link #close()} leaves open; creates Axon's tables. */
    public AxonJdbc(javax.sql.DataSource dataSource) {
        this(dataSource, false);
    }

    private static HikariDataSource pool(String jdbcUrl, String user, int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setMaximumPoolSize(poolSize);
        config.setPoolName("axon");
        return new HikariDataSource(config);
    }

    private AxonJdbc(javax.sql.DataSource dataSource, boolean owned) {
        this.dataSource = dataSource;
        this.ownedPool = owned ? (HikariDataSource) dataSource : null;
        connections = new UnitOfWorkAwareConnectionProviderWrapper(new DataSourceConnectionProvider(dataSource));
        serializer = JacksonSerializer.defaultSerializer();
        engine = JdbcEventStorageEngine.builder()
                .connectionProvider(connections)
                .transactionManager(NoTransactionManager.INSTANCE)
                .eventSerializer(serializer)
                .snapshotSerializer(serializer)
                .build();
        engine.createSchema(PostgresEventTableFactory.INSTANCE);
        eventStore = EmbeddedEventStore.builder().storageEngine(engine).build();
    }

    public javax.sql.DataSource dataSource() {
        return dataSource;
    }

    public EmbeddedEventStore eventStore() {
        return eventStore;
    }

    /** An event-sourcing repository of accounts; {@code snapshotEvery} 0 takes no snapshots. */
    public EventSourcingRepository<AxonAccount> repository(int snapshotEvery) {
        EventSourcingRepository.Builder<AxonAccount> builder = EventSourcingRepository.builder(AxonAccount.class)
                .eventStore(eventStore);
        if (snapshotEvery > 0) {
            AggregateSnapshotter snapshotter = AggregateSnapshotter.builder()
                    .eventStore(eventStore)
                    .aggregateFactories(new GenericAggregateFactory<>(AxonAccount.class))
                    .transactionManager(NoTransactionManager.INSTANCE)
                    .build();
            builder.snapshotTriggerDefinition(new EventCountSnapshotTriggerDefinition(snapshotter, snapshotEvery));
        }
        return builder.build();
    }

    /** A command gateway on a {@link SimpleCommandBus} whose {@link AxonDeposit} handler is the aggregate's. */
    public CommandGateway commandGateway(EventSourcingRepository<AxonAccount> repository) {
        SimpleCommandBus bus = SimpleCommandBus.builder().transactionManager(NoTransactionManager.INSTANCE).build();
        AggregateAnnotationCommandHandler.<AxonAccount>builder()
                .aggregateType(AxonAccount.class)
                .repository(repository)
                .build()
                .subscribe(bus);
        return DefaultCommandGateway.builder().commandBus(bus).build();
    }

    /** A JDBC token store on the same pool, its table created. */
    public JdbcTokenStore tokenStore() {
        JdbcTokenStore store = JdbcTokenStore.builder().connectionProvider(connections).serializer(serializer).build();
        store.createSchema(PostgresTokenTableFactory.INSTANCE);
        return store;
    }

    /**
     * Appends {@code size} {@link Deposited} events to {@code stream} after {@code version} events, in one unit of
     * work: the messages (each with a fresh random id and timestamp) are created here and serialized by the
     * storage engine when the unit of work commits, so both sit inside a caller's timing.
     */
    public void appendBatch(String stream, long version, int size) {
        List<DomainEventMessage<?>> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            batch.add(new GenericDomainEventMessage<>(Workloads.AGGREGATE_TYPE, stream, version + i,
                    new Deposited(stream, i + 1, Workloads.REFERENCE)));
        }
        DefaultUnitOfWork.startAndGet(null).execute(() -> eventStore.publish(batch));
    }

    /** Loads account {@code id} in a unit of work of its own, as a query-side read would. */
    public static AxonAccount load(EventSourcingRepository<AxonAccount> repository, String id) {
        try {
            return DefaultUnitOfWork.startAndGet(null)
                    .executeWithResult(() -> repository.load(id).invoke(account -> account)).getPayload();
        } catch (Exception e) {
            throw new IllegalStateException("loading Axon account '" + id + "' failed", e);
        }
    }

    /**
     * Builds an account of {@code events} deposits in units of work of {@code perSave} events each, as
     * {@link Workloads#buildHistory} does for Nexus: amounts {@code 1 + (n % 100)}.
     */
    public static void buildHistory(EventSourcingRepository<AxonAccount> repository, String id, int events, int perSave) {
        int written = 0;
        while (written < events) {
            int from = written;
            int count = Math.min(perSave, events - written);
            try {
                DefaultUnitOfWork.startAndGet(null).executeWithResult(() -> {
                    repository.loadOrCreate(id, AxonAccount::new).execute(account -> {
                        for (int i = 0; i < count; i++) {
                            account.deposit(id, 1 + ((from + i) % 100), Workloads.REFERENCE);
                        }
                    });
                    return null;
                });
            } catch (Exception e) {
                throw new IllegalStateException("building Axon account '" + id + "' failed", e);
            }
            written += count;
        }
    }

    @Override
    public void close() {
        eventStore.shutDown();
        if (ownedPool != null) {
            ownedPool.close();
        }
    }
}
