package dev.sluice.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * The run's settings, from the command line: {@code --quick} (100k pictures, 2,000 albums, fewer rounds),
 * {@code --url r2dbc:postgresql://u@h:p/db}, {@code --rounds N}, {@code --warmup N}, {@code --scenarios 1,2,3,4,5,6,7},
 * {@code --no-xmx} / {@code --xmx} (skip or force the forked heap probes; skipped by default with --quick),
 * {@code --variants "sluice scan,raw r2dbc binary"} (only the scenario 1 variants whose names contain one of these, or,
 * written {@code =name}, equal it),
 * {@code --fork} (scenarios 1 and 4: a fresh JVM per round and variant), {@code --latency-us N} (scenario 4 through a
 * relay delaying each direction by N us), {@code --out DIR}. The children of {@link Forks} and {@link HeapProbes}
 * are told what to run by {@code --only NAME} and {@code --xmx-probe NAME}.
 */
record Options(boolean quick, String url, int rounds, int warmupRounds, long pictures, long albums,
               int photosPerAlbum, int writeRows, int springWriteRows, int concurrentSeconds,
               Set<String> scenarios, boolean xmx, @Nullable String probe, @Nullable Path out,
               List<String> variants, boolean fork, @Nullable String only, int latencyMicros) {

    static final String DEFAULT_URL = "r2dbc:postgresql://postgres@127.0.0.1:5432/test";

    static Options parse(String... args) {
        boolean quick = false;
        String url = DEFAULT_URL;
        Integer rounds = null;
        Integer warmup = null;
        Set<String> scenarios = new LinkedHashSet<>(List.of("1", "2", "3", "4", "5", "6", "7"));
        Boolean xmx = null;
        String probe = null;
        Path out = null;
        List<String> variants = List.of();
        boolean fork = false;
        String only = null;
        int latency = 0;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick" -> quick = true;
                case "--url" -> url = value(args, ++i, a);
                case "--rounds" -> rounds = positive(value(args, ++i, a), a, 1);
                case "--warmup" -> warmup = positive(value(args, ++i, a), a, 0);
                case "--scenarios" -> {
                    scenarios = new LinkedHashSet<>(Arrays.asList(value(args, ++i, a).split(",")));
                    if (!Set.of("1", "2", "3", "4", "5", "6", "7").containsAll(scenarios)) {
                        throw new IllegalArgumentException("--scenarios takes a comma-separated subset of "
                                + "1,2,3,4,5,6,7 (4 has only baselines), got " + scenarios);
                    }
                }
                case "--no-xmx" -> xmx = false;
                case "--xmx" -> xmx = true;
                case "--xmx-probe" -> {
                    probe = value(args, ++i, a);
                    if (!HeapProbes.VARIANTS.contains(probe)) {
                        throw new IllegalArgumentException("--xmx-probe takes one of " + HeapProbes.VARIANTS);
                    }
                }
                case "--out" -> out = Path.of(value(args, ++i, a));
                case "--variants" -> variants = List.of(value(args, ++i, a).split(","));
                case "--fork" -> fork = true;
                case "--latency-us" -> latency = positive(value(args, ++i, a), a, 0);
                case "--only" -> only = value(args, ++i, a); // the child of --fork: one variant, exact name
                default -> throw new IllegalArgumentException("Unknown option " + a + "; known: --quick, --url "
                        + "URL, --rounds N, --warmup N, --scenarios 1,2,3,4,5,6,7, --variants A,B, --fork, "
                        + "--latency-us N, --xmx, --no-xmx, --out DIR");
            }
        }
        return new Options(quick, url, rounds != null ? rounds : quick ? 1 : 3,
                // a JVM per variant starts cold: Sluice's scan takes about 3 million rows to reach its speed
                warmup != null ? warmup : quick ? 0 : fork ? 3 : 1, quick ? 100_000 : 1_000_000, quick ? 2_000 : 20_000, 50,
                quick ? 10_000 : 100_000, quick ? 1_000 : 2_000, quick ? 3 : 5, scenarios,
                xmx != null ? xmx : !quick, probe, out, variants, fork, only, latency);
    }

    /**
     * Whether scenario 1 measures the variant {@code name}: every variant without {@code --variants}; else one whose
     * name contains one of its filters, or equals a filter written {@code =name} ({@code "=sluice scan"} is the plain
     * scan alone, where {@code "sluice scan"} is every variant of it).
     */
    boolean chooses(String name) {
        return variants.isEmpty() || variants.stream().anyMatch(filter -> filter.startsWith("=")
                ? name.equals(filter.substring(1)) : name.contains(filter));
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int positive(String v, String option, int min) {
        try {
            int n = Integer.parseInt(v);
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs an integer >= " + min + ", got " + v);
    }
}
