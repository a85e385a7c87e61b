-- 02_regressions: each run against the model's previous run (box AP, mask AP, AR@1000),
-- the biggest drop first; a model's first run has no previous one and is left out.
SELECT model, run_id, previous_run_id, finished_at,
       box_ap - previous_box_ap AS box_ap_change,
       mask_ap - previous_mask_ap AS mask_ap_change,
       ar1000 - previous_ar1000 AS ar1000_change,
       least(coalesce(box_ap - previous_box_ap, 0), coalesce(mask_ap - previous_mask_ap, 0),
             coalesce(ar1000 - previous_ar1000, 0)) AS worst_change
FROM (
  SELECT model, run_id, finished_at, box_ap, mask_ap, ar1000,
         lag(run_id) OVER (PARTITION BY model ORDER BY finished_at, run_id) AS previous_run_id,
         lag(box_ap) OVER (PARTITION BY model ORDER BY finished_at, run_id) AS previous_box_ap,
         lag(mask_ap) OVER (PARTITION BY model ORDER BY finished_at, run_id) AS previous_mask_ap,
         lag(ar1000) OVER (PARTITION BY model ORDER BY finished_at, run_id) AS previous_ar1000
  FROM zoo_history
) h
WHERE previous_run_id IS NOT NULL
ORDER BY worst_change, model, run_id
