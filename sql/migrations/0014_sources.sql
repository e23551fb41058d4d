-- Where the data came from (several PACS, DIMSE and files sources in one warehouse). Every run
-- records the source it read: pacs.name, or the source's address without credentials
-- ("dicomweb:pacs:8042/dicom-web", "dicom:PACS@10.0.0.5:104", "files:/srv/export"). The nightly
-- watermark and the removal of studies a PACS no longer lists are kept per source, so one
-- source's run never moves another's watermark or removes another's studies. Runs recorded
-- before this migration have no source and count for every source.

ALTER TABLE dicomlake.run ADD COLUMN source text;
COMMENT ON COLUMN dicomlake.run.source IS
    'The source the run read: pacs.name, or its address without credentials (NULL: recorded before sources were named).';
COMMENT ON COLUMN dicomlake.study.source IS
    'The source the study was loaded from: pacs.name, or its address without credentials (dicomweb:..., dicom:..., files:...).';
CREATE INDEX run_source_idx ON dicomlake.run (source, command, outcome);
