package io.nexus.core.command;

/** Whether a command creates its aggregate, needs it to exist, or either. */
public enum CreationPolicy {
    /** The aggregate must not exist yet; its stream is appended with "no stream" expected. */
    CREATE,
    /** The aggregate must exist. */
    UPDATE,
    /** Either. */
    CREATE_OR_UPDATE
}
