package io.tessera.aws.lifecycle;

import io.tessera.client.rest.MasterRestClient;
import io.tessera.client.rest.RestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.autoscaling.AutoScalingClient;

import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Waits until Auto Scaling picks this instance for termination, then lets it go without dropping a session:
 * a media node is drained (no new sessions; at the drain deadline the masters move the sessions still there to
 * other nodes; the handler waits until none is left, at most the move grace after the deadline) and then
 * stopped; a master is stopped (SIGTERM: it leaves the cluster gracefully). Only then is the lifecycle action
 * completed with CONTINUE. While it waits it sends heartbeats, so the hook's timeout does not end the drain.
 */
public final class ScaleInHandler {
    static final String TERMINATED = "Terminated";
    private static final Logger log = LoggerFactory.getLogger(ScaleInHandler.class);

    private final HandlerSettings settings;
    private final InstanceMetadata metadata;
    private final MasterRestClient masters;
    private final LifecycleActions actions;
    private final ServiceStopper service;
    private final Clock clock;

    ScaleInHandler(HandlerSettings settings, InstanceMetadata metadata, MasterRestClient masters,
                   LifecycleActions actions, ServiceStopper service, Clock clock) {
        this.settings = settings;
        this.metadata = metadata;
        this.masters = masters;
        this.actions = actions;
        this.service = service;
        this.clock = clock;
    }

    /** The handler as the instance runs it: IMDSv2, the masters' REST API over HTTP, this Auto Scaling client. */
    public static ScaleInHandler create(HandlerSettings settings, AutoScalingClient autoScaling, ServiceStopper service) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(5)).build();
        return new ScaleInHandler(settings, new InstanceMetadata(settings.metadataEndpoint(), http),
                MasterRestClient.create(settings.masterUrl(), settings.secret()),
                new LifecycleActions(autoScaling, settings.autoScalingGroup(), settings.lifecycleHook()),
                service, Clock.systemUTC());
    }

    /** Returns once the lifecycle action is completed; the instance terminates shortly after. */
    public void run() throws InterruptedException {
        String instanceId = awaitTermination();
        log.info("{} ({}) is terminating: {}", settings.nodeId(), instanceId,
                settings.role() == HandlerSettings.Role.MEDIA ? "draining it" : "leaving the cluster");
        if (settings.role() == HandlerSettings.Role.MEDIA) {
            drain(instanceId);
        }
        stopService();
        actions.complete(instanceId);
        log.info("lifecycle action completed with CONTINUE for {}", instanceId);
    }

    private String awaitTermination() throws InterruptedException {
        while (true) {
            try {
                String instanceId = metadata.instanceId();
                if (metadata.targetLifecycleState().filter(TERMINATED::equals).isPresent()) {
                    return instanceId;
                }
            } catch (IOException e) {
                log.warn("instance metadata: {}", e.getMessage());
            }
            Thread.sleep(settings.pollInterval().toMillis());
        }
    }

    private void drain(String instanceId) throws InterruptedException {
        Instant deadline = clock.instant().plus(settings.drainTimeout());
        // The masters start moving sessions at the deadline: give the moves time before stopping the node.
        Instant giveUp = deadline.plus(settings.moveGrace());
        Instant nextHeartbeat = clock.instant().plus(settings.heartbeatInterval());
        boolean drainAccepted = false;
        while (true) {
            try {
                // Asked again until a master accepts it: a master may be restarting, or the LB between them.
                drainAccepted = drainAccepted || requestDrain(deadline);
                int sessions = sessionsLeft();
                if (sessions == 0) {
                    log.info("{} hosts no session any more", settings.nodeId());
                    return;
                }
                log.info("{} still hosts {} sessions (drain {}accepted, deadline {})", settings.nodeId(), sessions,
                        drainAccepted ? "" : "not yet ", deadline);
            } catch (IOException e) {
                log.warn("masters' REST API: {}", e.getMessage());
            }
            Instant now = clock.instant();
            if (!now.isBefore(giveUp)) {
                log.warn("drain deadline {} and move grace passed with sessions left on {}", deadline, settings.nodeId());
                return;
            }
            if (!now.isBefore(nextHeartbeat)) {
                heartbeat(instanceId);
                nextHeartbeat = now.plus(settings.heartbeatInterval());
            }
            Thread.sleep(Math.min(settings.pollInterval().toMillis(), Duration.between(now, giveUp).toMillis() + 1));
        }
    }

    /** True when a master accepted the drain; a refusal is logged and the drain asked again at the next poll. */
    private boolean requestDrain(Instant deadline) throws IOException, InterruptedException {
        try {
            masters.drainMediaNode(settings.nodeId(), deadline);
            return true;
        } catch (RestException refused) {
            log.warn("drain of {} not accepted: {}", settings.nodeId(), refused.getMessage());
            return false;
        }
    }

    /** Sessions the node still hosts; 0 once the masters no longer know the node (it left the cluster). */
    private int sessionsLeft() throws IOException, InterruptedException {
        return masters.mediaNode(settings.nodeId()).map(node -> node.load().sessions()).orElse(0);
    }

    private void heartbeat(String instanceId) {
        try {
            actions.heartbeat(instanceId);
        } catch (RuntimeException e) {
            log.warn("lifecycle heartbeat failed: {}", e.getMessage());
        }
    }

    private void stopService() throws InterruptedException {
        try {
            service.stop();
        } catch (IOException e) {
            // Completing anyway: the instance terminates, and the cluster downs a node that did not leave.
            log.warn("stopping {} failed: {}", settings.serviceUnit(), e.getMessage());
        }
    }
}
