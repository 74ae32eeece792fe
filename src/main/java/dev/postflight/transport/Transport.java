package dev.postflight.transport;

import com.jcraft.jsch.Proxy;
import java.util.Optional;

/** The byte stream under one SSH session: a TCP socket, or a tunnel through a jump host. */
sealed interface Transport extends Proxy permits TcpTransport, TunnelTransport {

    /** The watcher of the server's first bytes, once the stream is open. */
    Optional<BannerWatch> watch();
}
