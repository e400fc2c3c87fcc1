// SPDX-License-Identifier: Apache-2.0
package io.cutover.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What may depend on what between Cutover's modules (docs/architecture.md, "Modules"). */
class ModuleBoundariesTest {

  @Test
  @DisplayName("no module, main or test code, uses another module's internal packages")
  void internalPackagesStayInsideTheirModule() {
    ArchRule rule =
        classes()
            .should(
                new ArchCondition<JavaClass>("use internal packages of their own module only") {
                  @Override
                  public void check(JavaClass origin, ConditionEvents events) {
                    String from = ProjectClasses.moduleOf(origin);
                    for (Dependency d : origin.getDirectDependenciesFromSelf()) {
                      JavaClass target = d.getTargetClass().getBaseComponentType();
                      if (isInternal(target) && target.getPackageName().startsWith("io.cutover.")) {
                        String to = ProjectClasses.moduleOf(target);
                        if (!to.equals(from)) {
                          events.add(
                              SimpleConditionEvent.violated(
                                  d,
                                  d.getDescription()
                                      + " [module "
                                      + from
                                      + " uses an internal package of module "
                                      + to
                                      + "; ask for a public type, or move the fixture to the test-fixtures module]"));
                        }
                      }
                    }
                  }
                });
    rule.check(ProjectClasses.mainAndTests());
  }

  @Test
  @DisplayName("the rules read the test classes of the modules, not only their product classes")
  void testClassesAreRead() {
    long tests =
        ProjectClasses.mainAndTests().stream()
            .filter(
                c ->
                    c.getSource()
                        .map(s -> s.getUri().toString().contains("/target/test-classes/"))
                        .orElse(false))
            .map(ProjectClasses::moduleOf)
            .distinct()
            .count();
    assertTrue(tests >= 8, "test classes of only " + tests + " modules were found");
  }

  @Test
  @DisplayName(
      "no source file imports another module's internal packages (constants leave no bytecode trace)")
  void noImportOfAnotherModulesInternals() {
    SourceImports sources = SourceImports.read(ProjectClasses.projectRoot(), "architecture-tests");
    List<String> violations = new ArrayList<>();
    for (SourceImports.Import i : sources.imports()) {
      String owner = sources.moduleDeclaring(i.imported());
      boolean internal = i.imported().contains(".internal.");
      if (internal
          && i.imported().startsWith("io.cutover.")
          && owner != null
          && !owner.equals(i.module())) {
        violations.add(
            i.file() + " imports " + i.imported() + " (internal to module " + owner + ")");
      }
    }
    assertEquals(
        List.of(),
        violations,
        "ask the owning module for a public type, or move the shared fixture"
            + " into the test-fixtures module");
    assertTrue(
        sources.imports().size() > 1000,
        "read too few imports to trust: " + sources.imports().size());
  }

  @Test
  @DisplayName(
      "providers never depend on core: they see the engine only through the api module's SPI")
  void providersDoNotUseCore() {
    noClasses()
        .that()
        .resideInAPackage("io.cutover.provider..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.cutover.core..")
        .because(
            "a provider jar must work with any core version that speaks the same SPI (DESIGN.md, Modules)")
        .check(ProjectClasses.main());
  }

  @Test
  @DisplayName("api depends on the JDK and JSpecify annotations only")
  void apiHasNoThirdPartyDependency() {
    classes()
        .that()
        .resideInAnyPackage("io.cutover.api..", "io.cutover.spi..")
        .should()
        .onlyDependOnClassesThat(
            DescribedPredicate.describe(
                "reside in the JDK, api/spi or JSpecify",
                (JavaClass c) ->
                    c.getBaseComponentType().isPrimitive()
                        || c.getPackageName().startsWith("java.")
                        || c.getPackageName().startsWith("io.cutover.api")
                        || c.getPackageName().startsWith("io.cutover.spi")
                        || c.getPackageName().startsWith("org.jspecify.annotations")))
        .because(
            "cutover-api is the one jar every host and provider loads; it must bring nothing with it")
        .check(ProjectClasses.main());
  }

  private static boolean isInternal(JavaClass c) {
    String p = c.getPackageName();
    return p.endsWith(".internal") || p.contains(".internal.");
  }
}
