package io.tessera.common.logging;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/** Stamps every later log line of this JVM with the node's id and role (logger-context properties). */
public final class NodeLogIdentity {
    private NodeLogIdentity() {
    }

    /** Does nothing when SLF4J is not bound to Logback (e.g. a library embedding the SDK). */
    public static void set(String role, String nodeId) {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (factory instanceof LoggerContext context) {
            context.putProperty(LogKeys.ROLE, role);
            context.putProperty(LogKeys.NODE_ID, nodeId);
        }
    }
}
