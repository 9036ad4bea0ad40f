package io.nexus.core.internal;

import io.nexus.core.bus.ConsumerGroup;
import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.deadletter.DeadLetterNotFoundException;
import io.nexus.core.deadletter.DeadLetterOperations;
import io.nexus.core.deadletter.DeadLetterOwner;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.policy.PolicyActions;
import io.nexus.core.policy.PolicyDecisionPoint;
import io.nexus.core.policy.PolicyEngine;
import io.nexus.core.policy.PolicyRequest;
import io.nexus.core.projection.ProjectionProcessor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * {@link DeadLetterOperations} over an application's projections and bus consumer groups. A projection governs its
 * own retries and discards (it asks the policy it inherited); a consumer group, which the bus adapter built without
 * the application's context, is governed here, with the same policy and the same audit. Not part of the API.
 */
public final class ApplicationDeadLetters implements DeadLetterOperations {

    private final Supplier<List<ProjectionProcessor>> projections;
    private final Supplier<List<ConsumerGroup>> groups;
    private final PolicyEngine policy;

    public ApplicationDeadLetters(Supplier<List<ProjectionProcessor>> projections, Supplier<List<ConsumerGroup>> groups,
                                  PolicyEngine policy) {
        this.projections = Objects.requireNonNull(projections, "projections");
        this.groups = Objects.requireNonNull(groups, "groups");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** One owner and how to reach its dead letters. */
    private interface Owner {
        DeadLetterOwner describe();

        List<DeadLetter> deadLetters();

        List<EventEnvelope> parked(String streamId);

        boolean retry(UUID id, Map<String, String> principal);

        void discard(UUID id, Map<String, String> principal);
    }

    private List<Owner> owners0() {
        List<Owner> owners = new ArrayList<>();
        for (ProjectionProcessor p : projections.get()) {
            owners.add(new Owner() {
                @Override
                public DeadLetterOwner describe() {
                    return new DeadLetterOwner(DeadLetterOwner.Kind.PROJECTION, p.name(), p.name());
                }

                @Override
                public List<DeadLetter> deadLetters() {
                    return p.deadLetters();
                }

                @Override
                public List<EventEnvelope> parked(String streamId) {
                    return p.parked(streamId);
                }

                @Override
                public boolean retry(UUID id, Map<String, String> principal) {
                    return p.retryDeadLetter(id, principal);
                }

                @Override
                public void discard(UUID id, Map<String, String> principal) {
                    p.discardDeadLetter(id, principal);
                }
            });
        }
        for (ConsumerGroup g : groups.get()) {
            owners.add(new Owner() {
                @Override
                public DeadLetterOwner describe() {
                    return new DeadLetterOwner(DeadLetterOwner.Kind.BUS_CONSUMER_GROUP, g.group(), g.consumer());
                }

                @Override
                public List<DeadLetter> deadLetters() {
                    return g.deadLetters();
                }

                @Override
                public List<EventEnvelope> parked(String streamId) {
                    return g.parked(streamId);
                }

                @Override
                public boolean retry(UUID id, Map<String, String> principal) {
                    authorize(g, PolicyActions.DEAD_LETTER_RETRY, id, principal);
                    return g.retryDeadLetter(id);
                }

                @Override
                public void discard(UUID id, Map<String, String> principal) {
                    authorize(g, PolicyActions.DEAD_LETTER_DISCARD, id, principal);
                    g.discardDeadLetter(id);
                }
            });
        }
        return owners;
    }

    private void authorize(ConsumerGroup group, String action, UUID id, Map<String, String> principal) {
        PolicyDecisionPoint.enforce(policy, PolicyRequest.builder(action).principal(principal)
                .attribute("group", group.group()).attribute("path", group.path().name().toLowerCase(java.util.Locale.ROOT))
                .attribute("consumer", group.consumer()).attribute("deadLetterId", id).build());
    }

    @Override
    public List<DeadLetterOwner> owners() {
        return owners0().stream().map(Owner::describe).toList();
    }

    @Override
    public Map<DeadLetterOwner, List<DeadLetter>> list() {
        Map<DeadLetterOwner, List<DeadLetter>> all = new LinkedHashMap<>();
        for (Owner owner : owners0()) {
            all.put(owner.describe(), List.copyOf(owner.deadLetters()));
        }
        return java.util.Collections.unmodifiableMap(all);
    }

    @Override
    public Optional<DeadLetter> find(UUID id) {
        Objects.requireNonNull(id, "id");
        for (Owner owner : owners0()) {
            for (DeadLetter letter : owner.deadLetters()) {
                if (letter.id().equals(id)) {
                    return Optional.of(letter);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public DeadLetterOwner ownerOf(UUID id) {
        return locate(id).owner.describe();
    }

    @Override
    public List<EventEnvelope> parked(UUID id) {
        Located located = locate(id);
        return located.owner.parked(located.letter.event().streamId());
    }

    @Override
    public boolean retry(UUID id, Map<String, String> principal) {
        Objects.requireNonNull(principal, "principal");
        return locate(id).owner.retry(id, principal);
    }

    @Override
    public void discard(UUID id, Map<String, String> principal) {
        Objects.requireNonNull(principal, "principal");
        locate(id).owner.discard(id, principal);
    }

    private record Located(Owner owner, DeadLetter letter) {
    }

    private Located locate(UUID id) {
        Objects.requireNonNull(id, "id");
        for (Owner owner : owners0()) {
            for (DeadLetter letter : owner.deadLetters()) {
                if (letter.id().equals(id)) {
                    return new Located(owner, letter);
                }
            }
        }
        throw new DeadLetterNotFoundException(id);
    }
}
