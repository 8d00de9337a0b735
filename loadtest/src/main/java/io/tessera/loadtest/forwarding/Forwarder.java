package io.tessera.loadtest.forwarding;

import java.io.IOException;
import java.net.InetSocketAddress;

/** Something that takes one stream of UDP packets and copies each to every subscriber: the thing measured. */
interface Forwarder extends AutoCloseable {

    String name();

    /** Where the source sends; {@code source} is the address it sends from. */
    InetSocketAddress start(InetSocketAddress source) throws IOException;

    void addSubscriber(InetSocketAddress subscriber) throws IOException;

    /** Packets handed to the kernel for subscribers so far. */
    long forwarded();

    @Override
    void close();
}
