package dev.sluice.r2dbc;

/**
 * How {@link R2dbcRepo.Builder#logStatements(Masking)} writes a statement's bind values.
 *
 * <pre>{@code
 * TYPES: SELECT ... WHERE id > $1 AND name LIKE $2 LIMIT $3 [$1 Long, $2 String(4 chars), $3 Integer]
 * NONE:  SELECT ... WHERE id > $1 AND name LIKE $2 LIMIT $3 [$1 1200, $2 'IMG%', $3 500]
 * }</pre>
 */
public enum Masking {
    /** Each value's type and size (characters, bytes, elements), never its content: safe for personal data. */
    TYPES,
    /** Each value as it is (strings quoted, byte arrays in hex, long values cut short): for development only. */
    NONE
}
