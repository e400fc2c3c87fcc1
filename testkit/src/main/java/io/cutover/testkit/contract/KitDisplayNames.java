// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.contract;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGenerator;

/**
 * Display names of the contract kits' nested groups that name the provider test and the kit, e.g.
 * {@code HaproxyRouterContractTest › Router contract › applying splits}, as IDEs, the console
 * launcher and JUnit's Open Test Reporting show them. The kits carry
 * {@code @DisplayNameGeneration(KitDisplayNames.class)}, which their subclasses inherit: nothing to
 * do in a provider's test.
 *
 * <p>Surefire's XML reports name a test case's class by the nested class's own {@code @DisplayName}
 * if it has one, otherwise by its class name. The kits' groups therefore carry {@link KitGroup}
 * instead of {@code @DisplayName}: their Surefire test cases are named after the kit's class (e.g.
 * {@code io.cutover.testkit.contract.RouterContract$Concurrency}, no longer a bare "concurrency"
 * shared by six kits), inside the report file and test suite named after the provider's test.
 *
 * <p>Top-level classes and methods keep JUnit's standard names (a method's {@code @DisplayName}
 * still wins).
 */
public final class KitDisplayNames extends DisplayNameGenerator.Standard {

  /** Separates the provider test, the kit and the group. */
  static final String SEPARATOR = " › ";

  /** Instantiated by JUnit. */
  public KitDisplayNames() {}

  @Override
  public String generateDisplayNameForNestedClass(
      List<Class<?>> enclosingInstanceTypes, Class<?> nestedClass) {
    // The first enclosing instance type is the concrete kit subclass (the provider's test), not
    // the abstract kit that declares the nested class.
    Class<?> kit = nestedClass.getEnclosingClass();
    Class<?> provider = enclosingInstanceTypes.isEmpty() ? kit : enclosingInstanceTypes.get(0);
    KitGroup group = nestedClass.getAnnotation(KitGroup.class);
    String phrase =
        group != null
            ? group.value()
            : super.generateDisplayNameForNestedClass(enclosingInstanceTypes, nestedClass);
    return provider.getSimpleName() + SEPARATOR + kitName(kit) + SEPARATOR + phrase;
  }

  private static String kitName(@Nullable Class<?> kit) {
    if (kit == null) {
      return "contract";
    }
    DisplayName name = kit.getAnnotation(DisplayName.class);
    return name != null ? name.value() : kit.getSimpleName();
  }
}
