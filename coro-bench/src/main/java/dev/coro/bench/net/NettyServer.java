package dev.coro.bench.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The peer of the network benchmarks (netbench.sh, servers.sh): Netty with LOOPS event-loop
 * threads (default 1, the single thread a coro loop has), one of:
 * <ul>
 *   <li>{@code echo}: every buffer written back, flushed once per read batch;</li>
 *   <li>{@code http}: HTTP/1.1 keep-alive answering {@code Hello, World!} with the response bytes
 *       of {@code coro serve http};</li>
 *   <li>{@code tls-echo}: the echo over TLS ({@code SslHandler}) with the JDK's provider
 *       ({@code jdk}) or BoringSSL through netty-tcnative ({@code openssl}), presenting a
 *       certificate made as {@code coro serve --tls} makes its own (keytool, EC P-256, self-signed).</li>
 * </ul>
 * With several loops, every loop serves connections and the first also accepts (Netty's usual
 * single acceptor hands connections round-robin, as {@code ServerBootstrap} does with one group).
 *
 * <p>Usage: {@code NettyServer echo|http|tls-echo nio|epoll PORT [LOOPS] [jdk|openssl]}.
 */
public final class NettyServer {
    private static final byte[] HELLO = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

    private NettyServer() {}

    /** Serves until killed. */
    public static void main(String[] args) throws Exception {
        String kind = args[0];
        boolean epoll = args[1].equals("epoll");
        int port = Integer.parseInt(args[2]);
        int loops = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        SslContext tls = kind.equals("tls-echo") ? tls(args.length > 4 ? args[4] : "jdk") : null;
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> type = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(loops, io);
        new ServerBootstrap().group(group).channel(type)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        if (kind.equals("http")) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Hello());
                        } else {
                            ch.pipeline().addLast(new Echo());
                        }
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).sync();
        System.out.println("listening on 127.0.0.1:" + port + " (netty " + args[1] + " " + kind + ", " + loops
                + " loops" + (tls == null ? "" : ", TLS " + SslContext.defaultServerProvider() + " -> " + tls) + ")");
    }

    /* TLS 1.3 and 1.2 with the provider's default ciphers, as the JDK's SSLContext has for coro's server. */
    private static SslContext tls(String provider) throws Exception {
        SslProvider p = switch (provider) {
            case "jdk" -> SslProvider.JDK;
            case "openssl" -> SslProvider.OPENSSL;
            default -> throw new IllegalArgumentException("NettyServer: TLS provider '" + provider + "' (expected: jdk or openssl)");
        };
        if (p == SslProvider.OPENSSL && !OpenSsl.isAvailable()) {
            throw new IllegalStateException("NettyServer: netty-tcnative is not available here", OpenSsl.unavailabilityCause());
        }
        return SslContextBuilder.forServer(BenchCertificate.keyManagers()).sslProvider(p)
                .protocols("TLSv1.3", "TLSv1.2").build();
    }

    /** Writes every buffer back; flushes once per read batch, as Netty's own echo example does. */
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    /**
     * GET anything: Hello, World!, keep-alive unless the request says otherwise; the head is the
     * one {@code coro serve http} sends (Content-Type text/plain; charset=utf-8 and Content-Length).
     */
    private static final class Hello extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            ByteBuf body = Unpooled.wrappedBuffer(HELLO);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
            // Named as coro writes them (Netty's constants are lower case): the same bytes on the wire.
            response.headers().set("Content-Type", "text/plain; charset=utf-8").setInt("Content-Length", HELLO.length);
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            if (keepAlive && !request.protocolVersion().isKeepAliveDefault()) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            if (keepAlive) ctx.write(response);
            else ctx.write(response).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }
}
