/**
 * The COCO data model and its readers: instances files ({@link io.zoobench.coco.CocoDataset})
 * and results files ({@link io.zoobench.coco.CocoResults}, or record by record with
 * {@link io.zoobench.coco.ResultsStream}), read by streaming Jackson parsers into primitive
 * columns, every record checked, every refusal an {@link io.zoobench.coco.InvalidInputException}
 * naming the file, the record and the field.
 */
package io.zoobench.coco;
