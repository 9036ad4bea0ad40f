/** Recording the observations Nexus and its adapters make, so a test asserts them without a tracer. */
@NullMarked
package io.nexus.testkit.observation;

import org.jspecify.annotations.NullMarked;
