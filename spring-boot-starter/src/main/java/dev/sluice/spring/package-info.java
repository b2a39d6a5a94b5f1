/**
 * Sluice on Spring Boot: the auto-configured {@link dev.sluice.Repo} ({@link dev.sluice.spring.SluiceAutoConfiguration},
 * {@link dev.sluice.spring.SluiceProperties}) and the connection provider that joins Spring-managed reactive
 * transactions ({@link dev.sluice.spring.SpringConnectionProvider}).
 */
@NullMarked
package dev.sluice.spring;

import org.jspecify.annotations.NullMarked;
