package io.tessera.aws.discovery;

import com.typesafe.config.Config;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.discovery.Lookup;
import org.apache.pekko.discovery.ServiceDiscovery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.concurrent.Future;
import scala.concurrent.duration.FiniteDuration;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.ec2.Ec2Client;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Pekko discovery method {@code tessera-aws-asg}: every lookup answers with the running, InService instances of
 * the configured Auto Scaling groups, at their private IP and the management port (Cluster Bootstrap contact
 * points). The service name is not used: the groups are the service. Configuration: {@code reference.conf}.
 */
public final class AutoScalingGroupDiscovery extends ServiceDiscovery {
    public static final String CONFIG_PATH = "pekko.discovery.tessera-aws-asg";
    private static final Logger log = LoggerFactory.getLogger(AutoScalingGroupDiscovery.class);

    private final List<String> groups;
    private final int port;
    private final AutoScalingGroupInstances instances;
    private final Executor blockingIo;

    /** Called by Pekko discovery through reflection. */
    public AutoScalingGroupDiscovery(ExtendedActorSystem system) {
        Config config = system.settings().config().getConfig(CONFIG_PATH);
        this.groups = groupNames(config.getString("groups"));
        this.port = config.getInt("port") > 0 ? config.getInt("port")
                : system.settings().config().getInt("pekko.management.http.port");
        AwsClients clients = AwsClients.of(config.getString("region"), config.getString("endpoint-override"),
                config.getDuration("call-timeout"));
        AutoScalingClient autoScaling = clients.autoScaling();
        Ec2Client ec2 = clients.ec2();
        system.registerOnTermination(() -> {
            autoScaling.close();
            ec2.close();
        });
        this.instances = new AutoScalingGroupInstances(autoScaling, ec2);
        // The SDK clients block; keep them off the default dispatcher.
        this.blockingIo = system.dispatchers().lookup("pekko.actor.default-blocking-io-dispatcher");
        if (groups.isEmpty()) {
            log.warn("{}.groups (TESSERA_DISCOVERY_GROUPS) names no Auto Scaling group: no contact points", CONFIG_PATH);
        }
    }

    @Override
    public Future<Resolved> lookup(Lookup lookup, FiniteDuration resolveTimeout) {
        CompletableFuture<Resolved> resolved = CompletableFuture
                .supplyAsync(() -> resolve(lookup.serviceName()), blockingIo)
                .orTimeout(resolveTimeout.toMillis(), TimeUnit.MILLISECONDS);
        return FutureConverters.asScala(resolved);
    }

    private Resolved resolve(String serviceName) {
        List<ResolvedTarget> targets = instances.privateIps(groups).stream().map(this::target).toList();
        log.debug("Auto Scaling groups {} have {} contact points", groups, targets.size());
        return new Resolved(serviceName, CollectionConverters.asScala(targets).toList());
    }

    private ResolvedTarget target(String ip) {
        Option<InetAddress> address;
        try {
            address = Option.apply(InetAddress.getByName(ip)); // an IP literal: no DNS query
        } catch (UnknownHostException e) {
            address = Option.empty();
        }
        return new ResolvedTarget(ip, Option.apply(port), address);
    }

    static List<String> groupNames(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
