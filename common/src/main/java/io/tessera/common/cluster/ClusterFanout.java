package io.tessera.common.cluster;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Publish-subscribe across the cluster that delivers to every member with a subscriber, reachable or not: Pekko's
 * {@code Topic} with one rule changed.
 *
 * <p>Why not {@code Topic}: it publishes only to the topic instances the receptionist lists as reachable, and the
 * cluster's reachability is the union of every member's observations. A master whose links flap marks the other
 * masters unreachable and gossips that, so every media node stopped sending its load reports and session notices to
 * masters that heard it perfectly well; after the report timeout (5 s) those masters took the nodes for unavailable and
 * answered 503 to creates and joins (found by {@code UnstableLinkTest} in CI). Whether this node can reach a member is
 * Artery's business: a message to a member that is really gone is dropped when it is quarantined or removed (the
 * receptionist then drops its instance), one to a member that only some third party cannot hear arrives.
 *
 * <p>Like {@code Topic}: an instance registers with the receptionist only while it has local subscribers; a message
 * published before any instance is known goes to the local subscribers only; each subscriber gets the messages of one
 * publisher in the order they were published (one path: publisher, the subscriber node's inbox, the subscriber).
 * Unlike it, the message crosses the wire as itself (it must be {@code ClusterSerializable}), with no envelope.
 */
public final class ClusterFanout {

    /** What a fan-out actor handles: publish, subscribe, unsubscribe, stats; the rest is its own. */
    public interface Command<T> {
    }

    private record Publish<T>(T message) implements Command<T> {
    }

    private record Subscribe<T>(ActorRef<T> subscriber) implements Command<T> {
    }

    private record Unsubscribe<T>(ActorRef<T> subscriber) implements Command<T> {
    }

    private record GetStats<T>(ActorRef<Stats> replyTo) implements Command<T> {
    }

    /** Local subscribers, and the instances (nodes with subscribers, this one included) a publish goes to. */
    public record Stats(int localSubscribers, int instances) {
    }

    /** A message that reached this node's inbox from a publisher anywhere. */
    private record Received<T>(T message) implements Command<T> {
    }

    private record InstancesChanged<T>(Set<ActorRef<T>> instances) implements Command<T> {
    }

    private record SubscriberTerminated<T>(ActorRef<T> subscriber) implements Command<T> {
    }

    private ClusterFanout() {
    }

    public static <T> Command<T> publish(T message) {
        return new Publish<>(message);
    }

    public static <T> Command<T> subscribe(ActorRef<T> subscriber) {
        return new Subscribe<>(subscriber);
    }

    public static <T> Command<T> unsubscribe(ActorRef<T> subscriber) {
        return new Unsubscribe<>(subscriber);
    }

    public static <T> Command<T> getStats(ActorRef<Stats> replyTo) {
        return new GetStats<>(replyTo);
    }

    /** A fan-out for {@code name}: every actor of that name in the cluster is one instance of it. */
    public static <T> Behavior<Command<T>> create(Class<T> type, String name) {
        return Behaviors.setup(ctx -> new Instance<>(ctx, ServiceKey.create(type, "fanout-" + name)).behavior());
    }

    private static final class Instance<T> {
        private final ActorContext<Command<T>> ctx;
        private final ServiceKey<T> key;
        private final ActorRef<T> inbox;
        private final Set<ActorRef<T>> localSubscribers = new LinkedHashSet<>();
        private Set<ActorRef<T>> instances = Set.of();

        Instance(ActorContext<Command<T>> ctx, ServiceKey<T> key) {
            this.ctx = ctx;
            this.key = key;
            ActorRef<Command<T>> self = ctx.getSelf();
            // A child, not a message adapter, is what other nodes send to: the receptionist watches what registers.
            this.inbox = ctx.spawn(Behaviors.receiveMessage(message -> {
                self.tell(new Received<>(message));
                return Behaviors.same();
            }), "inbox");
            ctx.getSystem().receptionist().tell(Receptionist.subscribe(key, ctx.messageAdapter(Receptionist.Listing.class,
                    listing -> new InstancesChanged<>(listing.getAllServiceInstances(key)))));
        }

        @SuppressWarnings("unchecked")
        Behavior<Command<T>> behavior() {
            return Behaviors.receive((Class<Command<T>>) (Class<?>) Command.class)
                    .onMessage(Publish.class, p -> onPublish((Publish<T>) p))
                    .onMessage(Received.class, r -> deliver(((Received<T>) r).message()))
                    .onMessage(Subscribe.class, s -> onSubscribe(((Subscribe<T>) s).subscriber()))
                    .onMessage(Unsubscribe.class, u -> onGone(((Unsubscribe<T>) u).subscriber(), true))
                    .onMessage(SubscriberTerminated.class, t -> onGone(((SubscriberTerminated<T>) t).subscriber(), false))
                    .onMessage(InstancesChanged.class, changed -> {
                        instances = Set.copyOf(((InstancesChanged<T>) changed).instances());
                        return Behaviors.same();
                    })
                    .onMessage(GetStats.class, get -> {
                        ((GetStats<T>) get).replyTo().tell(new Stats(localSubscribers.size(), instances.size()));
                        return Behaviors.same();
                    })
                    .build();
        }

        private Behavior<Command<T>> onPublish(Publish<T> publish) {
            if (instances.isEmpty()) {
                return deliver(publish.message()); // no listing yet: as Topic, the local subscribers only
            }
            for (ActorRef<T> instance : instances) {
                instance.tell(publish.message());
            }
            return Behaviors.same();
        }

        private Behavior<Command<T>> deliver(T message) {
            for (ActorRef<T> subscriber : localSubscribers) {
                subscriber.tell(message);
            }
            return Behaviors.same();
        }

        private Behavior<Command<T>> onSubscribe(ActorRef<T> subscriber) {
            if (localSubscribers.add(subscriber)) {
                ctx.watchWith(subscriber, new SubscriberTerminated<>(subscriber));
                if (localSubscribers.size() == 1) {
                    ctx.getSystem().receptionist().tell(Receptionist.register(key, inbox));
                }
            }
            return Behaviors.same();
        }

        private Behavior<Command<T>> onGone(ActorRef<T> subscriber, boolean unwatch) {
            if (localSubscribers.remove(subscriber)) {
                if (unwatch) {
                    ctx.unwatch(subscriber);
                }
                if (localSubscribers.isEmpty()) {
                    ctx.getSystem().receptionist().tell(Receptionist.deregister(key, inbox));
                }
            }
            return Behaviors.same();
        }
    }
}
