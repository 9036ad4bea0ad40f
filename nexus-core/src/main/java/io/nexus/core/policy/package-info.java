/**
 * Policy decisions on commands, appends and operator actions: built-in rules and engines.
 */
package io.nexus.core.policy;
