package io.tessera.master.routing;

import io.tessera.common.cluster.Asks;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.japi.function.Function;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * One record that this master's replica lacks, asked of every other master at once ({@link PeerLookup}) instead of
 * read from a majority with its whole shard. Used by reads that only look (a join's session and token, a custom
 * session id's existence check); what is found is not written to this master's replica. Sessions are asked in
 * rounds ({@link #lookupSession}): the lookups that come while a round is out go together in the next one.
 *
 * <p>When the answers decide, and why that keeps the majority rule of docs/ARCHITECTURE.md "State": a session or a
 * connection is created and deleted with a majority write, so every acknowledged create or delete is in the replica of
 * at least one master other than this one.
 * <ul>
 *   <li><b>Every other master has the record</b>: it exists, and the newest copy (last-writer-wins timestamp) is the
 *       answer. A delete acknowledged before the question would be in one of them.</li>
 *   <li><b>No other master has it</b> (and neither has this one): it does not exist; an acknowledged create would be
 *       in one of them.</li>
 *   <li>Anything else (they disagree, one did not answer in time, a master is not up or not reachable, a master left
 *       the cluster lately, a lookup actor is not known yet): undecided, and the caller reads from a majority as
 *       before. "Lately" is {@code quiet}: a master that acknowledged a delete and then left is no longer asked, and
 *       until its delete reaches the others by delta or gossip (a fifth of the gossip interval, or the interval) an
 *       answer of theirs could be stale; so for {@code quiet} after any change of the masters, and after this master
 *       starts, every lookup is undecided.</li>
 * </ul>
 * This master's own "absent" is never taken as a delete (a replica keeps no tombstone to tell), which is why the first
 * rule asks every other master and not a majority. The second asks every other master too, though with three this
 * master and one other would be a majority: a master that joined lately lacks what was written before it joined until
 * gossip brings it (rounds of 10 s over 2 000 shard keys), so "it and I lack it" would say absent of a session that
 * the two older masters hold. Asking every master that is up finds it in one of those that acknowledged it.
 */
final class PeerReads {

    /** What the answers said: a record, none, or nothing certain (then read from a majority). */
    record Decision<V>(boolean decided, V record) {
        static <V> Decision<V> undecided() {
            return new Decision<>(false, null);
        }

        Optional<V> found() {
            return Optional.ofNullable(record);
        }
    }

    private static final AtomicInteger INSTANCES = new AtomicInteger();
    /** At most this many session lookups wait for a round; more are undecided at once (a majority read each). */
    static final int MAX_WAITING_SESSION_LOOKUPS = 4096;

    private final ActorSystem<?> system;
    private final Cluster cluster;
    private final Duration timeout;
    private final Duration quiet;
    private final LongSupplier nanoClock;
    private final RoutingMeters meters;

    private final QuestionRounds<String, Decision<SessionRecord>> sessionRounds;
    private volatile Map<Address, ActorRef<PeerLookup.Command>> lookups = Map.of();
    /** Those of {@link #lookups} that answer sessions in rounds ({@link PeerLookup#SESSION_ROUNDS_KEY}). */
    private volatile Map<Address, ActorRef<PeerLookup.Command>> sessionAnswerers = Map.of();
    private volatile long mastersChangedAt;

    PeerReads(ActorSystem<?> system, Duration timeout, Duration quiet, RoutingMeters meters) {
        this(system, timeout, quiet, meters, System::nanoTime);
    }

    PeerReads(ActorSystem<?> system, Duration timeout, Duration quiet, RoutingMeters meters, LongSupplier nanoClock) {
        this.system = system;
        this.cluster = Cluster.get(system);
        this.timeout = timeout;
        this.quiet = quiet;
        this.meters = meters;
        this.nanoClock = nanoClock;
        this.mastersChangedAt = nanoClock.getAsLong();
        this.sessionRounds = new QuestionRounds<>(this::askSessions, PeerLookup.MAX_SESSIONS_PER_QUESTION,
                MAX_WAITING_SESSION_LOOKUPS, Decision.undecided());
        system.systemActorOf(watch(), "routing-peer-reads-" + INSTANCES.incrementAndGet(), Props.empty());
    }

    /** Keeps the lookup actors the receptionist lists, and the time the masters last changed. */
    private Behavior<Object> watch() {
        return Behaviors.setup(context -> {
            context.getSystem().receptionist().tell(Receptionist.subscribe(PeerLookup.SERVICE_KEY,
                    context.getSelf().narrow()));
            context.getSystem().receptionist().tell(Receptionist.subscribe(PeerLookup.SESSION_ROUNDS_KEY,
                    context.getSelf().narrow()));
            cluster.subscriptions().tell(Subscribe.create(context.getSelf().narrow(), ClusterEvent.MemberEvent.class));
            cluster.subscriptions().tell(Subscribe.create(context.getSelf().narrow(),
                    ClusterEvent.ReachabilityEvent.class));
            return Behaviors.receiveMessage(message -> {
                if (message instanceof Receptionist.Listing listing && listing.isForKey(PeerLookup.SERVICE_KEY)) {
                    lookups = byAddress(listing.getServiceInstances(PeerLookup.SERVICE_KEY));
                } else if (message instanceof Receptionist.Listing listing
                        && listing.isForKey(PeerLookup.SESSION_ROUNDS_KEY)) {
                    sessionAnswerers = byAddress(listing.getServiceInstances(PeerLookup.SESSION_ROUNDS_KEY));
                } else if (message instanceof ClusterEvent.MemberEvent event && event.member().hasRole("master")
                        && !(event instanceof ClusterEvent.MemberUp) && !(event instanceof ClusterEvent.MemberJoined)
                        && !(event instanceof ClusterEvent.MemberWeaklyUp)) {
                    // Down, leaving, exiting, removed: whatever it acknowledged may not have reached the others yet.
                    mastersChangedAt = nanoClock.getAsLong();
                } else if (message instanceof ClusterEvent.ReachabilityEvent event && event.member().hasRole("master")) {
                    mastersChangedAt = nanoClock.getAsLong();
                }
                return Behaviors.same();
            });
        });
    }

    private Map<Address, ActorRef<PeerLookup.Command>> byAddress(java.util.Set<ActorRef<PeerLookup.Command>> refs) {
        Map<Address, ActorRef<PeerLookup.Command>> next = new HashMap<>();
        for (ActorRef<PeerLookup.Command> ref : refs) {
            next.put(ref.path().address().hasGlobalScope() ? ref.path().address() : cluster.selfMember().address(), ref);
        }
        return Map.copyOf(next);
    }

    /**
     * The session, asked of every other master in the next round of session questions ({@link QuestionRounds}): the
     * sessions that other lookups of this master want at the same time share its messages. Completes (never
     * exceptionally) with what the answers decide for this one, by the rule of the class comment.
     */
    CompletableFuture<Decision<SessionRecord>> lookupSession(String sessionId) {
        return sessionRounds.ask(sessionId)
                .whenComplete((decision, error) -> meters.peerLookup(decision != null && decision.decided()));
    }

    /** One round: one {@link PeerLookup.FindSessions} to each other master, and a decision per session. */
    private CompletableFuture<List<Decision<SessionRecord>>> askSessions(List<String> sessionIds) {
        List<ActorRef<PeerLookup.Command>> others = others(sessionAnswerers);
        if (others == null) {
            return CompletableFuture.completedFuture(decideEach(sessionIds.size(), null));
        }
        meters.peerSessionRound(sessionIds.size());
        return this.<PeerLookup.SessionAnswers>askAll(others,
                replyTo -> new PeerLookup.FindSessions(sessionIds, replyTo))
                .thenApply(answers -> decideEach(sessionIds.size(), answers));
    }

    /**
     * {@link #decide} for each of {@code count} sessions over every other master's answers (null: not all of them
     * answered); all undecided when a master answered another number of sessions than were asked.
     */
    static List<Decision<SessionRecord>> decideEach(int count, List<PeerLookup.SessionAnswers> answers) {
        if (answers == null || answers.stream().anyMatch(a -> a.answers() == null || a.answers().size() != count)) {
            return java.util.Collections.nCopies(count, Decision.undecided());
        }
        List<Decision<SessionRecord>> decisions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int session = i;
            decisions.add(decide(answers.stream().map(a -> a.answers().get(session)).toList()));
        }
        return decisions;
    }

    /**
     * Asks every other master one question (a connection); completes (never exceptionally) with what their answers
     * decide.
     *
     * @param question the question for one master, given where its answer goes
     */
    <V, A extends PeerLookup.Answer<V>> CompletableFuture<Decision<V>> lookup(
            Function<ActorRef<A>, PeerLookup.Command> question) {
        return this.<A>askEveryOther(question)
                .thenApply(answers -> answers == null ? Decision.<V>undecided() : decide(answers))
                .whenComplete((decision, error) -> meters.peerLookup(decision != null && decision.decided()));
    }

    /**
     * Every other master's answer, in no particular order; completes (never exceptionally) with null when one cannot
     * be asked ({@link #others}) or does not answer within the timeout.
     */
    <A> CompletableFuture<List<A>> askEveryOther(Function<ActorRef<A>, PeerLookup.Command> question) {
        List<ActorRef<PeerLookup.Command>> others = others(lookups);
        return others == null ? CompletableFuture.completedFuture(null) : askAll(others, question);
    }

    private <A> CompletableFuture<List<A>> askAll(List<ActorRef<PeerLookup.Command>> others,
                                                  Function<ActorRef<A>, PeerLookup.Command> question) {
        List<CompletableFuture<A>> answers = new ArrayList<>(others.size());
        for (ActorRef<PeerLookup.Command> other : others) {
            answers.add(Asks.<PeerLookup.Command, A>ask(other, question, timeout, system));
        }
        return Futures.all(answers).exceptionally(error -> null);
    }

    /** The rule of the class comment, over the answers of every other master. */
    static <V, A extends PeerLookup.Answer<V>> Decision<V> decide(List<A> answers) {
        A newest = null;
        boolean tied = false;
        int present = 0;
        for (A answer : answers) {
            if (answer.record() != null) {
                present++;
                if (newest == null || answer.timestamp() > newest.timestamp()) {
                    newest = answer;
                    tied = false;
                } else if (answer.timestamp() == newest.timestamp() && !answer.record().equals(newest.record())) {
                    // Two writes in the same millisecond: last-writer-wins breaks the tie by the writers' addresses,
                    // which the answers do not carry. The majority read merges them as the replicas will.
                    tied = true;
                }
            }
        }
        if (present == 0) {
            return new Decision<>(true, null);
        }
        return present == answers.size() && !tied ? new Decision<>(true, newest.record()) : Decision.undecided();
    }

    /**
     * The lookup actors of every other master, or null when one cannot be asked (not up, not reachable, not listed
     * in {@code known} yet, or not at all: a master of an earlier version has no session rounds) or the masters
     * changed within {@code quiet}.
     */
    private List<ActorRef<PeerLookup.Command>> others(Map<Address, ActorRef<PeerLookup.Command>> known) {
        if (nanoClock.getAsLong() - mastersChangedAt < quiet.toNanos()) {
            return null;
        }
        var state = cluster.state();
        Address self = cluster.selfMember().address();
        List<ActorRef<PeerLookup.Command>> others = new ArrayList<>();
        for (Member m : state.getMembers()) {
            if (!m.hasRole("master") || m.address().equals(self)) {
                continue;
            }
            ActorRef<PeerLookup.Command> lookup = known.get(m.address());
            if (m.status() != MemberStatus.up() || state.getUnreachable().contains(m) || lookup == null) {
                return null;
            }
            others.add(lookup);
        }
        return others;
    }
}
