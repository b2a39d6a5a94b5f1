package dev.sluice.spring;

import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.sluice.annotation.Json;
import org.jspecify.annotations.Nullable;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotContribution;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotProcessor;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.env.Environment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.type.filter.TypeFilter;
import org.springframework.util.ClassUtils;

/**
 * Spring AOT: registers the records Sluice maps for reflection in a native image (their canonical constructor,
 * accessors and fields, read by Sluice's mappers), so that entities, projections and {@code query(type, sql)}
 * results work there as on the JVM.
 *
 * <p>The records are those of the packages {@code sluice.entity-packages} names, by default the application's
 * packages (where {@code @SpringBootApplication} sits, as Spring Boot's entity scans do), with their subpackages;
 * and, wherever they are, the records and enums their components refer to ({@code List<Photo> photos},
 * {@code Album album}, {@code Mood mood}); for a {@code @Json} component, every type of the application's the
 * document holds, for Jackson: its type, the records and classes nested in it (through components, fields, type
 * arguments and arrays) and their enums. Registered through {@code META-INF/spring/aot.factories}; runs only
 * during {@code spring-boot:process-aot}.
 */
public final class SluiceEntityHints implements BeanFactoryInitializationAotProcessor {

    /** The property naming the packages to scan. */
    static final String PACKAGES = "sluice.entity-packages";

    private static final MemberCategory[] RECORD = {MemberCategory.INVOKE_DECLARED_CONSTRUCTORS,
            MemberCategory.INVOKE_DECLARED_METHODS, MemberCategory.ACCESS_DECLARED_FIELDS};
    private static final MemberCategory[] ENUM = {MemberCategory.INVOKE_PUBLIC_METHODS,
            MemberCategory.ACCESS_DECLARED_FIELDS};

    @Override
    public @Nullable BeanFactoryInitializationAotContribution processAheadOfTime(
            ConfigurableListableBeanFactory beanFactory) {
        List<String> packages = packages(beanFactory);
        if (packages.isEmpty()) {
            return null;
        }
        ClassLoader classLoader = beanFactory.getBeanClassLoader() != null ? beanFactory.getBeanClassLoader()
                : ClassUtils.getDefaultClassLoader();
        Set<Class<?>> types = typesIn(packages, classLoader);
        return types.isEmpty() ? null : (context, code) -> register(context.getRuntimeHints(), types);
    }

    /** {@code sluice.entity-packages}, else the application's auto-configuration packages. */
    private static List<String> packages(ConfigurableListableBeanFactory beanFactory) {
        Environment environment = beanFactory.containsBean("environment")
                ? beanFactory.getBean("environment", Environment.class) : new StandardEnvironment();
        List<String> named = Binder.get(environment).bind(PACKAGES, Bindable.listOf(String.class))
                .orElse(List.of());
        if (!named.isEmpty()) {
            return named;
        }
        return AutoConfigurationPackages.has(beanFactory) ? AutoConfigurationPackages.get(beanFactory) : List.of();
    }

    /**
     * The records of the packages (and subpackages), and the records and enums their components refer to, in a
     * stable order.
     */
    static Set<Class<?>> typesIn(List<String> packages, @Nullable ClassLoader classLoader) {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false) {
            @Override
            protected boolean isCandidateComponent(
                    org.springframework.beans.factory.annotation.AnnotatedBeanDefinition definition) {
                return definition.getMetadata().isIndependent();
            }
        };
        TypeFilter records = (reader, factory) -> "java.lang.Record".equals(reader.getClassMetadata()
                .getSuperClassName());
        scanner.addIncludeFilter(records);
        Set<Class<?>> types = new LinkedHashSet<>();
        for (String pkg : packages) {
            List<String> names = new ArrayList<>();
            for (BeanDefinition candidate : scanner.findCandidateComponents(pkg)) {
                names.add(candidate.getBeanClassName());
            }
            names.sort(null);
            for (String name : names) {
                add(ClassUtils.resolveClassName(name, classLoader), types);
            }
        }
        return types;
    }

    private static void add(Class<?> type, Set<Class<?>> types) {
        if (!types.add(type) || !type.isRecord()) {
            return;
        }
        for (RecordComponent component : type.getRecordComponents()) {
            if (component.isAnnotationPresent(Json.class)) {
                addJson(component.getGenericType(), types);
                continue;
            }
            Class<?> target = component.getType();
            if (Collection.class.isAssignableFrom(target)) {
                target = elementOf(component.getGenericType());
            } else if (target.isArray()) {
                target = target.getComponentType();
            }
            if (target != null && (target.isRecord() || target.isEnum())) {
                add(target, types);
            }
        }
    }

    /**
     * The types Jackson reads and writes for a {@code @Json} component: the component's type and, through type
     * arguments ({@code Map<String, List<Badge>>}), arrays, record components and the fields of other classes, every
     * type of the application's it holds (records, classes, enums); the JDK's own types are left to Jackson's hints.
     */
    private static void addJson(Type type, Set<Class<?>> types) {
        if (type instanceof ParameterizedType parameterized) {
            addJson(parameterized.getRawType(), types);
            for (Type argument : parameterized.getActualTypeArguments()) {
                addJson(argument, types);
            }
        } else if (type instanceof WildcardType wildcard) {
            for (Type bound : wildcard.getUpperBounds()) {
                addJson(bound, types);
            }
        } else if (type instanceof GenericArrayType array) {
            addJson(array.getGenericComponentType(), types);
        } else if (type instanceof Class<?> c) {
            if (c.isArray()) {
                addJson(c.getComponentType(), types);
            } else if (!c.isPrimitive() && !c.getName().startsWith("java.") && !c.getName().startsWith("javax.")
                    && types.add(c)) {
                if (c.isRecord()) {
                    for (RecordComponent component : c.getRecordComponents()) {
                        addJson(component.getGenericType(), types);
                    }
                } else if (!c.isEnum() && !c.isInterface()) {
                    for (Class<?> at = c; at != null && at != Object.class; at = at.getSuperclass()) {
                        if (at != c) {
                            types.add(at);
                        }
                        for (Field field : at.getDeclaredFields()) {
                            if (!Modifier.isStatic(field.getModifiers())) {
                                addJson(field.getGenericType(), types);
                            }
                        }
                    }
                }
            }
        }
    }

    private static @Nullable Class<?> elementOf(Type collection) {
        if (collection instanceof ParameterizedType parameterized
                && parameterized.getActualTypeArguments().length == 1
                && parameterized.getActualTypeArguments()[0] instanceof Class<?> element) {
            return element;
        }
        return null;
    }

    static void register(RuntimeHints hints, Set<Class<?>> types) {
        for (Class<?> type : types) {
            hints.reflection().registerType(type, type.isEnum() ? ENUM : RECORD);
        }
    }
}
