package io.tessera.common.cluster;

import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.util.Version;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The downing rule on hand-made views: 3 masters (ports 2551-2553) and media nodes (2651...). */
class MasterQuorumTest {
    private static final Member M1 = member("master", 2551);
    private static final Member M2 = member("master", 2552);
    private static final Member M3 = member("master", 2553);
    private static final Member MEDIA1 = member("media", 2651);
    private static final Member MEDIA2 = member("media", 2652);
    private static final List<Member> ALL = List.of(M1, M2, M3, MEDIA1, MEDIA2);

    private static Member member(String role, int port) {
        UniqueAddress address = new UniqueAddress(new Address("pekko", "tessera", "127.0.0.1", port), (long) port);
        return new Member(address, 1, MemberStatus.up(),
                CollectionConverters.asScala(Set.of(role, "id:" + role + port)).toSet(), Version.Zero());
    }

    /** The rule for a deployment of at most 3 masters, as locally. */
    private static Set<UniqueAddress> decide(UniqueAddress self, List<Member> view, List<Member> unreachable) {
        return MasterQuorum.decide(self, view, unreachable, 3);
    }

    private static Member newMaster(int port) {
        return new Member(new UniqueAddress(new Address("pekko", "tessera", "127.0.0.1", port), (long) port), 2,
                MemberStatus.weaklyUp(), CollectionConverters.asScala(Set.of("master")).toSet(), Version.Zero());
    }

    private static Set<UniqueAddress> addresses(Member... members) {
        return Stream.of(members).map(Member::uniqueAddress).collect(Collectors.toSet());
    }

    @Test
    void whenEveryMasterIsGoneTheMediaNodesDownNobody() {
        List<Member> unreachable = List.of(M1, M2, M3);
        assertEquals(Set.of(), decide(MEDIA1.uniqueAddress(), ALL, unreachable));
        assertEquals(Set.of(), decide(MEDIA2.uniqueAddress(), ALL, unreachable));
        assertFalse(MasterQuorum.seesMaster(ALL, unreachable));
    }

    @Test
    void aCutOffMediaNodeIsDownedByTheMastersAndDownsNobodyItself() {
        // The masters' side: the lowest master decides and downs the media node, whatever the node count says.
        assertEquals(addresses(MEDIA1), decide(M1.uniqueAddress(), ALL, List.of(MEDIA1)));
        assertEquals(Set.of(), decide(M2.uniqueAddress(), ALL, List.of(MEDIA1)));
        // The media node's side sees everybody else gone and does nothing (it waits, fenced when it hears the news).
        assertEquals(Set.of(), decide(MEDIA1.uniqueAddress(), ALL, List.of(M1, M2, M3, MEDIA2)));
    }

    @Test
    void aMasterMinorityDownsItsWholeSideEvenWithMoreMediaNodes() {
        Member media3 = member("media", 2653);
        List<Member> all = List.of(M1, M2, M3, MEDIA1, MEDIA2, media3);
        // {m1, media1, media2, media3} against {m2, m3}: 4 members against 2, but 1 master of 3.
        assertEquals(addresses(M1, MEDIA1, MEDIA2, media3),
                decide(M1.uniqueAddress(), all, List.of(M2, M3)));
        assertEquals(addresses(M1, MEDIA1, MEDIA2, media3),
                decide(M2.uniqueAddress(), all, List.of(M1, MEDIA1, MEDIA2, media3)));
    }

    @Test
    void anEvenSplitOfMastersKeepsTheSideWithTheLowestMaster() {
        Member m4 = member("master", 2554);
        List<Member> all = List.of(M1, M2, M3, m4, MEDIA1);
        assertEquals(addresses(M3, m4), decide(M1.uniqueAddress(), all, List.of(M3, m4)));
        assertEquals(addresses(M3, m4, MEDIA1), decide(M3.uniqueAddress(), all, List.of(M1, M2)));
    }

    @Test
    void downedAndJoiningMastersDoNotVote() {
        Member oldM1 = M1.copy(MemberStatus.down());
        Member joining = new Member(new UniqueAddress(M1.address(), 99L), 0, MemberStatus.joining(),
                CollectionConverters.asScala(Set.of("master")).toSet(), Version.Zero());
        List<Member> view = List.of(oldM1, joining, M2, M3, MEDIA1);
        // Old m1 is down already; m2 and m3 unreachable: no master left to decide here.
        assertEquals(Set.of(), decide(MEDIA1.uniqueAddress(), view, List.of(oldM1, M2, M3)));
        assertTrue(MasterQuorum.seesMaster(ALL, List.of(M1, M2)));
    }

    @Test
    void aMasterThatJoinedWhileTheOthersWereUnreachableNeverDownsItsSide() {
        // Every master died; a replacement at a new address (m4) joined and is WeaklyUp (convergence is blocked), the
        // old three still unreachable. Alone it is a minority, but downing its side would end every session the media
        // nodes still run: it waits.
        Member m4 = new Member(new UniqueAddress(new Address("pekko", "tessera", "127.0.0.1", 2554), 2554L), 2,
                MemberStatus.weaklyUp(), CollectionConverters.asScala(Set.of("master")).toSet(), Version.Zero());
        List<Member> view = List.of(M1, M2, M3, m4, MEDIA1, MEDIA2);
        assertEquals(Set.of(), decide(m4.uniqueAddress(), view, List.of(M1, M2, M3)));
        assertTrue(MasterQuorum.seesMaster(view, List.of(M1, M2, M3)), "the media nodes see a master");
        // An Up master cut off in a minority still downs its side, as before.
        assertEquals(addresses(M1, MEDIA1), decide(M1.uniqueAddress(), ALL, List.of(M2, M3, MEDIA2)));
    }

    @Test
    void whenMostMastersRestartTheMediaSideDownsTheOnesStillHanging() {
        // Every master died or hung; m1 and m2 restarted at their addresses, so Pekko marked their old incarnations
        // Down as they asked to join; m3 (hung) still Up and unreachable blocks their admission.
        Member oldM1 = M1.copy(MemberStatus.down());
        Member oldM2 = M2.copy(MemberStatus.down());
        List<Member> view = List.of(oldM1, oldM2, M3, MEDIA1, MEDIA2);
        List<Member> unreachable = List.of(oldM1, oldM2, M3);
        assertEquals(addresses(M3), decide(MEDIA1.uniqueAddress(), view, unreachable),
                "the lowest-address member of the side downs the hanging master");
        assertEquals(Set.of(), decide(MEDIA2.uniqueAddress(), view, unreachable), "only one acts");
        // One master of three restarting: it may be a partition with the other two alive elsewhere: wait.
        List<Member> oneBack = List.of(oldM1, M2, M3, MEDIA1, MEDIA2);
        assertEquals(Set.of(), decide(MEDIA1.uniqueAddress(), oneBack, List.of(oldM1, M2, M3)));
    }

    @Test
    void mastersReplacedAtNewAddressesDownTheOldOnesOnceMostOfTheDeploymentIsBack() {
        // Every master died; replacements at new addresses joined through the media nodes and are WeaklyUp (the old
        // three, Up and unreachable, block convergence). One is a minority of the 3 the deployment runs: it waits.
        Member m4 = newMaster(2554);
        Member m5 = newMaster(2555);
        Member m6 = newMaster(2556);
        List<Member> old = List.of(M1, M2, M3);
        assertEquals(Set.of(), decide(m4.uniqueAddress(), List.of(M1, M2, M3, m4, MEDIA1, MEDIA2), old));
        // Two of at most three: no other side can hold a majority of the masters, so the old ones are dead. The
        // lowest-address newcomer downs them (not the unreachable media nodes: those wait for the usual rule).
        List<Member> twoBack = List.of(M1, M2, M3, m4, m5, MEDIA1, MEDIA2);
        List<Member> unreachable = List.of(M1, M2, M3, MEDIA2);
        assertEquals(addresses(M1, M2, M3), decide(m4.uniqueAddress(), twoBack, unreachable));
        assertEquals(Set.of(), decide(m5.uniqueAddress(), twoBack, unreachable), "only the decider acts");
        assertEquals(Set.of(), decide(MEDIA1.uniqueAddress(), twoBack, unreachable), "media nodes never decide");
        // With a larger deployment (at most 5 masters), two newcomers are not enough; three are.
        assertEquals(Set.of(), MasterQuorum.decide(m4.uniqueAddress(), twoBack, unreachable, 5));
        List<Member> threeBack = List.of(M1, M2, M3, m4, m5, m6, MEDIA1, MEDIA2);
        assertEquals(addresses(M1, M2, M3), MasterQuorum.decide(m4.uniqueAddress(), threeBack, old, 5));
        // A side that still has an Up master decides by the masters of its view, newcomers or not: a lone Up master
        // cut off from four others downs its side, as before.
        assertEquals(addresses(M1, MEDIA1), decide(M1.uniqueAddress(), List.of(M1, M2, M3, m4, m5, MEDIA1),
                List.of(M2, M3, m4, m5)));
    }
}
