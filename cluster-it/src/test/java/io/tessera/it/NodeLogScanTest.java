package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scanner itself (no cluster): it must catch each kind of secret and leave ordinary lines alone. */
class NodeLogScanTest {
    @Test
    void findsEachKindAndMasksIt(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("master-1.log");
        Files.write(log, List.of(
                "{\"message\":\"session ses_Ab3dE5fG7hJ9 created on media node media-1\"}",
                "{\"message\":\"connection con_Xy12Zw34Ab56 created, token fp:0a1b2c3d\",\"logger\":\"io.tessera.master.session.SessionService\"}",
                "{\"message\":\"auth with it_sekrit\"}",
                "{\"message\":\"join ws://h:1?sessionId=s&token=tok_AbCdEfGhIjKlMnOpQrStUvWx\"}",
                "{\"message\":\"resume with Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4\"}",
                "{\"pekkoSource\":\"pekko://tessera/system/cluster/core/daemon/SplitBrainResolverProviderXyz\"}"));

        List<String> found = NodeLogScan.findings(List.of(log, dir.resolve("never-started.log")), List.of("it_sekrit"));

        assertEquals(3, found.size(), found.toString());
        assertTrue(found.get(0).startsWith("master-1.log:3 a secret the test knows") && found.get(0).contains("<SECRET>")
                && !found.get(0).contains("it_sekrit"), found.get(0));
        assertTrue(found.get(1).startsWith("master-1.log:4 a token") && !found.get(1).contains("AbCdEf"), found.get(1));
        assertTrue(found.get(2).startsWith("master-1.log:5 a resume secret") && found.get(2).contains("<MASKED32>"),
                found.get(2));
    }

    @Test
    void ordinaryIdsAreNotSecrets() {
        assertNull(NodeLogScan.leak("str_CAM_AbCd_con_Xy12Zw34Ab56 ses_Ab3dE5fG7hJ9 media-node-12 "
                + "io.tessera.master.signalling.ClientConnection 0123456789abcdef0123456789abcdef", List.of()));
    }
}
