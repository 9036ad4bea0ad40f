/**
 * Given/when/then tests for one saga with time travel: {@link io.nexus.testkit.saga.SagaFixture}.
 */
@NullMarked
package io.nexus.testkit.saga;

import org.jspecify.annotations.NullMarked;
