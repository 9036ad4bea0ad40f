/**
 * The saga SPI: {@link io.nexus.core.saga.SagaDefinition}, the DSL in which an application declares a
 * saga (started by an event, ordered steps, compensations, timeouts, replies). The runtime that runs
 * definitions (coordinator, event-sourced saga state, durable timers, status) is in {@code nexus-saga}.
 */
@NullMarked
package io.nexus.core.saga;

import org.jspecify.annotations.NullMarked;
