-- 05_failures: runs that failed (never succeeded) and failed or abandoned attempts of runs
-- that did succeed (a failed rerun leaves the good run published), with the one-line reason.
SELECT r.run_id, r.model, 'run' AS kind, r.status, r.started_at, r.message
FROM runs r
WHERE r.status = 'failed'
UNION ALL
SELECT a.run_id, r.model, 'attempt' AS kind, a.status, a.started_at, a.message
FROM run_attempts a
JOIN runs r ON r.run_id = a.run_id
WHERE a.status IN ('failed', 'abandoned') AND r.status = 'succeeded'
ORDER BY started_at DESC, run_id
