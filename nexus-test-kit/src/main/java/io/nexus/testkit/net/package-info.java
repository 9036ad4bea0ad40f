/** Network faults between a test and a real server: connections cut, answers that never come. */
@NullMarked
package io.nexus.testkit.net;

import org.jspecify.annotations.NullMarked;
