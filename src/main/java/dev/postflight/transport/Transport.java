package dev.postflight.transport;

import com.jcraft.jsch.Proxy;
import java.util.Optional;

/**
 * The byte stream under one SSH session: a TCP socket, a tunnel through a jump host, or a
 * ProxyCommand.
 */
sealed interface Transport extends Proxy permits TcpTransport, TunnelTransport, CommandTransport {

    /** The watcher of the server's first bytes, once the stream is open. */
    Optional<BannerWatch> watch();
}
