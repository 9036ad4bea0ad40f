package io.nexus.core.policy;

import java.util.List;

/**
 * The actions Nexus asks its policy about: the {@link PolicyRequest#action()} values of the stable input
 * document. Every path that changes or reads history asks with one of them.
 */
public final class PolicyActions {

    /** New events are appended to an aggregate's stream (commands, and events a saga emits). */
    public static final String APPEND = "append";
    /** An aggregate is rebuilt as it was at a version or an instant (temporal query). */
    public static final String TEMPORAL_READ = "temporal-read";
    /** A schema version is registered for a subject (attribute {@code subject}). */
    public static final String SCHEMA_REGISTER = "schema-register";
    /** A subject's compatibility mode changes (attributes {@code subject}, {@code mode}). */
    public static final String SCHEMA_MODE_CHANGE = "schema-mode-change";
    /** A dead letter is retried (attributes {@code consumer}, {@code deadLetterId}). */
    public static final String DEAD_LETTER_RETRY = "dead-letter-retry";
    /** A dead letter is discarded (attributes {@code consumer}, {@code deadLetterId}). */
    public static final String DEAD_LETTER_DISCARD = "dead-letter-discard";
    /** A projection is rebuilt from a position (attributes {@code projection}, {@code fromPosition}). */
    public static final String PROJECTION_REBUILD = "projection-rebuild";
    /** Stored events would be changed in place: no Nexus port offers it; tools that would must ask, and are refused by {@code append-only}. */
    public static final String HISTORY_UPDATE = "history-update";
    /** Stored events or streams would be deleted: no Nexus port offers it; tools that would must ask, and are refused by {@code append-only}. */
    public static final String HISTORY_DELETE = "history-delete";

    /** Every action above, in the order listed. */
    public static final List<String> ALL = List.of(APPEND, TEMPORAL_READ, SCHEMA_REGISTER, SCHEMA_MODE_CHANGE,
            DEAD_LETTER_RETRY, DEAD_LETTER_DISCARD, PROJECTION_REBUILD, HISTORY_UPDATE, HISTORY_DELETE);

    private PolicyActions() {
    }
}
