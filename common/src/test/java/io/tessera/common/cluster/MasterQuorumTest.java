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

    private static Set<UniqueAddress> addresses(Member... members) {
        return Stream.of(members).map(Member::uniqueAddress).collect(Collectors.toSet());
    }

    @Test
    void whenEveryMasterIsGoneTheMediaNodesDownNobody() {
        List<Member> unreachable = List.of(M1, M2, M3);
        assertEquals(Set.of(), MasterQuorum.decide(MEDIA1.uniqueAddress(), ALL, unreachable));
        assertEquals(Set.of(), MasterQuorum.decide(MEDIA2.uniqueAddress(), ALL, unreachable));
        assertFalse(MasterQuorum.seesMaster(ALL, unreachable));
    }

    @Test
    void aCutOffMediaNodeIsDownedByTheMastersAndDownsNobodyItself() {
        // The masters' side: the lowest master decides and downs the media node, whatever the node count says.
        assertEquals(addresses(MEDIA1), MasterQuorum.decide(M1.uniqueAddress(), ALL, List.of(MEDIA1)));
        assertEquals(Set.of(), MasterQuorum.decide(M2.uniqueAddress(), ALL, List.of(MEDIA1)));
        // The media node's side sees everybody else gone and does nothing (it waits, fenced when it hears the news).
        assertEquals(Set.of(), MasterQuorum.decide(MEDIA1.uniqueAddress(), ALL, List.of(M1, M2, M3, MEDIA2)));
    }

    @Test
    void aMasterMinorityDownsItsWholeSideEvenWithMoreMediaNodes() {
        Member media3 = member("media", 2653);
        List<Member> all = List.of(M1, M2, M3, MEDIA1, MEDIA2, media3);
        // {m1, media1, media2, media3} against {m2, m3}: 4 members against 2, but 1 master of 3.
        assertEquals(addresses(M1, MEDIA1, MEDIA2, media3),
                MasterQuorum.decide(M1.uniqueAddress(), all, List.of(M2, M3)));
        assertEquals(addresses(M1, MEDIA1, MEDIA2, media3),
                MasterQuorum.decide(M2.uniqueAddress(), all, List.of(M1, MEDIA1, MEDIA2, media3)));
    }

    @Test
    void anEvenSplitOfMastersKeepsTheSideWithTheLowestMaster() {
        Member m4 = member("master", 2554);
        List<Member> all = List.of(M1, M2, M3, m4, MEDIA1);
        assertEquals(addresses(M3, m4), MasterQuorum.decide(M1.uniqueAddress(), all, List.of(M3, m4)));
        assertEquals(addresses(M3, m4, MEDIA1), MasterQuorum.decide(M3.uniqueAddress(), all, List.of(M1, M2)));
    }

    @Test
    void downedAndJoiningMastersDoNotVote() {
        Member oldM1 = M1.copy(MemberStatus.down());
        Member joining = new Member(new UniqueAddress(M1.address(), 99L), 0, MemberStatus.joining(),
                CollectionConverters.asScala(Set.of("master")).toSet(), Version.Zero());
        List<Member> view = List.of(oldM1, joining, M2, M3, MEDIA1);
        // Old m1 is down already; m2 and m3 unreachable: no master left to decide here.
        assertEquals(Set.of(), MasterQuorum.decide(MEDIA1.uniqueAddress(), view, List.of(oldM1, M2, M3)));
        assertTrue(MasterQuorum.seesMaster(ALL, List.of(M1, M2)));
    }

    @Test
    void mastersRestartingOneAfterTheOtherAfterAllDiedNeverDownTheMediaNodes() {
        // Every master died; m1 came back first (a new incarnation at its address: the old one is down) and is
        // WeaklyUp, the old m2 and m3 still unreachable. Alone it is a minority, but downing its side would end every
        // session the media nodes still run: it waits.
        Member oldM1 = M1.copy(MemberStatus.down());
        Member newM1 = new Member(new UniqueAddress(M1.address(), 101L), 2, MemberStatus.weaklyUp(),
                CollectionConverters.asScala(Set.of("master")).toSet(), Version.Zero());
        List<Member> firstBack = List.of(oldM1, newM1, M2, M3, MEDIA1, MEDIA2);
        assertEquals(Set.of(), MasterQuorum.decide(newM1.uniqueAddress(), firstBack, List.of(oldM1, M2, M3)));
        assertTrue(MasterQuorum.seesMaster(firstBack, List.of(oldM1, M2, M3)), "the media nodes see a master");
        // m2 back too: two of three, a majority; they down the old m3, and the cluster converges.
        Member oldM2 = M2.copy(MemberStatus.down());
        Member newM2 = new Member(new UniqueAddress(M2.address(), 102L), 2, MemberStatus.weaklyUp(),
                CollectionConverters.asScala(Set.of("master")).toSet(), Version.Zero());
        List<Member> secondBack = List.of(oldM1, newM1, oldM2, newM2, M3, MEDIA1, MEDIA2);
        assertEquals(addresses(M3),
                MasterQuorum.decide(newM1.uniqueAddress(), secondBack, List.of(oldM1, oldM2, M3)));
        // An Up master cut off in a minority still downs its side, as before.
        assertEquals(addresses(M1, MEDIA1), MasterQuorum.decide(M1.uniqueAddress(), ALL, List.of(M2, M3, MEDIA2)));
    }
}
