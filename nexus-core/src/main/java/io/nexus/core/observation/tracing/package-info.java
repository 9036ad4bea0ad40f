/**
 * Micrometer Tracing handlers for Nexus's observations. Optional: this package needs
 * {@code io.micrometer:micrometer-tracing} on the class path (an application that traces has it through its
 * bridge); nothing else in Nexus loads it.
 */
package io.nexus.core.observation.tracing;
