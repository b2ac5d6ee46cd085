package dev.idleledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The cluster jar leaves the bench classes out, and picocli reads every declared method of every command (lambdas'
 * synthetic methods included) when the command line starts. A bench class in any of {@link BenchCommand}'s method
 * signatures would make every command fail there with NoClassDefFoundError; the bench classes may be named only
 * inside method bodies, which load them when {@code bench} runs. ClusterJarIT finds this against the real jar; this
 * finds it in the unit suite.
 */
class BenchCommandSignatureTest {
  @Test
  void noMethodOfTheBenchCommandNamesABenchClassInItsSignature() {
    List<String> named = new ArrayList<>();
    for (Method m : BenchCommand.class.getDeclaredMethods()) {
      Stream.concat(Stream.of(m.getReturnType()), Stream.of(m.getParameterTypes()))
          .map(t -> t.isArray() ? t.getComponentType() : t)
          .filter(t -> t.getPackageName().equals("dev.idleledger.bench"))
          .forEach(t -> named.add(m.getName() + " names " + t.getSimpleName()));
    }
    assertEquals(List.of(), named);
  }
}
