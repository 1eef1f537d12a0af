package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportLimiterTest {
    private static final long SECOND = 1_000_000_000L;

    /* What a log would show for reports of `kind` at the given seconds. */
    private static List<String> shown(ReportLimiter limiter, Object kind, long... seconds) {
        List<String> out = new ArrayList<>();
        for (long s : seconds) {
            ReportLimiter.Verdict v = limiter.admit(kind, s * SECOND);
            if (v.report()) out.add(s + ": " + v.annotate("boom"));
        }
        return out;
    }

    @Test
    void aBurstPerWindowGoesThroughAndTheNextReportCountsWhatWasHeldBack() {
        ReportLimiter limiter = new ReportLimiter(2, Duration.ofSeconds(10));
        assertThat(shown(limiter, "k", 0, 1, 2, 3, 9, 10, 11, 12, 30)).containsExactly(
                "0: boom",
                "1: boom [similar reports are suppressed for up to PT10S]",
                "10: boom [3 similar reports were suppressed before this one]",
                "11: boom [similar reports are suppressed for up to PT10S]",
                "30: boom [1 similar report was suppressed before this one]");
    }

    @Test
    void kindsAreLimitedApart() {
        ReportLimiter limiter = new ReportLimiter(1, Duration.ofSeconds(10));
        List<String> out = new ArrayList<>();
        for (String kind : List.of("a", "b", "a", "b")) out.add(kind + " " + limiter.admit(kind, 0).report());
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
        limiter.admit("first", 0);
        for (int i = 0; i < ReportLimiter.MAX_KINDS; i++) limiter.admit(i, 0);
        assertThat(limiter.admit("first", 1).report()).as("forgotten, so reported afresh").isTrue();
    }

    @Test
    void badArgumentsAreRejectedByName() {
        assertThatThrownBy(() -> new ReportLimiter(0, Duration.ofSeconds(1))).hasMessage("burst: 0 (expected: >= 1)");
        assertThatThrownBy(() -> new ReportLimiter(1, Duration.ZERO)).hasMessage("window: PT0S (expected: > 0)");
    }
}
