package io.tessera.master.rebuild;

import com.typesafe.config.Config;
import io.tessera.master.routing.RestoreBudget;

import java.time.Duration;

/**
 * The routing rebuild's settings ({@code tessera.master.rebuild.*}, docs/OPERATIONS.md).
 *
 * @param timeout       bound of one rebuild (inventories, restore or wait); past it the master serves anyway (ALERT)
 * @param restorerStall a master waiting for the restorer's routes restores them itself when none arrived for this long
 * @param retryAfter    after a failed rebuild, the next one starts this much later (until one succeeds)
 * @param budget        what the restore puts on the wire at once
 */
public record RebuildSettings(Duration timeout, Duration restorerStall, Duration retryAfter, RestoreBudget budget) {

    public static RebuildSettings from(Config rebuild) {
        return new RebuildSettings(rebuild.getDuration("timeout"), rebuild.getDuration("restorer-stall"),
                rebuild.getDuration("retry-after"), new RestoreBudget(rebuild.getInt("records-per-write"),
                rebuild.getInt("sessions-in-flight")));
    }
}
