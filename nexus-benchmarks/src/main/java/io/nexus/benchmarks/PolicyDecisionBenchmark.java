package io.nexus.benchmarks;

import io.nexus.core.command.CommandMetadata;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.policy.Policies;
import io.nexus.core.policy.PolicyDecision;
import io.nexus.core.policy.PolicyDecisionPoint;
import io.nexus.core.policy.PolicyRequest;
import io.nexus.core.schema.InMemorySchemaRegistry;
import io.nexus.core.temporal.InMemoryAuditLog;
import io.nexus.opa.OpaPolicyEngine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One policy decision for one appended event: the built-in rules (all five, through the audited decision
 * point), building the request from the encoded event (field paths parsed from the payload) included; and
 * the compiled OPA demo policy shipped in opa-java-wasm (compiled to bytecode), input document included.
 * Run with {@code -bm sample} for p50/p99 and {@code -bm thrpt -t 1} for decisions/s per core.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.SampleTime, Mode.Throughput})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PolicyDecisionBenchmark {

    private PolicyDecisionPoint builtIn;
    private OpaPolicyEngine opa;
    private List<NewEvent> events;
    private CommandMetadata metadata;
    private PolicyRequest opaRequest;

    @Setup(Level.Trial)
    public void setUp() {
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.create();
        registry.register("OrderPlaced", "{\"type\":\"object\"}");
        builtIn = PolicyDecisionPoint.builder(Policies.builtIn().appendOnly().schemaRequired(registry)
                .eventOwner("Order", "OrderPlaced").payloadLimit(16 * 1024)
                .personalData(Set.of("email", "phone"), Set.of())).auditLog(new InMemoryAuditLog()).build();
        events = List.of(NewEvent.of("OrderPlaced", 1, EventPayload.ofJson(
                "{\"orderId\":\"order-1\",\"customerId\":\"customer-7\",\"lines\":[{\"sku\":\"A-1\",\"quantity\":2}]}")));
        metadata = CommandMetadata.create().principal(Map.of("sub", "alice", "tenant", "acme"));
        opa = OpaPolicyEngine.classpath("demo-policy.wasm").entrypoint("opa/wasm/test/allowed").poolSize(1)
                .data("{\"role\":{\"alice\":\"admin\"}}")
                .input(request -> Map.of("user", request.principal().get("sub"))).build();
        opaRequest = PolicyRequest.append("Order", "order-1", events, metadata);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        opa.close();
    }

    @Benchmark
    public PolicyDecision builtInRules() {
        return builtIn.evaluate(PolicyRequest.append("Order", "order-1", events, metadata));
    }

    @Benchmark
    public PolicyDecision opaWasm() {
        return opa.evaluate(opaRequest);
    }
}
