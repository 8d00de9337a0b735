package io.tessera.aws.cdk;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.cxapi.SynthesisMessage;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * cdk-nag's AWS Solutions rule pack over the synthesized app: no error and no warning may be left unsuppressed.
 * Each suppression names the finding it accepts and why; deploy/aws/README.md ("cdk-nag") lists the same.
 */
class AwsSolutionsNagTest {
    private static final String SECRET_ARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:tessera-cluster-AbCdEf";
    private static final String SSM_CORE = "Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore";

    private record Suppression(String path, String rule, List<String> appliesTo, String reason) {
    }

    private static final List<Suppression> SUPPRESSIONS = List.of(
            new Suppression("LoadBalancerSecurityGroup/Resource", "AwsSolutions-EC23", List.of(),
                    "the public listener (80, or 443 with TLS) is the cluster's front door for clients and application servers"),
            new Suppression("MediaSecurityGroup/Resource", "AwsSolutions-EC23", List.of(),
                    "browsers and RTP senders reach media nodes directly on the UDP media ranges, from any address"),
            new Suppression("LoadBalancer/Resource", "AwsSolutions-ELB2", List.of(),
                    "NLB access logs cover TLS listeners only and need a bucket of their own; the masters log every request"),
            new Suppression("MasterGroup/ASG", "AwsSolutions-AS3", List.of(),
                    "scale-in goes through lifecycle hooks handled on the instance; group activity is in the Auto Scaling history"),
            new Suppression("MediaGroup/ASG", "AwsSolutions-AS3", List.of(),
                    "scale-in goes through lifecycle hooks handled on the instance; group activity is in the Auto Scaling history"),
            new Suppression("MasterInstanceRole/Resource", "AwsSolutions-IAM4", List.of(SSM_CORE),
                    "Session Manager instead of SSH: the AWS-maintained policy is the agent's documented minimum"),
            new Suppression("MediaInstanceRole/Resource", "AwsSolutions-IAM4", List.of(SSM_CORE),
                    "Session Manager instead of SSH: the AWS-maintained policy is the agent's documented minimum"),
            new Suppression("MasterInstanceRole/DefaultPolicy/Resource", "AwsSolutions-IAM5", List.of("Resource::*"),
                    "DescribeAutoScalingGroups, DescribeInstances and PutMetricData take no resource; PutMetricData is "
                            + "conditioned on the Tessera namespace"),
            new Suppression("MediaInstanceRole/DefaultPolicy/Resource", "AwsSolutions-IAM5", List.of("Resource::*"),
                    "DescribeAutoScalingGroups and DescribeInstances take no resource"),
            new Suppression("MasterInstanceRole/DefaultPolicy/Resource", "AwsSolutions-IAM5",
                    List.of("Resource::arn:<AWS::Partition>:autoscaling:<AWS::Region>:<AWS::AccountId>:autoScalingGroup:*"
                            + ":autoScalingGroupName/<AWS::StackName>-masters"),
                    "the wildcard is the group's generated id; the group name pins the lifecycle actions to this group"),
            new Suppression("MediaInstanceRole/DefaultPolicy/Resource", "AwsSolutions-IAM5",
                    List.of("Resource::arn:<AWS::Partition>:autoscaling:<AWS::Region>:<AWS::AccountId>:autoScalingGroup:*"
                            + ":autoScalingGroupName/<AWS::StackName>-media"),
                    "the wildcard is the group's generated id; the group name pins the lifecycle actions to this group"));

    @Test
    void noUnsuppressedAwsSolutionsErrorOrWarning() {
        for (Map<String, Object> context : List.of(
                Map.<String, Object>of("artifactBucket", "b", "secretArn", SECRET_ARN),
                Map.<String, Object>of("artifactBucket", "b", "secretParameter", "/tessera/secret",
                        "certificateArn", "arn:aws:acm:us-east-1:111122223333:certificate/abc", "domainName", "media.example.org"))) {
            App app = new App();
            TesseraStack stack = new TesseraStack(app, "tessera", StackProps.builder().build(),
                    DeploymentSettings.fromContext(context::get));
            for (Suppression suppression : SUPPRESSIONS) {
                NagPackSuppression.Builder builder = NagPackSuppression.builder().id(suppression.rule()).reason(suppression.reason());
                if (!suppression.appliesTo().isEmpty()) { // an empty list would suppress no finding at all
                    builder.appliesTo(suppression.appliesTo());
                }
                NagSuppressions.addResourceSuppressionsByPath(stack, "/" + stack.getStackName() + "/" + suppression.path(),
                        List.of(builder.build()));
            }
            Aspects.of(app).add(new AwsSolutionsChecks(NagPackProps.builder().verbose(true).build()));
            Annotations annotations = Annotations.fromStack(stack);
            List<SynthesisMessage> errors = annotations.findError("*", Match.stringLikeRegexp("AwsSolutions-.*"));
            List<SynthesisMessage> warnings = annotations.findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*"));
            assertEquals(List.of(), describe(errors), "cdk-nag errors with " + context.keySet());
            assertEquals(List.of(), describe(warnings), "cdk-nag warnings with " + context.keySet());
        }
    }

    private static List<String> describe(List<SynthesisMessage> messages) {
        return messages.stream().map(m -> m.getId() + ": " + m.getEntry().getData()).toList();
    }
}
