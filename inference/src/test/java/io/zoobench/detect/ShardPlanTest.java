package io.zoobench.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Shards: every image once, balanced by pixels, independent of the input order. */
class ShardPlanTest {

  private static List<ShardPlan.ImageRef> images(int n, long seed) {
    Random r = new Random(seed);
    List<ShardPlan.ImageRef> refs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      refs.add(new ShardPlan.ImageRef(1000 + 7L * i, "img" + i + ".png", 100 + r.nextInt(900),
          100 + r.nextInt(700), i));
    }
    return refs;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 7, 64})
  void everyImageExactlyOnceAndBalanced(int shards) {
    List<ShardPlan.ImageRef> refs = images(500, 11);
    ShardPlan plan = ShardPlan.of(refs, shards);
    assertThat(plan.shards()).hasSize(shards);
    List<Long> ids = plan.shards().stream().flatMap(s -> s.images().stream())
        .map(ShardPlan.ImageRef::id).sorted().toList();
    assertThat(ids).isEqualTo(refs.stream().map(ShardPlan.ImageRef::id).sorted().toList());
    long largest = refs.stream().mapToLong(r -> (long) r.width() * r.height()).max().orElseThrow();
    long max = plan.shards().stream().mapToLong(ShardPlan.Shard::pixels).max().orElseThrow();
    long min = plan.shards().stream().mapToLong(ShardPlan.Shard::pixels).min().orElseThrow();
    // greedy largest-first: shards differ by at most one image's pixels
    assertThat(max - min).isLessThanOrEqualTo(largest);
    for (ShardPlan.Shard s : plan.shards()) {
      assertThat(s.images()).isSortedAccordingTo((a, b) -> Long.compare(a.id(), b.id()));
    }
  }

  @Test
  void sameShardsWhateverTheInputOrder() {
    List<ShardPlan.ImageRef> refs = images(200, 5);
    List<ShardPlan.ImageRef> shuffled = new ArrayList<>(refs);
    Collections.shuffle(shuffled, new Random(3));
    assertThat(ShardPlan.of(shuffled, 4).shards()).isEqualTo(ShardPlan.of(refs, 4).shards());
  }

  @Test
  void neverMoreShardsThanImagesAndNoneEmpty() {
    ShardPlan plan = ShardPlan.of(images(3, 1), 8);
    assertThat(plan.shards()).hasSize(3).allSatisfy(s -> assertThat(s.images()).hasSize(1));
    assertThat(ShardPlan.of(images(0, 1), 4).shards()).singleElement()
        .satisfies(s -> assertThat(s.images()).isEmpty());
    assertThat(plan.shards().stream().map(ShardPlan.Shard::id).collect(Collectors.toList()))
        .containsExactly(0, 1, 2);
  }
}
