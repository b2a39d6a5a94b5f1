/**
 * The service-provider interface: what an adapter implements to run Sluice's rendered statements on a driver and
 * stream rows back. Users do not need it.
 */
@NullMarked
package dev.sluice.spi;

import org.jspecify.annotations.NullMarked;
