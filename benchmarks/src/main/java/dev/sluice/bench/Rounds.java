package dev.sluice.bench;

import java.util.List;
import java.util.stream.IntStream;

/**
 * The round robin every scenario runs its variants in: each round runs every variant once, in an order rotated by
 * one place per round, so that no variant always runs first (on a cold cache) or right after the same neighbour.
 */
final class Rounds {

    private Rounds() {
    }

    /** The variants in the order of round {@code round}: the list rotated left by {@code round} places. */
    static <T> List<T> order(List<T> variants, int round) {
        int n = variants.size();
        return IntStream.range(0, n).mapToObj(k -> variants.get((k + round) % n)).toList();
    }
}
