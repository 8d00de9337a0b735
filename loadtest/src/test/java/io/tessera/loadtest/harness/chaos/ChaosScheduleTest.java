package io.tessera.loadtest.harness.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChaosScheduleTest {

    @Test
    void parsesVerbsNodesInstantsAndHoldsInTimeOrder() {
        ChaosSchedule s = ChaosSchedule.parse("restart:media-1@60s, kill:master-2@20s,freeze:master-3@40s+12s");
        assertEquals(List.of(
                new ChaosAction(ChaosAction.Verb.KILL, "master-2", Duration.ofSeconds(20), Optional.empty()),
                new ChaosAction(ChaosAction.Verb.FREEZE, "master-3", Duration.ofSeconds(40),
                        Optional.of(Duration.ofSeconds(12))),
                new ChaosAction(ChaosAction.Verb.RESTART, "media-1", Duration.ofSeconds(60), Optional.empty())),
                s.actions());
        assertEquals(Duration.ofSeconds(60), s.end());
        assertEquals("kill:master-2@20s,freeze:master-3@40s+12s,restart:media-1@60s", s.toString());
    }

    @Test
    void acceptsMillisecondsFractionsAndMinutes() {
        assertEquals(Duration.ofMillis(1500), ChaosSchedule.duration("1.5s"));
        assertEquals(Duration.ofMillis(250), ChaosSchedule.duration("250ms"));
        assertEquals(Duration.ofMinutes(2), ChaosSchedule.duration("2m"));
        assertEquals(Duration.ofSeconds(52), ChaosSchedule.parse("freeze:master-3@40s+12s").end());
    }

    @Test
    void emptyOrBlankIsNoChaos() {
        assertTrue(ChaosSchedule.parse(null).actions().isEmpty());
        assertTrue(ChaosSchedule.parse("  ").actions().isEmpty());
    }

    @Test
    void freezeWithHoldBecomesAFreezeAndAThaw() {
        List<ChaosAction> steps = ChaosRunner.steps(ChaosSchedule.parse("freeze:master-3@40s+12s,kill:media-1@45s"));
        assertEquals(List.of("freeze:master-3@40s+12s", "kill:media-1@45s", "thaw:master-3@52s"),
                steps.stream().map(ChaosAction::toString).toList());
    }

    @Test
    void refusesWhatItCannotRunAndNamesTheItem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ChaosSchedule.parse("explode:master-1@5s"))
                .getMessage().contains("explode"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ChaosSchedule.parse("kill:master-1"))
                .getMessage().contains("kill:master-1"));
        assertThrows(IllegalArgumentException.class, () -> ChaosSchedule.parse("kill:master-1@5s+3s"));
        assertThrows(IllegalArgumentException.class, () -> ChaosSchedule.parse("kill:m;rm -rf /@5s"));
        assertThrows(IllegalArgumentException.class, () -> ChaosSchedule.parse("kill:master-1@5h"));
    }

    @Test
    void everyMasterAtOnceIsKilledOrRestartedAndCountsAsAMasterFault() {
        ChaosSchedule s = ChaosSchedule.parse("restart:masters@30s,kill:masters@10s");
        assertEquals("kill:masters@10s,restart:masters@30s", s.toString());
        assertTrue(s.actions().stream().allMatch(ChaosAction::targetsMaster));
        assertEquals(List.of("/x/bin/cluster", "restart", "masters"), CommandChaosExecutor
                .clusterScript(java.nio.file.Path.of("/x/bin/cluster")).command(ChaosAction.Verb.RESTART, "masters"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ChaosSchedule.parse("freeze:masters@5s+2s"))
                .getMessage().contains("kill or restart"));
    }

    @Test
    void commandsForTheClusterScriptAndAHook() {
        assertEquals(List.of("/x/bin/cluster", "freeze", "master-3"), CommandChaosExecutor
                .clusterScript(java.nio.file.Path.of("/x/bin/cluster")).command(ChaosAction.Verb.FREEZE, "master-3"));
        assertEquals(List.of("sh", "-c", "ssh ops@b fault kill media-1"),
                CommandChaosExecutor.hook("ssh ops@b fault {verb} {node}").command(ChaosAction.Verb.KILL, "media-1"));
        assertThrows(IllegalArgumentException.class, () -> CommandChaosExecutor.hook("ssh ops@b fault"));
    }

    @Test
    void networkFaultsPartitionCutOneWayAndHealEveryLink() {
        ChaosSchedule s = ChaosSchedule.parse("heal@40s, partition:master-3@20s,cut:master-1->media-2@30s");
        assertEquals(List.of(
                new ChaosAction(ChaosAction.Verb.PARTITION, "master-3", Duration.ofSeconds(20), Optional.empty()),
                new ChaosAction(ChaosAction.Verb.CUT, "master-1->media-2", Duration.ofSeconds(30), Optional.empty()),
                new ChaosAction(ChaosAction.Verb.HEAL, ChaosAction.ALL_LINKS, Duration.ofSeconds(40), Optional.empty())),
                s.actions());
        assertEquals("partition:master-3@20s,cut:master-1->media-2@30s,heal@40s", s.toString());
        assertEquals(ChaosSchedule.parse(s.toString()), s);
        assertTrue(s.needsPartitionProxy());
        assertFalse(ChaosSchedule.parse("kill:master-2@20s,freeze:master-3@40s+12s").needsPartitionProxy());
    }

    @Test
    void networkFaultsBecomeTheArgumentsOfBinClusterAndOfAHook() {
        CommandChaosExecutor script = CommandChaosExecutor.clusterScript(java.nio.file.Path.of("/x/bin/cluster"));
        assertEquals(List.of("/x/bin/cluster", "partition", "media-1"),
                script.command(ChaosAction.Verb.PARTITION, "media-1"));
        assertEquals(List.of("/x/bin/cluster", "cut", "master-1", "media-2"),
                script.command(ChaosAction.Verb.CUT, "master-1->media-2"));
        assertEquals(List.of("/x/bin/cluster", "heal"), script.command(ChaosAction.Verb.HEAL, ChaosAction.ALL_LINKS));
        // no '>' reaches the shell: a hook gets the two nodes as two words
        assertEquals(List.of("sh", "-c", "fault cut master-1 media-2"),
                CommandChaosExecutor.hook("fault {verb} {node}").command(ChaosAction.Verb.CUT, "master-1->media-2"));
        assertEquals(List.of("sh", "-c", "fault heal "),
                CommandChaosExecutor.hook("fault {verb} {node}").command(ChaosAction.Verb.HEAL, ChaosAction.ALL_LINKS));
    }

    @Test
    void refusesMalformedNetworkFaults() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ChaosSchedule.parse("cut:master-1@5s"))
                .getMessage().contains("<from>-><to>"));
        assertThrows(IllegalArgumentException.class, () -> ChaosSchedule.parse("cut:master-1->master-1@5s"));
        assertThrows(IllegalArgumentException.class, () -> ChaosSchedule.parse("cut:master-1->masters@5s"));
        assertThrows(IllegalArgumentException.class, () -> ChaosSchedule.parse("cut:a->b;rm -rf /@5s"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ChaosSchedule.parse("heal:master-1@5s"))
                .getMessage().contains("takes no node"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ChaosSchedule.parse("partition@5s"))
                .getMessage().contains("names no node"));
        assertThrows(IllegalArgumentException.class, () -> ChaosSchedule.parse("partition:masters@5s"));
        assertThrows(IllegalArgumentException.class, () -> ChaosSchedule.parse("partition:master-3@5s+2s"));
    }

    @Test
    void theClusterScriptRefusesNetworkFaultsWhenItHasNoProxy(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // a stand-in for bin/cluster on a cluster started without --partitionable: `cuts` fails with its message
        java.nio.file.Path script = dir.resolve("cluster");
        java.nio.file.Files.writeString(script, "#!/bin/sh\n[ \"$1\" = cuts ] && { echo 'not started with "
                + "--partitionable' >&2; exit 1; }\nexit 0\n");
        assertTrue(script.toFile().setExecutable(true));
        CommandChaosExecutor executor = CommandChaosExecutor.clusterScript(script);
        executor.checkCanRun(ChaosSchedule.parse("kill:master-1@5s")); // no network fault: nothing to check
        ChaosRefusedException refused = assertThrows(ChaosRefusedException.class,
                () -> executor.checkCanRun(ChaosSchedule.parse("partition:master-3@5s,heal@9s")));
        assertTrue(refused.getMessage().contains("not started with --partitionable"), refused.getMessage());
        assertTrue(refused.getMessage().contains("partition:master-3@5s"), refused.getMessage());
        CommandChaosExecutor.hook("true {verb} {node}").checkCanRun(ChaosSchedule.parse("heal@9s")); // trusted
    }
}
