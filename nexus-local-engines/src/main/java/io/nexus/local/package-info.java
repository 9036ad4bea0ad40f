/**
 * The real engines Nexus runs on, started on one machine with nothing installed: {@link
 * io.nexus.local.LocalDynamoDb} (DynamoDB Local with Streams, in this JVM), {@link io.nexus.local.LocalKinesis}
 * (kinesis-mock from npm, a child process) and {@link io.nexus.local.LocalOpenSearch} (an OpenSearch node in
 * this JVM), or all three at once with {@link io.nexus.local.LocalEngines}. Every engine listens on a free
 * loopback port and is reached over its real wire protocol, so application code is the same as against the
 * cloud services; {@link io.nexus.local.EngineEndpoints} builds the SDK clients for any such endpoints (these,
 * containers, or a child JVM told where they are).
 *
 * <p>For development, demos and whole-system tests, never for production: data lives in memory and dies
 * with the engine.
 */
@NullMarked
package io.nexus.local;

import org.jspecify.annotations.NullMarked;
