package io.tessera.master.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.common.protocol.ClusterTopics.LoadReport;
import io.tessera.common.protocol.MediaNodeStatus;
import io.tessera.master.placement.HaPlan;
import io.tessera.master.placement.MediaNodeState;

import java.time.Instant;

import static io.tessera.master.views.JsonViews.MAPPER;

/**
 * The views that read the media nodes' state as placement keeps it: OpenVidu's {@code mediaNode} object
 * ({@code GET /media-nodes}) and the media nodes and HA plan of Tessera's {@code GET /cluster}. They live here, not
 * in {@code views}, because placement sits below webhooks and webhooks use {@code views}.
 */
public final class MediaNodeViews {

    private MediaNodeViews() {
    }

    /** OpenVidu's media node object, with Tessera's load beside it in {@code tesseraLoad}. */
    public static ObjectNode mediaNode(MediaNodeState n) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("id", n.id());
        node.put("object", "mediaNode");
        node.putNull("environmentId");
        node.put("ip", n.report().publicAddress());
        node.put("uri", n.report().manager().path().address().toString());
        node.put("connected", n.reachable());
        node.put("connectionTime", n.firstSeenMillis());
        node.putNull("disconnectionTime");
        node.put("load", Math.round(n.report().cpu() * 10000) / 100.0);
        node.put("status", n.report().status());
        putDrainDeadline(node, n);
        node.put("reachable", n.reachable());
        node.put("lastReportAgeMs", Math.max(0, System.currentTimeMillis() - n.receivedAtMillis()));
        counts(node.putObject("tesseraLoad"), n.report()).put("cpu", n.report().cpu());
        return node;
    }

    /** A media node as {@code GET /cluster} shows it: where it is, what it hosts and how full it is. */
    public static ObjectNode clusterMediaNode(MediaNodeState n, long nowMillis) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("id", n.id());
        node.put("status", n.report().status());
        putDrainDeadline(node, n);
        node.put("reachable", n.reachable());
        node.put("address", n.report().manager().path().address().toString());
        node.put("publicAddress", n.report().publicAddress());
        counts(node.putObject("load"), n.report()).put("capacity", n.report().capacity())
                .put("cpu", Math.round(n.report().cpu() * 1000) / 1000.0);
        node.put("lastReportAgeMs", Math.max(0, nowMillis - n.receivedAtMillis()));
        return node;
    }

    /** While draining: the deadline the node was given, as every master knows it from the node's load reports. */
    private static void putDrainDeadline(ObjectNode node, MediaNodeState n) {
        if (MediaNodeStatus.DRAINING.wireName().equals(n.report().status()) && n.report().drainDeadlineMillis() > 0) {
            node.put("drainDeadline", Instant.ofEpochMilli(n.report().drainDeadlineMillis()).toString());
        }
    }

    /** What a node hosts, as both views count it. */
    private static ObjectNode counts(ObjectNode load, LoadReport report) {
        return load.put("sessions", report.sessions())
                .put("participants", report.participants())
                .put("streams", report.streams())
                .put("subscriptions", report.subscriptions())
                .put("mediaPorts", report.mediaPorts());
    }

    /** The HA plan as {@code GET /cluster} shows it. */
    public static ObjectNode haPlan(HaPlan.Plan plan) {
        return MAPPER.createObjectNode()
                .put("mediaNodes", plan.mediaNodes())
                .put("maxFailuresToTolerate", plan.maxFailuresToTolerate())
                .put("failuresToTolerate", plan.failuresToTolerate())
                .put("overcommitted", plan.overcommitted())
                .put("protectedSessions", plan.protectedSessions())
                .put("freeCapacity", plan.freeCapacity());
    }
}
