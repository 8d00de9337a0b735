package io.tessera.aws.discovery;

import io.tessera.aws.testkit.FakeHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.ec2.Ec2Client;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AutoScalingGroupInstancesTest {
    private static final StaticCredentialsProvider FAKE_CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDFAKE", "fake-secret-key"));

    private FakeHttpServer aws;
    private AutoScalingClient autoScaling;
    private Ec2Client ec2;

    @BeforeEach
    void start() {
        aws = FakeHttpServer.start(new FakeAutoScalingAndEc2());
        autoScaling = AutoScalingClient.builder().endpointOverride(aws.uri()).region(Region.US_EAST_1)
                .credentialsProvider(FAKE_CREDENTIALS).httpClient(UrlConnectionHttpClient.create()).build();
        ec2 = Ec2Client.builder().endpointOverride(aws.uri()).region(Region.US_EAST_1)
                .credentialsProvider(FAKE_CREDENTIALS).httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterEach
    void stop() {
        autoScaling.close();
        ec2.close();
        aws.close();
    }

    @Test
    void listsThePrivateIpsOfRunningInServiceInstancesAcrossPagesOfBothApis() {
        List<String> ips = new AutoScalingGroupInstances(autoScaling, ec2).privateIps(List.of("masters", "media"));

        assertEquals(List.of("10.0.1.11", "10.0.2.21"), ips);
        var groupRequests = aws.requests(r -> "DescribeAutoScalingGroups".equals(r.action()));
        assertEquals(2, groupRequests.size(), "the second page was fetched with the NextToken");
        assertEquals("masters", groupRequests.get(0).form().get("AutoScalingGroupNames.member.1"));
        assertEquals("media", groupRequests.get(0).form().get("AutoScalingGroupNames.member.2"));
        assertEquals("groups-page-2", groupRequests.get(1).form().get("NextToken"));
        var instanceRequests = aws.requests(r -> "DescribeInstances".equals(r.action()));
        assertEquals(2, instanceRequests.size(), "the second page was fetched with the NextToken");
        // Pending and Terminating:Wait instances are not even asked about
        assertEquals(List.of("i-m1", "i-m3", "i-d1"), FakeAutoScalingAndEc2.requestedInstanceIds(instanceRequests.get(0)));
        assertEquals("instances-page-2", instanceRequests.get(1).form().get("NextToken"));
    }

    @Test
    void noGroupsMeansNoContactPointsAndNoCalls() {
        assertEquals(List.of(), new AutoScalingGroupInstances(autoScaling, ec2).privateIps(List.of()));
        assertEquals(List.of(), aws.requests());
    }

    @Test
    void requestsAreSignedForUsEast1() {
        new AutoScalingGroupInstances(autoScaling, ec2).privateIps(List.of("masters"));
        String authorization = aws.requests().get(0).header("Authorization");
        assertEquals(true, authorization.contains("/us-east-1/autoscaling/aws4_request"), authorization);
    }
}
