package io.tessera.aws.cdk;

import io.tessera.aws.metrics.ScalingMetrics;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.ec2.BlockDevice;
import software.amazon.awscdk.services.ec2.BlockDeviceVolume;
import software.amazon.awscdk.services.ec2.EbsDeviceOptions;
import software.amazon.awscdk.services.ec2.EbsDeviceVolumeType;
import software.amazon.awscdk.services.ec2.AmazonLinux2023ImageSsmParameterProps;
import software.amazon.awscdk.services.ec2.AmazonLinuxCpuType;
import software.amazon.awscdk.services.ec2.FlowLogDestination;
import software.amazon.awscdk.services.ec2.FlowLogOptions;
import software.amazon.awscdk.services.ec2.FlowLogTrafficType;
import software.amazon.awscdk.services.ec2.IMachineImage;
import software.amazon.awscdk.services.ec2.InstanceArchitecture;
import software.amazon.awscdk.services.ec2.OperatingSystemType;
import software.amazon.awscdk.services.ec2.SsmParameterImageOptions;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.autoscaling.AdditionalHealthCheckType;
import software.amazon.awscdk.services.autoscaling.AdditionalHealthChecksOptions;
import software.amazon.awscdk.services.autoscaling.AutoScalingGroup;
import software.amazon.awscdk.services.autoscaling.BasicLifecycleHookProps;
import software.amazon.awscdk.services.autoscaling.DefaultResult;
import software.amazon.awscdk.services.autoscaling.HealthChecks;
import software.amazon.awscdk.services.autoscaling.LifecycleTransition;
import software.amazon.awscdk.services.autoscaling.MetricTargetTrackingProps;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.ec2.InstanceType;
import software.amazon.awscdk.services.ec2.LaunchTemplate;
import software.amazon.awscdk.services.ec2.MachineImage;
import software.amazon.awscdk.services.ec2.Peer;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.SubnetConfiguration;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.UserData;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.elasticloadbalancingv2.AddNetworkTargetsProps;
import software.amazon.awscdk.services.elasticloadbalancingv2.BaseNetworkListenerProps;
import software.amazon.awscdk.services.elasticloadbalancingv2.ListenerCertificate;
import software.amazon.awscdk.services.elasticloadbalancingv2.NetworkListener;
import software.amazon.awscdk.services.elasticloadbalancingv2.NetworkLoadBalancer;
import software.amazon.awscdk.services.elasticloadbalancingv2.Protocol;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.constructs.Construct;

import java.util.List;
import java.util.Map;

/**
 * Tessera on AWS: masters in an Auto Scaling group (at least 3, spread over the VPC's AZs) behind a Network Load
 * Balancer, media nodes in a second group in public subnets (clients send RTP to them directly), both forming
 * one Pekko cluster through Cluster Bootstrap over the two groups, scaled on the cluster's CloudWatch metrics and
 * drained on scale-in through lifecycle hooks.
 */
public final class TesseraStack extends Stack {
    static final String DEBIAN_12_AMI_PARAMETER = "/aws/service/debian/release/12/latest/";
    /** Both images (Amazon Linux 2023 and Debian 12) name their root volume so and ship it at 8 GiB. */
    private static final String ROOT_DEVICE = "/dev/xvda";
    private static final int ROOT_VOLUME_GIB = 8;
    private final DeploymentSettings settings;

    public TesseraStack(Construct scope, String id, StackProps props, DeploymentSettings settings) {
        super(scope, id, props);
        this.settings = settings;

        Vpc vpc = vpc();
        SecurityGroup lbSg = securityGroup(vpc, "LoadBalancerSecurityGroup", "Tessera NLB: clients and application servers");
        SecurityGroup masterSg = securityGroup(vpc, "MasterSecurityGroup", "Tessera masters");
        SecurityGroup mediaSg = securityGroup(vpc, "MediaSecurityGroup", "Tessera media nodes");
        clusterRules(lbSg, masterSg, mediaSg);

        // Fixed names: each group's user data names both groups, and tokens would make the templates depend on each other.
        String masterGroupName = Aws.STACK_NAME + "-masters";
        String mediaGroupName = Aws.STACK_NAME + "-media";
        String discoveryGroups = masterGroupName + "," + mediaGroupName;

        NetworkLoadBalancer nlb = NetworkLoadBalancer.Builder.create(this, "LoadBalancer").vpc(vpc)
                .internetFacing(true).crossZoneEnabled(true).securityGroups(List.of(lbSg)).build();
        String publicUrl = settings.tls() ? "https://" + settings.domainName().orElseThrow()
                : "http://" + nlb.getLoadBalancerDnsName();

        AutoScalingGroup masters = group(NodeUserData.Role.MASTER, vpc, masterSg, masterGroupName, discoveryGroups,
                publicUrl, settings.masterInstanceType(), settings.masterMin(), settings.masterMax(),
                SubnetType.PRIVATE_WITH_EGRESS, false);
        AutoScalingGroup media = group(NodeUserData.Role.MEDIA, vpc, mediaSg, mediaGroupName, discoveryGroups,
                publicUrl, settings.mediaInstanceType(), settings.mediaMin(), settings.mediaMax(),
                SubnetType.PUBLIC, true);

        listener(nlb).addTargets("Masters", AddNetworkTargetsProps.builder()
                .port(ClusterPorts.MASTER_HTTP).protocol(Protocol.TCP).targets(List.of(masters))
                // Clients reconnect to another master (SDK failover); no need to hold a leaving one long.
                .deregistrationDelay(Duration.seconds(30))
                .healthCheck(software.amazon.awscdk.services.elasticloadbalancingv2.HealthCheck.builder()
                        .protocol(Protocol.HTTP).port(String.valueOf(ClusterPorts.MASTER_HTTP)).path("/health/ready")
                        .interval(Duration.seconds(5)).timeout(Duration.seconds(3))
                        .healthyThresholdCount(2).unhealthyThresholdCount(2).build())
                .build());

        masters.scaleToTrackMetric("MasterConnectionsTracking", MetricTargetTrackingProps.builder()
                .metric(clusterMetric(ScalingMetrics.MASTER_CONNECTIONS))
                .targetValue(settings.masterConnectionsTarget()).build());
        media.scaleToTrackMetric("MediaLoadRatioTracking", MetricTargetTrackingProps.builder()
                .metric(clusterMetric(ScalingMetrics.MEDIA_NODE_LOAD_RATIO))
                .targetValue(settings.mediaLoadRatioTarget()).build());

        CfnOutput.Builder.create(this, "PublicUrl").value(publicUrl)
                .description("Masters' REST and WebSocket URL (OpenVidu URL for application servers)").build();
        CfnOutput.Builder.create(this, "LoadBalancerDnsName").value(nlb.getLoadBalancerDnsName()).build();
        CfnOutput.Builder.create(this, "MasterGroupName").value(masterGroupName).build();
        CfnOutput.Builder.create(this, "MediaGroupName").value(mediaGroupName).build();
    }

    private Vpc vpc() {
        Vpc.Builder vpc = Vpc.Builder.create(this, "Vpc")
                .natGateways(settings.natGateways())
                .restrictDefaultSecurityGroup(false)
                .subnetConfiguration(List.of(
                        SubnetConfiguration.builder().name("public").subnetType(SubnetType.PUBLIC).cidrMask(24)
                                .mapPublicIpOnLaunch(true).build(),
                        SubnetConfiguration.builder().name("private").subnetType(SubnetType.PRIVATE_WITH_EGRESS)
                                .cidrMask(22).build()));
        // Three AZs keep a majority of three masters through the loss of one AZ; two (the default of an
        // environment-agnostic stack) do not.
        Vpc built = settings.availabilityZones().isEmpty() ? vpc.maxAzs(3).build()
                : vpc.availabilityZones(settings.availabilityZones()).build();
        // Rejected packets only: what it takes to see a security group dropping RTP or cluster traffic, at little cost.
        built.addFlowLog("RejectedTraffic", FlowLogOptions.builder().trafficType(FlowLogTrafficType.REJECT)
                .destination(FlowLogDestination.toCloudWatchLogs(LogGroup.Builder.create(this, "RejectedTrafficLog")
                        .retention(RetentionDays.ONE_MONTH).removalPolicy(RemovalPolicy.DESTROY).build()))
                .build());
        return built;
    }

    private SecurityGroup securityGroup(Vpc vpc, String id, String description) {
        return SecurityGroup.Builder.create(this, id).vpc(vpc).description(description).allowAllOutbound(true).build();
    }

    /** Only the two node groups reach remoting and management; the world reaches the LB and the RTP ports. */
    private void clusterRules(SecurityGroup lbSg, SecurityGroup masterSg, SecurityGroup mediaSg) {
        int listenerPort = settings.tls() ? 443 : 80;
        lbSg.addIngressRule(Peer.anyIpv4(), Port.tcp(listenerPort), "clients and application servers");
        masterSg.addIngressRule(lbSg, Port.tcp(ClusterPorts.MASTER_HTTP), "REST, WebSocket and health checks from the NLB");
        for (SecurityGroup member : List.of(masterSg, mediaSg)) {
            for (SecurityGroup peer : List.of(masterSg, mediaSg)) {
                member.addIngressRule(peer, Port.tcp(ClusterPorts.MASTER_REMOTING), "Pekko remoting (masters)");
                member.addIngressRule(peer, Port.tcp(ClusterPorts.MEDIA_REMOTING), "Pekko remoting (media)");
                member.addIngressRule(peer, Port.tcp(ClusterPorts.MANAGEMENT), "Cluster Bootstrap probes");
            }
        }
        mediaSg.addIngressRule(masterSg, Port.tcp(ClusterPorts.MEDIA_SENTINEL),
                "process sentinel: the masters' crash watch");
        mediaSg.addIngressRule(Peer.anyIpv4(), Port.udpRange(settings.rtpPortFrom(), settings.rtpPortTo()), "RTP from clients");
        // Janus's RTP and ICE ports: only from where ICE candidates are allowed (TESSERA_ICE_ALLOW, 0.0.0.0/0 by default).
        for (String cidr : settings.iceAllow()) {
            mediaSg.addIngressRule(Peer.ipv4(cidr), Port.udpRange(settings.webrtcPortFrom(), settings.webrtcPortTo()),
                    "WebRTC (Janus ICE and SRTP) from clients");
        }
    }

    private NetworkListener listener(NetworkLoadBalancer nlb) {
        // TCP or TLS (terminated at the NLB): WebSocket upgrades pass either way, unlike an HTTP-aware listener.
        BaseNetworkListenerProps.Builder listener = BaseNetworkListenerProps.builder();
        if (settings.tls()) {
            listener.port(443).protocol(Protocol.TLS)
                    .certificates(List.of(ListenerCertificate.fromArn(settings.certificateArn().orElseThrow())));
        } else {
            listener.port(80).protocol(Protocol.TCP);
        }
        return nlb.addListener("Listener", listener.build());
    }

    private AutoScalingGroup group(NodeUserData.Role role, Vpc vpc, SecurityGroup sg, String groupName,
                                   String discoveryGroups, String publicUrl, String instanceType, int min, int max,
                                   SubnetType subnets, boolean publicIp) {
        String prefix = role == NodeUserData.Role.MASTER ? "Master" : "Media";
        String hookName = groupName + "-scale-in";
        Role instanceRole = instanceRole(prefix, groupName);
        if (role == NodeUserData.Role.MASTER) {
            instanceRole.addToPolicy(PolicyStatement.Builder.create()
                    .actions(List.of("cloudwatch:PutMetricData"))
                    .resources(List.of("*")) // PutMetricData takes no resource; the namespace condition narrows it
                    .conditions(Map.of("StringEquals", Map.of("cloudwatch:namespace", ScalingMetrics.NAMESPACE)))
                    .build());
        }
        UserData userData = UserData.forLinux();
        userData.addCommands(NodeUserData.commands(role, settings, Aws.REGION, groupName, discoveryGroups, hookName,
                publicUrl, Aws.STACK_NAME).toArray(String[]::new));
        InstanceType type = new InstanceType(instanceType);
        LaunchTemplate template = LaunchTemplate.Builder.create(this, prefix + "LaunchTemplate")
                .machineImage(role == NodeUserData.Role.MASTER ? MachineImage.latestAmazonLinux2023(
                        AmazonLinux2023ImageSsmParameterProps.builder().cpuType(amazonLinuxCpu(type)).build())
                        : debian12(type))
                .instanceType(type)
                .blockDevices(List.of(BlockDevice.builder().deviceName(ROOT_DEVICE)
                        .volume(BlockDeviceVolume.ebs(ROOT_VOLUME_GIB, EbsDeviceOptions.builder()
                                .encrypted(true).volumeType(EbsDeviceVolumeType.GP3).deleteOnTermination(true).build()))
                        .build()))
                .securityGroup(sg).role(instanceRole).userData(userData)
                .requireImdsv2(true).associatePublicIpAddress(publicIp)
                .build();
        AutoScalingGroup.Builder group = AutoScalingGroup.Builder.create(this, prefix + "Group")
                .vpc(vpc).vpcSubnets(SubnetSelection.builder().subnetType(subnets).build())
                .autoScalingGroupName(groupName).launchTemplate(template)
                .minCapacity(min).maxCapacity(max);
        if (role == NodeUserData.Role.MASTER) {
            // Replace a master the NLB sees unready for long, not just one whose EC2 status fails.
            group.healthChecks(HealthChecks.withAdditionalChecks(AdditionalHealthChecksOptions.builder()
                    .additionalTypes(List.of(AdditionalHealthCheckType.ELB)).gracePeriod(Duration.minutes(5)).build()));
        }
        AutoScalingGroup asg = group.build();
        asg.addLifecycleHook("ScaleInHook", BasicLifecycleHookProps.builder()
                .lifecycleHookName(hookName)
                .lifecycleTransition(LifecycleTransition.INSTANCE_TERMINATING)
                // The handler heartbeats every minute while it drains; if it dies, the instance goes anyway.
                .heartbeatTimeout(Duration.minutes(5))
                .defaultResult(DefaultResult.CONTINUE)
                .build());
        return asg;
    }

    /**
     * The Debian project publishes the AMI ids of its official Debian 12 (bookworm) images in every region as public
     * SSM parameters; CloudFormation resolves the parameter at each deploy, so an update picks up the newest point
     * release and the template needs no per-region ids or lookups.
     */
    private static IMachineImage debian12(InstanceType type) {
        String arch = type.getArchitecture() == InstanceArchitecture.ARM_64 ? "arm64" : "amd64";
        return MachineImage.fromSsmParameter(DEBIAN_12_AMI_PARAMETER + arch,
                SsmParameterImageOptions.builder().os(OperatingSystemType.LINUX).build());
    }

    private static AmazonLinuxCpuType amazonLinuxCpu(InstanceType type) {
        return type.getArchitecture() == InstanceArchitecture.ARM_64 ? AmazonLinuxCpuType.ARM_64 : AmazonLinuxCpuType.X86_64;
    }

    private Role instanceRole(String prefix, String groupName) {
        Role role = Role.Builder.create(this, prefix + "InstanceRole")
                .assumedBy(new ServicePrincipal("ec2.amazonaws.com"))
                // Session Manager instead of SSH: no key pairs, no port 22.
                .managedPolicies(List.of(ManagedPolicy.fromAwsManagedPolicyName("AmazonSSMManagedInstanceCore")))
                .build();
        role.addToPolicy(PolicyStatement.Builder.create()
                .actions(List.of("autoscaling:DescribeAutoScalingGroups", "ec2:DescribeInstances"))
                .resources(List.of("*")) // these describe calls take no resource-level permissions
                .build());
        role.addToPolicy(PolicyStatement.Builder.create()
                .actions(List.of("autoscaling:CompleteLifecycleAction", "autoscaling:RecordLifecycleActionHeartbeat"))
                .resources(List.of("arn:" + Aws.PARTITION + ":autoscaling:" + Aws.REGION + ":" + Aws.ACCOUNT_ID
                        + ":autoScalingGroup:*:autoScalingGroupName/" + groupName))
                .build());
        role.addToPolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:GetObject"))
                .resources(List.of("arn:" + Aws.PARTITION + ":s3:::" + settings.artifactBucket() + "/" + settings.artifactKey()))
                .build());
        role.addToPolicy(settings.secretArn()
                .map(arn -> PolicyStatement.Builder.create().actions(List.of("secretsmanager:GetSecretValue"))
                        .resources(List.of(arn)).build())
                .orElseGet(() -> PolicyStatement.Builder.create().actions(List.of("ssm:GetParameter"))
                        .resources(List.of("arn:" + Aws.PARTITION + ":ssm:" + Aws.REGION + ":" + Aws.ACCOUNT_ID
                                + ":parameter/" + settings.secretParameter().orElseThrow().replaceFirst("^/", "")))
                        .build()));
        return role;
    }

    private Metric clusterMetric(String name) {
        return Metric.Builder.create().namespace(ScalingMetrics.NAMESPACE).metricName(name)
                .dimensionsMap(Map.of(ScalingMetrics.CLUSTER_DIMENSION, Aws.STACK_NAME))
                .statistic("Average").period(Duration.minutes(1)).build();
    }
}
