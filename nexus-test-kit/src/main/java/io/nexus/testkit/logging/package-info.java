/** Capturing log output in tests that provoke failures on purpose, so the build output stays quiet. */
@NullMarked
package io.nexus.testkit.logging;

import org.jspecify.annotations.NullMarked;
