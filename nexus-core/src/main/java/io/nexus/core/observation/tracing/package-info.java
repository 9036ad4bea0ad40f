/**
 * Micrometer Tracing handlers for Nexus's observations. Optional: this package needs
 * {@code io.micrometer:micrometer-tracing} on the class path (an application that traces has it through its
 * bridge); nothing else in Nexus loads it.
 */
@NullMarked
package io.nexus.core.observation.tracing;

import org.jspecify.annotations.NullMarked;
