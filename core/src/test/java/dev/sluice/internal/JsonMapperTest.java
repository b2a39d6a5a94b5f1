package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class JsonMapperTest {

    record Step(String name, int order) {
    }

    record Plan(String title, List<Step> steps) {
    }

    @Test
    void jackson3IsPreferredWhenBothAreThere() {
        assertThat(JsonMapper.detected()).isNotNull();
        assertThat(JsonMapper.detected().name()).isEqualTo("Jackson 3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Jackson 2", "Jackson 3"})
    void eitherJacksonWritesAndReadsRecordsGenericTypesAndTrees(String jackson) throws Exception {
        JsonMapper json = JsonMapper.of(jackson, getClass().getClassLoader());
        assertThat(json).isNotNull();
        Plan plan = new Plan("p", List.of(new Step("a", 1), new Step("b", 2)));
        String text = json.write(plan);
        assertThat(text).isEqualTo("{\"title\":\"p\",\"steps\":[{\"name\":\"a\",\"order\":1},{\"name\":\"b\",\"order\":2}]}");
        assertThat(json.read(text, Plan.class)).isEqualTo(plan);
        java.lang.reflect.Type listOfSteps = Plan.class.getRecordComponents()[1].getGenericType();
        assertThat(json.read("[{\"name\":\"x\",\"order\":3}]", listOfSteps)).isEqualTo(List.of(new Step("x", 3)));
        Object tree = json.readTree("{\"a\": [1, null]}");
        assertThat(json.isTree(tree.getClass())).isTrue();
        assertThat(JsonMapper.isAnyTree(tree.getClass())).isTrue();
        assertThat(json.write(tree)).isEqualTo("{\"a\":[1,null]}");
        assertThatThrownBy(() -> json.read("{\"title\": [1]}", Plan.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(jackson + ": ");
    }
}
