package dev.tollgate.protocol.openai.translate;

import static dev.tollgate.protocol.openai.translate.JsonTrees.assertJsonEquals;
import static dev.tollgate.protocol.openai.translate.JsonTrees.tree;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The comparison every JSON test here relies on must see real differences, and only those. */
class JsonTreesTest {

  @Test
  void numbersCompareByValueAtAnyDepth() {
    assertJsonEquals(tree("{\"a\":[{\"t\":1}],\"b\":0.50}"), "{\"b\":0.5,\"a\":[{\"t\":1.0}]}");
  }

  @Test
  void differencesAnywhereFail() {
    assertThatThrownBy(() -> assertJsonEquals(tree("{\"a\":[{\"t\":1}]}"), "{\"a\":[{\"t\":2}]}"))
        .isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> assertJsonEquals(tree("{\"a\":\"1\"}"), "{\"a\":1}"))
        .isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> assertJsonEquals(tree("{\"a\":1,\"b\":null}"), "{\"a\":1}"))
        .isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> assertJsonEquals(tree("[1,2]"), "[2,1]"))
        .isInstanceOf(AssertionError.class);
  }
}
