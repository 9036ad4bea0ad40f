package io.nexus.testkit.contract;

import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.deadletter.DeadLetterQueue;
import io.nexus.core.deadletter.InMemoryDeadLetterQueue;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.lease.Lease;
import io.nexus.core.lease.LeaseStore;
import io.nexus.core.readmodel.InMemoryReadModelStores;
import io.nexus.core.readmodel.ReadModelStore;
import io.nexus.core.readmodel.ReadModelStores;
import io.nexus.core.readmodel.Versioned;
import io.nexus.core.scheduler.InMemoryScheduler;
import io.nexus.core.scheduler.ScheduledTimer;
import io.nexus.core.scheduler.Scheduler;
import io.nexus.core.temporal.AuditLog;
import io.nexus.core.temporal.AuditRecord;
import io.nexus.core.temporal.InMemoryAuditLog;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The contracts of the durable ports against implementations with one realistic bug each. Run only by
 * {@link ContractMetaTest}, which demands that the cases aimed at each bug fail; the names keep Surefire
 * from running them on their own.
 */
final class BrokenPortSuites {

    private BrokenPortSuites() {
    }

    /** Keys checkpoints by "consumer#partition" and finds a consumer's partitions by prefix. */
    static final class ConcatenatedCheckpointKeys extends CheckpointStoreContract {
        @Override
        protected CheckpointStore createStore() {
            Map<String, Checkpoint> byKey = new ConcurrentHashMap<>();
            return new CheckpointStore() {
                @Override
                public Optional<Checkpoint> load(String consumer, String partition) {
                    return Optional.ofNullable(byKey.get(consumer + "#" + partition));
                }

                @Override
                public Map<String, Checkpoint> loadAll(String consumer) {
                    Map<String, Checkpoint> out = new HashMap<>();
                    byKey.forEach((key, checkpoint) -> {
                        if (key.startsWith(consumer + "#")) {
                            out.put(key.substring(consumer.length() + 1), checkpoint);
                        }
                    });
                    return out;
                }

                @Override
                public void save(String consumer, String partition, String position) {
                    byKey.put(consumer + "#" + partition, new Checkpoint(consumer, partition, position, Instant.now()));
                }

                @Override
                public void reset(String consumer) {
                    byKey.keySet().removeIf(key -> key.startsWith(consumer + "#"));
                }
            };
        }
    }

    /** Lists dead letters in the order they were first put, not oldest first. */
    static final class DeadLettersInPutOrder extends DeadLetterQueueContract {
        @Override
        protected DeadLetterQueue createQueue() {
            InMemoryDeadLetterQueue delegate = new InMemoryDeadLetterQueue();
            List<UUID> order = new ArrayList<>();
            return new DelegatingQueue(delegate) {
                @Override
                public synchronized void put(DeadLetter deadLetter) {
                    super.put(deadLetter);
                    if (!order.contains(deadLetter.id())) {
                        order.add(deadLetter.id());
                    }
                }

                @Override
                public synchronized List<DeadLetter> list(String consumer) {
                    List<DeadLetter> out = new ArrayList<>(super.list(consumer));
                    out.sort(Comparator.comparingInt(letter -> order.indexOf(letter.id())));
                    return out;
                }
            };
        }
    }

    /** Parking the same version again replaces the first event. */
    static final class ParkingOverwrites extends DeadLetterQueueContract {
        @Override
        protected DeadLetterQueue createQueue() {
            return new DelegatingQueue(new InMemoryDeadLetterQueue()) {
                @Override
                public void park(String consumer, EventEnvelope event) {
                    super.unpark(consumer, event.streamId(), event.version());
                    List<EventEnvelope> kept = super.parked(consumer, event.streamId());
                    super.unpark(consumer, event.streamId(), Long.MAX_VALUE);
                    super.park(consumer, event);
                    kept.forEach(e -> super.park(consumer, e));
                }
            };
        }
    }

    /** Unpark stops before the given version. */
    static final class UnparkExclusive extends DeadLetterQueueContract {
        @Override
        protected DeadLetterQueue createQueue() {
            return new DelegatingQueue(new InMemoryDeadLetterQueue()) {
                @Override
                public int unpark(String consumer, String streamId, long throughVersion) {
                    return super.unpark(consumer, streamId, throughVersion - 1);
                }
            };
        }
    }

    /** Accepts a put at the stored version ("&gt;=" instead of "&gt;"). */
    static final class ReadModelAcceptsEqualVersion extends ReadModelStoreContract {
        @Override
        protected ReadModelStores createStores() {
            InMemoryReadModelStores delegate = new InMemoryReadModelStores();
            return new ReadModelStores() {
                @Override
                public <V> ReadModelStore<V> store(String name, Class<V> type) {
                    ReadModelStore<V> inner = delegate.store(name, type);
                    return new ReadModelStore<>() {
                        @Override
                        public Optional<Versioned<V>> get(String id) {
                            return inner.get(id);
                        }

                        @Override
                        public Map<String, Versioned<V>> getAll(Collection<String> ids) {
                            return inner.getAll(ids);
                        }

                        @Override
                        public synchronized boolean put(String id, V value, long version) {
                            Optional<Versioned<V>> held = inner.get(id);
                            if (held.isPresent() && held.get().version() == version) {
                                inner.delete(id);
                            }
                            return inner.put(id, value, version);
                        }

                        @Override
                        public boolean delete(String id) {
                            return inner.delete(id);
                        }

                        @Override
                        public long count() {
                            return inner.count();
                        }
                    };
                }
            };
        }
    }

    /** Treats a timer as due only strictly before now, and ignores maxCount. */
    static final class TimersDueStrictlyBeforeNow extends SchedulerContract {
        @Override
        protected Scheduler createScheduler() {
            InMemoryScheduler delegate = new InMemoryScheduler();
            return new Scheduler() {
                @Override
                public void schedule(ScheduledTimer timer) {
                    delegate.schedule(timer);
                }

                @Override
                public void cancel(String owner, String id) {
                    delegate.cancel(owner, id);
                }

                @Override
                public List<ScheduledTimer> due(String owner, Instant now, int maxCount) {
                    if (maxCount < 0) {
                        throw new IllegalArgumentException("maxCount");
                    }
                    return delegate.pending(owner).stream().filter(t -> t.dueAt().isBefore(now)).toList();
                }

                @Override
                public List<ScheduledTimer> pending(String owner) {
                    return delegate.pending(owner);
                }
            };
        }
    }

    /** recent(max) gives the oldest max records instead of the latest. */
    static final class AuditOldestWindow extends AuditLogContract {
        @Override
        protected AuditLog createLog() {
            InMemoryAuditLog delegate = new InMemoryAuditLog();
            return new AuditLog() {
                @Override
                public void record(AuditRecord record) {
                    delegate.record(record);
                }

                @Override
                public List<AuditRecord> recent(int max) {
                    List<AuditRecord> all = delegate.recent(Integer.MAX_VALUE);
                    return all.subList(0, Math.min(max, all.size()));
                }
            };
        }
    }

    /** Forwards every call to an embedded queue. */
    private static class DelegatingQueue implements DeadLetterQueue {
        private final DeadLetterQueue delegate;

        DelegatingQueue(DeadLetterQueue delegate) {
            this.delegate = delegate;
        }

        @Override
        public void put(DeadLetter deadLetter) {
            delegate.put(deadLetter);
        }

        @Override
        public List<DeadLetter> list(String consumer) {
            return delegate.list(consumer);
        }

        @Override
        public Optional<DeadLetter> find(UUID id) {
            return delegate.find(id);
        }

        @Override
        public boolean remove(UUID id) {
            return delegate.remove(id);
        }

        @Override
        public void park(String consumer, EventEnvelope event) {
            delegate.park(consumer, event);
        }

        @Override
        public List<EventEnvelope> parked(String consumer, String streamId) {
            return delegate.parked(consumer, streamId);
        }

        @Override
        public int unpark(String consumer, String streamId, long throughVersion) {
            return delegate.unpark(consumer, streamId, throughVersion);
        }
    }

    /** A lease store that grants whoever asks last (no check of the holder), on one token for ever. */
    static final class LeaseLastAskerWins extends LeaseStoreContract {
        @Override
        protected LeaseStore createStore() {
            Map<String, Lease> leases = new ConcurrentHashMap<>();
            return new LeaseStore() {
                @Override
                public Optional<Lease> tryAcquire(String name, String owner, Duration duration) {
                    LeaseStore.requireText(name, "name");
                    LeaseStore.requireText(owner, "owner");
                    LeaseStore.requirePositive(duration);
                    Lease lease = new Lease(name, owner, 1, Instant.now().plus(duration));
                    leases.put(name, lease);
                    return Optional.of(lease);
                }

                @Override
                public Optional<Lease> renew(Lease lease, Duration duration) {
                    LeaseStore.requirePositive(duration);
                    return Optional.ofNullable(leases.computeIfPresent(lease.name(), (n, held) -> held.owner().equals(lease.owner())
                            ? new Lease(n, held.owner(), 1, Instant.now().plus(duration)) : held))
                            .filter(held -> held.owner().equals(lease.owner()));
                }

                @Override
                public void release(Lease lease) {
                    leases.remove(lease.name(), lease);
                }

                @Override
                public Optional<Lease> current(String name) {
                    LeaseStore.requireText(name, "name");
                    return Optional.ofNullable(leases.get(name)).filter(l -> l.expiresAt().isAfter(Instant.now()));
                }
            };
        }
    }
}
