-- 05_failures: images evaluated and failed per run (runs of every status).
SELECT run_id, model, status, images_total, images_failed, started_at, message
FROM runs
ORDER BY started_at, run_id
