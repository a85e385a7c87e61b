-- 04_speed: each model's latest run, fps end to end (data loading included) vs compute
-- (forward + post-processing), peak device memory.
SELECT model, family, run_id, fps_end_to_end, fps_compute, fps_ref,
       peak_device_memory_mb, devices, images_total
FROM zoo
ORDER BY model
