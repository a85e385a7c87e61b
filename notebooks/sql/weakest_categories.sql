-- 03_categories_and_curves: per-category AP of each model's latest run, weakest first
-- (categories without ground truth, AP null, last).
SELECT p.model, p.iou_type, p.category_id, p.name, p.AP, p.AP50, p.AP75, p.APs, p.APm, p.APl
FROM per_category p
JOIN zoo z ON z.run_id = p.run_id
ORDER BY p.AP NULLS LAST, p.model, p.iou_type, p.category_id
