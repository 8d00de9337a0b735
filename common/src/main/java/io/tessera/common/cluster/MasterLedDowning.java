package io.tessera.common.cluster;

import com.typesafe.config.Config;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.DowningProvider;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Tessera's downing provider ({@code pekko.cluster.downing-provider-class}, the same on every node, as Pekko's join
 * check requires): masters decide by keep-majority among masters, media nodes never decide, and a media node outlives
 * the loss of every master (see {@link MasterQuorum}). Settings: {@code tessera.cluster.downing}.
 */
public final class MasterLedDowning extends DowningProvider {
    private final Duration stableAfter;
    private final Duration masterlessLimit;
    private final int maxMasters;

    public MasterLedDowning(ActorSystem system) {
        Config config = system.settings().config().getConfig("tessera.cluster.downing");
        this.stableAfter = config.getDuration("stable-after");
        this.masterlessLimit = config.getDuration("masterless-limit");
        this.maxMasters = config.getInt("max-masters");
        if (maxMasters < 1) {
            throw new IllegalArgumentException("tessera.cluster.downing.max-masters (TESSERA_MAX_MASTERS) must be at"
                    + " least 1, got " + maxMasters);
        }
    }

    /** As the Split Brain Resolver: a downed node's singletons start elsewhere only after this margin. */
    @Override
    public FiniteDuration downRemovalMargin() {
        return FiniteDuration.create(stableAfter.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public Option<Props> downingActorProps() {
        return Option.apply(Adapter.props(() -> MasterQuorumDowner.create(stableAfter, masterlessLimit, maxMasters)));
    }
}
