package io.tessera.media.load;

import com.sun.management.OperatingSystemMXBean;
import io.tessera.common.protocol.ClusterTopics.LoadReport;
import io.tessera.media.engine.MediaEngine;
import io.tessera.media.engine.MediaStats;
import io.tessera.media.session.SessionManager;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import io.tessera.common.cluster.ClusterFanout;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * Publishes this media node's load to every master about once a second. Masters treat a node whose
 * reports stop as unavailable for placement, so the report doubles as a heartbeat at the application level.
 */
public final class LoadReporter {

    /** What this actor handles: only its own timer and the manager's replies, both private. */
    public interface Command {
    }

    private enum Tick implements Command { INSTANCE }

    private record StatsReceived(SessionManager.Stats stats) implements Command {
    }

    public static Behavior<Command> create(String nodeId, String publicAddress, ActorRef<SessionManager.Command> manager,
                                           ActorRef<ClusterFanout.Command<LoadReport>> topic, Duration interval,
                                           MediaEngine engine, int capacity, IntSupplier sentinelPort) {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ZERO, interval);
            ActorRef<SessionManager.Stats> statsAdapter = ctx.messageAdapter(SessionManager.Stats.class, StatsReceived::new);
            return Behaviors.receive(Command.class)
                    .onMessageEquals(Tick.INSTANCE, () -> {
                        manager.tell(new SessionManager.GetStats(statsAdapter));
                        return Behaviors.same();
                    })
                    .onMessage(StatsReceived.class, received -> {
                        SessionManager.Stats stats = received.stats();
                        double cpu = Math.max(0.0, os.getProcessCpuLoad());
                        MediaStats media = engine.stats();
                        topic.tell(ClusterFanout.publish(new LoadReport(nodeId, stats.forMasters(), publicAddress, stats.status(),
                                stats.sessions(), stats.participants(), stats.streams(), media.subscribers(),
                                media.portsInUse(), capacity, cpu, System.currentTimeMillis(),
                                stats.drainDeadlineMillis(), stats.protectedSessions(), sentinelPort.getAsInt())));
                        return Behaviors.same();
                    })
                    .build();
        }));
    }
}
