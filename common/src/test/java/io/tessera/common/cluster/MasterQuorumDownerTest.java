package io.tessera.common.cluster;

import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.util.Version;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The downer's two guards around a decision: a stable timer that fires over the limit late ended while the JVM was
 * paused, and the decision is taken on the view built from the events the downer handled, not on Pekko's (possibly
 * newer) state. Frozen and thawed masters in a cluster are AllMastersLostTest's and StaleAttachmentTest's (cluster-it).
 */
class MasterQuorumDownerTest {
    private static final long DUE = 5_000_000_000L;
    private static final Member M1 = master(2551, MemberStatus.up());
    private static final Member M2 = master(2552, MemberStatus.up());
    private static final Member M3 = master(2553, MemberStatus.up());

    private static Member master(int port, MemberStatus status) {
        UniqueAddress address = new UniqueAddress(new Address("pekko", "tessera", "127.0.0.1", port), (long) port);
        return new Member(address, 1, status, CollectionConverters.asScala(Set.of("master")).toSet(),
                Version.Zero());
    }

    private static ObservedView threeMastersUp() {
        ObservedView view = new ObservedView();
        for (Member m : List.of(M1, M2, M3)) {
            assertTrue(view.apply(new ClusterEvent.MemberUp(m)));
        }
        return view;
    }

    @Test
    void aTimerOnTimeOrSlightlyLateIsAStablePeriod() {
        assertFalse(MasterQuorumDowner.pausedMeanwhile(DUE, DUE));
        assertFalse(MasterQuorumDowner.pausedMeanwhile(DUE, DUE + 300_000_000L), "300 ms late: a busy dispatcher");
        assertFalse(MasterQuorumDowner.pausedMeanwhile(DUE, DUE + MasterQuorumDowner.PAUSE_LIMIT.toNanos()));
    }

    @Test
    void aTimerFiringSecondsLateEndedDuringAPause() {
        assertTrue(MasterQuorumDowner.pausedMeanwhile(DUE, DUE + MasterQuorumDowner.PAUSE_LIMIT.toNanos() + 1));
        assertTrue(MasterQuorumDowner.pausedMeanwhile(DUE, DUE + 5_000_000_000L), "a 5 s freeze");
    }

    @Test
    void aThawedMasterDecidesOnWhatItWasToldNotOnWhatItsReaperJustMarked() {
        // A master frozen ~3 s; its stable timer fell due in the freeze's last second, so it is not late enough to
        // count as a pause. At the thaw Pekko's state already shows both peers unreachable (the reaper ran first), but
        // the events saying so are still in the downer's mailbox. On Pekko's state the rule downs the thawed master
        // itself (the CI failure of stop 31); on the view the downer was told of, nothing is lost.
        List<Member> all = List.of(M1, M2, M3);
        assertEquals(Set.of(M3.uniqueAddress()), MasterQuorum.decide(M3.uniqueAddress(), all, List.of(M1, M2), 3),
                "what deciding on Pekko's newer state does");
        ObservedView told = threeMastersUp();
        assertEquals(Set.of(), MasterQuorum.decide(M3.uniqueAddress(), told.members(), told.unreachable(), 3));
        // The events then arrive, each restarting the wait: the next decision is on them, after a stable period.
        assertTrue(told.apply(new ClusterEvent.UnreachableMember(M1)));
        assertTrue(told.apply(new ClusterEvent.UnreachableMember(M2)));
        assertEquals(List.of(M1, M2), told.unreachable());
        assertTrue(told.apply(new ClusterEvent.ReachableMember(M1)));
        assertTrue(told.apply(new ClusterEvent.ReachableMember(M2)));
        assertEquals(List.of(), told.unreachable());
    }

    @Test
    void theViewFollowsStatusesAndRemovals() {
        ObservedView view = threeMastersUp();
        assertTrue(view.apply(new ClusterEvent.UnreachableMember(M3)));
        Member downed = M3.copy(MemberStatus.down());
        assertTrue(view.apply(new ClusterEvent.MemberDowned(downed)));
        assertEquals(List.of(downed), view.unreachable(), "an unreachable member is listed with its latest status");
        assertTrue(view.apply(new ClusterEvent.MemberRemoved(downed.copy(MemberStatus.removed()),
                MemberStatus.down())));
        assertEquals(List.of(M1, M2), view.members());
        assertEquals(List.of(), view.unreachable(), "a removed member is neither a member nor unreachable");
        assertFalse(view.apply(new ClusterEvent.LeaderChanged(scala.Option.apply(M1.address()))),
                "a new leader changes nothing the rule reads");
    }
}
