/**
 * The scheduler port: durable wake-up calls for sagas and other long-running processes, driven by the
 * caller's clock.
 */
@NullMarked
package io.nexus.core.scheduler;

import org.jspecify.annotations.NullMarked;
