package dev.coro.examples.walkthrough;

import java.util.List;

/**
 * One step of the walkthrough: a cell (or a few) of the study note.
 *
 * @param number 1-based position
 * @param title the heading
 * @param summary one sentence on what the step shows
 * @param code the regions of source shown before the output, in order
 * @param body prints the step's output
 */
record Step(int number, String title, String summary, List<Excerpt> code, Runnable body) {}
