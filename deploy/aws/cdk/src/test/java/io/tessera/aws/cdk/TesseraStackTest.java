package io.tessera.aws.cdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Assertions on the synthesized CloudFormation template (CDK runs its constructs in Node.js through jsii). */
class TesseraStackTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET_ARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:tessera-cluster-AbCdEf";

    private static Template template;
    private static JsonNode resources;

    @BeforeAll
    static void synthesize() {
        template = synth(Map.of("artifactBucket", "tessera-artifacts", "secretArn", SECRET_ARN,
                "availabilityZones", "us-east-1a,us-east-1b,us-east-1c"));
        resources = JSON.valueToTree(template.toJSON()).get("Resources");
    }

    static Template synth(Map<String, Object> context) {
        App app = new App();
        DeploymentSettings settings = DeploymentSettings.fromContext(context::get);
        return Template.fromStack(new TesseraStack(app, "tessera", StackProps.builder().build(), settings));
    }

    @Test
    void mastersAreAtLeastThreeAndMediaNodesAGroupOfTheirOwn() {
        template.resourceCountIs("AWS::AutoScaling::AutoScalingGroup", 2);
        template.hasResourceProperties("AWS::AutoScaling::AutoScalingGroup", Map.of(
                "MinSize", "3", "MaxSize", "5", "HealthCheckType", "ELB"));
        template.hasResourceProperties("AWS::AutoScaling::AutoScalingGroup", Map.of("MinSize", "2", "MaxSize", "10"));
    }

    @Test
    void bothGroupsSpreadOverThreeAvailabilityZones() {
        for (JsonNode group : ofType("AWS::AutoScaling::AutoScalingGroup")) {
            Set<String> zones = new HashSet<>();
            for (JsonNode subnet : group.path("Properties").path("VPCZoneIdentifier")) {
                zones.add(resources.get(subnet.get("Ref").asText()).path("Properties").path("AvailabilityZone").asText());
            }
            assertEquals(Set.of("us-east-1a", "us-east-1b", "us-east-1c"), zones);
        }
    }

    @Test
    void theLoadBalancerChecksMasterReadinessEveryFiveSecondsWithThresholdsOfTwo() {
        template.hasResourceProperties("AWS::ElasticLoadBalancingV2::LoadBalancer", Map.of(
                "Type", "network", "Scheme", "internet-facing"));
        template.hasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", Map.of(
                "Port", 4443, "Protocol", "TCP",
                "HealthCheckProtocol", "HTTP", "HealthCheckPath", "/health/ready", "HealthCheckPort", "4443",
                "HealthCheckIntervalSeconds", 5, "HealthyThresholdCount", 2, "UnhealthyThresholdCount", 2));
        // Plain TCP: WebSocket upgrades pass through untouched.
        template.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", Map.of("Port", 80, "Protocol", "TCP"));
    }

    @Test
    void aCertificateTurnsTheListenerIntoTlsAndTokensIntoWss() {
        Template tls = synth(Map.of("artifactBucket", "b", "secretArn", SECRET_ARN,
                "certificateArn", "arn:aws:acm:us-east-1:111122223333:certificate/abc", "domainName", "media.example.org"));
        tls.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", Map.of("Port", 443, "Protocol", "TLS",
                "Certificates", List.of(Map.of("CertificateArn", "arn:aws:acm:us-east-1:111122223333:certificate/abc"))));
        assertTrue(JSON.valueToTree(tls.toJSON()).toString().contains("TESSERA_PUBLIC_URL=https://media.example.org"));
    }

    @Test
    void onlyClusterMembersReachRemotingAndManagementPorts() {
        String masterSg = logicalId("AWS::EC2::SecurityGroup", "Tessera masters");
        String mediaSg = logicalId("AWS::EC2::SecurityGroup", "Tessera media nodes");
        for (int port : List.of(2551, 2651, 7626)) {
            List<JsonNode> rules = ingress().stream().filter(r -> r.path("FromPort").asInt() == port).toList();
            Set<String> pairs = new HashSet<>();
            for (JsonNode rule : rules) {
                assertFalse(rule.has("CidrIp") || rule.has("CidrIpv6"), "port " + port + " open to an address range: " + rule);
                String source = rule.path("SourceSecurityGroupId").path("Fn::GetAtt").get(0).asText();
                assertTrue(Set.of(masterSg, mediaSg).contains(source), "port " + port + " from " + source);
                pairs.add(source + "->" + rule.path("_target").asText());
            }
            assertEquals(4, pairs.size(), "masters and media nodes reach each other's port " + port + ": " + pairs);
        }
    }

    @Test
    void onlyTheMastersReachTheMediaNodesProcessSentinel() {
        String masterSg = logicalId("AWS::EC2::SecurityGroup", "Tessera masters");
        String mediaSg = logicalId("AWS::EC2::SecurityGroup", "Tessera media nodes");
        List<String> rules = ingress().stream().filter(r -> r.path("FromPort").asInt() == 2661)
                .map(r -> (r.has("CidrIp") ? r.path("CidrIp").asText()
                        : r.path("SourceSecurityGroupId").path("Fn::GetAtt").get(0).asText())
                        + "->" + r.path("_target").asText() + " " + r.path("IpProtocol").asText() + " "
                        + r.path("ToPort").asInt())
                .toList();
        assertEquals(List.of(masterSg + "->" + mediaSg + " tcp 2661"), rules);
        JsonNode media = launchTemplate("Media").path("Properties").path("LaunchTemplateData");
        assertTrue(media.path("UserData").toString().contains("TESSERA_SENTINEL_PORT=2661"));
    }

    @Test
    void mediaNodesAreReachableOnTheRtpAndWebRtcRangesWithPublicAddresses() {
        String mediaSg = logicalId("AWS::EC2::SecurityGroup", "Tessera media nodes");
        List<String> udp = ingress().stream().filter(r -> r.path("IpProtocol").asText().equals("udp"))
                .map(r -> r.path("_target").asText() + " " + r.path("CidrIp").asText() + " "
                        + r.path("FromPort").asInt() + "-" + r.path("ToPort").asInt())
                .sorted().toList();
        // the plain RTP engine's range and Janus's RTP/ICE range (TESSERA_WEBRTC_PORT_MIN/MAX), nothing else
        assertEquals(List.of(mediaSg + " 0.0.0.0/0 20000-20999", mediaSg + " 0.0.0.0/0 40000-49999"), udp);
        template.hasResourceProperties("AWS::EC2::LaunchTemplate", Map.of("LaunchTemplateData", Match.objectLike(Map.of(
                "NetworkInterfaces", List.of(Match.objectLike(Map.of("AssociatePublicIpAddress", true)))))));
    }

    @Test
    void bothGroupsHaveAScaleInLifecycleHookWithAHeartbeatTimeout() {
        List<JsonNode> hooks = ofType("AWS::AutoScaling::LifecycleHook");
        assertEquals(2, hooks.size());
        Set<String> groups = new HashSet<>();
        for (JsonNode hook : hooks) {
            JsonNode p = hook.get("Properties");
            assertEquals("autoscaling:EC2_INSTANCE_TERMINATING", p.get("LifecycleTransition").asText());
            assertEquals(300, p.get("HeartbeatTimeout").asInt());
            assertEquals("CONTINUE", p.get("DefaultResult").asText());
            groups.add(p.get("AutoScalingGroupName").toString());
        }
        assertEquals(2, groups.size(), "one hook per group");
    }

    @Test
    void groupsScaleOnTheClusterMetrics() {
        for (String metric : List.of("MediaNodeLoadRatio", "MasterConnections")) {
            template.hasResourceProperties("AWS::AutoScaling::ScalingPolicy", Map.of(
                    "PolicyType", "TargetTrackingScaling",
                    "TargetTrackingConfiguration", Match.objectLike(Map.of("CustomizedMetricSpecification",
                            Match.objectLike(Map.of("Namespace", "Tessera", "MetricName", metric))))));
        }
    }

    @Test
    void everyNodeKnowsTheMastersGroupMaximumForTheDowningRule() {
        // Masters replaced at new addresses down the old ones once more than half of this many are back: every node
        // must hold the same value, the group's maximum (masterMax, 5 by default).
        for (String group : List.of("Master", "Media")) {
            String userData = launchTemplate(group).path("Properties").path("LaunchTemplateData").path("UserData")
                    .toString();
            assertTrue(userData.contains("TESSERA_MAX_MASTERS=5"), group + ": " + userData);
        }
    }

    @Test
    void mastersRunTheMetricPublisherAndOnlyTheirRoleMayPutMetricsInTheTesseraNamespace() {
        JsonNode masterTemplate = launchTemplate("Master");
        JsonNode mediaTemplate = launchTemplate("Media");
        String master = masterTemplate.path("Properties").path("LaunchTemplateData").path("UserData").toString();
        String media = mediaTemplate.path("Properties").path("LaunchTemplateData").path("UserData").toString();
        assertTrue(master.contains("cat > /etc/systemd/system/tessera-metrics.service"), master);
        assertTrue(master.contains("io.tessera.aws.metrics.MetricsPublisherMain"), master);
        assertTrue(master.contains("/opt/tessera/aws-metrics/tessera-aws-metrics.jar"), master);
        assertTrue(master.contains("tessera-lifecycle.service tessera-metrics.service"), "enabled and started: " + master);
        // the dimension value is the stack name the scaling policies use
        assertTrue(master.contains("TESSERA_CLUSTER_NAME=\",{\"Ref\":\"AWS::StackName\"}"), master);
        assertFalse(media.contains("tessera-metrics"), "media nodes do not publish: " + media);

        String putMetricData = "cloudwatch:PutMetricData";
        Map<String, Object> statement = Map.of("Action", putMetricData, "Effect", "Allow", "Resource", "*",
                "Condition", Map.of("StringEquals", Map.of("cloudwatch:namespace", "Tessera")));
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "PolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(Match.objectEquals(statement))))),
                "Roles", List.of(Map.of("Ref", logicalIdOfType("AWS::IAM::Role", "MasterInstanceRole")))));
        List<JsonNode> withPut = new ArrayList<>();
        for (JsonNode policy : ofType("AWS::IAM::Policy")) {
            if (policy.path("Properties").path("PolicyDocument").toString().contains(putMetricData)) {
                withPut.add(policy);
            }
        }
        assertEquals(1, withPut.size(), "only the masters' role: " + withPut);
    }

    @Test
    void mediaNodesRunDebian12WithJanusAndTheWebRtcSettings() {
        JsonNode media = launchTemplate("Media").path("Properties").path("LaunchTemplateData");
        // resolved by CloudFormation at each deploy from the SSM parameter Debian publishes
        assertEquals("/aws/service/debian/release/12/latest/amd64", imageParameterOf("Media"));
        String userData = media.path("UserData").toString();
        assertTrue(userData.contains("apt-get install -y -q --no-install-recommends openjdk-17-jre-headless janus awscli"), userData);
        // the media node starts and supervises Janus itself: the package's own unit must not hold the ports
        assertTrue(userData.contains("systemctl disable --now janus.service"), userData);
        for (String env : List.of("TESSERA_WEBRTC_ENGINE=janus", "TESSERA_WEBRTC_PORT_MIN=20000", "TESSERA_WEBRTC_PORT_MAX=20999",
                "TESSERA_ICE_ALLOW=0.0.0.0/0", "TESSERA_PUBLIC_ADDRESS=$PUBLIC_IP", "PUBLIC_IP=$(imds public-ipv4)",
                "TESSERA_RTP_PORT_MIN=40000", "TESSERA_RTP_PORT_MAX=49999")) {
            assertTrue(userData.contains(env), env + " in " + userData);
        }
        String master = launchTemplate("Master").path("Properties").path("LaunchTemplateData").toString();
        assertTrue(imageParameterOf("Master").startsWith("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-"));
        assertFalse(master.contains("janus") || master.contains("TESSERA_WEBRTC"), master);
    }

    @Test
    void webRtcPortsAndIceAllowListComeFromContextAndBoundTheSecurityGroup() {
        Template narrowed = synth(Map.of("artifactBucket", "b", "secretArn", SECRET_ARN, "webrtcPorts", "30000-30099",
                "iceAllow", "198.51.100.0/24, 203.0.113.7/32", "mediaInstanceType", "c7g.large"));
        JsonNode json = JSON.valueToTree(narrowed.toJSON());
        for (String cidr : List.of("198.51.100.0/24", "203.0.113.7/32")) {
            narrowed.hasResourceProperties("AWS::EC2::SecurityGroup", Map.of("GroupDescription", "Tessera media nodes",
                    "SecurityGroupIngress", Match.arrayWith(List.of(Match.objectLike(Map.of(
                            "IpProtocol", "udp", "CidrIp", cidr, "FromPort", 30000, "ToPort", 30099))))));
        }
        String whole = json.toString();
        assertFalse(whole.contains("20000"), "the default range is gone");
        assertTrue(whole.contains("TESSERA_ICE_ALLOW=198.51.100.0/24,203.0.113.7/32"), whole);
        assertTrue(whole.contains("TESSERA_WEBRTC_PORT_MIN=30000") && whole.contains("TESSERA_WEBRTC_PORT_MAX=30099"), whole);
        assertTrue(whole.contains("/aws/service/debian/release/12/latest/arm64"), "a Graviton type gets the arm64 image");

        assertThrowsWithMessage("overlap", () -> DeploymentSettings.fromContext(Map.<String, Object>of(
                "artifactBucket", "b", "secretArn", SECRET_ARN, "webrtcPorts", "45000-45999")::get));
        assertThrowsWithMessage("iceAllow", () -> DeploymentSettings.fromContext(Map.<String, Object>of(
                "artifactBucket", "b", "secretArn", SECRET_ARN, "iceAllow", "10.0.0.0/33")::get));
    }

    @Test
    void theTokenUrlOfTheMastersNamesTheLoadBalancer() {
        String nlb = logicalIdOfType("AWS::ElasticLoadBalancingV2::LoadBalancer", "LoadBalancer");
        JsonNode userData = launchTemplate("Master").path("Properties").path("LaunchTemplateData").path("UserData");
        // Fn::Base64 of Fn::Join: the literal ends with the variable's name, the next part is the NLB's DNS name
        JsonNode parts = userData.path("Fn::Base64").path("Fn::Join").get(1);
        boolean named = false;
        for (int i = 0; i + 1 < parts.size(); i++) {
            if (parts.get(i).asText().endsWith("\nTESSERA_PUBLIC_URL=http://")) {
                named = parts.get(i + 1).equals(JSON.valueToTree(Map.of("Fn::GetAtt", List.of(nlb, "DNSName"))));
            }
        }
        assertTrue(named, "TESSERA_PUBLIC_URL=http://<the NLB's DNS name> in " + userData);
        template.hasOutput("PublicUrl", Map.of("Value", Map.of("Fn::Join", List.of("",
                List.of("http://", Map.of("Fn::GetAtt", List.of(nlb, "DNSName")))))));
    }

    @Test
    void rootVolumesAreEncryptedAndRejectedTrafficIsLogged() {
        for (String prefix : List.of("Master", "Media")) {
            JsonNode devices = launchTemplate(prefix).path("Properties").path("LaunchTemplateData").path("BlockDeviceMappings");
            assertEquals("/dev/xvda", devices.get(0).path("DeviceName").asText());
            assertTrue(devices.get(0).path("Ebs").path("Encrypted").asBoolean(), prefix + ": " + devices);
        }
        template.hasResourceProperties("AWS::EC2::FlowLog", Map.of("TrafficType", "REJECT", "ResourceType", "VPC"));
    }

    private static String imageParameterOf(String prefix) {
        String parameter = launchTemplate(prefix).path("Properties").path("LaunchTemplateData").path("ImageId").path("Ref").asText();
        return JSON.valueToTree(template.toJSON()).path("Parameters").path(parameter).path("Default").asText();
    }

    private static JsonNode launchTemplate(String prefix) {
        return resources.get(logicalIdOfType("AWS::EC2::LaunchTemplate", prefix + "LaunchTemplate"));
    }

    private static String logicalIdOfType(String type, String prefix) {
        List<String> ids = new ArrayList<>();
        resources.fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals(type) && e.getKey().startsWith(prefix)) {
                ids.add(e.getKey());
            }
        });
        assertEquals(1, ids.size(), type + " " + prefix + ": " + ids);
        return ids.get(0);
    }

    @Test
    void noSecretValueInUserDataOnlyItsArnFetchedByTheInstanceRole() {
        List<JsonNode> templates = ofType("AWS::EC2::LaunchTemplate");
        assertEquals(2, templates.size());
        for (JsonNode launchTemplate : templates) {
            String userData = launchTemplate.path("Properties").path("LaunchTemplateData").path("UserData").toString();
            assertTrue(userData.contains("aws secretsmanager get-secret-value"), userData);
            assertTrue(userData.contains(SECRET_ARN));
            // every assignment of the secret takes it from the shell variable filled at boot
            for (String line : userData.split("\\\\n")) {
                if (line.contains("TESSERA_SECRET=")) {
                    assertEquals("TESSERA_SECRET=$CLUSTER_SECRET", line.trim(), line);
                }
            }
            assertTrue(userData.contains("Restart=always"));
            assertTrue(userData.contains("TESSERA_CLUSTER_FORMATION=bootstrap"));
        }
        String whole = JSON.valueToTree(template.toJSON()).toString();
        assertFalse(whole.contains("MY_SECRET"), "the development default secret is nowhere in the template");
        template.resourceCountIs("AWS::SecretsManager::Secret", 0);
        template.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Match.objectLike(Map.of(
                "Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Action", "secretsmanager:GetSecretValue", "Resource", SECRET_ARN))))))));
    }

    @Test
    void anSsmParameterCanHoldTheSecretInstead() {
        Template ssm = synth(Map.of("artifactBucket", "b", "secretParameter", "/tessera/secret"));
        String whole = JSON.valueToTree(ssm.toJSON()).toString();
        assertTrue(whole.contains("aws ssm get-parameter"));
        assertTrue(whole.contains("--with-decryption --name '/tessera/secret'"));
    }

    @Test
    void settingsRefuseFewerThanThreeMastersAndAMissingSecret() {
        assertThrowsWithMessage("masterMin", () -> DeploymentSettings.fromContext(
                Map.<String, Object>of("artifactBucket", "b", "secretArn", SECRET_ARN, "masterMin", "2")::get));
        assertThrowsWithMessage("secretArn", () -> DeploymentSettings.fromContext(
                Map.<String, Object>of("artifactBucket", "b")::get));
        assertThrowsWithMessage("artifactBucket", () -> DeploymentSettings.fromContext(Map.<String, Object>of()::get));
    }

    private static void assertThrowsWithMessage(String fragment, Runnable action) {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, action::run);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    private static List<JsonNode> ofType(String type) {
        List<JsonNode> found = new ArrayList<>();
        resources.fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals(type)) {
                found.add(e.getValue());
            }
        });
        return found;
    }

    private static String logicalId(String type, String description) {
        Map<String, String> ids = new HashMap<>();
        resources.fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals(type)) {
                ids.put(e.getValue().path("Properties").path("GroupDescription").asText(), e.getKey());
            }
        });
        return ids.get(description);
    }

    /** Every ingress rule, inline or standalone, with "_target" = the logical id of the group it opens. */
    private static List<JsonNode> ingress() {
        List<JsonNode> rules = new ArrayList<>();
        resources.fields().forEachRemaining(e -> {
            JsonNode r = e.getValue();
            if (r.path("Type").asText().equals("AWS::EC2::SecurityGroup")) {
                for (JsonNode rule : r.path("Properties").path("SecurityGroupIngress")) {
                    rules.add(((com.fasterxml.jackson.databind.node.ObjectNode) rule.deepCopy()).put("_target", e.getKey()));
                }
            } else if (r.path("Type").asText().equals("AWS::EC2::SecurityGroupIngress")) {
                JsonNode p = r.get("Properties");
                rules.add(((com.fasterxml.jackson.databind.node.ObjectNode) p.deepCopy())
                        .put("_target", p.path("GroupId").path("Fn::GetAtt").get(0).asText()));
            }
        });
        return rules;
    }
}
