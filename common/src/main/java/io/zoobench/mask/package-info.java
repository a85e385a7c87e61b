/**
 * Run-length encoded masks as pycocotools' {@code maskApi.c} defines them: encoding, the
 * compressed string form, polygon and box rasterisation, area, boxes, merging and IoU, on
 * primitive run arrays.
 */
package io.zoobench.mask;
