package io.tessera.common.cluster;

import com.typesafe.config.Config;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;

/** Cluster members in the test's own JVM: started one by one, formed around the first, all terminated at the end. */
final class InJvmCluster implements AutoCloseable {
    private final List<ActorSystem<Void>> members = new ArrayList<>();

    ActorSystem<Void> start(String systemName, Config config) {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), systemName, config);
        members.add(system);
        return system;
    }

    /** Every member joins the first one started; returns once each sees all of them, itself Up. */
    void form(Duration within) {
        var first = Cluster.get(members.get(0)).selfMember().address();
        members.forEach(s -> Cluster.get(s).manager().tell(Join.create(first)));
        await().atMost(within).until(() -> members.stream().allMatch(
                s -> Cluster.get(s).state().members().size() == members.size()
                        && Cluster.get(s).selfMember().status() == MemberStatus.up()));
    }

    @Override
    public void close() {
        members.forEach(ActorSystem::terminate);
        members.forEach(s -> s.getWhenTerminated().toCompletableFuture().join());
    }
}
