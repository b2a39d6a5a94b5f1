/**
 * Runnable examples: {@link dev.sluice.examples.ScanDemo} (the README's first command) and
 * {@link dev.sluice.examples.WriteDemo}.
 */
@NullMarked
package dev.sluice.examples;

import org.jspecify.annotations.NullMarked;
