package io.tessera.plugin.d2nwg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.api.tensor.Generator;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The zoo's tasks: held-out class sets never occur in the zoo, label orders, relabelled data, conditioning sets. */
class ZooTest {
    /** A domain of {@code classes} classes whose single feature equals the class, 3 images per class and split. */
    private static Zoo.Domain domain(String name, int classes) {
        int n = classes * 3;
        float[] x = new float[n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % classes;
            x[i] = y[i];
        }
        return new Zoo.Domain(name, 1, x, y, x.clone(), y.clone(), classes);
    }

    @Test
    void heldOutClassSetsNeverOccurInTheZooAndLabelOrdersDiffer() {
        List<Zoo.Domain> domains = List.of(domain("a", 10), domain("b", 10));
        List<Zoo.Task> tasks = Zoo.drawTasks(domains, 5, 40, 10, 3);
        assertThat(tasks).hasSize(100);
        for (int d = 0; d < 2; d++) {
            Set<Set<Integer>> zooSets = new HashSet<>();
            Set<Set<Integer>> heldSets = new HashSet<>();
            for (Zoo.Task t : tasks) {
                if (t.domain() != d) {
                    continue;
                }
                Set<Integer> s = new HashSet<>();
                Arrays.stream(t.classes()).forEach(s::add);
                assertThat(s).hasSize(5);
                (t.heldOut() ? heldSets : zooSets).add(s);
            }
            assertThat(zooSets).hasSize(40);
            assertThat(heldSets).hasSize(10).doesNotContainAnyElementsOf(zooSets);
        }
        for (int i = 0; i < tasks.size(); i++) {
            assertThat(tasks.get(i).id()).isEqualTo(i);
        }
        long unsorted = tasks.stream().filter(t -> !Arrays.equals(t.classes(),
                Arrays.stream(t.classes()).sorted().toArray())).count();
        assertThat(unsorted).as("tasks with their own label order").isGreaterThan(tasks.size() / 2);
        assertThat(Zoo.drawTasks(domains, 5, 40, 10, 3)).usingRecursiveFieldByFieldElementComparator()
                .isEqualTo(tasks);
        assertThatThrownBy(() -> Zoo.drawTasks(domains, 5, 250, 10, 3)).hasMessageContaining("252 class combinations");
        assertThatThrownBy(() -> Zoo.drawTasks(domains, 11, 1, 1, 3)).hasMessageContaining("2 <= ways <= 10");
    }

    @Test
    void taskDataIsRelabelledInTheTaskOrderAndConditioningSetsFollowIt() {
        List<Zoo.Domain> domains = List.of(domain("a", 10));
        Zoo.Task task = new Zoo.Task(0, 0, new int[] {7, 2, 5}, true);
        Zoo zoo = new Zoo(new int[] {1, 3}, domains, List.of(task), new double[0][], new int[0], new int[0],
                new double[0]);
        Zoo.TaskData d = zoo.data(task, true, 0);
        assertThat(d.size()).isEqualTo(9);
        for (int i = 0; i < d.size(); i++) {
            assertThat((int) d.x()[i]).isEqualTo(task.classes()[d.y()[i]]);
        }
        assertThat(zoo.data(task, false, 2).size()).isEqualTo(6);
        float[] set = zoo.conditioningSet(task, 4, new Generator(1));
        assertThat(set).hasSize(3 * 4);
        for (int k = 0; k < 3; k++) {
            for (int j = 0; j < 4; j++) {
                assertThat((int) set[k * 4 + j]).isEqualTo(task.classes()[k]);
            }
        }
    }
}
