-- 05_failures: every failures row with its run's model and status.
SELECT f.run_id, r.model, r.status AS run_status, f.stage, f.image_id, f.file, f.message
FROM failures f
LEFT JOIN runs r ON r.run_id = f.run_id
ORDER BY f.run_id, f.stage, f.image_id
