-- dicomlake warehouse, version 1: studies and their series, one row per series.
-- Keys are pseudonyms (keyed HMAC of the UIDs); no patient identifier is stored.
-- study_key is the distribution column everywhere, so the schema can be distributed with Citus
-- (series co-located with its study).

CREATE SCHEMA IF NOT EXISTS dicomlake;

CREATE TABLE dicomlake.study (
    study_key          text PRIMARY KEY,
    study_date         date,
    study_time         time,
    study_description  text,
    modalities         text[] NOT NULL DEFAULT '{}',
    institution        text,
    patient_age        text,
    patient_sex        text,
    patient_size_m     double precision,
    patient_weight_kg  double precision,
    series_count       integer NOT NULL,
    instance_count     integer NOT NULL,
    first_acquired     timestamp,
    last_acquired      timestamp,
    content_hash       text NOT NULL,
    deid_profile       text NOT NULL,
    key_version        integer NOT NULL,
    source             text NOT NULL,
    run_id             bigint,
    loaded_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX study_date_idx ON dicomlake.study (study_date);

CREATE TABLE dicomlake.series (
    study_key           text NOT NULL REFERENCES dicomlake.study (study_key) ON DELETE CASCADE,
    series_key          text NOT NULL,
    modality            text,
    manufacturer        text,
    model               text,
    device_serial       text,
    station             text,
    institution         text,
    series_description  text,
    protocol_name       text,
    body_part           text,
    sop_class_uid       text,
    image_type          jsonb,
    series_number       bigint,
    series_date         date,
    series_time         time,
    nex                 double precision,
    tr_ms               double precision,
    te_ms               double precision,
    ti_ms               double precision,
    echo_train_length   double precision,
    flip_angle          double precision,
    slice_thickness_mm  double precision,
    field_strength_t    double precision,
    ctdivol_mgy         double precision,
    instances           integer NOT NULL,
    first_acquired      timestamp,
    last_acquired       timestamp,
    attributes          jsonb NOT NULL,
    varying             text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (study_key, series_key)
);
CREATE INDEX series_device_idx ON dicomlake.series (device_serial);
