package io.tessera.master.console;

import com.typesafe.config.Config;
import io.tessera.master.placement.MediaNodes;
import io.tessera.master.routing.SessionRecord;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/** Starts the console's actors on a master and gives the routes to bind; the one call MasterMain makes. */
public final class MasterConsole {

    private MasterConsole() {
    }

    /**
     * @param console  {@code tessera.master.console}
     * @param selfUrl  this master's public base URL (where browsers reach its console and REST API)
     * @param sessions this master's replica of the routing table's session shards, read locally
     */
    public static ConsoleRoutes start(ActorSystem<?> system, Config console, String selfId, String selfUrl,
                                      String secret, MediaNodes mediaNodes,
                                      Supplier<List<LWWMap<String, SessionRecord>>> sessions, Duration askTimeout) {
        ConsoleFeed.Settings feedSettings = new ConsoleFeed.Settings(console.getDuration("sample-interval"),
                console.getInt("history"), console.getInt("max-clients"), console.getInt("events-per-kind"));
        ActorRef<ConsoleFeed.Command> feed = system.systemActorOf(ConsoleFeed.create(feedSettings,
                new LiveClusterSampler(system, mediaNodes, sessions), System::currentTimeMillis),
                "console-feed", Props.empty());
        Duration announce = console.getDuration("announce-interval");
        MasterDirectory directory = new MasterDirectory(selfId, selfUrl, announce, System::currentTimeMillis);
        system.systemActorOf(directory.behavior(announce), "console-master-directory", Props.empty());
        return new ConsoleRoutes(system, feed, directory, secret, new ConsoleRoutes.Settings(
                console.getInt("client-buffer"), console.getDuration("keep-alive"), askTimeout));
    }
}
