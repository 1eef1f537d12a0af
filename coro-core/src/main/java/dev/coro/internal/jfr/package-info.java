/**
 * coro's JDK Flight Recorder events ({@code dev.coro.*}, category "coro"): what a recording shows of
 * the loops. The kernel emits them through {@code internal.kernel.JfrProbe}, installed on a loop only
 * while a recording has one of them enabled; the watchdog emits {@link dev.coro.internal.jfr.BlockedLoop}.
 */
package dev.coro.internal.jfr;
