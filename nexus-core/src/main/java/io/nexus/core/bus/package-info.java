/**
 * The event bus port, its in-memory implementation, consumer groups and routing.
 */
package io.nexus.core.bus;
