package io.nexus.dynamodb;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexus.core.readmodel.InMemoryReadModelStores;
import io.nexus.core.readmodel.ReadModelStore;
import io.nexus.core.readmodel.ReadModelStores;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.serialization.JacksonEventSerializer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Key-value read-model stores by name on DynamoDB: every {@link DynamoDbReadModelStore} of an application
 * in one table ({@link DynamoDbTables#readModelsTable}), one partition per store name, values as JSON
 * through Jackson. Stores kept by a previous run of the application are found again by name.
 *
 * <p>Thread-safe; the caller owns the client.
 */
public final class DynamoDbReadModelStores implements ReadModelStores {

    private final DynamoDbClient client;
    private final String table;
    private final ObjectMapper mapper;
    private final RetryPolicy retryPolicy;
    private final Map<String, Named> stores = new ConcurrentHashMap<>();

    private record Named(Class<?> type, DynamoDbReadModelStore<?> store) {
    }

    private DynamoDbReadModelStores(Builder b) {
        this.client = b.client;
        this.table = Objects.requireNonNull(b.tableName, "tableName"); // build() has checked it
        this.mapper = b.mapper;
        this.retryPolicy = b.retryPolicy;
    }

    /** A builder on the caller's client; {@link Builder#tableName} is required. */
    public static Builder builder(DynamoDbClient client) {
        return new Builder(client);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the name is not valid, or this instance already handed out the name
     *                                  for another type
     */
    @Override
    @SuppressWarnings("unchecked")
    public <V> DynamoDbReadModelStore<V> store(String name, Class<V> type) {
        InMemoryReadModelStores.requireName(name);
        Objects.requireNonNull(type, "type");
        Named named = stores.computeIfAbsent(name,
                n -> new Named(type, new DynamoDbReadModelStore<>(client, table, n, type, mapper, retryPolicy)));
        if (!named.type().equals(type)) {
            throw new IllegalArgumentException("read-model store '" + name + "' holds " + named.type().getName()
                    + ", not " + type.getName() + "; give each read model its own name");
        }
        return (DynamoDbReadModelStore<V>) named.store();
    }

    /** Options for {@link DynamoDbReadModelStores}; setters validate as they go. */
    public static final class Builder {
        private final DynamoDbClient client;
        private @Nullable String tableName;
        private ObjectMapper mapper = JacksonEventSerializer.defaultMapper();
        private RetryPolicy retryPolicy = RetryPolicy.custom().maxAttempts(8).initialDelay(Duration.ofMillis(50))
                .maxDelay(Duration.ofSeconds(5)).build();

        private Builder(DynamoDbClient client) {
            this.client = Objects.requireNonNull(client, "client");
        }

        /** The read-models table. */
        public Builder tableName(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("tableName must not be blank, but was '" + value + "'");
            }
            this.tableName = value;
            return this;
        }

        /** How values become JSON and back (default: the event serializer's mapper, with java.time support). */
        public Builder objectMapper(ObjectMapper value) {
            this.mapper = Objects.requireNonNull(value, "objectMapper");
            return this;
        }

        /** Retry of throttled and failed requests (default 8 attempts, 50 ms .. 5 s). */
        public Builder retryPolicy(RetryPolicy value) {
            this.retryPolicy = Objects.requireNonNull(value, "retryPolicy");
            return this;
        }

        /** @throws IllegalStateException if no table name was given */
        public DynamoDbReadModelStores build() {
            if (tableName == null) {
                throw new IllegalStateException("tableName is required; call tableName(...) before build()");
            }
            return new DynamoDbReadModelStores(this);
        }
    }
}
