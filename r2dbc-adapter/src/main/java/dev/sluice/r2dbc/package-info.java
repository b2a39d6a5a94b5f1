/**
 * Sluice on R2DBC: {@link dev.sluice.r2dbc.R2dbcRepo}.
 */
@NullMarked
package dev.sluice.r2dbc;

import org.jspecify.annotations.NullMarked;
