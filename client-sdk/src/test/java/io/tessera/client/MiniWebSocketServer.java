package io.tessera.client;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * Just enough of RFC 6455 to play the server side of one connection in tests (com.sun.net.httpserver cannot
 * upgrade): the test reads what the client sent with {@link #nextReceived} and scripts the replies.
 */
final class MiniWebSocketServer implements AutoCloseable {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final ServerSocket server;
    private final BlockingQueue<String> received = new ArrayBlockingQueue<>(1_000);
    private final CountDownLatch connected = new CountDownLatch(1);
    private final CountDownLatch disconnected = new CountDownLatch(1);
    private final Thread reader;
    private volatile Socket socket;
    private volatile int clientCloseCode = -1;

    private final String scheme;

    MiniWebSocketServer() throws IOException {
        this(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()), "ws");
    }

    /** A {@code wss://} server presenting the key of {@code context}. */
    static MiniWebSocketServer secure(SSLContext context) throws IOException {
        return new MiniWebSocketServer(context.getServerSocketFactory().createServerSocket(0, 1,
                InetAddress.getLoopbackAddress()), "wss");
    }

    private MiniWebSocketServer(ServerSocket server, String scheme) {
        this.server = server;
        this.scheme = scheme;
        reader = new Thread(this::serve, "mini-ws-server");
        reader.setDaemon(true);
        reader.start();
    }

    URI uri() {
        return URI.create(scheme + "://127.0.0.1:" + server.getLocalPort() + "/openvidu");
    }

    /** The next complete text message from the client, or null after the timeout. */
    String nextReceived(Duration timeout) throws InterruptedException {
        return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    int clientCloseCode() {
        return clientCloseCode;
    }

    void awaitConnected() throws InterruptedException {
        if (!connected.await(5, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no client connected");
        }
    }

    /** Whether a client completed the handshake (a connection that never reached it does not count). */
    boolean wasConnected() {
        return connected.getCount() == 0;
    }

    /** Waits until the connection ended, however (client close, abort, or {@link #dropAbruptly()}). */
    void awaitDisconnected() throws InterruptedException {
        if (!disconnected.await(5, TimeUnit.SECONDS)) {
            throw new IllegalStateException("client still connected");
        }
    }

    /** Kills the connection without a close frame, as a master killed with -9 (RST, so the client notices at once). */
    void dropAbruptly() throws IOException {
        Socket s = socket;
        s.setSoLinger(true, 0);
        s.close();
    }

    /** Sends a JSON-RPC notification with {@code params.seq}. */
    void sendEvent(String method, long seq) throws IOException {
        sendText("{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\",\"params\":{\"seq\":" + seq + "}}");
    }

    void sendText(String text) throws IOException {
        writeFrame(0x80 | 0x1, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Splits the UTF-8 bytes into {@code parts} frames, cutting through multi-byte characters on purpose. */
    void sendFragmented(String text, int parts) throws IOException {
        byte[] all = text.getBytes(StandardCharsets.UTF_8);
        int step = Math.max(1, all.length / parts);
        int pos = 0;
        boolean first = true;
        while (pos < all.length) {
            int end = Math.min(all.length, pos + step);
            boolean fin = end == all.length;
            int opcode = first ? 0x1 : 0x0;
            writeFrame((fin ? 0x80 : 0) | opcode, Arrays.copyOfRange(all, pos, end));
            first = false;
            pos = end;
        }
    }

    void sendClose(int code, String reason) throws IOException {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + r.length];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(r, 0, payload, 2, r.length);
        writeFrame(0x80 | 0x8, payload);
    }

    private synchronized void writeFrame(int b0, byte[] payload) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(b0);
        if (payload.length < 126) {
            out.write(payload.length);
        } else if (payload.length < 65_536) {
            out.write(126);
            out.write(payload.length >> 8);
            out.write(payload.length);
        } else {
            out.write(127);
            for (int i = 7; i >= 0; i--) {
                out.write((int) ((long) payload.length >> (8 * i)));
            }
        }
        out.write(payload);
        out.flush();
    }

    private void serve() {
        try (Socket s = server.accept()) {
            socket = s;
            DataInputStream in = new DataInputStream(s.getInputStream());
            handshake(in, s.getOutputStream());
            connected.countDown();
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            while (true) {
                int b0 = in.readUnsignedByte();
                int b1 = in.readUnsignedByte();
                long len = b1 & 0x7F;
                if (len == 126) {
                    len = in.readUnsignedShort();
                } else if (len == 127) {
                    len = in.readLong();
                }
                byte[] mask = new byte[4];
                if ((b1 & 0x80) != 0) {
                    in.readFully(mask);
                }
                byte[] payload = new byte[(int) len];
                in.readFully(payload);
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i % 4];
                }
                int opcode = b0 & 0x0F;
                boolean fin = (b0 & 0x80) != 0;
                switch (opcode) {
                    case 0x0, 0x1 -> {
                        message.write(payload);
                        if (fin) {
                            received.offer(message.toString(StandardCharsets.UTF_8));
                            message.reset();
                        }
                    }
                    case 0x8 -> {
                        clientCloseCode = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                        writeFrame(0x80 | 0x8, payload);
                        return;
                    }
                    case 0x9 -> writeFrame(0x80 | 0xA, payload);
                    default -> { }
                }
            }
        } catch (IOException e) {
            // Connection ended: the test decides whether that was expected.
        } finally {
            disconnected.countDown();
        }
    }

    private static void handshake(InputStream in, OutputStream out) throws IOException {
        String key = null;
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Sec-WebSocket-Key")) {
                key = line.substring(colon + 1).trim();
            }
        }
        if (key == null) {
            throw new IOException("no Sec-WebSocket-Key");
        }
        String accept;
        try {
            accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    // Byte by byte so that nothing after the headers is swallowed by a buffer.
    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed during handshake");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
            if (sb.length() > 8_192) {
                throw new IOException("header line too long");
            }
        }
        return sb.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
        Socket s = socket;
        if (s != null) {
            s.close();
        }
    }
}
