package io.tessera.aws.discovery;

import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.LifecycleState;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.Reservation;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Private IPs of the instances of some Auto Scaling groups that are InService in their group and running in EC2.
 * Pending, terminating (Terminating:Wait during a scale-in drain), standby and stopped instances are left out, so
 * Cluster Bootstrap neither forms a cluster with a node on its way out nor waits for one that cannot answer.
 */
public final class AutoScalingGroupInstances {
    // DescribeInstances takes at most 1000 instance ids per request.
    private static final int MAX_IDS_PER_REQUEST = 1000;

    private final AutoScalingClient autoScaling;
    private final Ec2Client ec2;

    public AutoScalingGroupInstances(AutoScalingClient autoScaling, Ec2Client ec2) {
        this.autoScaling = autoScaling;
        this.ec2 = ec2;
    }

    /** Sorted and without duplicates, so every node sees the contact points in the same order. */
    public List<String> privateIps(List<String> groupNames) {
        List<String> inService = inServiceInstanceIds(groupNames);
        TreeSet<String> ips = new TreeSet<>();
        for (int from = 0; from < inService.size(); from += MAX_IDS_PER_REQUEST) {
            List<String> ids = inService.subList(from, Math.min(inService.size(), from + MAX_IDS_PER_REQUEST));
            for (Reservation reservation : ec2.describeInstancesPaginator(r -> r.instanceIds(ids)).reservations()) {
                for (Instance instance : reservation.instances()) {
                    if (instance.state() != null && instance.state().name() == InstanceStateName.RUNNING
                            && instance.privateIpAddress() != null) {
                        ips.add(instance.privateIpAddress());
                    }
                }
            }
        }
        return List.copyOf(ips);
    }

    List<String> inServiceInstanceIds(List<String> groupNames) {
        if (groupNames.isEmpty()) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        for (AutoScalingGroup group : autoScaling.describeAutoScalingGroupsPaginator(
                r -> r.autoScalingGroupNames(groupNames)).autoScalingGroups()) {
            group.instances().stream()
                    .filter(i -> i.lifecycleState() == LifecycleState.IN_SERVICE)
                    .forEach(i -> ids.add(i.instanceId()));
        }
        return ids;
    }
}
