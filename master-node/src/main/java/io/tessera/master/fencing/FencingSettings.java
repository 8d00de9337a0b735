package io.tessera.master.fencing;

import com.typesafe.config.Config;

import java.time.Duration;

/**
 * {@code tessera.master.fencing}: how long a master may go without seeing the majority of the cluster before it
 * fences itself ({@code self-fence-after}), and how often it checks.
 *
 * <p>{@code self-fence-after = auto} is the failure detector's {@code acceptable-heartbeat-pause} (2 s): a member is
 * only taken for unreachable after that much silence (plus a heartbeat interval), so a master fences itself about
 * about 6.5 s after it was cut off (measured: ~4-4.5 s until the failure detector gives up on the others, then the
 * lease), while the masters' decider (MasterQuorum) downs the minority {@code stable-after} (7 s) after the cut was noticed
 * (~11.5 s): the minority master has stopped serving some 5 s before the majority side takes its clients' sessions
 * over. {@code serveAgainAfter} is one gossip interval: a master whose lease ran out serves again only after seeing
 * the majority for that long, in which a verdict against it (downed while it was away) would have reached it. A frozen master whose freeze
 * outlasted the lease refuses the requests that queued up meanwhile, since the lease is checked on every request.
 * It must be shorter than {@code stable-after}, or the minority would be downed before it fenced itself.
 */
public record FencingSettings(Duration selfFenceAfter, Duration checkInterval, Duration serveAgainAfter) {

    public static FencingSettings fromConfig(Config config) {
        Config fencing = config.getConfig("tessera.master.fencing");
        Duration selfFenceAfter = "auto".equals(fencing.getString("self-fence-after"))
                ? config.getDuration("pekko.cluster.failure-detector.acceptable-heartbeat-pause")
                : fencing.getDuration("self-fence-after");
        Duration stableAfter = config.getDuration("tessera.cluster.downing.stable-after");
        if (selfFenceAfter.isNegative() || selfFenceAfter.isZero() || selfFenceAfter.compareTo(stableAfter) >= 0) {
            throw new IllegalArgumentException("tessera.master.fencing.self-fence-after (TESSERA_SELF_FENCE_AFTER) is "
                    + selfFenceAfter.toMillis() + " ms: it must be above 0 and below the downing rule's "
                    + "stable-after (" + stableAfter.toMillis() + " ms)");
        }
        // A master whose lease ran out may have been downed meanwhile (a freeze, a cut): before it serves again it must
        // have seen the majority for one gossip round, in which a verdict against it would have reached it.
        return new FencingSettings(selfFenceAfter, fencing.getDuration("check-interval"),
                config.getDuration("pekko.cluster.gossip-interval"));
    }
}
