-- 05_failures: bad inputs by stage (path, read, decode for images; input, job for a run),
-- how many, in how many runs, and one example message.
SELECT stage, count(*) AS failures, count(DISTINCT run_id) AS runs,
       count(image_id) AS images, min(message) AS example
FROM failures
GROUP BY stage
ORDER BY failures DESC, stage
