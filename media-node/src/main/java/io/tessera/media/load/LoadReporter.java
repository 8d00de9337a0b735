package io.tessera.media.load;

import com.sun.management.OperatingSystemMXBean;
import io.tessera.common.protocol.ClusterTopics.LoadReport;
import io.tessera.common.protocol.MediaNodeProtocol.Command;
import io.tessera.media.engine.MediaEngine;
import io.tessera.media.engine.MediaStats;
import io.tessera.media.session.SessionManager;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Publishes this media node's load to every master about once a second. Masters treat a node whose
 * reports stop as unavailable for placement, so the report doubles as a heartbeat at the application level.
 */
public final class LoadReporter {

    public interface Message {
    }

    private enum Tick implements Message { INSTANCE }

    private record StatsReceived(SessionManager.Stats stats) implements Message {
    }

    public static Behavior<Message> create(String nodeId, String publicAddress, ActorRef<Object> manager,
                                           ActorRef<Topic.Command<LoadReport>> topic, Duration interval,
                                           MediaEngine engine, int capacity) {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ActorRef<Command> managerForMasters = manager.narrow();
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ZERO, interval);
            ActorRef<SessionManager.Stats> statsAdapter = ctx.messageAdapter(SessionManager.Stats.class, StatsReceived::new);
            return Behaviors.receive(Message.class)
                    .onMessageEquals(Tick.INSTANCE, () -> {
                        manager.tell(new SessionManager.GetStats(statsAdapter));
                        return Behaviors.same();
                    })
                    .onMessage(StatsReceived.class, received -> {
                        SessionManager.Stats stats = received.stats();
                        double cpu = Math.max(0.0, os.getProcessCpuLoad());
                        MediaStats media = engine.stats();
                        topic.tell(Topic.publish(new LoadReport(nodeId, managerForMasters, publicAddress, stats.status(),
                                stats.sessions(), stats.participants(), stats.streams(), media.subscribers(),
                                media.portsInUse(), capacity, cpu, System.currentTimeMillis())));
                        return Behaviors.same();
                    })
                    .build();
        }));
    }
}
