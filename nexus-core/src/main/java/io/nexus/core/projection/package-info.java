/**
 * Projections and the processor that feeds them from the event store.
 */
package io.nexus.core.projection;
