package io.nexus.testkit.governance.bad.ctxa;

/** An internal class of context a: not an event type, not published. */
public record Invoice(String id) {
}
