-- PS3.15 de-identification: what each study was made under, longitudinal keys, and scanner
-- activity kept from real times without any patient or study key.

ALTER TABLE dicomlake.study
    ADD COLUMN deid_options   text NOT NULL DEFAULT '',
    ADD COLUMN deid_edition   text NOT NULL DEFAULT '',
    ADD COLUMN patient_key    text,
    ADD COLUMN accession_key  text;
CREATE INDEX study_patient_idx ON dicomlake.study (patient_key);
CREATE INDEX study_accession_idx ON dicomlake.study (accession_key);

COMMENT ON COLUMN dicomlake.study.patient_key IS
    'Keyed pseudonym of IssuerOfPatientID + PatientID: the same patient across studies, for one key.';
COMMENT ON COLUMN dicomlake.study.accession_key IS
    'Keyed pseudonym of the AccessionNumber (match RIS exports by computing it with the same key).';
COMMENT ON COLUMN dicomlake.study.study_date IS
    'StudyDate as stored: shifted per patient by a whole number of weeks under retain-long-modified-dates.';

-- Scanner activity per study and device, from the real (unshifted) acquisition times. Its key is
-- a keyed hash that cannot be joined to study_key without the secret, so true times and dates
-- never sit beside a patient's studies.
CREATE TABLE dicomlake.acquisition_activity (
    activity_key    text NOT NULL,
    device_serial   text NOT NULL,
    manufacturer    text,
    model           text,
    station         text,
    modalities      text[] NOT NULL DEFAULT '{}',
    acquired_day    date,
    first_acquired  timestamp,
    last_acquired   timestamp,
    series_count    integer NOT NULL,
    instances       integer NOT NULL,
    PRIMARY KEY (activity_key, device_serial)
);
CREATE INDEX acquisition_activity_day_idx ON dicomlake.acquisition_activity (device_serial, acquired_day);
COMMENT ON TABLE dicomlake.acquisition_activity IS
    'One row per study and device with the real acquisition times (never shifted), for scanner utilization; no patient or study key.';

-- The real study date is kept in the ledger only while a study is failed (to retry its day).
UPDATE dicomlake.study_status SET study_date = NULL WHERE state = 'loaded';
