package io.zoobench.eval;

import io.zoobench.coco.CocoDataset;
import io.zoobench.coco.CocoResults;
import io.zoobench.coco.Segmentation;
import java.util.Arrays;

/**
 * Splits a ground truth and a results file into per-image blocks ({@link ImageGroundTruth},
 * {@link ImageDetections}), one per evaluated image in ascending id order, with a counting sort
 * that keeps file order inside an image (pycocotools' order, which breaks score ties).
 */
final class ImageSplit {
  private ImageSplit() {}

  private static int[] bucketStarts(int[] keys, int buckets) {
    int[] start = new int[buckets + 1];
    for (int k : keys) {
      if (k >= 0) {
        start[k + 1]++;
      }
    }
    for (int b = 0; b < buckets; b++) {
      start[b + 1] += start[b];
    }
    return start;
  }

  private static int[] bucketOrder(int[] keys, int[] start) {
    int[] fill = Arrays.copyOf(start, start.length - 1);
    int[] order = new int[start[start.length - 1]];
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] >= 0) {
        order[fill[keys[i]]++] = i;
      }
    }
    return order;
  }

  static ImageGroundTruth[] groundTruth(CocoDataset gt, long[] imageIds, int[] aImage) {
    int ni = imageIds.length;
    int[] start = bucketStarts(aImage, ni);
    int[] order = bucketOrder(aImage, start);
    int[] imageIndex = new int[ni];
    for (int i = 0; i < gt.imageCount(); i++) {
      imageIndex[Arrays.binarySearch(imageIds, gt.imageId(i))] = i;
    }
    ImageGroundTruth[] out = new ImageGroundTruth[ni];
    for (int k = 0; k < ni; k++) {
      int from = start[k];
      int m = start[k + 1] - from;
      long[] ids = new long[m];
      long[] cats = new long[m];
      double[] boxes = new double[m * 4];
      double[] areas = new double[m];
      boolean[] crowd = new boolean[m];
      Segmentation[] segs = new Segmentation[m];
      for (int j = 0; j < m; j++) {
        int a = order[from + j];
        ids[j] = gt.annotationId(a);
        cats[j] = gt.annotationCategoryId(a);
        for (int c = 0; c < 4; c++) {
          boxes[j * 4 + c] = gt.annotationBbox(a, c);
        }
        areas[j] = gt.annotationArea(a);
        crowd[j] = gt.annotationCrowd(a) > 0;
        segs[j] = gt.annotationSegmentation(a);
      }
      int src = imageIndex[k];
      out[k] = new ImageGroundTruth(imageIds[k], gt.imageHeight(src), gt.imageWidth(src), ids,
          cats, boxes, areas, crowd, segs);
    }
    return out;
  }

  static ImageDetections[] detections(
      CocoResults dt, long[] imageIds, int[] dImage, boolean fromMask) {
    int ni = imageIds.length;
    int[] start = bucketStarts(dImage, ni);
    int[] order = bucketOrder(dImage, start);
    ImageDetections[] out = new ImageDetections[ni];
    for (int k = 0; k < ni; k++) {
      int from = start[k];
      int m = start[k + 1] - from;
      long[] cats = new long[m];
      double[] boxes = new double[m * 4];
      double[] scores = new double[m];
      int[] mh = new int[m];
      int[] mw = new int[m];
      int[] ms = new int[m];
      int[] ml = new int[m];
      Segmentation.Polygons[] polys = null;
      for (int j = 0; j < m; j++) {
        int i = order[from + j];
        cats[j] = dt.categoryId(i);
        for (int c = 0; c < 4; c++) {
          boxes[j * 4 + c] = dt.bbox(i, c);
        }
        if (dt.emptyBbox(i)) {
          ImageDetections.markEmptyBox(boxes, j);
        }
        scores[j] = dt.score(i);
        mh[j] = dt.maskHeight(i);
        mw[j] = dt.maskWidth(i);
        ms[j] = dt.maskStart(i);
        ml[j] = dt.maskLength(i);
        Segmentation.Polygons poly = dt.polygonMask(i);
        if (poly != null) {
          if (polys == null) {
            polys = new Segmentation.Polygons[m];
          }
          polys[j] = poly;
        }
      }
      out[k] = new ImageDetections(imageIds[k], cats, boxes, scores, mh, mw, ms, ml,
          dt.maskArena(), polys, fromMask);
    }
    return out;
  }
}
