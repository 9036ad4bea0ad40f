package io.nexus.core.policy;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a type that a bounded context deliberately publishes to other contexts besides its event types (a
 * command another context's saga sends, the exception it answers with). The test kit's
 * {@code GovernanceRules.boundedContextsShareOnlyEventTypes} lets other contexts depend on event types and on
 * types carrying this mark, and on nothing else. Build-time only: it changes nothing at run time.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Published {

    /** Why the type is published (for the reader; optional). */
    String value() default "";
}
