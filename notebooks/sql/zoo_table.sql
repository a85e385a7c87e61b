-- 01_zoo_table: the model-zoo table as the reference pages show it, each model's latest
-- succeeded run next to the figures its zoo manifest published and the differences.
SELECT family, model, backbone, style, lr_schedule,
       fps, fps_ref, fps_delta,
       memory, memory_ref,
       box_ap, box_ap_ref, box_ap_delta,
       mask_ap, mask_ap_ref, mask_ap_delta,
       ar1000, ar1000_ref, ar1000_delta,
       run_id
FROM zoo
ORDER BY family, model
