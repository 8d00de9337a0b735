package io.tessera.aws.cdk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Everything a deployment chooses, from CDK context ({@code cdk deploy -c key=value}, defaults in cdk.json).
 * The cluster secret is named here (a Secrets Manager ARN or an SSM SecureString name), never given: the
 * instances fetch it at boot with their role.
 */
public record DeploymentSettings(
        String stackName,
        String artifactBucket,
        String artifactKey,
        Optional<String> secretArn,
        Optional<String> secretParameter,
        String masterInstanceType,
        String mediaInstanceType,
        int masterMin,
        int masterMax,
        int mediaMin,
        int mediaMax,
        int rtpPortFrom,
        int rtpPortTo,
        int webrtcPortFrom,
        int webrtcPortTo,
        List<String> iceAllow,
        List<String> availabilityZones,
        int natGateways,
        Optional<String> certificateArn,
        Optional<String> domainName,
        int mediaDrainSeconds,
        double mediaLoadRatioTarget,
        double masterConnectionsTarget,
        String javaOpts) {

    public DeploymentSettings {
        if (masterMin < 3) {
            throw new IllegalArgumentException("masterMin must be at least 3: a majority of masters must survive one loss");
        }
        if (secretArn.isPresent() == secretParameter.isPresent()) {
            throw new IllegalArgumentException("give exactly one of secretArn (Secrets Manager) and secretParameter (SSM SecureString)");
        }
        if (rtpPortFrom < 1024 || rtpPortTo > 65535 || rtpPortFrom > rtpPortTo) {
            throw new IllegalArgumentException("rtpPorts must be a range like 40000-49999");
        }
        if (webrtcPortFrom < 1024 || webrtcPortTo > 65535 || webrtcPortFrom > webrtcPortTo) {
            throw new IllegalArgumentException("webrtcPorts must be a range like 20000-20999");
        }
        if (rtpPortFrom <= webrtcPortTo && webrtcPortFrom <= rtpPortTo) {
            throw new IllegalArgumentException("rtpPorts and webrtcPorts overlap: the plain RTP engine and Janus need ports of their own");
        }
        if (iceAllow.isEmpty() || !iceAllow.stream().allMatch(cidr -> IPV4_CIDR.matcher(cidr).matches())) {
            throw new IllegalArgumentException("iceAllow must be IPv4 CIDRs, comma separated, like 0.0.0.0/0: " + iceAllow);
        }
        if (certificateArn.isPresent() != domainName.isPresent()) {
            throw new IllegalArgumentException("certificateArn and domainName go together (TLS listener)");
        }
    }

    private static final Pattern IPV4_CIDR = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)/(3[0-2]|[12]?\\d)");

    public boolean tls() {
        return certificateArn.isPresent();
    }

    public static DeploymentSettings fromContext(Function<String, Object> context) {
        Context c = new Context(context);
        int[] rtp = c.range("rtpPorts", "40000-49999");
        int[] webrtc = c.range("webrtcPorts", "20000-20999");
        String artifactBucket = c.required("artifactBucket");
        c.failIfMissing();
        return new DeploymentSettings(
                c.string("stackName", "tessera"),
                artifactBucket,
                c.string("artifactKey", "tessera/tessera-aws-dist.tar.gz"),
                c.optional("secretArn"),
                c.optional("secretParameter"),
                c.string("masterInstanceType", "t3.small"),
                c.string("mediaInstanceType", "t3.medium"),
                c.integer("masterMin", 3), c.integer("masterMax", 5),
                c.integer("mediaMin", 2), c.integer("mediaMax", 10),
                rtp[0], rtp[1],
                webrtc[0], webrtc[1],
                c.list("iceAllow", "0.0.0.0/0"),
                c.list("availabilityZones", ""),
                c.integer("natGateways", 1),
                c.optional("certificateArn"),
                c.optional("domainName"),
                c.integer("mediaDrainSeconds", 1800),
                c.decimal("mediaLoadRatioTarget", 0.6),
                c.decimal("masterConnectionsTarget", 3000),
                c.string("javaOpts", "-XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError"));
    }

    /** Context values arrive as strings from the command line and as JSON values from cdk.json. */
    private static final class Context {
        private final Function<String, Object> lookup;
        private final List<String> missing = new ArrayList<>();

        Context(Function<String, Object> lookup) {
            this.lookup = lookup;
        }

        Optional<String> optional(String key) {
            Object value = lookup.apply(key);
            return value == null || value.toString().isBlank() ? Optional.empty() : Optional.of(value.toString().trim());
        }

        String required(String key) {
            return optional(key).orElseGet(() -> {
                missing.add(key);
                return "";
            });
        }

        String string(String key, String fallback) {
            return optional(key).orElse(fallback);
        }

        int integer(String key, int fallback) {
            return optional(key).map(v -> (int) Double.parseDouble(v)).orElse(fallback);
        }

        double decimal(String key, double fallback) {
            return optional(key).map(Double::parseDouble).orElse(fallback);
        }

        List<String> list(String key, String fallback) {
            return Arrays.stream(string(key, fallback).replaceAll("[\\[\\]\"]", "").split(","))
                    .map(String::trim).filter(s -> !s.isEmpty()).toList();
        }

        int[] range(String key, String fallback) {
            String[] parts = string(key, fallback).split("-");
            return new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[parts.length - 1].trim())};
        }

        void failIfMissing() {
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("missing context (cdk deploy -c key=value): " + String.join(", ", missing));
            }
        }
    }
}
