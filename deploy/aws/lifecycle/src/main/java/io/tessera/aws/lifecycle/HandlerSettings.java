package io.tessera.aws.lifecycle;

import io.tessera.aws.discovery.AwsClients;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the scale-in handler needs, from the environment the instance's systemd unit gives it.
 *
 * @param drainTimeout the drain deadline the masters get: sessions still on the node then are moved
 * @param moveGrace    how long after that deadline the handler waits for the moves before it stops the node anyway
 */
public record HandlerSettings(
        Role role,
        String nodeId,
        URI masterUrl,
        String secret,
        String autoScalingGroup,
        String lifecycleHook,
        String serviceUnit,
        URI metadataEndpoint,
        Duration pollInterval,
        Duration heartbeatInterval,
        Duration drainTimeout,
        Duration moveGrace,
        AwsClients aws) {

    public enum Role { MASTER, MEDIA }

    @Override
    public String toString() {
        // Never print the secret, nor credentials an operator may have put into the URL.
        return "HandlerSettings[role=" + role + ", nodeId=" + nodeId + ", masterUrl=" + withoutUserInfo(masterUrl)
                + ", autoScalingGroup=" + autoScalingGroup + ", lifecycleHook=" + lifecycleHook
                + ", serviceUnit=" + serviceUnit + ", drainTimeout=" + drainTimeout + ", moveGrace=" + moveGrace + "]";
    }

    public static HandlerSettings fromEnv(Map<String, String> env) {
        List<String> missing = new ArrayList<>();
        Role role = Role.valueOf(required(env, "TESSERA_ROLE", missing, "media").toUpperCase(Locale.ROOT));
        String nodeId = required(env, "TESSERA_NODE_ID", missing, null);
        String group = required(env, "TESSERA_ASG_NAME", missing, null);
        String hook = required(env, "TESSERA_LIFECYCLE_HOOK", missing, null);
        String masterUrl = role == Role.MEDIA ? required(env, "TESSERA_MASTER_URL", missing, null) : "";
        String secret = role == Role.MEDIA ? required(env, "TESSERA_SECRET", missing, null) : "";
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("missing environment variables: " + String.join(", ", missing));
        }
        return new HandlerSettings(role, nodeId, URI.create(stripSlash(masterUrl)), secret, group, hook,
                env.getOrDefault("TESSERA_SERVICE_UNIT", "tessera-" + role.name().toLowerCase(Locale.ROOT) + ".service"),
                URI.create(stripSlash(env.getOrDefault("TESSERA_METADATA_ENDPOINT", "http://169.254.169.254"))),
                seconds(env, "TESSERA_LIFECYCLE_POLL_SECONDS", 5),
                seconds(env, "TESSERA_LIFECYCLE_HEARTBEAT_SECONDS", 60),
                seconds(env, "TESSERA_DRAIN_TIMEOUT_SECONDS", 1800),
                seconds(env, "TESSERA_DRAIN_MOVE_SECONDS", 120),
                AwsClients.of(env.getOrDefault("AWS_REGION", ""), env.getOrDefault("TESSERA_AWS_ENDPOINT", ""),
                        Duration.ofSeconds(10)));
    }

    private static String required(Map<String, String> env, String name, List<String> missing, String fallback) {
        String value = env.getOrDefault(name, fallback);
        if (value == null || value.isBlank()) {
            missing.add(name);
            return "";
        }
        return value.trim();
    }

    private static Duration seconds(Map<String, String> env, String name, long fallback) {
        String value = env.get(name);
        return Duration.ofSeconds(value == null || value.isBlank() ? fallback : Long.parseLong(value.trim()));
    }

    private static String withoutUserInfo(URI uri) {
        if (uri == null || uri.getRawUserInfo() == null) {
            return String.valueOf(uri);
        }
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
