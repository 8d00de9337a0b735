package io.tessera.master.routing.gzip;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.Inflater;

/**
 * gzip for Distributed Data's full CRDT states: small payloads in stored (uncompressed) deflate blocks, larger ones
 * deflated with one {@link Deflater} per thread, reset between uses, to exactly the bytes {@link GZIPOutputStream}
 * writes; reading with one {@link Inflater} per thread.
 *
 * <p>Why: Pekko gzips every full state it serializes: the digest of a subscribed key at every write and merge, gossip,
 * read results. {@code GZIPOutputStream} sets up and frees a new deflater each time (about 270 KiB of native zlib
 * state), which costs more than compressing the few hundred bytes of a routing shard, and even a reused deflater
 * clears a 64 KiB hash table per use (docs/BENCHMARKS.md "Distributed Data's gzip").
 *
 * <p>Every stream written here is gzip that any reader, Pekko's serializer included, reads. A stored stream is not
 * the bytes Pekko would write, so while masters with and without this serializer run together (a rolling upgrade),
 * their digests of small shards differ and gossip ships those shards whole every round until the last old master is
 * gone; nothing is lost. Masters that run it agree with each other: the same shard always gives the same bytes.
 */
public final class PooledGzip {

    /** Largest inflated payload accepted: far above any routing shard, below what would hurt a master's heap. */
    static final int MAX_INFLATED_BYTES = 64 * 1024 * 1024;

    /**
     * Payloads up to this size are stored, not compressed. Deflating a few hundred bytes costs a deflater reset (zlib
     * clears a 64 KiB hash table) and the search, and saves a few hundred bytes of a message on the masters' own
     * links; a routing shard is this small until the cluster holds some 1 500 sessions. Larger payloads are deflated,
     * so that gossip and read results of big shards stay well under Artery's frame size.
     */
    static final int STORED_UP_TO_BYTES = 4096;
    /** The most a stored deflate block holds. */
    private static final int MAX_STORED_BLOCK = 65535;
    private static final int HEADER_BYTES = 10;
    private static final int TRAILER_BYTES = 8;
    /** GZIPOutputStream's header on this JDK (its OS byte changed between JDKs), taken from GZIPOutputStream itself. */
    private static final byte[] HEADER = Arrays.copyOf(viaGzipOutputStream(new byte[0]), HEADER_BYTES);

    private static final ThreadLocal<Deflater> DEFLATER =
            ThreadLocal.withInitial(() -> new Deflater(Deflater.DEFAULT_COMPRESSION, true));
    private static final ThreadLocal<Inflater> INFLATER = ThreadLocal.withInitial(() -> new Inflater(true));
    /** Above zero while this thread serializes for a digest ({@link #storedWhile}): nothing is deflated then. */
    private static final ThreadLocal<int[]> STORING = ThreadLocal.withInitial(() -> new int[1]);

    private PooledGzip() {
    }

    /**
     * {@code raw} gzipped: up to {@link #STORED_UP_TO_BYTES}, in stored (uncompressed) deflate blocks; above, the same
     * bytes as writing it to a {@link GZIPOutputStream} and closing it.
     */
    public static byte[] compress(byte[] raw) {
        return raw.length <= STORED_UP_TO_BYTES || STORING.get()[0] > 0 ? stored(raw) : deflated(raw);
    }

    /**
     * Runs {@code serialization} with every payload it compresses on this thread stored, not deflated, whatever its
     * size. For bytes that are hashed and thrown away (a digest): deflating them bought nothing but cost up to a tenth
     * of a master's CPU with 10 000 sessions held (docs/BENCHMARKS.md "As the cluster fills"). Every master that runs
     * this stores the same way, so their digests still agree.
     */
    public static byte[] storedWhile(java.util.function.Supplier<byte[]> serialization) {
        int[] depth = STORING.get();
        depth[0]++;
        try {
            return serialization.get();
        } finally {
            depth[0]--;
        }
    }

    /** A gzip stream of stored deflate blocks (RFC 1951 3.2.4): a block header, the length and its complement. */
    static byte[] stored(byte[] raw) {
        int blocks = Math.max(1, (raw.length + MAX_STORED_BLOCK - 1) / MAX_STORED_BLOCK);
        byte[] out = new byte[HEADER_BYTES + blocks * 5 + raw.length + TRAILER_BYTES];
        System.arraycopy(HEADER, 0, out, 0, HEADER_BYTES);
        int at = HEADER_BYTES;
        int from = 0;
        for (int block = 0; block < blocks; block++) {
            int length = Math.min(MAX_STORED_BLOCK, raw.length - from);
            out[at] = (byte) (block == blocks - 1 ? 1 : 0); // BFINAL on the last block, BTYPE 00: stored
            out[at + 1] = (byte) length;
            out[at + 2] = (byte) (length >>> 8);
            out[at + 3] = (byte) ~length;
            out[at + 4] = (byte) (~length >>> 8);
            System.arraycopy(raw, from, out, at + 5, length);
            at += 5 + length;
            from += length;
        }
        CRC32 crc = new CRC32();
        crc.update(raw);
        writeIntLittleEndian(out, at, (int) crc.getValue());
        writeIntLittleEndian(out, at + 4, raw.length);
        return out;
    }

    /** The same bytes as writing {@code raw} to a {@link GZIPOutputStream} and closing it. */
    static byte[] deflated(byte[] raw) {
        Deflater deflater = DEFLATER.get();
        deflater.reset();
        deflater.setInput(raw);
        deflater.finish();
        byte[] out = new byte[HEADER_BYTES + raw.length / 2 + 64];
        System.arraycopy(HEADER, 0, out, 0, HEADER_BYTES);
        int length = HEADER_BYTES;
        while (!deflater.finished()) {
            if (length == out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            length += deflater.deflate(out, length, out.length - length);
        }
        deflater.setInput(new byte[0]); // do not keep the caller's array reachable from a thread-local
        CRC32 crc = new CRC32();
        crc.update(raw);
        out = Arrays.copyOf(out, length + TRAILER_BYTES);
        writeIntLittleEndian(out, length, (int) crc.getValue());
        writeIntLittleEndian(out, length + 4, raw.length);
        return out;
    }

    /** Whether {@code bytes} begin with gzip's magic number. */
    public static boolean isGzip(byte[] bytes) {
        return bytes.length >= 2 && bytes[0] == (byte) 0x1f && bytes[1] == (byte) 0x8b;
    }

    /**
     * The bytes a gzip stream holds. Streams as {@link #compress} and GZIPOutputStream write them (no optional header
     * fields, one member) are inflated with this thread's inflater; any other stream, and any stream that does not
     * check out (size, CRC), goes through {@link GZIPInputStream}, so the result or the error is the same as Pekko's.
     *
     * @throws UncheckedIOException when the bytes are not gzip, or inflate to more than {@link #MAX_INFLATED_BYTES}
     */
    public static byte[] decompress(byte[] gzipped) {
        byte[] fast = inflatePlain(gzipped);
        return fast != null ? fast : viaGzipInputStream(gzipped);
    }

    /** Null when the stream is not a plain single-member one with a trailer that matches. */
    private static byte[] inflatePlain(byte[] gzipped) {
        if (gzipped.length < HEADER_BYTES + TRAILER_BYTES || (gzipped[0] & 0xff) != 0x1f
                || (gzipped[1] & 0xff) != 0x8b || gzipped[2] != Deflater.DEFLATED || gzipped[3] != 0) {
            return null;
        }
        int trailer = gzipped.length - TRAILER_BYTES;
        long size = readIntLittleEndian(gzipped, trailer + 4) & 0xffffffffL;
        if (size > MAX_INFLATED_BYTES) {
            throw new UncheckedIOException(new IOException("gzip payload of " + size + " bytes is over the limit of "
                    + MAX_INFLATED_BYTES));
        }
        Inflater inflater = INFLATER.get();
        inflater.reset();
        inflater.setInput(gzipped, HEADER_BYTES, trailer - HEADER_BYTES);
        byte[] out = new byte[(int) size];
        try {
            int length = 0;
            while (length < out.length) {
                int n = inflater.inflate(out, length, out.length - length);
                if (n == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                length += n;
            }
            // A stream that goes on past the stated size, or ends before it, is not plain: let GZIPInputStream judge.
            if (length != out.length || !finishedWithin(inflater) || inflater.getRemaining() != 0) {
                return null;
            }
        } catch (java.util.zip.DataFormatException e) {
            return null;
        } finally {
            inflater.setInput(new byte[0]);
        }
        CRC32 crc = new CRC32();
        crc.update(out);
        return (int) crc.getValue() == readIntLittleEndian(gzipped, trailer) ? out : null;
    }

    /** Whether the deflate stream ends here: an inflater that has all the output may not have seen the end block. */
    private static boolean finishedWithin(Inflater inflater) throws java.util.zip.DataFormatException {
        if (inflater.finished()) {
            return true;
        }
        byte[] probe = new byte[1];
        return inflater.inflate(probe) == 0 && inflater.finished();
    }

    private static byte[] viaGzipInputStream(byte[] gzipped) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            for (int n; (n = in.read(buffer)) != -1; ) {
                if (out.size() + n > MAX_INFLATED_BYTES) {
                    throw new IOException("gzip payload is over the limit of " + MAX_INFLATED_BYTES + " bytes");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] viaGzipOutputStream(byte[] raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeIntLittleEndian(byte[] out, int at, int value) {
        out[at] = (byte) value;
        out[at + 1] = (byte) (value >>> 8);
        out[at + 2] = (byte) (value >>> 16);
        out[at + 3] = (byte) (value >>> 24);
    }

    private static int readIntLittleEndian(byte[] in, int at) {
        return (in[at] & 0xff) | (in[at + 1] & 0xff) << 8 | (in[at + 2] & 0xff) << 16 | (in[at + 3] & 0xff) << 24;
    }
}
