package dev.sluice.spi;

import org.jspecify.annotations.Nullable;

/**
 * What an adapter can tell of an error the database raised, for messages that name the cause.
 *
 * @param message  the database's words, with its detail and context when it gave them (e.g.
 *                 {@code duplicate key value violates unique constraint "picture_sha1_key": Key (sha1)=(...) already
 *                 exists.})
 * @param sqlState the SQLSTATE, when known
 */
public record DatabaseError(String message, @Nullable String sqlState) {
}
