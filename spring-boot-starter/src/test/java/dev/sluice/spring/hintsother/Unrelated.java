package dev.sluice.spring.hintsother;

/** A record nothing in the scanned package refers to: not registered. */
public record Unrelated(Long id) {
}
