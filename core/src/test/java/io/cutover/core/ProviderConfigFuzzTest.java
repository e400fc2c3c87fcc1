// SPDX-License-Identifier: Apache-2.0
package io.cutover.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.cutover.api.InvalidSpecException;
import io.cutover.spi.ProviderConfig;
import io.cutover.testfixtures.fuzz.Fuzz;
import io.cutover.testfixtures.fuzz.Mutations;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes {@link ProviderConfigs}: configurations read from mutated JSON (the values a YAML or JSON
 * loader hands over: strings, huge numbers, booleans, lists, maps, nulls), with every typed getter
 * asked for every key. Each getter returns a value or throws an {@link InvalidSpecException} whose
 * path is the key's path under {@code $.providers.fuzz}.
 */
class ProviderConfigFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> SEEDS =
      List.of(
          "{\"socket\":\"/run/haproxy.sock\",\"backend\":\"be_app\",\"timeout\":\"1m30s\","
              + "\"retries\":3,\"weight\":0.5,\"tls\":true,\"hosts\":[\"a\",\"b\"],"
              + "\"auth\":{\"username\":\"u\",\"passwordEnv\":\"PW\"}}",
          "{\"url\":\"http://127.0.0.1:9090\",\"interval\":\"PT5S\",\"step\":\"250ms\","
              + "\"maxBytes\":1048576,\"insecure\":\"false\",\"labels\":\"one\"}",
          "{\"dir\":\"/var/lib/cutover\",\"replicas\":2,\"timeouts\":{\"ready\":\"30s\","
              + "\"drain\":\"2m\"},\"env\":{\"JAVA_OPTS\":\"-Xmx64m\"}}");

  @Provide
  Arbitrary<String> mutatedConfigs() {
    return Mutations.json(SEEDS);
  }

  @Property
  void everyGetterAnswersOrNamesTheKey(@ForAll("mutatedConfigs") String json) throws Exception {
    Map<String, Object> values;
    try {
      Object tree = JSON.readValue(json, Object.class);
      if (!(tree instanceof Map)) {
        return;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) tree;
      values = m;
    } catch (Exception e) {
      return; // not a configuration any loader would hand over
    }
    ProviderConfig c = ProviderConfigs.of("fuzz", values);
    readAll(c, json, 0);
  }

  @Property
  void yamlValuesToo(@ForAll("mutatedConfigs") String json) {
    // YAML has types JSON lacks (dates, binary, big integers from plain scalars): convert the
    // mutated JSON to YAML text and read it back with YAML's typing.
    Map<String, Object> values;
    try {
      Object tree = new YAMLMapper().readValue(json, Object.class);
      if (!(tree instanceof Map)) {
        return;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) tree;
      values = m;
    } catch (Exception e) {
      return;
    }
    readAll(ProviderConfigs.of("fuzz", values), json, 0);
  }

  private static void readAll(ProviderConfig c, String input, int depth) {
    for (String key : List.copyOf(c.keys())) {
      check(c, key, input, () -> c.getString(key));
      check(c, key, input, () -> c.getString(key, "d"));
      check(c, key, input, () -> c.requireString(key));
      check(c, key, input, () -> c.getInt(key, 1));
      check(c, key, input, () -> c.requireInt(key));
      check(c, key, input, () -> c.getLong(key, 1L));
      check(c, key, input, () -> c.getDouble(key, 1.0));
      check(c, key, input, () -> c.getBoolean(key, false));
      check(c, key, input, () -> c.getDuration(key, Duration.ZERO));
      check(c, key, input, () -> c.requireDuration(key));
      check(c, key, input, () -> c.getStringList(key));
      Fuzz.Outcome<ProviderConfig> nested = check(c, key, input, () -> c.getConfig(key));
      if (nested.accepted() && depth < 4) {
        readAll(nested.value(), input, depth + 1);
      }
    }
    check(c, "", input, () -> c.requireOnly(Set.of("socket")));
  }

  private static <T> Fuzz.Outcome<T> check(
      ProviderConfig c, String key, String input, java.util.concurrent.Callable<T> call) {
    Fuzz.Outcome<T> out = Fuzz.run("provider_config", input, call, InvalidSpecException.class);
    if (!out.accepted()) {
      String path = ((InvalidSpecException) out.refusal()).path();
      Fuzz.require(
          path.startsWith(c.path() + "."),
          "provider_config",
          input,
          () -> "refusal for key '" + key + "' at " + path);
    }
    return out;
  }
}
