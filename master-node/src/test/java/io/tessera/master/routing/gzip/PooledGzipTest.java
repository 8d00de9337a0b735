package io.tessera.master.routing.gzip;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@link PooledGzip#decompress} does with streams it did not write, or that are damaged. */
class PooledGzipTest {
    private static final byte[] TEXT = "a routing shard, a routing shard, a routing shard".getBytes(StandardCharsets.UTF_8);

    @Test
    void readsAStreamWithAFileNameThroughGzipInputStream() {
        byte[] plain = PooledGzip.compress(TEXT);
        ByteArrayOutputStream named = new ByteArrayOutputStream();
        named.write(plain, 0, 3);
        named.write(0x08); // FNAME: a zero-terminated name follows the fixed header
        named.write(plain, 4, 6);
        named.writeBytes("shard-7\0".getBytes(StandardCharsets.ISO_8859_1));
        named.write(plain, 10, plain.length - 10);
        assertArrayEquals(TEXT, PooledGzip.decompress(named.toByteArray()));
    }

    @Test
    void readsTwoConcatenatedMembersAsGzipInputStreamDoes() {
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        two.writeBytes(PooledGzip.compress(TEXT));
        two.writeBytes(PooledGzip.compress(TEXT));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(TEXT);
        expected.writeBytes(TEXT);
        assertArrayEquals(expected.toByteArray(), PooledGzip.decompress(two.toByteArray()));
    }

    @Test
    void rejectsAWrongChecksum() {
        byte[] damaged = PooledGzip.compress(TEXT);
        damaged[damaged.length - 8] ^= 1;
        assertThrows(UncheckedIOException.class, () -> PooledGzip.decompress(damaged));
    }

    @Test
    void rejectsAStatedSizeThatDoesNotMatch() {
        byte[] damaged = PooledGzip.compress(TEXT);
        damaged[damaged.length - 4] ^= 1;
        assertThrows(UncheckedIOException.class, () -> PooledGzip.decompress(damaged));
    }

    @Test
    void rejectsATruncatedStreamAndBytesThatAreNotGzip() {
        byte[] whole = PooledGzip.compress(TEXT);
        byte[] truncated = java.util.Arrays.copyOf(whole, whole.length - 3);
        assertThrows(UncheckedIOException.class, () -> PooledGzip.decompress(truncated));
        assertThrows(UncheckedIOException.class, () -> PooledGzip.decompress(TEXT));
        assertThrows(UncheckedIOException.class, () -> PooledGzip.decompress(new byte[0]));
    }

    @Test
    void refusesToInflateMoreThanTheLimit() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i <= PooledGzip.MAX_INFLATED_BYTES >> 20; i++) {
                gzip.write(zeros);
            }
        }
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> PooledGzip.decompress(bytes.toByteArray()));
        assertTrue(e.getMessage().contains("over the limit"), e.getMessage());
    }
}
