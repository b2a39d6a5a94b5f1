package dev.sluice.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;

/**
 * The application's Jackson, found at run time and called by reflection, so that Sluice depends on no JSON library:
 * Jackson 3 ({@code tools.jackson.databind.json.JsonMapper}) when present, else Jackson 2
 * ({@code com.fasterxml.jackson.databind.ObjectMapper}, with the modules it finds registered, such as java.time's).
 * Thread-safe, as Jackson's mappers are once configured.
 */
final class JsonMapper {

    static final String MISSING = "add Jackson to the application: tools.jackson.core:jackson-databind (Jackson 3) "
            + "or com.fasterxml.jackson.core:jackson-databind (Jackson 2)";

    private static final String[][] KNOWN = {
            {"Jackson 3", "tools.jackson.databind.json.JsonMapper", "tools.jackson.databind.JsonNode",
                    "tools.jackson.databind.JavaType"},
            {"Jackson 2", "com.fasterxml.jackson.databind.ObjectMapper", "com.fasterxml.jackson.databind.JsonNode",
                    "com.fasterxml.jackson.databind.JavaType"}};

    private static volatile @Nullable JsonMapper detected;
    private static volatile boolean searched;

    private final String name;
    private final Object mapper;
    private final Class<?> treeType;
    private final Method write;
    private final Method constructType;
    private final Method read;
    private final Method readTree;

    private JsonMapper(String name, Object mapper, Class<?> treeType, Class<?> javaType) throws ReflectiveOperationException {
        this.name = name;
        this.mapper = mapper;
        this.treeType = treeType;
        Class<?> type = mapper.getClass();
        this.write = type.getMethod("writeValueAsString", Object.class);
        this.constructType = type.getMethod("constructType", Type.class);
        this.read = type.getMethod("readValue", String.class, javaType);
        this.readTree = type.getMethod("readTree", String.class);
    }

    /** The Jackson on the class path (3 before 2), or null when there is none. */
    static @Nullable JsonMapper detected() {
        if (!searched) {
            synchronized (JsonMapper.class) {
                if (!searched) {
                    detected = detect(JsonMapper.class.getClassLoader());
                    searched = true;
                }
            }
        }
        return detected;
    }

    /** The first of Jackson 3 and Jackson 2 that {@code loader} finds, with its default mapper. */
    static @Nullable JsonMapper detect(@Nullable ClassLoader loader) {
        for (String[] known : KNOWN) {
            JsonMapper found = of(known[0], loader);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** {@code "Jackson 3"} or {@code "Jackson 2"} with its default mapper, if {@code loader} finds it. */
    static @Nullable JsonMapper of(String jackson, @Nullable ClassLoader loader) {
        for (String[] known : KNOWN) {
            if (!known[0].equals(jackson)) {
                continue;
            }
            try {
                Class<?> mapperType = Class.forName(known[1], true, loader);
                Object mapper = mapperType.getConstructor().newInstance();
                if (known[0].equals("Jackson 2")) {
                    mapperType.getMethod("findAndRegisterModules").invoke(mapper);
                }
                return new JsonMapper(known[0], mapper, Class.forName(known[2], true, loader),
                        Class.forName(known[3], true, loader));
            } catch (ReflectiveOperationException | LinkageError e) {
                // not there (or not usable): try the next
            }
        }
        return null;
    }

    /** Which Jackson, for messages: "Jackson 3" or "Jackson 2". */
    String name() {
        return name;
    }

    /** Whether {@code type} is (a subtype of) this Jackson's tree type {@code JsonNode}. */
    boolean isTree(Class<?> type) {
        return treeType.isAssignableFrom(type);
    }

    /** Whether {@code type} is a {@code JsonNode} of either Jackson, found by name (no Jackson needed). */
    static boolean isAnyTree(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (String[] known : KNOWN) {
                if (c.getName().equals(known[2])) {
                    return true;
                }
            }
        }
        return false;
    }

    String write(Object value) {
        return (String) call(write, value);
    }

    /** Reads {@code text} into {@code type} (a generic type too, e.g. {@code List<Step>}). */
    Object read(String text, Type type) {
        return call(read, text, call(constructType, type));
    }

    Object readTree(String text) {
        return call(readTree, text);
    }

    private Object call(Method method, Object... args) {
        try {
            return method.invoke(mapper, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new IllegalArgumentException(name + ": " + cause.getMessage(), cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(name + " cannot be called: " + e.getMessage(), e);
        }
    }
}
