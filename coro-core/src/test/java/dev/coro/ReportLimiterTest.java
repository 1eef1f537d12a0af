package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportLimiterTest {
    private static final long SECOND = 1_000_000_000L;

    /* What a log would show for reports of `message` at the given seconds. */
    private static List<String> shown(ReportLimiter limiter, String message, long... seconds) {
        List<String> out = new ArrayList<>();
        for (long s : seconds) {
            ReportLimiter.Verdict v = limiter.admit(message, null, s * SECOND);
            if (v.report()) out.add(s + ": " + v.annotate(message));
        }
        return out;
    }

    @Test
    void aBurstPerWindowGoesThroughAndTheNextReportCountsWhatWasHeldBack() {
        ReportLimiter limiter = new ReportLimiter(2, Duration.ofSeconds(10));
        assertThat(shown(limiter, "boom", 0, 1, 2, 3, 9, 10, 11, 12, 30)).containsExactly(
                "0: boom",
                "1: boom [similar reports are suppressed for up to PT10S]",
                "10: boom [3 similar reports were suppressed over PT7S before this one]",
                "11: boom [similar reports are suppressed for up to PT10S]",
                "30: boom [1 similar report was suppressed before this one]");
    }

    @Test
    void drainingCountsWhatNoReportHasCarriedOncePerKindAndOnlyOnce() {
        ReportLimiter limiter = new ReportLimiter(1, Duration.ofSeconds(10));
        shown(limiter, "boom", 0, 1, 2, 4);
        shown(limiter, "bang", 0);
        shown(limiter, "crash", 0, 3);
        IllegalStateException e = new IllegalStateException("db down");
        for (int s = 5; s < 7; s++) limiter.admit("conn-" + s + " failed", e, s * SECOND);
        assertThat(limiter.drainHeldBack()).map(h -> h.lastReported() + " [" + h + "]").containsExactly(
                "boom [3 similar reports were suppressed over PT3S]",
                "crash [1 similar report was suppressed]",
                "conn-5 failed (java.lang.IllegalStateException: db down) [1 similar report was suppressed]");
        assertThat(limiter.drainHeldBack()).isEmpty();
        assertThat(shown(limiter, "boom", 20)).as("drained counts are not counted again").containsExactly("20: boom [similar reports are suppressed for up to PT10S]");
    }

    @Test
    void kindsAreLimitedApart() {
        ReportLimiter limiter = new ReportLimiter(1, Duration.ofSeconds(10));
        List<String> out = new ArrayList<>();
        for (String kind : List.of("a", "b", "a", "b")) out.add(kind + " " + limiter.admit(kind, null, 0).report());
        assertThat(out).containsExactly("a true", "b true", "a false", "b false");
    }

    @Test
    void theKindOfAFailureIsItsClassAndWhereItWasThrownNotItsMessage() {
        List<Object> kinds = new ArrayList<>();
        for (int i = 0; i < 3; i++) kinds.add(ReportLimiter.kindOf("conn-" + i + " failed", new IllegalStateException("#" + i)));
        Object elsewhere = ReportLimiter.kindOf("x", new IllegalStateException("#0"));
        assertThat(kinds).containsOnly(kinds.get(0));
        assertThat(elsewhere).isNotEqualTo(kinds.get(0));
        assertThat(ReportLimiter.kindOf("no failure", null)).isEqualTo("no failure");
    }

    @Test
    void manyDistinctKindsDoNotGrowItBeyondItsBound() {
        ReportLimiter limiter = new ReportLimiter(1, Duration.ofSeconds(10));
        limiter.admit("first", null, 0);
        for (int i = 0; i < ReportLimiter.MAX_KINDS; i++) limiter.admit("kind " + i, null, 0);
        assertThat(limiter.admit("first", null, 1).report()).as("forgotten, so reported afresh").isTrue();
    }

    @Test
    void badArgumentsAreRejectedByName() {
        assertThatThrownBy(() -> new ReportLimiter(0, Duration.ofSeconds(1))).hasMessage("burst: 0 (expected: >= 1)");
        assertThatThrownBy(() -> new ReportLimiter(1, Duration.ZERO)).hasMessage("window: PT0S (expected: > 0)");
    }
}
