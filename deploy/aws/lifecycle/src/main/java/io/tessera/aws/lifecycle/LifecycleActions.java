package io.tessera.aws.lifecycle;

import software.amazon.awssdk.services.autoscaling.AutoScalingClient;

/** This instance's pending lifecycle action in its Auto Scaling group. */
final class LifecycleActions {
    private final AutoScalingClient autoScaling;
    private final String group;
    private final String hook;

    LifecycleActions(AutoScalingClient autoScaling, String group, String hook) {
        this.autoScaling = autoScaling;
        this.group = group;
        this.hook = hook;
    }

    /** Pushes the hook's heartbeat timeout back, so a long drain is not cut short. */
    void heartbeat(String instanceId) {
        autoScaling.recordLifecycleActionHeartbeat(r -> r.autoScalingGroupName(group).lifecycleHookName(hook)
                .instanceId(instanceId));
    }

    /** CONTINUE: the instance may terminate now. */
    void complete(String instanceId) {
        autoScaling.completeLifecycleAction(r -> r.autoScalingGroupName(group).lifecycleHookName(hook)
                .instanceId(instanceId).lifecycleActionResult("CONTINUE"));
    }
}
