/**
 * Runnable examples: {@link dev.sluice.examples.ScanDemo} (the README's first command: the scan itself, with its
 * table made and filled by {@code DemoTable} and its options in {@link dev.sluice.examples.ScanDemoOptions}) and
 * {@link dev.sluice.examples.WriteDemo}.
 */
@NullMarked
package dev.sluice.examples;

import org.jspecify.annotations.NullMarked;
