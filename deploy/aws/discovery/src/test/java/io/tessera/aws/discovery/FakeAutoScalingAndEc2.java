package io.tessera.aws.discovery;

import io.tessera.aws.testkit.FakeHttpServer.Request;
import io.tessera.aws.testkit.FakeHttpServer.Response;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Answers DescribeAutoScalingGroups and DescribeInstances as the AWS Query APIs do (XML), each in two pages joined
 * by a NextToken, with instances in every state discovery must skip: Pending and Terminating:Wait in the groups,
 * stopping in EC2.
 */
final class FakeAutoScalingAndEc2 implements Function<Request, Response> {

    @Override
    public Response apply(Request request) {
        Map<String, String> form = request.form();
        return switch (form.get("Action")) {
            case "DescribeAutoScalingGroups" -> Response.xml(form.containsKey("NextToken")
                    ? groupsPage("media", List.of(member("i-d1", "InService"), member("i-d2", "Terminating:Wait")), null)
                    : groupsPage("masters", List.of(member("i-m1", "InService"), member("i-m2", "Pending"),
                            member("i-m3", "InService")), "groups-page-2"));
            case "DescribeInstances" -> Response.xml(form.containsKey("NextToken")
                    ? instancesPage(List.of(instance("i-d1", "running", "10.0.2.21")), null)
                    : instancesPage(List.of(instance("i-m1", "running", "10.0.1.11"),
                            instance("i-m3", "stopping", "10.0.1.13")), "instances-page-2"));
            default -> new Response(400, "text/xml", "<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>");
        };
    }

    private static String member(String id, String lifecycleState) {
        return "<member><InstanceId>" + id + "</InstanceId><LifecycleState>" + lifecycleState
                + "</LifecycleState><HealthStatus>Healthy</HealthStatus><AvailabilityZone>us-east-1a</AvailabilityZone>"
                + "<ProtectedFromScaleIn>false</ProtectedFromScaleIn></member>";
    }

    private static String groupsPage(String group, List<String> members, String nextToken) {
        return "<DescribeAutoScalingGroupsResponse xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\">"
                + "<DescribeAutoScalingGroupsResult><AutoScalingGroups><member>"
                + "<AutoScalingGroupName>" + group + "</AutoScalingGroupName><MinSize>1</MinSize><MaxSize>5</MaxSize>"
                + "<Instances>" + String.join("", members) + "</Instances></member></AutoScalingGroups>"
                + (nextToken == null ? "" : "<NextToken>" + nextToken + "</NextToken>")
                + "</DescribeAutoScalingGroupsResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"
                + "</DescribeAutoScalingGroupsResponse>";
    }

    private static String instance(String id, String state, String privateIp) {
        int code = switch (state) {
            case "running" -> 16;
            case "stopping" -> 64;
            default -> 0;
        };
        return "<item><instanceId>" + id + "</instanceId><instanceState><code>" + code + "</code><name>" + state
                + "</name></instanceState><privateIpAddress>" + privateIp + "</privateIpAddress></item>";
    }

    private static String instancesPage(List<String> instances, String nextToken) {
        return "<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r-2</requestId>"
                + "<reservationSet><item><reservationId>r-0a</reservationId><instancesSet>"
                + String.join("", instances) + "</instancesSet></item></reservationSet>"
                + (nextToken == null ? "" : "<nextToken>" + nextToken + "</nextToken>")
                + "</DescribeInstancesResponse>";
    }

    /** The InstanceId.N parameters of a DescribeInstances request, in order. */
    static List<String> requestedInstanceIds(Request request) {
        return request.form().entrySet().stream()
                .filter(e -> e.getKey().startsWith("InstanceId."))
                .sorted(Map.Entry.comparingByKey())
                .map(Map.Entry::getValue)
                .collect(Collectors.toList());
    }
}
