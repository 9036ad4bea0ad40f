package io.nexus.testkit.governance.bad;

import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.store.EventStore;

/** Breaks aggregates-use-no-infrastructure: it reads the store itself. */
public class BadAggregate extends Aggregate {
    public long peek(EventStore store) {
        return store.currentVersion(id());
    }
}
