package dev.sluice.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.sluice.bench.Entities.Picture;
import dev.sluice.r2dbc.R2dbcRepo;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Runs the benchmarks and writes benchmarks/results/{results.json, RESULTS.md, scan-throughput.png}.
 *
 * <pre>
 * mvn -q -Dmaven.test.skip=true -pl benchmarks -am package exec:java -Dexec.args="--quick"
 * </pre>
 *
 * Options: {@code --quick} (100k pictures, 2,000 albums, fewer rounds), {@code --url r2dbc:postgresql://u@h:p/db},
 * {@code --rounds N}, {@code --warmup N}, {@code --scenarios 1,2,3,4,5,6}, {@code --no-xmx} / {@code --xmx} (skip or force the
 * forked heap probes; skipped by default with --quick), {@code --variants "sluice scan,raw r2dbc binary"} (only
 * the scenario 1 variants whose names contain one of these), {@code --fork} (scenarios 1 and 4: a fresh JVM per
 * round and variant), {@code --latency-us N} (scenario 4 through a relay delaying each direction by N us), {@code --out DIR}.
 */
public final class Bench {

    static final String DEFAULT_URL = "r2dbc:postgresql://postgres@127.0.0.1:5432/test";
    static final List<String> PROBES = List.of("sluice-scan", "sluice-scan-limitRate500", "sluice-cursor",
            "raw-binary");

    /** The run's settings, from the command line. */
    record Options(boolean quick, String url, int rounds, int warmupRounds, long pictures, long albums,
                   int photosPerAlbum, int writeRows, int springWriteRows, int concurrentSeconds,
                   Set<String> scenarios, boolean xmx, @Nullable String probe, @Nullable Path out,
                   List<String> variants, boolean fork, @Nullable String only, int latencyMicros) {

        static Options parse(String... args) {
            boolean quick = false;
            String url = DEFAULT_URL;
            Integer rounds = null;
            Integer warmup = null;
            Set<String> scenarios = new LinkedHashSet<>(List.of("1", "2", "3", "4", "5", "6"));
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
                        if (!Set.of("1", "2", "3", "4", "5", "6").containsAll(scenarios)) {
                            throw new IllegalArgumentException("--scenarios takes a comma-separated subset of "
                                    + "1,2,3,4,5,6 (4 has only baselines), got " + scenarios);
                        }
                    }
                    case "--no-xmx" -> xmx = false;
                    case "--xmx" -> xmx = true;
                    case "--xmx-probe" -> {
                        probe = value(args, ++i, a);
                        if (!PROBES.contains(probe)) {
                            throw new IllegalArgumentException("--xmx-probe takes one of " + PROBES);
                        }
                    }
                    case "--out" -> out = Path.of(value(args, ++i, a));
                    case "--variants" -> variants = List.of(value(args, ++i, a).split(","));
                    case "--fork" -> fork = true;
                    case "--latency-us" -> latency = positive(value(args, ++i, a), a, 0);
                    case "--only" -> only = value(args, ++i, a); // the child of --fork: one variant, exact name
                    default -> throw new IllegalArgumentException("Unknown option " + a + "; known: --quick, --url "
                            + "URL, --rounds N, --warmup N, --scenarios 1,2,3,4,5,6, --variants A,B, --fork, "
                            + "--latency-us N, --xmx, --no-xmx, --out DIR");
                }
            }
            return new Options(quick, url, rounds != null ? rounds : quick ? 1 : 3,
                    // a JVM per variant starts cold: Sluice's scan takes about 3 million rows to reach its speed
                    warmup != null ? warmup : quick ? 0 : fork ? 3 : 1, quick ? 100_000 : 1_000_000, quick ? 2_000 : 20_000, 50,
                    quick ? 10_000 : 100_000, quick ? 1_000 : 2_000, quick ? 3 : 5, scenarios,
                    xmx != null ? xmx : !quick, probe, out, variants, fork, only, latency);
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

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Db db = Db.parse(o.url());
        if (o.probe() != null) {
            System.exit(probe(db, o.probe()));
            return;
        }
        if (o.only() != null) {
            System.exit(o.scenarios().contains("4") ? Relations.child(o) : Scans.child(o));
            return;
        }
        long t0 = System.nanoTime();
        Results results = new Results();
        environment(db, o, results);
        results.environment().forEach((k, v) -> System.out.println("env: " + k + " = " + v));
        Data.ensure(db, o.pictures(), o.albums(), o.photosPerAlbum());
        if (o.scenarios().contains("1")) {
            Scans.run(db, o, results);
            if (o.xmx()) {
                heapProbes(o, results);
            }
        }
        if (o.scenarios().contains("2")) {
            Backpressure.slowSubscriber(db, results);
        }
        if (o.scenarios().contains("3")) {
            Backpressure.take10(db, o, results);
        }
        if (o.scenarios().contains("4")) {
            Relations.run(db, o, results);
        }
        if (o.scenarios().contains("5")) {
            Writes.run(db, o, results);
        }
        if (o.scenarios().contains("6")) {
            Backpressure.concurrent(db, o, results);
        }
        results.environment("run time", String.format(Locale.ROOT, "%.0f s", (System.nanoTime() - t0) / 1e9));
        Path out = o.out() != null ? o.out() : defaultOut();
        Files.createDirectories(out);
        Files.writeString(out.resolve("results.json"), results.toJson());
        Files.writeString(out.resolve("RESULTS.md"), results.toMarkdown());
        if (o.scenarios().contains("1")) {
            Chart.scanThroughput(results, out.resolve("scan-throughput.png"));
        }
        System.out.println();
        System.out.println(results.toMarkdown());
        System.out.println("Wrote " + out.toAbsolutePath() + "/{results.json, RESULTS.md"
                + (o.scenarios().contains("1") ? ", scan-throughput.png" : "") + "}");
        System.exit(0); // Netty and pool threads are not daemons
    }

    private static Path defaultOut() {
        String dir = System.getProperty("bench.dir");
        if (dir != null) {
            return Path.of(dir, "results");
        }
        return Files.isDirectory(Path.of("benchmarks")) ? Path.of("benchmarks", "results") : Path.of("results");
    }

    private static void environment(Db db, Options o, Results results) throws Exception {
        results.environment("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        results.environment("mode", o.quick() ? "--quick" : "full");
        results.environment("cpus (nproc)", String.valueOf(Runtime.getRuntime().availableProcessors()));
        results.environment("cpu", firstLine("/proc/cpuinfo", "model name"));
        results.environment("memory", firstLine("/proc/meminfo", "MemTotal"));
        results.environment("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        results.environment("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        results.environment("jvm heap (-Xmx)", (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
        results.environment("postgresql", String.valueOf(db.queryString("SELECT version()")));
        Properties versions = new Properties();
        try (InputStream in = Bench.class.getResourceAsStream("/sluice-bench-versions.properties")) {
            if (in != null) {
                versions.load(in);
            }
        }
        versions.stringPropertyNames().stream().sorted()
                .forEach(k -> results.environment("version " + k, versions.getProperty(k)));
        results.environment("rounds", o.rounds() + " measured, after " + o.warmupRounds() + " warm-up round(s); "
                + (o.fork() && (o.scenarios().contains("1") || o.scenarios().contains("4"))
                ? "scenarios 1 and 4: every round of every variant in a fresh JVM (its warm-up rounds, then one "
                + "measured), alternated; other scenarios: " : "")
                + "alternated in one JVM (variant order rotates per round)");
        results.environment("data", String.format(Locale.ROOT, "bench_picture %,d x 1 KiB; bench_album %,d x %d "
                + "bench_photo", o.pictures(), o.albums(), o.photosPerAlbum()));
    }

    private static String firstLine(String file, String key) {
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return "unknown";
    }

    /** The child side of a heap probe: run one streaming variant once over the whole table. */
    private static int probe(Db db, String name) {
        try (R2dbcRepo repo = R2dbcRepo.create(db.r2dbcUrl(""))) {
            Tally.Sample s = switch (name) {
                case "sluice-scan" -> Scans.sluice(repo.scan(Picture.class));
                case "sluice-scan-limitRate500" -> Scans.sluice(repo.scan(Picture.class).limitRate(500));
                case "sluice-cursor" -> Scans.sluice(repo.select(Picture.class).orderBy("taken_at").flux());
                default -> {
                    io.r2dbc.spi.Connection c = Mono.from(db.rawFactory(db.port(), true, "bench-probe").create())
                            .block();
                    yield Scans.raw(c, true, 0);
                }
            };
            System.out.printf(Locale.ROOT, "probe %s: %d rows in %.2f s, first row after %.1f ms%n", name, s.rows(),
                    s.seconds(), s.firstRowMillis());
            return 0;
        } catch (Throwable t) {
            System.out.println("probe " + name + " failed: " + t);
            return 1;
        }
    }

    /** Forks a JVM per variant and heap size, smallest first, and records the smallest heap that completed. */
    private static void heapProbes(Options o, Results results) throws Exception {
        for (String name : PROBES) {
            String smallest = "none of 32m/64m/128m";
            List<String> tried = new ArrayList<>();
            for (String heap : List.of("32m", "64m", "128m")) {
                Process p = fork(List.of("-Xmx" + heap, "-XX:+ExitOnOutOfMemoryError"),
                        List.of("--xmx-probe", name, "--url", o.url()));
                byte[] output = p.getInputStream().readAllBytes();
                boolean done = p.waitFor(180, TimeUnit.SECONDS);
                int code = done ? p.exitValue() : -1;
                String text = new String(output, StandardCharsets.UTF_8).trim();
                String last = text.isEmpty() ? "" : text.substring(text.lastIndexOf('\n') + 1);
                System.out.printf(Locale.ROOT, "heap probe %-28s -Xmx%-5s exit %d  %s%n", name, heap, code, last);
                tried.add("-Xmx" + heap + (code == 0 ? " ok" : " failed (exit " + code + ")"));
                if (code == 0) {
                    smallest = "-Xmx" + heap;
                    break;
                }
            }
            results.add("1x", name, "smallest -Xmx that completes", "tried in order",
                    List.of(), null, smallest + " (" + String.join(", ", tried) + ")");
        }
        results.scenario("1x", "Smallest heap that completes a full scan (forked JVM per try)");
    }

    /**
     * Runs one variant's rounds in a fresh JVM (the child side of {@code --fork}, {@code --only name}): echoes its
     * measured lines, those starting with {@code echo} and not {@code echo + "warmup"}, and returns the fields of its
     * {@code SAMPLE} line after that word.
     *
     * @throws IllegalStateException with the child's output, if it failed or printed no sample
     */
    static String[] forkForSample(String name, List<String> args, String echo) throws Exception {
        Process p = fork(List.of(), args);
        String[] sample = null;
        StringBuilder output = new StringBuilder();
        try (BufferedReader in = p.inputReader()) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                output.append(line).append('\n');
                if (line.startsWith("SAMPLE\t")) {
                    sample = line.substring("SAMPLE\t".length()).split("\t");
                } else if (line.startsWith(echo) && !line.startsWith(echo + "warmup")) {
                    System.out.println(line);
                }
            }
        }
        if (p.waitFor() != 0 || sample == null) {
            throw new IllegalStateException("the JVM of " + name + " ended with " + p.exitValue()
                    + " and no sample:\n" + output);
        }
        return sample;
    }

    /** Runs this benchmark's main class in a new JVM with {@code jvmOptions} and {@code args}; returns its output. */
    static Process fork(List<String> jvmOptions, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", classpath(), Bench.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private static String classpath() {
        List<String> entries = new ArrayList<>();
        ClassLoader cl = Bench.class.getClassLoader();
        if (cl instanceof URLClassLoader ucl) {
            for (URL url : ucl.getURLs()) {
                try {
                    entries.add(new File(url.toURI()).getPath());
                } catch (Exception e) {
                    entries.add(url.getPath());
                }
            }
        }
        entries.add(System.getProperty("java.class.path"));
        return String.join(File.pathSeparator, entries);
    }
}
