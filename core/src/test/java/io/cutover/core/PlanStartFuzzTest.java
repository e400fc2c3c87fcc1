// SPDX-License-Identifier: Apache-2.0
package io.cutover.core;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.api.RolloutConflictException;
import io.cutover.api.plan.Plan;
import io.cutover.core.journal.InMemoryJournal;
import io.cutover.core.plan.PlanJson;
import io.cutover.core.plan.PlanJsonFuzzProbe;
import io.cutover.spi.Fleet;
import io.cutover.spi.HealthGate;
import io.cutover.spi.Router;
import io.cutover.testfixtures.fuzz.Fuzz;
import io.cutover.testfixtures.fuzz.Mutations;
import java.lang.reflect.Proxy;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Nothing happens before validation: a mutated plan that {@link PlanJson} accepts but the engine
 * refuses ({@link Cutover#start} throws) has called no fleet, router or gate method. The providers
 * are recording fakes that count every call (and refuse it, so a started rollout stays harmless).
 */
class PlanStartFuzzTest {
  private static ScheduledExecutorService scheduler;

  @BeforeContainer
  static void start() {
    scheduler = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterContainer
  static void stop() {
    scheduler.shutdownNow();
  }

  @Provide
  Arbitrary<String> mutatedPlans() {
    return Mutations.json(PlanJsonFuzzProbe.seeds());
  }

  @Property
  void aRefusedPlanCallsNoProvider(@ForAll("mutatedPlans") String json) {
    Plan plan;
    try {
      plan = PlanJson.fromJson(json);
    } catch (InvalidSpecException e) {
      // PlanJsonFuzzTest's business; counted as an input all the same, so that the figures of
      // ./benchmarks/run fuzz always name this property.
      Fuzz.run("plan_start", json, () -> null);
      return;
    }
    AtomicInteger calls = new AtomicInteger();
    Cutover engine =
        Cutover.builder()
            .allowUnverifiedArtifacts()
            .journal(InMemoryJournal.create())
            .scheduler(scheduler)
            .fleet(counting(Fleet.class, calls))
            .router(counting(Router.class, calls))
            .gate(gate("error-rate", calls))
            .build();
    try {
      engine.adopt(PlanJsonFuzzProbe.stable(), 3);
      int before = calls.get();
      Fuzz.Outcome<Object> out =
          Fuzz.run(
              "plan_start",
              json,
              () -> engine.start(plan),
              InvalidSpecException.class,
              RolloutConflictException.class);
      if (!out.accepted() && calls.get() != before) {
        throw Fuzz.unexpected(
            "plan_start",
            json,
            (calls.get() - before) + " provider calls before the plan was refused");
      }
    } finally {
      engine.close();
    }
  }

  private static <T> T counting(Class<T> type, AtomicInteger calls) {
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "toString":
                  return "counting " + type.getSimpleName();
                case "hashCode":
                  return System.identityHashCode(proxy);
                case "equals":
                  return proxy == args[0];
                case "name":
                  return "fake";
                default:
                  calls.incrementAndGet();
                  throw new ProviderException("fake", method.getName(), "a fuzz fake refuses");
              }
            }));
  }

  private static HealthGate gate(String name, AtomicInteger calls) {
    HealthGate counting = counting(HealthGate.class, calls);
    return (HealthGate)
        Proxy.newProxyInstance(
            HealthGate.class.getClassLoader(),
            new Class<?>[] {HealthGate.class},
            (proxy, method, args) ->
                method.getName().equals("name")
                    ? name
                    : method.invoke(counting, args == null ? new Object[0] : args));
  }
}
