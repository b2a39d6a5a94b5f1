/**
 * Sluice: reactive data access whose back-pressure drives row fetching.
 *
 * <p>Start from {@link dev.sluice.Repo}; an adapter such as {@code dev.sluice.r2dbc.R2dbcRepo} creates one.
 */
@NullMarked
package dev.sluice;

import org.jspecify.annotations.NullMarked;
