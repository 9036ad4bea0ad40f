package io.nexus.local;

import org.apache.hc.core5.http.HttpHost;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClientBuilder;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClientBuilder;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClientBuilder;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.KinesisClientBuilder;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where the three engines of a Nexus system listen: DynamoDB (and its Streams API, on the same endpoint),
 * Kinesis and OpenSearch, and how to build clients for them. The endpoints may be the in-process engines of
 * {@link LocalEngines}, containers, or engines another JVM started: {@link #toProperties()} and {@link
 * #fromProperties} carry them to a child process as system properties.
 *
 * <p>AWS clients get region {@value #REGION}, static credentials {@code x/x} (emulators accept any, and
 * DynamoDB Local is started with one shared database so the key does not select a separate one) and the
 * URL-connection HTTP client (the asynchronous ones, which the Kinesis Client Library needs, the Netty client over
 * HTTP/1.1). Immutable and thread-safe.
 *
 * @param dynamoDb   the DynamoDB and DynamoDB Streams endpoint, e.g. {@code http://localhost:8000}
 * @param kinesis    the Kinesis endpoint
 * @param openSearch the OpenSearch HTTP endpoint
 */
public record EngineEndpoints(URI dynamoDb, URI kinesis, URI openSearch) {

    /** The region every AWS client built here uses. */
    public static final String REGION = "us-east-1";

    /** System property holding {@link #dynamoDb()}. */
    public static final String DYNAMODB_PROPERTY = "nexus.engines.dynamodb";
    /** System property holding {@link #kinesis()}. */
    public static final String KINESIS_PROPERTY = "nexus.engines.kinesis";
    /** System property holding {@link #openSearch()}. */
    public static final String OPENSEARCH_PROPERTY = "nexus.engines.opensearch";

    /** @throws NullPointerException if an endpoint is null */
    public EngineEndpoints {
        Objects.requireNonNull(dynamoDb, "dynamoDb");
        Objects.requireNonNull(kinesis, "kinesis");
        Objects.requireNonNull(openSearch, "openSearch");
    }

    /** A DynamoDB client builder on {@link #dynamoDb()}; the caller may add configuration, builds and closes it. */
    public DynamoDbClientBuilder dynamoDbClientBuilder() {
        return dynamoDbClientBuilder(dynamoDb);
    }

    /** A DynamoDB Streams client builder on {@link #dynamoDb()}. */
    public DynamoDbStreamsClientBuilder dynamoDbStreamsClientBuilder() {
        return dynamoDbStreamsClientBuilder(dynamoDb);
    }

    /** A Kinesis client builder on {@link #kinesis()}. */
    public KinesisClientBuilder kinesisClientBuilder() {
        return kinesisClientBuilder(kinesis);
    }

    /** A new OpenSearch client on {@link #openSearch()}; closing its transport is the caller's. */
    public OpenSearchClient openSearchClient() {
        return openSearchClient(openSearch);
    }

    /** The endpoints as system properties ({@link #DYNAMODB_PROPERTY} and the others), e.g. for a child JVM. */
    public Map<String, String> toProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(DYNAMODB_PROPERTY, dynamoDb.toString());
        properties.put(KINESIS_PROPERTY, kinesis.toString());
        properties.put(OPENSEARCH_PROPERTY, openSearch.toString());
        return properties;
    }

    /** {@link #toProperties()} as {@code -Dname=value} JVM arguments. */
    public String[] toJvmArguments() {
        return toProperties().entrySet().stream().map(e -> "-D" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    }

    /**
     * Reads the endpoints written by {@link #toProperties()}, e.g. {@code fromProperties(System::getProperty)}.
     *
     * @throws IllegalArgumentException naming every property that is missing
     */
    public static EngineEndpoints fromProperties(Function<String, String> properties) {
        StringBuilder missing = new StringBuilder();
        String[] values = new String[3];
        String[] names = {DYNAMODB_PROPERTY, KINESIS_PROPERTY, OPENSEARCH_PROPERTY};
        for (int i = 0; i < names.length; i++) {
            values[i] = properties.apply(names[i]);
            if (values[i] == null || values[i].isBlank()) {
                missing.append(missing.length() == 0 ? "" : ", ").append("'").append(names[i]).append("'");
            }
        }
        if (missing.length() > 0) {
            throw new IllegalArgumentException("engine endpoint properties " + missing
                    + " are not set; pass them as written by EngineEndpoints.toProperties()");
        }
        return new EngineEndpoints(URI.create(values[0]), URI.create(values[1]), URI.create(values[2]));
    }

    /** A DynamoDB client builder on {@code endpoint}, configured as described on this type. */
    public static DynamoDbClientBuilder dynamoDbClientBuilder(URI endpoint) {
        return DynamoDbClient.builder().endpointOverride(endpoint).region(Region.of(REGION))
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create());
    }

    /** A DynamoDB Streams client builder on {@code endpoint}. */
    public static DynamoDbStreamsClientBuilder dynamoDbStreamsClientBuilder(URI endpoint) {
        return DynamoDbStreamsClient.builder().endpointOverride(endpoint).region(Region.of(REGION))
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create());
    }

    /** A Kinesis client builder on {@code endpoint}, with a 30 s socket timeout for long GetRecords calls. */
    public static KinesisClientBuilder kinesisClientBuilder(URI endpoint) {
        return KinesisClient.builder().endpointOverride(endpoint).region(Region.of(REGION))
                .credentialsProvider(credentials())
                .httpClient(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(30)).build());
    }

    /**
     * An asynchronous DynamoDB client builder on {@code endpoint} (the KCL keeps its leases with one), on the Netty
     * client with HTTP/1.1. Needs {@code software.amazon.awssdk:netty-nio-client} on the class path (the KCL brings it).
     */
    public static DynamoDbAsyncClientBuilder dynamoDbAsyncClientBuilder(URI endpoint) {
        return DynamoDbAsyncClient.builder().endpointOverride(endpoint).region(Region.of(REGION))
                .credentialsProvider(credentials()).httpClient(http11());
    }

    /**
     * An asynchronous Kinesis client builder on {@code endpoint} (the KCL reads with one), on the Netty client with
     * HTTP/1.1: kinesis-mock speaks no HTTP/2, which the SDK's Kinesis client would otherwise use. Needs
     * {@code software.amazon.awssdk:netty-nio-client} on the class path (the KCL brings it).
     */
    public static KinesisAsyncClientBuilder kinesisAsyncClientBuilder(URI endpoint) {
        return KinesisAsyncClient.builder().endpointOverride(endpoint).region(Region.of(REGION))
                .credentialsProvider(credentials()).httpClient(http11());
    }

    private static SdkAsyncHttpClient http11() {
        return NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1).build();
    }

    /** A new OpenSearch client on {@code endpoint} (plain HTTP, Jackson mapper). */
    public static OpenSearchClient openSearchClient(URI endpoint) {
        HttpHost host = new HttpHost(endpoint.getScheme(), endpoint.getHost(), endpoint.getPort());
        return new OpenSearchClient(ApacheHttpClient5TransportBuilder.builder(host).setMapper(new JacksonJsonpMapper()).build());
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x"));
    }
}
