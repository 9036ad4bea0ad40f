/**
 * The lifecycle SPI: long-running parts of an application that {@link io.nexus.core.Nexus} starts in
 * order, closes in reverse, and hands the application's ports and services through a
 * {@link io.nexus.core.lifecycle.NexusContext}.
 */
@NullMarked
package io.nexus.core.lifecycle;

import org.jspecify.annotations.NullMarked;
