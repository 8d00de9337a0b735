package io.tessera.common.cluster;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One pub-sub ({@link ClusterFanout}) actor per topic name on this node, shared by every subscriber and publisher here.
 *
 * <p>Why: a publisher sends each message once to every topic <em>actor</em> of the name in the cluster, not once per
 * node. Two subscribers that each spawn their own topic actor on one node (the session notice listener and the
 * failover singleton on the same master) cost every publish a second remote message, serialized and deserialized
 * again, for the same notice (docs/BENCHMARKS.md "Hot path cuts"). Subscribers that share the actor get the message
 * in the same order as before: one topic actor delivers to its local subscribers in the order it received.
 * (Akka's later {@code PubSub} registry does the same; Pekko 1.2 has none.)
 */
public final class SharedTopics implements Extension {
    private final ActorSystem<?> system;
    private final ConcurrentHashMap<String, Shared> topics = new ConcurrentHashMap<>();

    private record Shared(Class<?> type, ActorRef<?> topic) {
    }

    private SharedTopics(ActorSystem<?> system) {
        this.system = system;
    }

    public static SharedTopics get(ActorSystem<?> system) {
        return Id.INSTANCE.apply(system);
    }

    /**
     * This node's topic actor for {@code name}, started on first use. A name is bound to one message type: asking
     * for it with another type is a programming error.
     */
    @SuppressWarnings("unchecked")
    public <T> ActorRef<ClusterFanout.Command<T>> topic(Class<T> type, String name) {
        Shared shared = topics.computeIfAbsent(name, n -> new Shared(type,
                system.systemActorOf(ClusterFanout.create(type, n), "topic-" + n, Props.empty())));
        if (!shared.type().equals(type)) {
            throw new IllegalArgumentException("topic " + name + " carries " + shared.type().getName() + ", not "
                    + type.getName());
        }
        return (ActorRef<ClusterFanout.Command<T>>) shared.topic();
    }

    /** The extension's id: one {@link SharedTopics} per actor system. */
    public static final class Id extends ExtensionId<SharedTopics> {
        static final Id INSTANCE = new Id();

        private Id() {
        }

        @Override
        public SharedTopics createExtension(ActorSystem<?> system) {
            return new SharedTopics(system);
        }
    }
}
