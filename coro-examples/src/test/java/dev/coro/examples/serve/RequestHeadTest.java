package dev.coro.examples.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RequestHeadTest {

    private static byte[] head(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void parsesWhatTheServerActsOn() throws Exception {
        RequestHead h = RequestHead.parse(head("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\nConnection: Close\r\n\r\n"));
        assertThat(h).isEqualTo(new RequestHead("POST", "/x", true, false, 12));
        assertThat(RequestHead.parse(head("GET / HTTP/1.0\r\nConnection: keep-alive, Upgrade\r\n\r\n")))
                .isEqualTo(new RequestHead("GET", "/", false, true, 0));
    }

    @Test
    void rejectsWithTheStatusToAnswer() {
        assertThatThrownBy(() -> RequestHead.parse(head("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")))
                .isInstanceOfSatisfying(RequestHead.Rejected.class, e -> assertThat(e.status).isEqualTo(Status.BAD_REQUEST));
        assertThatThrownBy(() -> RequestHead.parse(head("GET / HTTP/3.0\r\n\r\n")))
                .isInstanceOfSatisfying(RequestHead.Rejected.class, e -> assertThat(e.status).isEqualTo(Status.VERSION_NOT_SUPPORTED));
    }

    /* Heads built from request-ish pieces and random bytes: parse answers or rejects, nothing else. */
    @Test
    void noInputMakesTheParserFailOtherwiseThanWithRejected() {
        String[] pieces = {"GET", "POST", " ", "/", "HTTP/1.1", "HTTP/1.0", "HTTP/9.9", "\r\n", "\n", "\r", ":", "Host",
                "Content-Length", "Transfer-Encoding", "Connection", "close", "keep-alive", "-1", "99999999999999999999",
                "0", "\u0000", "\u00ff", "\t", ",", "x"};
        Random random = new Random(20261125);
        List<String> outcomes = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder(random.nextBoolean() ? "GET / HTTP/1.1\r\nHost: a\r\n" : "");
            for (int n = random.nextInt(12); n > 0; n--) {
                if (random.nextInt(8) == 0) b.append((char) random.nextInt(256));
                else b.append(pieces[random.nextInt(pieces.length)]);
            }
            try {
                RequestHead.parse(head(b + "\r\n\r\n"));
                outcomes.add("parsed");
            } catch (RequestHead.Rejected e) {
                outcomes.add("rejected");
            }
        }
        assertThat(outcomes).contains("parsed", "rejected");
    }
}
