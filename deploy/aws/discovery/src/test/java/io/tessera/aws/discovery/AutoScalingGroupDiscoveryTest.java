package io.tessera.aws.discovery;

import com.typesafe.config.ConfigFactory;
import io.tessera.aws.testkit.FakeHttpServer;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.discovery.Discovery;
import org.apache.pekko.discovery.ServiceDiscovery;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The discovery method as Cluster Bootstrap loads it: by name from configuration, through Pekko discovery. */
class AutoScalingGroupDiscoveryTest {
    private FakeHttpServer aws;
    private ActorSystem system;

    @BeforeEach
    void start() {
        // The discovery uses the SDK's default credentials chain, which reads these system properties first.
        System.setProperty("aws.accessKeyId", "AKIDFAKE");
        System.setProperty("aws.secretAccessKey", "fake-secret-key");
        aws = FakeHttpServer.start(new FakeAutoScalingAndEc2());
        system = ActorSystem.create("discovery-test", ConfigFactory.parseString("""
                pekko.management.http.port = 7626
                pekko.discovery.tessera-aws-asg {
                  groups = " masters , media "
                  region = us-east-1
                  endpoint-override = "%s"
                }
                """.formatted(aws.uri())).withFallback(ConfigFactory.load()));
    }

    @AfterEach
    void stop() {
        TestKit.shutdownActorSystem(system);
        aws.close();
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
    }

    @Test
    void resolvesContactPointsAtTheManagementPort() {
        ServiceDiscovery discovery = Discovery.get(system).loadServiceDiscovery("tessera-aws-asg");
        ServiceDiscovery.Resolved resolved = discovery.lookup("tessera", Duration.ofSeconds(10))
                .toCompletableFuture().join();

        assertEquals("tessera", resolved.serviceName());
        List<ServiceDiscovery.ResolvedTarget> targets = CollectionConverters.asJava(resolved.addresses());
        assertEquals(List.of("10.0.1.11:7626", "10.0.2.21:7626"),
                targets.stream().map(t -> t.host() + ":" + t.port().get()).toList());
        assertEquals("10.0.1.11", targets.get(0).address().get().getHostAddress());
    }

    @Test
    void groupNamesAreACommaSeparatedList() {
        assertEquals(List.of("a", "b"), AutoScalingGroupDiscovery.groupNames(" a,, b ,"));
        assertEquals(List.of(), AutoScalingGroupDiscovery.groupNames(""));
    }
}
