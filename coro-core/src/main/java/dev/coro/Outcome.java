package dev.coro;

import java.util.Objects;
import java.util.concurrent.CancellationException;

/**
 * How a computation ended: with a value or with an error.
 *
 * <p>A cancelled task's outcome is a failure whose error is a {@link CancellationException};
 * checked failures are held as themselves.
 *
 * @param <T> the type of the value
 */
public final class Outcome<T> {
    private final T value;
    private final Throwable error;

    private Outcome(T value, Throwable error) {
        this.value = value;
        this.error = error;
    }

    /**
     * A success holding {@code value} (which may be null).
     *
     * @param <T> the type of the value
     * @param value the value, may be null
     * @return the success
     */
    public static <T> Outcome<T> success(T value) {
        return new Outcome<>(value, null);
    }

    /**
     * A failure holding {@code error}.
     *
     * @param <T> the type of the value the computation would have returned
     * @param error the failure
     * @return the failure outcome
     */
    public static <T> Outcome<T> failure(Throwable error) {
        return new Outcome<>(null, Objects.requireNonNull(error, "Outcome.failure: error is null (expected: the"
                + " Throwable the computation failed with; for a value use Outcome.success(value))"));
    }

    /**
     * Whether the computation returned a value.
     *
     * @return true for a success, false for a failure
     */
    public boolean isSuccess() {
        return error == null;
    }

    /**
     * The value.
     *
     * @return the value, possibly null
     * @throws IllegalStateException if this is a failure (the error is its cause)
     */
    public T value() {
        if (error != null) throw new IllegalStateException("value() of a failed outcome (check isSuccess() first)", error);
        return value;
    }

    /**
     * The error.
     *
     * @return the error
     * @throws IllegalStateException if this is a success
     */
    public Throwable error() {
        if (error == null) throw new IllegalStateException("error() of a successful outcome (check isSuccess() first)");
        return error;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Outcome<?> other && Objects.equals(value, other.value) && Objects.equals(error, other.error);
    }

    @Override
    public int hashCode() {
        return Objects.hash(value, error);
    }

    @Override
    public String toString() {
        return error == null ? "Success[" + value + "]" : "Failure[" + error + "]";
    }
}
