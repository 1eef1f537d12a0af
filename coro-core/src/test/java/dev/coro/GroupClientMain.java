package dev.coro;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The client process of {@link GroupServerIT}: {@code <port> <connections> <wave>} opens the
 * connections to 127.0.0.1 in waves of {@code wave} open at once, sends one line on each and reads
 * the server's answer (the name of the loop that served it); prints {@code served <loop> <count>}
 * per loop, then {@code done <answered>}.
 */
public final class GroupClientMain {
    private GroupClientMain() {}

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        int total = Integer.parseInt(args[1]);
        int wave = Integer.parseInt(args[2]);
        Map<String, Integer> served = new TreeMap<>();
        int answered = 0;
        for (int start = 0; start < total; start += wave) {
            List<Socket> open = new ArrayList<>();
            try {
                for (int i = start; i < Math.min(total, start + wave); i++) {
                    Socket s = new Socket("127.0.0.1", port);
                    s.setSoTimeout(20_000);
                    open.add(s);
                    OutputStream out = s.getOutputStream();
                    out.write(("hello " + i + "\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                for (Socket s : open) {
                    String loop = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                    if (loop != null) {
                        served.merge(loop, 1, Integer::sum);
                        answered++;
                    }
                }
            } finally {
                for (Socket s : open) s.close();
            }
        }
        served.forEach((loop, n) -> System.out.println("served " + loop + " " + n));
        System.out.println("done " + answered);
    }
}
