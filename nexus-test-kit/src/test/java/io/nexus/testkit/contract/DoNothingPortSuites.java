package io.nexus.testkit.contract;

import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.deadletter.DeadLetterQueue;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.lease.Lease;
import io.nexus.core.lease.LeaseStore;
import io.nexus.core.readmodel.ReadModelStore;
import io.nexus.core.readmodel.ReadModelStores;
import io.nexus.core.readmodel.Versioned;
import io.nexus.core.scheduler.ScheduledTimer;
import io.nexus.core.scheduler.Scheduler;
import io.nexus.core.temporal.AuditLog;
import io.nexus.core.temporal.AuditRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The contracts of the durable ports against implementations that accept every call, validate nothing and
 * keep nothing. Run only by {@link ContractMetaTest}, which demands that every case fails; the names keep
 * Surefire from running them on their own.
 */
final class DoNothingPortSuites {

    private DoNothingPortSuites() {
    }

    static final class CheckpointStoreSuite extends CheckpointStoreContract {
        @Override
        protected CheckpointStore createStore() {
            return new CheckpointStore() {
                @Override
                public Optional<Checkpoint> load(String consumer, String partition) {
                    return Optional.empty();
                }

                @Override
                public Map<String, Checkpoint> loadAll(String consumer) {
                    return Map.of();
                }

                @Override
                public void save(String consumer, String partition, String position) {
                }

                @Override
                public void reset(String consumer) {
                }
            };
        }
    }

    static final class DeadLetterQueueSuite extends DeadLetterQueueContract {
        @Override
        protected DeadLetterQueue createQueue() {
            return new DeadLetterQueue() {
                @Override
                public void put(DeadLetter deadLetter) {
                }

                @Override
                public List<DeadLetter> list(String consumer) {
                    return List.of();
                }

                @Override
                public Optional<DeadLetter> find(UUID id) {
                    return Optional.empty();
                }

                @Override
                public boolean remove(UUID id) {
                    return false;
                }

                @Override
                public void park(String consumer, EventEnvelope event) {
                }

                @Override
                public List<EventEnvelope> parked(String consumer, String streamId) {
                    return List.of();
                }

                @Override
                public int unpark(String consumer, String streamId, long throughVersion) {
                    return 0;
                }
            };
        }
    }

    static final class ReadModelStoreSuite extends ReadModelStoreContract {
        @Override
        protected ReadModelStores createStores() {
            return new ReadModelStores() {
                @Override
                public <V> ReadModelStore<V> store(String name, Class<V> type) {
                    return new ReadModelStore<>() {
                        @Override
                        public Optional<Versioned<V>> get(String id) {
                            return Optional.empty();
                        }

                        @Override
                        public Map<String, Versioned<V>> getAll(Collection<String> ids) {
                            return Map.of();
                        }

                        @Override
                        public boolean put(String id, V value, long version) {
                            return false;
                        }

                        @Override
                        public boolean delete(String id) {
                            return false;
                        }

                        @Override
                        public long count() {
                            return 0;
                        }
                    };
                }
            };
        }
    }

    static final class SchedulerSuite extends SchedulerContract {
        @Override
        protected Scheduler createScheduler() {
            return new Scheduler() {
                @Override
                public void schedule(ScheduledTimer timer) {
                }

                @Override
                public void cancel(String owner, String id) {
                }

                @Override
                public List<ScheduledTimer> due(String owner, Instant now, int maxCount) {
                    return List.of();
                }

                @Override
                public List<ScheduledTimer> pending(String owner) {
                    return List.of();
                }
            };
        }
    }

    static final class AuditLogSuite extends AuditLogContract {
        @Override
        protected AuditLog createLog() {
            return new AuditLog() {
                @Override
                public void record(AuditRecord record) {
                }

                @Override
                public List<AuditRecord> recent(int max) {
                    return List.of();
                }
            };
        }
    }

    static final class LeaseStoreSuite extends LeaseStoreContract {
        @Override
        protected LeaseStore createStore() {
            return new LeaseStore() {
                @Override
                public Optional<Lease> tryAcquire(String name, String owner, Duration duration) {
                    return Optional.empty();
                }

                @Override
                public Optional<Lease> renew(Lease lease, Duration duration) {
                    return Optional.empty();
                }

                @Override
                public void release(Lease lease) {
                }

                @Override
                public Optional<Lease> current(String name) {
                    return Optional.empty();
                }
            };
        }
    }
}
