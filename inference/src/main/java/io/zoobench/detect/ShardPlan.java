package io.zoobench.detect;

import io.zoobench.coco.CocoDataset;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which images each inference task gets: every image of the dataset exactly once (no padding,
 * no duplicates), shards balanced by pixel count (largest images first, each to the shard with
 * the fewest pixels so far, ties to the lower shard id), images inside a shard in image-id
 * order. A pure function of the images and the shard count, so shard ids are stable across
 * runs and a retried task redoes exactly its own images.
 */
public final class ShardPlan implements Serializable {
  private static final long serialVersionUID = 1L;

  /** One image as a task needs it; {@code ordinal} is its position in image-id order. */
  public record ImageRef(long id, String file, int width, int height, int ordinal)
      implements Serializable {
    long pixels() {
      return (long) width * height;
    }
  }

  /** One task's images. */
  public record Shard(int id, List<ImageRef> images) implements Serializable {
    public long pixels() {
      long p = 0;
      for (ImageRef r : images) {
        p += r.pixels();
      }
      return p;
    }
  }

  private final List<Shard> shards;

  private ShardPlan(List<Shard> shards) {
    this.shards = List.copyOf(shards);
  }

  public List<Shard> shards() {
    return shards;
  }

  /** Plans {@code count} shards (fewer when there are fewer images, at least one). */
  public static ShardPlan of(CocoDataset gt, int count) {
    int n = gt.imageCount();
    ImageRef[] refs = new ImageRef[n];
    Integer[] byId = new Integer[n];
    for (int i = 0; i < n; i++) {
      byId[i] = i;
    }
    Arrays.sort(byId, (a, b) -> Long.compare(gt.imageId(a), gt.imageId(b)));
    for (int k = 0; k < n; k++) {
      int i = byId[k];
      refs[k] = new ImageRef(gt.imageId(i), gt.fileName(i), gt.imageWidth(i),
          gt.imageHeight(i), k);
    }
    return of(Arrays.asList(refs), count);
  }

  /** Plans {@code count} shards of {@code refs} (ordinals as given). */
  public static ShardPlan of(List<ImageRef> refs, int count) {
    int shardCount = Math.max(1, Math.min(count, refs.size()));
    ImageRef[] bySize = refs.toArray(ImageRef[]::new);
    // largest first; equal sizes in id order, so the plan never depends on input order
    Arrays.sort(bySize, (a, b) -> a.pixels() != b.pixels() ? Long.compare(b.pixels(),
        a.pixels()) : Long.compare(a.id(), b.id()));
    long[] load = new long[shardCount];
    List<List<ImageRef>> members = new ArrayList<>();
    for (int s = 0; s < shardCount; s++) {
      members.add(new ArrayList<>());
    }
    for (ImageRef r : bySize) {
      int best = 0;
      for (int s = 1; s < shardCount; s++) {
        if (load[s] < load[best]) {
          best = s;
        }
      }
      load[best] += Math.max(1, r.pixels());
      members.get(best).add(r);
    }
    List<Shard> shards = new ArrayList<>();
    for (int s = 0; s < shardCount; s++) {
      List<ImageRef> m = members.get(s);
      m.sort((a, b) -> Long.compare(a.id(), b.id()));
      shards.add(new Shard(s, List.copyOf(m)));
    }
    return new ShardPlan(shards);
  }
}
