package io.tessera.master.routing.gzip;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.io.ByteArrayInputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * {@link PooledGzip} deflates to what GZIPOutputStream writes, as Pekko feeds it (a protobuf message written in chunks
 * of up to 4 KiB), stores small payloads in a form any gzip reader reads, and reads back what it wrote, for random and
 * for compressible payloads of up to 64 KiB.
 */
class PooledGzipFuzzTest {

    @Property(tries = 300)
    void deflatesToTheBytesOfGzipOutputStream(@ForAll("payloads") byte[] raw) throws IOException {
        assertArrayEquals(inChunks(raw, 4096), PooledGzip.deflated(raw));
    }

    /** Stored blocks hold 64 KiB at most: payloads up to 150 KiB take up to three. */
    @Property(tries = 100)
    void storesWhatAnyGzipReaderReads(@ForAll @Size(max = 150_000) byte[] raw) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(PooledGzip.stored(raw)))) {
            assertArrayEquals(raw, in.readAllBytes());
        }
    }

    @Property(tries = 300)
    void storesSmallPayloadsAndDeflatesLargerOnes(@ForAll("payloads") byte[] raw) {
        byte[] expected = raw.length <= PooledGzip.STORED_UP_TO_BYTES ? PooledGzip.stored(raw) : PooledGzip.deflated(raw);
        assertArrayEquals(expected, PooledGzip.compress(raw));
    }

    @Property(tries = 300)
    void decompressesWhatItCompressed(@ForAll("payloads") byte[] raw) {
        assertArrayEquals(raw, PooledGzip.decompress(PooledGzip.compress(raw)));
    }

    @Provide
    Arbitrary<byte[]> payloads() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(65536);
        // Few distinct bytes in runs: shaped like serialized shards (repeated ids, field tags), so zlib finds matches.
        Arbitrary<byte[]> compressible = Arbitraries.bytes().between((byte) 'a', (byte) 'e').array(byte[].class)
                .ofMaxSize(4096).list().ofMaxSize(16).map(PooledGzipFuzzTest::concat);
        return Arbitraries.oneOf(random, compressible);
    }

    private static byte[] concat(java.util.List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
            out.writeBytes(part); // each part twice: back-references within the window
        }
        return out.toByteArray();
    }

    private static byte[] inChunks(byte[] raw, int chunk) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            for (int at = 0; at < raw.length; at += chunk) {
                gzip.write(Arrays.copyOfRange(raw, at, Math.min(raw.length, at + chunk)));
            }
        }
        return bytes.toByteArray();
    }
}
