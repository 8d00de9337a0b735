package io.tessera.aws.cdk;

import java.util.ArrayList;
import java.util.List;

/**
 * The boot script of a master or media instance: install Java (and on media nodes Janus) and the jars from S3,
 * fetch the cluster secret with the instance role into a root-only environment file, and start the node and the
 * scale-in handler as systemd units (on masters also the CloudWatch metric publisher). The secret's name is in here, its value never is.
 */
final class NodeUserData {
    static final String ENV_FILE = "/etc/tessera/tessera.env";
    static final String HOME = "/opt/tessera";
    static final String METRICS_UNIT = "tessera-metrics.service";

    enum Role {
        MASTER("master", "master-node", "io.tessera.master.MasterMain", ClusterPorts.MASTER_REMOTING, ClusterPorts.MASTER_HTTP),
        MEDIA("media", "media-node", "io.tessera.media.MediaMain", ClusterPorts.MEDIA_REMOTING, ClusterPorts.MEDIA_HTTP);

        final String name;
        final String module;
        final String mainClass;
        final int remotingPort;
        final int httpPort;

        Role(String name, String module, String mainClass, int remotingPort, int httpPort) {
            this.name = name;
            this.module = module;
            this.mainClass = mainClass;
            this.remotingPort = remotingPort;
            this.httpPort = httpPort;
        }

        String unit() {
            return "tessera-" + name + ".service";
        }
    }

    /**
     * @param region          the stack's region (a CDK token is fine)
     * @param ownGroup        this role's Auto Scaling group name
     * @param discoveryGroups both groups, comma separated: the Cluster Bootstrap contact points
     * @param lifecycleHook   this group's scale-in hook
     * @param publicUrl       the masters' URL behind the load balancer (tokens; the media handler's REST calls)
     * @param clusterName     the scaling metrics' Cluster dimension (the stack name)
     */
    static List<String> commands(Role role, DeploymentSettings settings, String region, String ownGroup,
                                 String discoveryGroups, String lifecycleHook, String publicUrl, String clusterName) {
        List<String> lines = new ArrayList<>();
        lines.add("set -euo pipefail");
        lines.addAll(packages(role, region));
        lines.add("id tessera >/dev/null 2>&1 || useradd --system --home-dir " + HOME + " --shell /sbin/nologin tessera");
        lines.add("mkdir -p " + HOME + " /etc/tessera");
        lines.add("aws s3 cp --region " + region + " 's3://" + settings.artifactBucket() + "/" + settings.artifactKey()
                + "' /tmp/tessera-dist.tar.gz");
        lines.add("tar -xzf /tmp/tessera-dist.tar.gz -C " + HOME + " && rm /tmp/tessera-dist.tar.gz");
        lines.add("IMDS_TOKEN=$(curl -sf -X PUT http://169.254.169.254/latest/api/token "
                + "-H 'X-aws-ec2-metadata-token-ttl-seconds: 300')");
        lines.add("imds() { curl -sf -H \"X-aws-ec2-metadata-token: $IMDS_TOKEN\" http://169.254.169.254/latest/meta-data/$1; }");
        lines.add("INSTANCE_ID=$(imds instance-id)");
        lines.add("PRIVATE_IP=$(imds local-ipv4)");
        lines.add(role == Role.MEDIA ? "PUBLIC_IP=$(imds public-ipv4)" : "PUBLIC_IP=");
        lines.add("CLUSTER_SECRET=$(" + secretFetch(settings, region) + ")");
        lines.add("umask 077");
        lines.add("cat > " + ENV_FILE + " <<EOF");
        lines.add("TESSERA_ROLE=" + role.name);
        lines.add("TESSERA_NODE_ID=" + role.name + "-$INSTANCE_ID");
        lines.add("TESSERA_HOST=$PRIVATE_IP");
        lines.add("TESSERA_PORT=" + role.remotingPort);
        lines.add("TESSERA_HTTP_PORT=" + role.httpPort);
        lines.add("TESSERA_CLUSTER_FORMATION=bootstrap");
        lines.add("TESSERA_DISCOVERY_GROUPS=" + discoveryGroups);
        lines.add("TESSERA_MANAGEMENT_PORT=" + ClusterPorts.MANAGEMENT);
        lines.add("TESSERA_SECRET=$CLUSTER_SECRET");
        if (role == Role.MASTER) {
            lines.add("TESSERA_PUBLIC_URL=" + publicUrl);
        } else {
            // The address clients send media to: the plain RTP engine's SDP and Janus's nat_1_1_mapping.
            lines.add("TESSERA_PUBLIC_ADDRESS=$PUBLIC_IP");
            lines.add("TESSERA_RTP_PORT_MIN=" + settings.rtpPortFrom());
            lines.add("TESSERA_RTP_PORT_MAX=" + settings.rtpPortTo());
            lines.add("TESSERA_WEBRTC_ENGINE=janus");
            lines.add("TESSERA_SENTINEL_PORT=" + ClusterPorts.MEDIA_SENTINEL);
            lines.add("TESSERA_WEBRTC_PORT_MIN=" + settings.webrtcPortFrom());
            lines.add("TESSERA_WEBRTC_PORT_MAX=" + settings.webrtcPortTo());
            lines.add("TESSERA_ICE_ALLOW=" + String.join(",", settings.iceAllow()));
        }
        lines.add("TESSERA_MASTER_URL=" + publicUrl);
        lines.add("TESSERA_ASG_NAME=" + ownGroup);
        lines.add("TESSERA_LIFECYCLE_HOOK=" + lifecycleHook);
        lines.add("TESSERA_DRAIN_TIMEOUT_SECONDS=" + settings.mediaDrainSeconds());
        // Every node: masters replaced at new addresses after all of them died down the old ones once more than
        // half of the group's maximum are back (docs/ARCHITECTURE.md "Membership").
        lines.add("TESSERA_MAX_MASTERS=" + settings.masterMax());
        lines.add("AWS_REGION=" + region);
        if (role == Role.MASTER) {
            lines.add("TESSERA_CLUSTER_NAME=" + clusterName);
        }
        lines.add("JAVA_OPTS=" + settings.javaOpts());
        lines.add("EOF");
        lines.add("unset CLUSTER_SECRET");
        lines.addAll(unit(role.unit(), "Tessera " + role.name + " node", "tessera", "always",
                classPath(role.module, "tessera-" + role.module + ".jar") + ":" + classPath("aws-discovery", "tessera-aws-discovery.jar"),
                role.mainClass));
        // root: it stops the node's unit with systemctl when the instance is scaled in.
        lines.addAll(unit("tessera-lifecycle.service", "Tessera scale-in handler", "root", "on-failure",
                classPath("aws-lifecycle", "tessera-aws-lifecycle.jar"), "io.tessera.aws.lifecycle.LifecycleHandlerMain"));
        String units = role.unit() + " tessera-lifecycle.service";
        if (role == Role.MASTER) {
            // Reads this master's /openvidu/api/cluster once a minute and puts the scaling metrics into CloudWatch.
            lines.addAll(unit(METRICS_UNIT, "Tessera CloudWatch metric publisher", "tessera", "always",
                    classPath("aws-metrics", "tessera-aws-metrics.jar"), "io.tessera.aws.metrics.MetricsPublisherMain"));
            units += " " + METRICS_UNIT;
        }
        lines.add("systemctl daemon-reload");
        lines.add("systemctl enable --now " + units);
        return lines;
    }

    /**
     * Masters run Amazon Linux 2023 (Corretto, AWS CLI and the SSM agent come with it). Media nodes run Debian 12,
     * where Janus, the WebRTC engine, is a package ({@code janus}, 1.1.2): the media node starts and supervises its
     * own Janus process, so the package's own unit is stopped and disabled. Debian's image has neither the AWS CLI
     * (a package) nor the SSM agent (AWS publishes its .deb per region) that Session Manager needs.
     */
    private static List<String> packages(Role role, String region) {
        if (role == Role.MASTER) {
            return List.of("dnf install -y -q java-17-amazon-corretto-headless");
        }
        return List.of(
                "export DEBIAN_FRONTEND=noninteractive",
                "apt-get update -q",
                "apt-get install -y -q --no-install-recommends openjdk-17-jre-headless janus awscli curl ca-certificates",
                "systemctl disable --now janus.service",
                "dpkg-query -W janus",
                "ARCH=$(dpkg --print-architecture)",
                "curl -sfL -o /tmp/amazon-ssm-agent.deb https://s3." + region + ".amazonaws.com/amazon-ssm-" + region
                        + "/latest/debian_$ARCH/amazon-ssm-agent.deb",
                "dpkg -i /tmp/amazon-ssm-agent.deb && rm /tmp/amazon-ssm-agent.deb");
    }

    private static String secretFetch(DeploymentSettings settings, String region) {
        return settings.secretArn()
                .map(arn -> "aws secretsmanager get-secret-value --region " + region + " --secret-id '" + arn
                        + "' --query SecretString --output text")
                .orElseGet(() -> "aws ssm get-parameter --region " + region + " --with-decryption --name '"
                        + settings.secretParameter().orElseThrow() + "' --query Parameter.Value --output text");
    }

    private static String classPath(String dir, String jar) {
        return HOME + "/" + dir + "/" + jar + ":" + HOME + "/" + dir + "/lib/*";
    }

    /** Restart=always on nodes: a fenced or downed node exits and comes back as a new cluster member. */
    private static List<String> unit(String name, String description, String user, String restart, String classPath,
                                     String mainClass) {
        return List.of(
                "cat > /etc/systemd/system/" + name + " <<'EOF'",
                "[Unit]",
                "Description=" + description,
                "Wants=network-online.target",
                "After=network-online.target",
                "[Service]",
                "User=" + user,
                "EnvironmentFile=" + ENV_FILE,
                "ExecStart=/usr/bin/java $JAVA_OPTS -cp " + classPath + " " + mainClass,
                "Restart=" + restart,
                "RestartSec=2",
                // SIGTERM runs Pekko's coordinated shutdown (leave the cluster); give it time before SIGKILL.
                "TimeoutStopSec=60",
                "LimitNOFILE=65536",
                "[Install]",
                "WantedBy=multi-user.target",
                "EOF");
    }

    private NodeUserData() {
    }
}
