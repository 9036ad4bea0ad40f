/**
 * Tests for Nexus applications: given/when/then fixtures for an aggregate ({@link io.nexus.testkit.AggregateFixture}),
 * a projection ({@link io.nexus.testkit.ProjectionFixture}) and a whole application
 * ({@link io.nexus.testkit.ApplicationFixture}), the laws of event-sourced aggregates for jqwik properties
 * ({@link io.nexus.testkit.AggregateLaws}), a controllable clock and arbitraries. Every failure says what was
 * expected, what happened, what differs and what to check.
 */
@NullMarked
package io.nexus.testkit;

import org.jspecify.annotations.NullMarked;
