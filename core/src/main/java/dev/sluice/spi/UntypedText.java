package dev.sluice.spi;

import java.util.Objects;

/**
 * A value to bind as text with no type of its own, so that PostgreSQL reads it as the type the statement gives the
 * parameter (the column it is written to), as it reads a quoted literal: how a {@code String} reaches an enum,
 * {@code json} or {@code jsonb} column exactly. A SQL NULL of this kind is a {@code TypedNull(UntypedText.class)}.
 * An adapter that cannot send an untyped parameter must fail with a message that says so, never bind it as
 * {@code varchar} or change it.
 *
 * @param text the value in PostgreSQL's text form
 */
public record UntypedText(String text) {
    public UntypedText {
        Objects.requireNonNull(text, "text");
    }
}
