-- The real study date of a loaded study, sealed (AES-256-GCM under a key derived from the
-- pseudonymization secret): unreadable in the warehouse, but lets a run find the studies of a
-- day that the PACS no longer has, and remove them.
ALTER TABLE dicomlake.study_status ADD COLUMN sealed_day text;
COMMENT ON COLUMN dicomlake.study_status.sealed_day IS
    'Real StudyDate of a loaded study, encrypted with a key only dicomlake holds (reconciliation of deleted studies).';
