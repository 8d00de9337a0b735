package io.tessera.aws.discovery;

import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.AutoScalingClientBuilder;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.Ec2ClientBuilder;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Builds the SDK clients the same way for discovery and the scale-in handler. Credentials come from the SDK's
 * default chain (the instance role on EC2); region and endpoint may be given, e.g. a local fake in tests.
 */
public record AwsClients(Optional<Region> region, Optional<URI> endpointOverride, Duration callTimeout) {

    public AutoScalingClient autoScaling() {
        AutoScalingClientBuilder builder = AutoScalingClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(overrides());
        region.ifPresent(builder::region);
        endpointOverride.ifPresent(builder::endpointOverride);
        return builder.build();
    }

    public Ec2Client ec2() {
        Ec2ClientBuilder builder = Ec2Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(overrides());
        region.ifPresent(builder::region);
        endpointOverride.ifPresent(builder::endpointOverride);
        return builder.build();
    }

    private ClientOverrideConfiguration overrides() {
        return ClientOverrideConfiguration.builder().apiCallTimeout(callTimeout).build();
    }

    /** Blank strings mean "not given". */
    public static AwsClients of(String region, String endpointOverride, Duration callTimeout) {
        return new AwsClients(
                region.isBlank() ? Optional.empty() : Optional.of(Region.of(region.trim())),
                endpointOverride.isBlank() ? Optional.empty() : Optional.of(URI.create(endpointOverride.trim())),
                callTimeout);
    }
}
