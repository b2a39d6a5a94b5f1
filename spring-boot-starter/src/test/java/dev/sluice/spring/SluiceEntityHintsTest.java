package dev.sluice.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.sluice.spring.hints.Album;
import dev.sluice.spring.hintsjson.Profile;
import dev.sluice.spring.hintsother.Badge;
import dev.sluice.spring.hintsother.Photo;
import dev.sluice.spring.hintsother.Unrelated;
import org.junit.jupiter.api.Test;
import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.AotServices;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotContribution;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotProcessor;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.javapoet.ClassName;
import org.springframework.mock.env.MockEnvironment;

/** Spring AOT's hints for the records Sluice maps: from {@code sluice.entity-packages}, else the application's. */
class SluiceEntityHintsTest {

    private static RuntimeHints hints(DefaultListableBeanFactory beanFactory) {
        BeanFactoryInitializationAotContribution contribution = new SluiceEntityHints().processAheadOfTime(beanFactory);
        DefaultGenerationContext context = new DefaultGenerationContext(
                new ClassNameGenerator(ClassName.get("dev.sluice.spring", "Generated")), new InMemoryGeneratedFiles());
        if (contribution != null) {
            contribution.applyTo(context, null);
        }
        return context.getRuntimeHints();
    }

    private static boolean mapped(RuntimeHints hints, Class<?> type) {
        return RuntimeHintsPredicates.reflection().onType(type)
                .withMemberCategories(MemberCategory.INVOKE_DECLARED_CONSTRUCTORS,
                        MemberCategory.INVOKE_DECLARED_METHODS, MemberCategory.ACCESS_DECLARED_FIELDS)
                .test(hints);
    }

    private static DefaultListableBeanFactory withPackages(String packages) {
        DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
        beanFactory.registerSingleton("environment",
                new MockEnvironment().withProperty("sluice.entity-packages", packages));
        return beanFactory;
    }

    @Test
    void theRecordsOfTheNamedPackagesAndWhatTheirComponentsReferTo() {
        RuntimeHints hints = hints(withPackages("dev.sluice.spring.hints"));
        assertThat(mapped(hints, Album.class)).isTrue();
        assertThat(mapped(hints, Photo.class)).as("a relation's record, in another package").isTrue();
        assertThat(RuntimeHintsPredicates.reflection().onType(Album.Mood.class)).as("an enum component")
                .accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onType(Album.Helper.class)).as("not a record")
                .rejects(hints);
        assertThat(RuntimeHintsPredicates.reflection().onType(Unrelated.class)).as("outside, unreferenced")
                .rejects(hints);
    }

    @Test
    void everyTypeAJsonDocumentHoldsIsRegisteredForJackson() {
        RuntimeHints hints = hints(withPackages("dev.sluice.spring.hintsjson"));
        for (Class<?> type : List.of(Profile.class, Profile.Settings.class, Profile.Theme.class, Badge.class,
                Profile.Layout.class, Profile.Preferences.class, Profile.Base.class, Profile.Nested.class)) {
            assertThat(mapped(hints, type)).as(type.getName()).isTrue();
        }
        for (Class<?> type : List.of(Profile.Shade.class, Badge.Level.class)) {
            assertThat(RuntimeHintsPredicates.reflection().onType(type)).as(type.getName()).accepts(hints);
        }
        assertThat(RuntimeHintsPredicates.reflection().onType(Profile.Unreached.class)).as("a static field's type")
                .rejects(hints);
        assertThat(RuntimeHintsPredicates.reflection().onType(java.util.Map.class)).as("the JDK's own")
                .rejects(hints);
    }

    @Test
    void severalPackagesCommaSeparated() {
        RuntimeHints hints = hints(withPackages("dev.sluice.spring.hints, dev.sluice.spring.hintsother"));
        assertThat(mapped(hints, Unrelated.class)).isTrue();
    }

    @Test
    void byDefaultTheApplicationsPackages() {
        DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
        beanFactory.registerSingleton("environment", new MockEnvironment());
        AutoConfigurationPackages.register(beanFactory, "dev.sluice.spring.hints");
        assertThat(mapped(hints(beanFactory), Album.class)).isTrue();
    }

    @Test
    void nothingWithoutPackages() {
        DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
        beanFactory.registerSingleton("environment", new MockEnvironment());
        assertThat(new SluiceEntityHints().processAheadOfTime(beanFactory)).isNull();
    }

    @Test
    void springAotFindsIt() {
        assertThat(AotServices.factories().load(BeanFactoryInitializationAotProcessor.class).asList())
                .hasAtLeastOneElementOfType(SluiceEntityHints.class);
    }
}
