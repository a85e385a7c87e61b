-- 04_speed: every shard of each model's latest run: where its time went, its fps, and the
-- share of the time spent waiting for data (reading, decoding, preprocessing ahead of it).
SELECT t.model, t.run_id, t.shard_id, t.host, t.device, t.images, t.warmup_images,
       t.read_s, t.decode_s, t.preprocess_s, t.wait_s, t.forward_s, t.postprocess_s,
       t.wait_s + t.forward_s + t.postprocess_s AS busy_s,
       t.wait_s / (t.wait_s + t.forward_s + t.postprocess_s) AS loading_share,
       t.fps_end_to_end, t.fps_compute, t.peak_device_memory_bytes
FROM timings t
JOIN zoo z ON z.run_id = t.run_id
ORDER BY t.model, t.shard_id
