package dev.sluice.r2dbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.sluice.Delete;
import dev.sluice.Query;
import dev.sluice.Repo;
import dev.sluice.SqlQuery;
import dev.sluice.Update;
import dev.sluice.Upsert;
import org.junit.jupiter.api.Test;

/**
 * Nothing the repository hands out can bypass an exception translator: every method of the public interfaces,
 * default methods included, is overridden by its translating decorator (a default method left to the interface
 * would run the interface's code, not the delegate's), and by {@link R2dbcRepo} itself.
 */
class TranslatingTest {

    private static final Map<Class<?>, String> DECORATORS = Map.of(
            Repo.class, "dev.sluice.r2dbc.Translating$TranslatingRepo",
            Query.class, "dev.sluice.r2dbc.Translating$TranslatingQuery",
            Update.class, "dev.sluice.r2dbc.Translating$TranslatingUpdate",
            Delete.class, "dev.sluice.r2dbc.Translating$TranslatingDelete",
            Upsert.class, "dev.sluice.r2dbc.Translating$TranslatingUpsert",
            SqlQuery.class, "dev.sluice.r2dbc.Translating$TranslatingSqlQuery");

    private static List<String> notOverridden(Class<?> api, Class<?> implementation) {
        List<String> missing = new ArrayList<>();
        for (Method method : api.getMethods()) {
            if (Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            try {
                implementation.getDeclaredMethod(method.getName(), method.getParameterTypes());
            } catch (NoSuchMethodException e) {
                missing.add(api.getSimpleName() + "." + method.getName());
            }
        }
        return missing;
    }

    @Test
    void everyMethodOfThePublicInterfacesIsTranslated() throws ClassNotFoundException {
        for (Map.Entry<Class<?>, String> decorator : DECORATORS.entrySet()) {
            assertThat(notOverridden(decorator.getKey(), Class.forName(decorator.getValue())))
                    .as("methods of %s the decorator leaves to the interface", decorator.getKey().getSimpleName())
                    .isEmpty();
        }
    }

    @Test
    void r2dbcRepoDelegatesEveryMethodOfRepo() {
        assertThat(notOverridden(Repo.class, R2dbcRepo.class)).isEmpty();
    }

    @Test
    void theCheckFindsADefaultMethodLeftToTheInterface() {
        interface Api {
            void run();

            default void later() {
            }
        }
        final class Partial implements Api {
            @Override
            public void run() {
            }
        }
        assertThat(notOverridden(Api.class, Partial.class)).containsExactly("Api.later");
    }
}
