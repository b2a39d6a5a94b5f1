package dev.sluice.spring.hintsother;

/** A record only reached through a JSON document's type arguments, in another package. */
public record Badge(String name, Level level) {

    public enum Level { GOLD, SILVER }
}
