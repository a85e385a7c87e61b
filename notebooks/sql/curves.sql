-- 03_categories_and_curves: pycocotools' 101-point precision of each model's latest run at
-- IoU 0.5 and 0.75, all areas, the last maxDets (100 for boxes and masks), per category
-- (precision: 101 values at recall 0, 0.01, ..., 1; -1 where none). Needs the curves table.
SELECT c.model, c.run_id, c.iou_type, c.category_id, c.iou_threshold, c.max_dets,
       c.precision, c.recall
FROM curves c
JOIN zoo z ON z.run_id = c.run_id
WHERE c.area = 'all' AND c.iou_type IN ('bbox', 'segm') AND c.max_dets = 100
  AND c.iou_threshold IN (0.5, 0.75)
ORDER BY c.model, c.iou_type, c.iou_threshold, c.category_id
