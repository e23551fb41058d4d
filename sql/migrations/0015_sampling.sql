-- Sampled series (pacs.instances_per_series, DIMSE): only the first N instances of an image
-- series are fetched, and the series row says how many the PACS has, so `instances` is read as
-- "instances read" and analyses that count images can tell.

ALTER TABLE dicomlake.series ADD COLUMN instances_on_pacs integer;
COMMENT ON COLUMN dicomlake.series.instances_on_pacs IS
    'When the series was sampled (pacs.instances_per_series): how many instances the PACS has; instances holds how many were read. NULL: every instance was read.';

CREATE OR REPLACE VIEW dicomlake.v_series AS
SELECT
    s.study_key, s.series_key, s.modality, s.manufacturer, s.model, s.device_serial, s.station,
    s.institution, s.series_description, s.protocol_name, s.body_part, s.series_number,
    st.study_date, st.study_time, s.series_date, s.nex, s.tr_ms, s.te_ms, s.ti_ms,
    s.echo_train_length, s.flip_angle, s.slice_thickness_mm, s.field_strength_t, s.ctdivol_mgy,
    s.instances, s.first_acquired, s.last_acquired,
    EXTRACT(EPOCH FROM (s.last_acquired - s.first_acquired))::double precision AS acquisition_span_s,
    s.sop_class_uid, s.attributes, st.patient_age, st.patient_sex, st.deid_profile, st.key_version,
    NULL::timestamptz AS loaded_at,  -- since 0009 (docs/privacy.md)
    coalesce((SELECT m.protocol FROM dicomlake.protocol_map m
              WHERE (m.scope = '*' OR m.scope = s.device_serial)
                AND s.series_description ILIKE m.description_pattern
              ORDER BY m.priority, (m.scope = '*') LIMIT 1),
             s.protocol_derived) AS protocol,
    s.localizer,
    s.derived,
    s.acquisition_s,
    s.acquisition_source,
    st.pseudo_patient,
    s.instances_on_pacs
FROM dicomlake.series s
JOIN dicomlake.study st USING (study_key);

COMMENT ON COLUMN dicomlake.v_series.instances_on_pacs IS
    'When the series was sampled (pacs.instances_per_series): how many instances the PACS has; instances holds how many were read. NULL: every instance was read.';
