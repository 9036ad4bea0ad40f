package io.nexus.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nexus.core.serialization.JacksonEventSerializer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.observation.NexusObservation;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.OpenSearchGenericClient;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A searchable read model: documents of one type in an OpenSearch index reached through an alias, each
 * stored with the aggregate version it reflects as its external version, so a write carrying an older
 * version than the one stored is ignored and a document never regresses.
 *
 * <p>Implementation notes. The physical index is {@code <alias>-<generation>} and every read and live
 * write goes through the alias, so a {@link Rebuild} can fill a new generation while the old one serves
 * and then move the alias in one atomic {@code _aliases} call. Requests go through the client's generic
 * JSON interface; documents are (de)serialized with Jackson. The caller owns the {@link OpenSearchClient}.
 *
 * <p>Thread-safe.
 *
 * @param <D> the document type (a record or a Jackson-friendly class)
 */
public final class OpenSearchReadModel<D> {

    /** The {@link NexusObservation.KeyNames#SYSTEM} of its remote calls. */
    public static final String SYSTEM = "opensearch";

    private final OpenSearchGenericClient http;
    private final String alias;
    private final String target;
    private final Class<D> type;
    private final ObjectMapper mapper;
    private final String mappingJson;
    private final @Nullable String settingsJson;
    private final ObservationRegistry observations;

    private OpenSearchReadModel(Builder<D> b) {
        // The client's own generic() view throws on HTTP errors; statuses are interpreted here instead.
        this.http = new OpenSearchGenericClient(b.client._transport(), b.client._transportOptions());
        this.alias = b.alias;
        this.target = b.alias;
        this.type = b.type;
        this.mapper = b.mapper;
        this.mappingJson = b.mappingJson;
        this.settingsJson = b.settingsJson;
        this.observations = b.observations;
    }

    private OpenSearchReadModel(OpenSearchReadModel<D> base, String target) {
        this.http = base.http;
        this.alias = base.alias;
        this.target = target;
        this.type = base.type;
        this.mapper = base.mapper;
        this.mappingJson = base.mappingJson;
        this.settingsJson = base.settingsJson;
        this.observations = base.observations;
    }

    /**
     * A view whose reads by id and writes go to one physical index generation instead of the alias
     * (searches still go through the alias). Used by a shadow rebuild to fill a new generation.
     */
    public OpenSearchReadModel<D> targeting(String index) {
        return new OpenSearchReadModel<>(this, Objects.requireNonNull(index, "index"));
    }

    /** Where reads by id and writes go: the alias, or one generation for a {@link #targeting} view. */
    public String target() {
        return target;
    }

    /** A read model of {@code type} documents behind {@code alias}. */
    public static <D> Builder<D> builder(OpenSearchClient client, String alias, Class<D> type) {
        return new Builder<>(client, alias, type);
    }

    public String alias() {
        return alias;
    }

    public Class<D> documentType() {
        return type;
    }

    /** Creates the first index generation with the mapping and points the alias at it, unless the alias exists. */
    public void createIfMissing() {
        if (status("exists-alias", "HEAD", "/_alias/" + enc(alias), null) == 200) {
            return;
        }
        createGeneration(alias + "-000001", true);
    }

    /** The document {@code id}, with its version; read in real time (no refresh needed). */
    public Optional<Versioned<D>> get(String id) {
        JsonNode body = call("get", "GET", "/" + enc(target) + "/_doc/" + enc(id), null, 404);
        if (body == null || !body.path("found").asBoolean(false)) {
            return Optional.empty();
        }
        return Optional.of(new Versioned<>(id, body.path("_version").asLong(), read(body.get("_source"), id)));
    }

    /**
     * Stores {@code document} as {@code id} at {@code version}, unless a version at least as high is stored.
     *
     * @return {@code true} if written, {@code false} if the stored version was already as new (stale write ignored)
     * @throws DocumentRejectedException      if OpenSearch refuses the document (mapping conflict)
     * @throws OpenSearchUnavailableException if OpenSearch cannot be reached or fails
     */
    public boolean put(String id, long version, D document) {
        return put(target, id, version, document);
    }

    boolean put(String index, String id, long version, D document) {
        requireVersion(version);
        String path = "/" + enc(index) + "/_doc/" + enc(id) + "?version=" + version + "&version_type=external";
        Outcome outcome = write("index", "PUT", path, json(document), index, id);
        return outcome == Outcome.WRITTEN;
    }

    /** Deletes {@code id} as of {@code version}, unless a newer version is stored. */
    public boolean delete(String id, long version) {
        requireVersion(version);
        String path = "/" + enc(target) + "/_doc/" + enc(id) + "?version=" + version + "&version_type=external";
        return write("delete", "DELETE", path, null, target, id) == Outcome.WRITTEN;
    }

    /** One write of a bulk request: a document at a version, or a deletion when {@code document} is null. */
    public record Write<D>(String id, long version, @Nullable D document) {
        public Write {
            Objects.requireNonNull(id, "id");
            requireVersion(version);
        }
    }

    /** What became of each write of a bulk request. */
    public record BulkResult(int written, int stale, Map<String, String> rejected) {
        public BulkResult {
            rejected = Map.copyOf(rejected);
        }
    }

    /**
     * Writes many documents in one request, each guarded by its version. Rejected documents are reported
     * per id with OpenSearch's reason; the others are written.
     *
     * @throws OpenSearchUnavailableException if the request as a whole fails
     */
    public BulkResult bulk(List<Write<D>> writes) {
        return bulk(target, writes);
    }

    BulkResult bulk(String index, List<Write<D>> writes) {
        if (writes.isEmpty()) {
            return new BulkResult(0, 0, Map.of());
        }
        StringBuilder ndjson = new StringBuilder(writes.size() * 128);
        for (Write<D> w : writes) {
            ObjectNode meta = mapper.createObjectNode();
            ObjectNode action = meta.putObject(w.document() == null ? "delete" : "index");
            action.put("_index", index).put("_id", w.id()).put("version", w.version()).put("version_type", "external");
            ndjson.append(meta).append('\n');
            if (w.document() != null) {
                ndjson.append(json(w.document())).append('\n');
            }
        }
        JsonNode body = call("bulk", "POST", "/_bulk", Body.from(ndjson.toString().getBytes(StandardCharsets.UTF_8), "application/x-ndjson"));
        int written = 0;
        int stale = 0;
        Map<String, String> rejected = new LinkedHashMap<>();
        for (JsonNode item : body.path("items")) {
            JsonNode result = item.elements().next();
            int status = result.path("status").asInt();
            if (status == 200 || status == 201 || (status == 404 && item.has("delete"))) {
                written++;
            } else if (status == 409) {
                stale++;
            } else if (status >= 500 || status == 429) {
                throw new OpenSearchUnavailableException("OpenSearch failed a bulk item of '" + index + "' with status " + status
                        + ": " + result.path("error"), null);
            } else {
                rejected.put(result.path("_id").asText(), result.path("error").toString());
            }
        }
        return new BulkResult(written, stale, rejected);
    }

    /** Makes recent writes visible to search (reads by id are always real time). */
    public void refresh() {
        call("refresh", "POST", "/" + enc(alias) + "/_refresh", null);
    }

    /** The documents matching {@code query}, with versions, total and (if asked) highlights. */
    public Page<D> search(Query query) {
        ObjectNode request = searchBody(query);
        request.put("from", query.from()).put("size", query.size()).put("version", true).put("track_total_hits", true);
        if (query.sortField() != null) {
            request.putArray("sort").addObject().putObject(query.sortField()).put("order", query.ascending() ? "asc" : "desc");
        }
        if (query.highlight() && query.text() != null) {
            ObjectNode fields = request.putObject("highlight").putObject("fields");
            if (query.textFields().isEmpty()) {
                fields.putObject("*");
            } else {
                query.textFields().forEach(fields::putObject);
            }
        }
        JsonNode body = call("search", "POST", "/" + enc(alias) + "/_search", jsonBody(request));
        List<Versioned<D>> hits = new ArrayList<>();
        Map<String, Map<String, List<String>>> highlights = new LinkedHashMap<>();
        for (JsonNode hit : body.path("hits").path("hits")) {
            String id = hit.path("_id").asText();
            hits.add(new Versioned<>(id, hit.path("_version").asLong(), read(hit.get("_source"), id)));
            if (hit.has("highlight")) {
                Map<String, List<String>> byField = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = hit.get("highlight").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    List<String> fragments = new ArrayList<>();
                    e.getValue().forEach(f -> fragments.add(f.asText()));
                    byField.put(e.getKey(), List.copyOf(fragments));
                }
                highlights.put(id, byField);
            }
        }
        return new Page<>(hits, body.path("hits").path("total").path("value").asLong(), highlights);
    }

    /** Counts of the most frequent values of {@code field} among documents matching {@code query}, most frequent first. */
    public Map<String, Long> countBy(String field, Query query, int maxBuckets) {
        if (maxBuckets < 1) {
            throw new IllegalArgumentException("maxBuckets must be >= 1, but was " + maxBuckets);
        }
        ObjectNode request = searchBody(query);
        request.put("size", 0);
        request.putObject("aggs").putObject("by").putObject("terms").put("field", field).put("size", maxBuckets);
        JsonNode body = call("aggregate", "POST", "/" + enc(alias) + "/_search", jsonBody(request));
        Map<String, Long> counts = new LinkedHashMap<>();
        for (JsonNode bucket : body.path("aggregations").path("by").path("buckets")) {
            counts.put(bucket.path("key").asText(), bucket.path("doc_count").asLong());
        }
        return counts;
    }

    /**
     * Waits until document {@code id} reflects at least {@code version}: read-your-writes after a command
     * returned that version. Polls real-time reads.
     *
     * @return whether the version was reached within {@code timeout}
     */
    public boolean awaitVersion(String id, long version, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 2;
        while (true) {
            Optional<Versioned<D>> doc = get(id);
            if (doc.isPresent() && doc.get().version() >= version) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            try {
                Thread.sleep(Math.min(pause, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            pause = Math.min(pause * 2, 50);
        }
    }

    /**
     * Starts building a new index generation from zero while the current one keeps serving. Write the
     * rebuilt documents through the returned {@link Rebuild}, then {@link Rebuild#complete()} moves the
     * alias atomically and {@link Rebuild#deletePrevious()} drops the old generation.
     */
    public Rebuild beginRebuild() {
        String current = currentIndex();
        String next = nextGeneration(current);
        createGeneration(next, false);
        return new Rebuild(current, next);
    }

    /** The physical index the alias points at. */
    public String currentIndex() {
        JsonNode body = call("get-alias", "GET", "/_alias/" + enc(alias), null);
        Iterator<String> names = body.fieldNames();
        if (!names.hasNext()) {
            throw new IllegalStateException("alias '" + alias + "' points at no index; call createIfMissing() first");
        }
        return names.next();
    }

    /** A rebuild in progress: a new, empty index generation that the alias does not point at yet. */
    public final class Rebuild {
        private final String previous;
        private final String target;

        private Rebuild(String previous, String target) {
            this.previous = previous;
            this.target = target;
        }

        /** The new generation's index name. */
        public String index() {
            return target;
        }

        /** Writes into the new generation (version-guarded like {@link OpenSearchReadModel#bulk}). */
        public BulkResult bulk(List<Write<D>> writes) {
            return OpenSearchReadModel.this.bulk(target, writes);
        }

        /** The new generation's document, in real time. */
        public Optional<Versioned<D>> get(String id) {
            JsonNode body = call("get", "GET", "/" + enc(target) + "/_doc/" + enc(id), null, 404);
            if (body == null || !body.path("found").asBoolean(false)) {
                return Optional.empty();
            }
            return Optional.of(new Versioned<>(id, body.path("_version").asLong(), read(body.get("_source"), id)));
        }

        /**
         * Moves the alias to the new generation in one atomic step. The previous generation stays until
         * {@link #deletePrevious()}, so searches already running against it finish normally.
         */
        public void complete() {
            call("refresh", "POST", "/" + enc(target) + "/_refresh", null);
            ObjectNode request = mapper.createObjectNode();
            ArrayNode actions = request.putArray("actions");
            actions.addObject().putObject("remove").put("index", previous).put("alias", alias);
            actions.addObject().putObject("add").put("index", target).put("alias", alias).put("is_write_index", true);
            call("update-aliases", "POST", "/_aliases", jsonBody(request));
        }

        /** Deletes the previous generation; call it once searches started before {@link #complete()} are done. */
        public void deletePrevious() {
            call("delete-index", "DELETE", "/" + enc(previous), null, 404);
        }

        /** Drops the new generation; the old one keeps serving. */
        public void abort() {
            call("delete-index", "DELETE", "/" + enc(target), null, 404);
        }
    }

    private void createGeneration(String index, boolean withAlias) {
        ObjectNode request = mapper.createObjectNode();
        try {
            request.set("mappings", mapper.readTree(mappingJson));
            if (settingsJson != null) {
                request.set("settings", mapper.readTree(settingsJson));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("the mapping or settings of read model '" + alias + "' is not valid JSON: " + e.getMessage(), e);
        }
        if (withAlias) {
            request.putObject("aliases").putObject(alias).put("is_write_index", true);
        }
        JsonNode body = call("create-index", "PUT", "/" + enc(index), jsonBody(request), 400);
        if (body != null && body.has("error")) {
            String type = body.path("error").path("type").asText();
            if (!"resource_already_exists_exception".equals(type)) {
                throw new DocumentRejectedException(index, "(index)", "index creation refused: " + body.path("error"));
            }
        }
        // A new index answers searches only once its primary shards are active.
        call("cluster-health", "GET", "/_cluster/health/" + enc(index) + "?wait_for_status=yellow&timeout=30s", null);
    }

    private String nextGeneration(String current) {
        int dash = current.lastIndexOf('-');
        int generation = 1;
        if (dash > 0) {
            try {
                generation = Integer.parseInt(current.substring(dash + 1)) + 1;
            } catch (NumberFormatException e) {
                generation = 2;
            }
        }
        return String.format("%s-%06d", alias, generation);
    }

    private enum Outcome { WRITTEN, STALE }

    private Outcome write(String operation, String method, String path, @Nullable String json, String index, String id) {
        Reply reply = exchange(operation, method, path, json == null ? null : Body.from(json.getBytes(StandardCharsets.UTF_8), "application/json"));
        int status = reply.status();
        if (status == 200 || status == 201 || (status == 404 && "DELETE".equals(method))) {
            return Outcome.WRITTEN;
        }
        if (status == 409) {
            return Outcome.STALE;
        }
        if (status >= 500 || status == 429) {
            throw new OpenSearchUnavailableException("OpenSearch answered " + status + " writing '" + id + "' to '" + index + "': " + reply.text(), null);
        }
        throw new DocumentRejectedException(index, id, reply.text());
    }

    private record Reply(int status, String text) {
    }

    /**
     * One request, observed as {@code operation} ({@link NexusObservation#REMOTE_CALL}, outcome the HTTP status or the
     * failure); an HTTP error status is a reply here, whichever way the transport reports it.
     */
    private Reply exchange(String operation, String method, String path, @Nullable Body body) {
        Observation observation = NexusObservation.remoteCall(SYSTEM, operation, observations);
        if (observation.isNoop()) {
            return exchange(method, path, body);
        }
        observation.start();
        String outcome = "failed";
        try (Observation.Scope ignored = observation.openScope()) {
            Reply reply = exchange(method, path, body);
            // An error status is an answer (a missing document, a stale version), not a failed call: it is the outcome.
            outcome = reply.status() >= 200 && reply.status() < 300 ? "success" : Integer.toString(reply.status());
            return reply;
        } catch (RuntimeException | Error e) {
            outcome = e.getClass().getSimpleName();
            observation.error(e);
            throw e;
        } finally {
            observation.lowCardinalityKeyValue(NexusObservation.KeyNames.OUTCOME.asString(), outcome).stop();
        }
    }

    private Reply exchange(String method, String path, @Nullable Body body) {
        try (Response response = http.execute(request(method, path, body))) {
            return new Reply(response.getStatus(), response.getBody().map(Body::bodyAsString).orElse(""));
        } catch (org.opensearch.client.transport.httpclient5.ResponseException e) {
            // This transport reports error statuses as exceptions whose message carries the response body.
            String message = e.getMessage() == null ? "" : e.getMessage();
            int json = message.indexOf('{');
            String text = json >= 0 ? message.substring(json) : message;
            return new Reply(e.status(), text);
        } catch (IOException e) {
            throw new OpenSearchUnavailableException("OpenSearch is unreachable (" + method + " " + path + "): " + e.getMessage(), e);
        }
    }

    /** The answer's body; a {@code tolerated} status answers with its body, or a missing node when it has none. */
    private JsonNode call(String operation, String method, String path, @Nullable Body body, int... tolerated) {
        Reply reply = exchange(operation, method, path, body);
        int status = reply.status();
        String text = reply.text();
        try {
            if (status >= 200 && status < 300) {
                return text.isEmpty() ? mapper.createObjectNode() : mapper.readTree(text);
            }
            for (int t : tolerated) {
                if (status == t) {
                    return text.isEmpty() ? mapper.missingNode() : mapper.readTree(text);
                }
            }
        } catch (IOException e) {
            throw new OpenSearchUnavailableException("OpenSearch answered " + method + " " + path + " with malformed JSON: " + e.getMessage(), e);
        }
        if (status >= 500 || status == 429) {
            throw new OpenSearchUnavailableException("OpenSearch answered " + status + " to " + method + " " + path + ": " + text, null);
        }
        throw new DocumentRejectedException(alias, path, method + " answered " + status + ": " + text);
    }

    private int status(String operation, String method, String path, @Nullable Body body) {
        return exchange(operation, method, path, body).status();
    }

    private static org.opensearch.client.opensearch.generic.Request request(String method, String path, @Nullable Body body) {
        Requests.JsonBodyBuilder builder = Requests.builder().method(method).endpoint(path);
        return (body == null ? builder : builder.body(body)).build();
    }

    private ObjectNode searchBody(Query query) {
        ObjectNode request = mapper.createObjectNode();
        ObjectNode bool = request.putObject("query").putObject("bool");
        ArrayNode filter = bool.putArray("filter");
        query.filters().forEach((field, value) -> filter.addObject().putObject("term").set(field, mapper.valueToTree(value)));
        if (query.text() != null) {
            ObjectNode match = bool.putArray("must").addObject().putObject("multi_match");
            match.put("query", query.text());
            if (!query.textFields().isEmpty()) {
                ArrayNode fields = match.putArray("fields");
                query.textFields().forEach(fields::add);
            }
        }
        return request;
    }

    private Body jsonBody(ObjectNode node) {
        try {
            return Body.from(mapper.writeValueAsBytes(node), "application/json");
        } catch (IOException e) {
            throw new IllegalStateException("cannot write request JSON", e);
        }
    }

    private String json(D document) {
        try {
            return mapper.writeValueAsString(document);
        } catch (IOException e) {
            throw new IllegalArgumentException("document of type " + type.getName() + " cannot be written as JSON: " + e.getMessage(), e);
        }
    }

    private D read(JsonNode source, String id) {
        try {
            return mapper.treeToValue(source, type);
        } catch (IOException e) {
            throw new DocumentRejectedException(alias, id, "stored document does not fit " + type.getName() + ": " + e.getMessage());
        }
    }

    private static void requireVersion(long version) {
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, but was " + version);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Builds an {@link OpenSearchReadModel}. */
    public static final class Builder<D> {
        private final OpenSearchClient client;
        private final String alias;
        private final Class<D> type;
        private ObjectMapper mapper = JacksonEventSerializer.defaultMapper();
        private String mappingJson = "{\"dynamic\": true}";
        private @Nullable String settingsJson;
        private ObservationRegistry observations = ObservationRegistry.NOOP;

        private Builder(OpenSearchClient client, String alias, Class<D> type) {
            this.client = Objects.requireNonNull(client, "client");
            this.type = Objects.requireNonNull(type, "type");
            if (alias == null || !alias.matches("[a-z0-9][a-z0-9_.-]*")) {
                throw new IllegalArgumentException("alias must be a lowercase OpenSearch index name, but was '" + alias + "'");
            }
            this.alias = alias;
        }

        /** The index mapping ({@code {"properties": {...}}}) of every generation. */
        public Builder<D> mapping(String json) {
            this.mappingJson = Objects.requireNonNull(json, "json");
            return this;
        }

        /** Index settings (shards, replicas, analyzers) of every generation. */
        public Builder<D> settings(String json) {
            this.settingsJson = Objects.requireNonNull(json, "json");
            return this;
        }

        /** The mapper for documents; Nexus's default mapper otherwise. */
        public Builder<D> objectMapper(ObjectMapper value) {
            this.mapper = Objects.requireNonNull(value, "objectMapper");
            return this;
        }

        /**
         * Where each request to OpenSearch is observed: a {@link NexusObservation#REMOTE_CALL} ({@code opensearch search},
         * {@code opensearch bulk}, ...) that is a child of whatever observation is current (the projection handling an
         * event, the request reading), with the outcome {@code success}, the HTTP status of an error answer, or the
         * exception's class. Nowhere by default.
         */
        public Builder<D> observationRegistry(ObservationRegistry value) {
            this.observations = Objects.requireNonNull(value, "observationRegistry");
            return this;
        }

        public OpenSearchReadModel<D> build() {
            return new OpenSearchReadModel<>(this);
        }
    }
}
