package dev.sluice.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.lang.reflect.GenericArrayType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The rules of core's house, checked on its classes and sources so that they cannot erode unnoticed: the public API
 * ({@code dev.sluice}, {@code dev.sluice.annotation}, {@code dev.sluice.spi}) exposes no internal type, and SQL text
 * is written only in the renderers ({@code *Sql} classes of {@code dev.sluice.internal}).
 */
class ArchitectureTest {

    private static final Path CLASSES = Path.of("target/classes");
    private static final Path SOURCES = Path.of("src/main/java");
    private static final List<String> API_PACKAGES = List.of("dev/sluice", "dev/sluice/annotation", "dev/sluice/spi");
    private static final String INTERNAL = "dev.sluice.internal.";

    @Test
    void noPublicApiTypeExposesAnInternalOne() throws IOException, ClassNotFoundException {
        List<String> exposures = new ArrayList<>();
        List<Class<?>> api = apiClasses();
        assertThat(api).as("the API classes were found").hasSizeGreaterThan(10);
        for (Class<?> type : api) {
            if (!Modifier.isPublic(type.getModifiers())) {
                continue;
            }
            check(type, "extends", type.getGenericSuperclass(), exposures);
            for (Type parent : type.getGenericInterfaces()) {
                check(type, "implements", parent, exposures);
            }
            for (Method m : type.getDeclaredMethods()) {
                if (visible(m)) {
                    check(type, m.getName() + "() returns", m.getGenericReturnType(), exposures);
                    for (Type p : m.getGenericParameterTypes()) {
                        check(type, m.getName() + "() takes", p, exposures);
                    }
                }
            }
            for (var c : type.getDeclaredConstructors()) {
                if (visible(c)) {
                    for (Type p : c.getGenericParameterTypes()) {
                        check(type, "its constructor takes", p, exposures);
                    }
                }
            }
            for (Field f : type.getDeclaredFields()) {
                if (visible(f)) {
                    check(type, "field " + f.getName() + " is", f.getGenericType(), exposures);
                }
            }
            if (type.isRecord()) {
                for (RecordComponent c : type.getRecordComponents()) {
                    check(type, "component " + c.getName() + " is", c.getGenericType(), exposures);
                }
            }
        }
        assertThat(exposures).as("public API types that expose dev.sluice.internal; keep internals behind the API")
                .isEmpty();
    }

    /** A string literal that starts like a statement: {@code "SELECT ...}, {@code "INSERT INTO ...}, ... */
    private static final Pattern SQL_LITERAL = Pattern.compile(
            "\"\\s*(SELECT|INSERT|UPDATE|DELETE|DECLARE|FETCH|CLOSE|COPY|WITH|BEGIN|COMMIT|ROLLBACK)\\b");

    @Test
    void sqlTextIsWrittenOnlyInRenderers() throws IOException {
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith("Sql.java")) {
                    continue;
                }
                String code = withoutComments(Files.readString(file, StandardCharsets.UTF_8));
                Matcher m = SQL_LITERAL.matcher(code);
                while (m.find()) {
                    offenders.add(SOURCES.relativize(file) + ": " + code.substring(m.start(),
                            Math.min(code.length(), m.start() + 40)).replace('\n', ' '));
                }
            }
        }
        assertThat(offenders).as("SQL text outside the renderers (*Sql classes); render it there").isEmpty();
    }

    @Test
    void theSqlCheckSeesALiteralAndNotAComment() {
        assertThat(SQL_LITERAL.matcher(withoutComments("String s = \"SELECT 1\";")).find()).isTrue();
        assertThat(SQL_LITERAL.matcher(withoutComments("/** {@code \"SELECT 1\"} */ int x; // \"COPY\"")).find())
                .isFalse();
    }

    private static String withoutComments(String code) {
        return code.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ");
    }

    private static boolean visible(Member member) {
        return Modifier.isPublic(member.getModifiers()) || Modifier.isProtected(member.getModifiers());
    }

    private static void check(Class<?> owner, String where, Type type, List<String> exposures) {
        if (type == null) {
            return;
        }
        if (type instanceof Class<?> c) {
            Class<?> base = c;
            while (base.isArray()) {
                base = base.getComponentType();
            }
            if (base.getName().startsWith(INTERNAL)) {
                exposures.add(owner.getName() + ": " + where + " " + base.getName());
            }
        } else if (type instanceof ParameterizedType p) {
            check(owner, where, p.getRawType(), exposures);
            for (Type argument : p.getActualTypeArguments()) {
                check(owner, where, argument, exposures);
            }
        } else if (type instanceof WildcardType w) {
            for (Type bound : w.getUpperBounds()) {
                check(owner, where, bound, exposures);
            }
            for (Type bound : w.getLowerBounds()) {
                check(owner, where, bound, exposures);
            }
        } else if (type instanceof GenericArrayType a) {
            check(owner, where, a.getGenericComponentType(), exposures);
        } else if (type instanceof TypeVariable<?> v) {
            for (Type bound : v.getBounds()) {
                if (bound != Object.class) {
                    check(owner, where, bound, exposures);
                }
            }
        }
    }

    private static List<Class<?>> apiClasses() throws IOException, ClassNotFoundException {
        List<Class<?>> classes = new ArrayList<>();
        for (String pkg : API_PACKAGES) {
            try (Stream<Path> files = Files.list(CLASSES.resolve(pkg))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                    String name = file.getFileName().toString();
                    if (name.equals("package-info.class") || name.equals("module-info.class")) {
                        continue;
                    }
                    classes.add(Class.forName(pkg.replace('/', '.') + "." + name.replace(".class", "")));
                }
            }
        }
        return classes;
    }
}
