// SPDX-License-Identifier: Apache-2.0
package io.cutover.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Dependencies form a directed graph, so a feature can be read, changed and split out without
 * dragging a loop along. A public package and its {@code internal} packages count as one unit for
 * the package rule: the public side creates internal implementations, and internal code implements
 * the public types (as in resilience4j). Across that line, classes still must not call each other
 * in a circle.
 */
class NoCyclesTest {

  /** {@code io.cutover.core.policy.internal} and {@code io.cutover.core.policy} are one slice. */
  private static final SliceAssignment FEATURES =
      new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass c) {
          String p = c.getPackageName();
          if (!p.startsWith("io.cutover.")) {
            return SliceIdentifier.ignore();
          }
          return SliceIdentifier.of(p.replaceAll("\\.internal(\\..*)?$", ""));
        }

        @Override
        public String getDescription() {
          return "packages of io.cutover (a package with its internal subpackages)";
        }
      };

  @Test
  @DisplayName(
      "no cycles between packages of product code (a package and its internal packages are one)")
  void noPackageCycles() {
    slices().assignedFrom(FEATURES).should().beFreeOfCycles().check(ProjectClasses.main());
  }

  @Test
  @DisplayName(
      "no class cycle crosses a package boundary (e.g. a public class and its internal parser)")
  void noClassCyclesAcrossPackages() {
    List<String> crossing = new ArrayList<>();
    for (Set<String> cycle : stronglyConnected(classGraph(ProjectClasses.main()))) {
      Set<String> packages = new TreeSet<>();
      cycle.forEach(c -> packages.add(c.substring(0, c.lastIndexOf('.'))));
      if (packages.size() > 1) {
        crossing.add(packages + ": " + cycle);
      }
    }
    assertEquals(
        List.of(),
        crossing,
        "classes in different packages that depend on each other in a circle;"
            + " break the loop with an interface or a value type owned by the lower package");
  }

  /**
   * Top-level class → the top-level project classes it uses (nested classes count as their outer
   * class).
   */
  private static Map<String, Set<String>> classGraph(JavaClasses classes) {
    Map<String, Set<String>> graph = new TreeMap<>();
    for (JavaClass c : classes) {
      String from = topLevel(c);
      Set<String> out = graph.computeIfAbsent(from, k -> new TreeSet<>());
      for (Dependency d : c.getDirectDependenciesFromSelf()) {
        JavaClass target = d.getTargetClass().getBaseComponentType();
        String to = topLevel(target);
        if (target.getPackageName().startsWith("io.cutover.") && !to.equals(from)) {
          out.add(to);
        }
      }
    }
    return graph;
  }

  private static String topLevel(JavaClass c) {
    JavaClass t = c;
    while (t.getEnclosingClass().isPresent()) {
      t = t.getEnclosingClass().get();
    }
    return t.getName();
  }

  /** Tarjan's algorithm; returns every strongly connected component with more than one class. */
  private static List<Set<String>> stronglyConnected(Map<String, Set<String>> graph) {
    Tarjan t = new Tarjan(graph);
    graph
        .keySet()
        .forEach(
            v -> {
              if (!t.index.containsKey(v)) {
                t.visit(v);
              }
            });
    return t.components;
  }

  private static final class Tarjan {
    final Map<String, Set<String>> graph;
    final Map<String, Integer> index = new HashMap<>();
    final Map<String, Integer> low = new HashMap<>();
    final Deque<String> stack = new ArrayDeque<>();
    final Set<String> onStack = new HashSet<>();
    final List<Set<String>> components = new ArrayList<>();
    int next;

    Tarjan(Map<String, Set<String>> graph) {
      this.graph = graph;
    }

    void visit(String v) {
      index.put(v, next);
      low.put(v, next);
      next++;
      stack.push(v);
      onStack.add(v);
      for (String w : graph.getOrDefault(v, Set.of())) {
        if (!index.containsKey(w)) {
          visit(w);
          low.put(v, Math.min(low.get(v), low.get(w)));
        } else if (onStack.contains(w)) {
          low.put(v, Math.min(low.get(v), index.get(w)));
        }
      }
      if (low.get(v).equals(index.get(v))) {
        Set<String> component = new TreeSet<>();
        String w;
        do {
          w = stack.pop();
          onStack.remove(w);
          component.add(w);
        } while (!w.equals(v));
        if (component.size() > 1) {
          components.add(component);
        }
      }
    }
  }
}
