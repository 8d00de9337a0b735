package io.tessera.master.console;

import io.tessera.common.protocol.ClusterSerializable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import io.tessera.common.cluster.ClusterFanout;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Which masters serve a console, and at which base URL. The cluster view names masters by their remoting
 * address, which a browser cannot use; so every master announces its public HTTP URL on a cluster topic every
 * {@code interval}, and every master lists those heard within three intervals. The page reads the list
 * ({@code GET /console/api/masters}) to know where to reconnect when its master dies, and the CORS check lets
 * exactly the masters' origins call this master.
 */
public final class MasterDirectory {
    static final String TOPIC = "tessera-console-masters";
    /** How long a master that stopped announcing itself stays a trusted origin. */
    static final long REMEMBER_MILLIS = 24 * 3600 * 1000L;
    /** Masters remembered at most (a cluster has a handful; the bound only guards the map). */
    static final int REMEMBER_MAX = 64;

    /** One master's announcement: its id and the base URL its console and REST API are reached at. */
    public record Announcement(String masterId, String url) implements ClusterSerializable {
    }

    private record Heard(String url, long atMillis) {
    }

    private final String selfId;
    private final String selfUrl;
    private final long staleAfterMillis;
    private final LongSupplier clock;
    private final Map<String, Heard> heard = new ConcurrentHashMap<>();

    public MasterDirectory(String selfId, String selfUrl, Duration interval, LongSupplier clock) {
        this.selfId = selfId;
        this.selfUrl = stripSlash(selfUrl);
        this.staleAfterMillis = interval.toMillis() * 3;
        this.clock = clock;
    }

    /** master id -> base URL, this master included, sorted by id; announcements older than three intervals dropped. */
    public Map<String, String> masters() {
        long now = clock.getAsLong();
        Map<String, String> live = new TreeMap<>();
        heard.forEach((id, h) -> {
            if (now - h.atMillis() <= staleAfterMillis) {
                live.put(id, h.url());
            }
        });
        live.put(selfId, selfUrl);
        return live;
    }

    public String selfId() {
        return selfId;
    }

    /**
     * Whether a browser origin (scheme://host:port) is one of the masters' own: this one, or any heard of within
     * {@link #REMEMBER_MILLIS}, even if gone now, because the consoles loaded from a master that died are exactly
     * the ones that must keep working through the others.
     */
    boolean isMasterOrigin(String origin) {
        if (origin(selfUrl).equalsIgnoreCase(origin)) {
            return true;
        }
        return heard.values().stream().anyMatch(h -> origin(h.url()).equalsIgnoreCase(origin));
    }

    static String origin(String url) {
        int scheme = url.indexOf("://");
        int path = scheme < 0 ? -1 : url.indexOf('/', scheme + 3);
        return path < 0 ? url : url.substring(0, path);
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    public interface Command {
    }

    private enum Announce implements Command { INSTANCE }

    private record Received(Announcement announcement) implements Command {
    }

    /** The actor that announces this master and records the others' announcements. */
    public Behavior<Command> behavior(Duration interval) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            ActorRef<ClusterFanout.Command<Announcement>> topic = ctx.spawn(ClusterFanout.create(Announcement.class, TOPIC), "topic");
            topic.tell(ClusterFanout.subscribe(ctx.messageAdapter(Announcement.class, Received::new)));
            timers.startTimerWithFixedDelay(Announce.INSTANCE, Duration.ZERO, interval);
            return Behaviors.receive(Command.class)
                    .onMessageEquals(Announce.INSTANCE, () -> {
                        topic.tell(ClusterFanout.publish(new Announcement(selfId, selfUrl)));
                        return Behaviors.same();
                    })
                    .onMessage(Received.class, r -> {
                        long now = clock.getAsLong();
                        heard.values().removeIf(h -> now - h.atMillis() > REMEMBER_MILLIS);
                        heard.put(r.announcement().masterId(), new Heard(stripSlash(r.announcement().url()), now));
                        while (heard.size() > REMEMBER_MAX) {
                            heard.entrySet().stream().min(java.util.Map.Entry.comparingByValue(
                                            java.util.Comparator.comparingLong(Heard::atMillis)))
                                    .ifPresent(oldest -> heard.remove(oldest.getKey()));
                        }
                        return Behaviors.same();
                    })
                    .build();
        }));
    }
}
