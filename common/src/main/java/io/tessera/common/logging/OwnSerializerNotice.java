package io.tessera.common.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops Pekko's start-up warning that a message class of Pekko's uses a serializer Pekko did not write, when that
 * serializer is one of Tessera's: masters replace Distributed Data's serializers on purpose (tessera-master.conf,
 * {@code PooledGzip}), and a warning at every start that asks for nothing would teach operators to skip warnings.
 * The same warning about any other serializer still shows.
 */
public final class OwnSerializerNotice extends TurboFilter {
    static final String LOGGER_PREFIX = "org.apache.pekko.serialization.Serialization";
    private static final String OWN_SERIALIZER = "Using serializer [io.tessera.";
    private static final String NOTE = "is not implemented by Apache Pekko";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (format != null && level == Level.WARN && logger.getName().startsWith(LOGGER_PREFIX)
                && format.startsWith(OWN_SERIALIZER) && format.contains(NOTE)) {
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }
}
