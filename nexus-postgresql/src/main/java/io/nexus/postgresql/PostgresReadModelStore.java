package io.nexus.postgresql;

import io.micrometer.observation.ObservationRegistry;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexus.core.readmodel.ReadModelStore;
import io.nexus.core.readmodel.Versioned;
import io.nexus.postgresql.internal.Jdbc;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One named read-model store on PostgreSQL (get one from {@link PostgresReadModelStores}). A put is one
 * conditional upsert ({@code ... ON CONFLICT DO UPDATE ... WHERE stored.version < new.version}), so the version
 * guard holds across processes without a read first. Thread-safe.
 *
 * @param <V> the read model type, serialized with Jackson
 */
public final class PostgresReadModelStore<V> implements ReadModelStore<V> {

    private final DataSource dataSource;
    private final ObservationRegistry observations;
    private final String name;
    private final Class<V> type;
    private final ObjectMapper json;
    private final String getSql;
    private final String getAllSql;
    private final String putSql;
    private final String deleteSql;
    private final String countSql;

    PostgresReadModelStore(DataSource dataSource, ObservationRegistry observations, String schema, String name, Class<V> type, ObjectMapper json) {
        this.dataSource = dataSource;
        this.observations = observations;
        this.name = name;
        this.type = type;
        this.json = json;
        String t = schema + ".read_models";
        getSql = "SELECT value::text, version FROM " + t + " WHERE store = ? AND id = ?";
        getAllSql = "SELECT id, value::text, version FROM " + t + " WHERE store = ? AND id = ANY(?)";
        putSql = "INSERT INTO " + t + " AS r (store, id, version, value, updated_at) VALUES (?, ?, ?, ?::jsonb, now()) "
                + "ON CONFLICT (store, id) DO UPDATE SET version = EXCLUDED.version, value = EXCLUDED.value, "
                + "updated_at = EXCLUDED.updated_at WHERE r.version < EXCLUDED.version";
        deleteSql = "DELETE FROM " + t + " WHERE store = ? AND id = ?";
        countSql = "SELECT count(*) FROM " + t + " WHERE store = ?";
    }

    Class<V> type() {
        return type;
    }

    @Override
    public Optional<Versioned<V>> get(String id) {
        Objects.requireNonNull(id, "id");
        return Jdbc.withConnection(dataSource, observations, "read-model-get", "read read model '" + id + "' of store '" + name + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(getSql)) {
                statement.setString(1, name);
                statement.setString(2, id);
                try (ResultSet rs = statement.executeQuery()) {
                    return rs.next() ? Optional.of(new Versioned<>(id, decode(id, rs.getString(1)), rs.getLong(2)))
                            : Optional.empty();
                }
            }
        });
    }

    @Override
    public Map<String, Versioned<V>> getAll(Collection<String> ids) {
        String[] keys = ids.stream().map(id -> Objects.requireNonNull(id, "id")).toArray(String[]::new);
        Map<String, Versioned<V>> found = Jdbc.withConnection(dataSource, observations, "read-model-get-all", "read read models of store '" + name + "'",
                connection -> {
                    try (PreparedStatement statement = connection.prepareStatement(getAllSql)) {
                        statement.setString(1, name);
                        statement.setArray(2, connection.createArrayOf("text", keys));
                        try (ResultSet rs = statement.executeQuery()) {
                            Map<String, Versioned<V>> out = new LinkedHashMap<>();
                            while (rs.next()) {
                                String id = rs.getString(1);
                                out.put(id, new Versioned<>(id, decode(id, rs.getString(2)), rs.getLong(3)));
                            }
                            return out;
                        }
                    }
                });
        // In the order asked, as the embedded store answers.
        Map<String, Versioned<V>> ordered = new LinkedHashMap<>();
        for (String id : keys) {
            Versioned<V> value = found.get(id);
            if (value != null) {
                ordered.put(id, value);
            }
        }
        return ordered;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the value cannot be serialized to JSON by the store's mapper
     */
    @Override
    public boolean put(String id, V value, long version) {
        Versioned<V> candidate = new Versioned<>(id, value, version);
        String document;
        try {
            document = json.writeValueAsString(candidate.value());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("read model '" + id + "' of store '" + name + "' (" + type.getName()
                    + ") does not serialize to JSON: " + e.getOriginalMessage(), e);
        }
        return Jdbc.withConnection(dataSource, observations, "read-model-put", "write read model '" + id + "' of store '" + name + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(putSql)) {
                statement.setString(1, name);
                statement.setString(2, id);
                statement.setLong(3, version);
                statement.setString(4, document);
                return statement.executeUpdate() > 0;
            }
        });
    }

    @Override
    public boolean delete(String id) {
        Objects.requireNonNull(id, "id");
        return Jdbc.withConnection(dataSource, observations, "read-model-delete", "delete read model '" + id + "' of store '" + name + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(deleteSql)) {
                statement.setString(1, name);
                statement.setString(2, id);
                return statement.executeUpdate() > 0;
            }
        });
    }

    @Override
    public long count() {
        return Jdbc.withConnection(dataSource, observations, "read-model-count", "count the read models of store '" + name + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(countSql)) {
                statement.setString(1, name);
                try (ResultSet rs = statement.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    private V decode(String id, String document) {
        try {
            return json.readValue(document, type);
        } catch (JsonProcessingException e) {
            throw new PostgresAccessException("Read model '" + id + "' of store '" + name + "' does not decode as "
                    + type.getName() + ": " + e.getOriginalMessage() + "; rebuild the projection or fix the type.", e, false);
        }
    }
}
