/** JMH benchmarks of coro and of the peers it is measured against. */
package dev.coro.bench;
