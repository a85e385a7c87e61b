package io.zoobench.eval;

/**
 * Stable ordering of index arrays by descending {@code double} keys, without boxing: numpy's
 * {@code argsort(-x, kind='mergesort')}. Keys compare with {@code >}, so 0.0 and −0.0 tie (as
 * in numpy) and ties keep their input order.
 */
public final class StableSort {
  private static final int INSERTION_LIMIT = 24;

  private StableSort() {}

  /** Sorts {@code idx[from, to)} by {@code keys[idx[i]]} descending, stably. */
  public static void byDescendingKey(int[] idx, int from, int to, double[] keys) {
    int n = to - from;
    if (n < 2) {
      return;
    }
    if (n <= INSERTION_LIMIT) {
      insertion(idx, from, to, keys);
      return;
    }
    int[] tmp = new int[n];
    mergeSort(idx, from, to, keys, tmp);
  }

  private static void insertion(int[] idx, int from, int to, double[] keys) {
    for (int i = from + 1; i < to; i++) {
      int v = idx[i];
      double k = keys[v];
      int j = i - 1;
      while (j >= from && keys[idx[j]] < k) {
        idx[j + 1] = idx[j];
        j--;
      }
      idx[j + 1] = v;
    }
  }

  private static void mergeSort(int[] idx, int from, int to, double[] keys, int[] tmp) {
    int n = to - from;
    if (n <= INSERTION_LIMIT) {
      insertion(idx, from, to, keys);
      return;
    }
    int mid = from + n / 2;
    mergeSort(idx, from, mid, keys, tmp);
    mergeSort(idx, mid, to, keys, tmp);
    if (!(keys[idx[mid]] > keys[idx[mid - 1]])) {
      return; // already in order
    }
    System.arraycopy(idx, from, tmp, 0, mid - from);
    int i = 0;
    int iEnd = mid - from;
    int j = mid;
    int k = from;
    while (i < iEnd && j < to) {
      // take from the right only when strictly greater: ties keep the left (earlier) element
      if (keys[idx[j]] > keys[tmp[i]]) {
        idx[k++] = idx[j++];
      } else {
        idx[k++] = tmp[i++];
      }
    }
    while (i < iEnd) {
      idx[k++] = tmp[i++];
    }
  }
}
