/**
 * The application entry point: {@link io.nexus.core.Nexus}, its builder, modules and components.
 */
package io.nexus.core;
