package ${package};

import ${package}.Events.AccountOpened;
import ${package}.Events.Deposited;
import ${package}.Events.Withdrawn;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.projection.TypedProjection;
import io.nexus.core.readmodel.ReadModelStore;
import io.nexus.core.readmodel.ReadModelStores;

/** The read model of balances, kept up to date from the events: one row per account. */
public final class Balances extends TypedProjection {

    public static final String NAME = "balances";

    /** One account's row. */
    public record Balance(String owner, long amount) { }

    private final ReadModelStore<Balance> rows;

    public Balances(ReadModelStores stores) {
        super(NAME);
        this.rows = stores.store(NAME, Balance.class);
        on(AccountOpened.class, (event, envelope) -> rows.put(envelope.streamId(), new Balance(event.owner(), 0), envelope.version()));
        on(Deposited.class, (event, envelope) -> add(envelope, event.amount()));
        on(Withdrawn.class, (event, envelope) -> add(envelope, -event.amount()));
    }

    private void add(EventEnvelope envelope, long amount) {
        Balance row = rows.get(envelope.streamId()).orElseThrow().value();
        rows.put(envelope.streamId(), new Balance(row.owner(), row.amount() + amount), envelope.version());
    }
}
