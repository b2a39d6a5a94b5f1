/**
 * Sluice's implementation. Only {@link dev.sluice.internal.CoreRepo} and {@link dev.sluice.internal.RepoSettings}
 * are public, for adapters; both are unstable and may change in any release.
 */
@NullMarked
package dev.sluice.internal;

import org.jspecify.annotations.NullMarked;
