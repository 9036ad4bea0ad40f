package io.nexus.testkit.governance.bad;

import io.nexus.core.serialization.EventType;

/** Breaks events-are-immutable: a mutable field and a setter. */
@EventType("BadEvent")
public class BadEvent {
    private String note;

    public String getNote() {
        return note;
    }

    public void setNote(String note) {
        this.note = note;
    }
}
