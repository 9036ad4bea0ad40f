/**
 * Event-sourced aggregates: the base class, definitions, repositories and their errors.
 */
package io.nexus.core.aggregate;
