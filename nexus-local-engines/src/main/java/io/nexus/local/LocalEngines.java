package io.nexus.local;

import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The three engines of a distributed Nexus system on this machine, started together: DynamoDB Local (event
 * store, snapshots, checkpoints, dead letters, timers, read models, Streams change capture), kinesis-mock (the
 * event bus) and an OpenSearch node (search read models).
 *
 * <pre>{@code
 * try (LocalEngines engines = LocalEngines.start(Path.of("target/kinesis-mock"))) {
 *     EngineEndpoints endpoints = engines.endpoints();
 *     DynamoDbClient dynamoDb = endpoints.dynamoDbClientBuilder().build();
 *     ...
 * }
 * }</pre>
 *
 * <p>The engines start in parallel, so the whole takes about as long as the OpenSearch node alone (10-15 s on
 * two cores); if one fails to start, those already started are stopped and the failure is thrown.
 * {@link #close()} stops them in reverse order. Thread-safe.
 */
public final class LocalEngines implements AutoCloseable {

    private final LocalDynamoDb dynamoDb;
    private final LocalKinesis kinesis;
    private final LocalOpenSearch openSearch;

    private LocalEngines(LocalDynamoDb dynamoDb, LocalKinesis kinesis, LocalOpenSearch openSearch) {
        this.dynamoDb = dynamoDb;
        this.kinesis = kinesis;
        this.openSearch = openSearch;
    }

    /**
     * Starts the three engines with default options, kinesis-mock installed into (or found in) {@code kinesisDir}.
     *
     * @throws LocalEngineException if an engine does not start
     */
    public static LocalEngines start(Path kinesisDir) {
        return start(kinesisDir, openSearch -> { });
    }

    /**
     * Starts the three engines; {@code openSearch} adjusts the node's options (e.g. {@code b -> b.painless(true)}).
     *
     * @throws LocalEngineException if an engine does not start
     */
    public static LocalEngines start(Path kinesisDir, Consumer<LocalOpenSearch.Builder> openSearch) {
        Objects.requireNonNull(kinesisDir, "kinesisDir");
        Objects.requireNonNull(openSearch, "openSearch");
        LocalOpenSearch.Builder searchOptions = LocalOpenSearch.builder();
        openSearch.accept(searchOptions);
        CompletableFuture<LocalOpenSearch> search = CompletableFuture.supplyAsync(searchOptions::start, LocalEngines::daemon);
        CompletableFuture<LocalKinesis> bus = CompletableFuture.supplyAsync(() -> LocalKinesis.start(kinesisDir), LocalEngines::daemon);
        LocalDynamoDb dynamoDb = null;
        RuntimeException failure = null;
        try {
            dynamoDb = LocalDynamoDb.start();
        } catch (RuntimeException e) {
            failure = e;
        }
        LocalKinesis kinesis = join(bus);
        LocalOpenSearch node = join(search);
        if (failure == null && dynamoDb != null && kinesis != null && node != null) {
            return new LocalEngines(dynamoDb, kinesis, node);
        }
        for (AutoCloseable started : new AutoCloseable[]{node, kinesis, dynamoDb}) {
            closeQuietly(started, failure);
        }
        if (failure != null) {
            throw failure;
        }
        RuntimeException busFailure = failureOf(bus);
        RuntimeException searchFailure = failureOf(search);
        throw busFailure != null ? busFailure : searchFailure != null ? searchFailure
                : new LocalEngineException("an engine did not start, but none reported a failure");
    }

    /** DynamoDB Local. */
    public LocalDynamoDb dynamoDb() {
        return dynamoDb;
    }

    /** kinesis-mock. */
    public LocalKinesis kinesis() {
        return kinesis;
    }

    /** The OpenSearch node. */
    public LocalOpenSearch openSearch() {
        return openSearch;
    }

    /** The three endpoints, to build clients here or hand to another process. */
    public EngineEndpoints endpoints() {
        return new EngineEndpoints(dynamoDb.endpoint(), kinesis.endpoint(), openSearch.endpoint());
    }

    /** Stops OpenSearch, kinesis-mock and DynamoDB Local, in that order, even if one of them fails to stop. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (AutoCloseable engine : new AutoCloseable[]{openSearch, kinesis, dynamoDb}) {
            try {
                engine.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e instanceof RuntimeException r ? r : new LocalEngineException("an engine did not stop", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void daemon(Runnable task) {
        Thread thread = new Thread(task, "nexus-local-engines-start");
        thread.setDaemon(true);
        thread.start();
    }

    private static <T> @Nullable T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            return null;
        }
    }

    private static @Nullable RuntimeException failureOf(CompletableFuture<?> future) {
        try {
            future.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause() instanceof RuntimeException r ? r : new LocalEngineException("an engine did not start", e.getCause());
        }
    }

    private static void closeQuietly(@Nullable AutoCloseable engine, @Nullable RuntimeException failure) {
        if (engine == null) {
            return;
        }
        try {
            engine.close();
        } catch (Exception e) {
            if (failure != null) {
                failure.addSuppressed(e);
            }
        }
    }
}
