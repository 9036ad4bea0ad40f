/** The test kit's helpers; not part of the API. */
@NullMarked
package io.nexus.testkit.internal;

import org.jspecify.annotations.NullMarked;
