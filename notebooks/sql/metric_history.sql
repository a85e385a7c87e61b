-- 02_regressions: every succeeded run's headline figures, oldest first per model.
SELECT model, run_id, finished_at, box_ap, mask_ap, ar1000, fps
FROM zoo_history
ORDER BY model, finished_at, run_id
