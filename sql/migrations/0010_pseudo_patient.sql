-- Studies without PatientID are loaded under a pseudo-patient of their own: patient_key and the
-- date offset derive from the StudyInstanceUID (a separate keyed purpose), so the study's dates
-- are shifted consistently, but it cannot be linked to any other study. Flagged so analysts
-- can leave such studies out of per-patient questions.

ALTER TABLE dicomlake.study
    ADD COLUMN pseudo_patient boolean NOT NULL DEFAULT false;

COMMENT ON COLUMN dicomlake.study.pseudo_patient IS
    'The study had no PatientID: patient_key is a pseudo-patient of this study alone (its dates are shifted consistently within the study, but it never matches another study of the same person). Leave these out of per-patient counts.';

-- The views that list study columns show it too (added at the end: CREATE OR REPLACE VIEW
-- keeps the existing columns in place).
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
    st.pseudo_patient
FROM dicomlake.series s
JOIN dicomlake.study st USING (study_key);

COMMENT ON COLUMN dicomlake.v_series.pseudo_patient IS
    'The study had no PatientID: its patient is a pseudo-patient of this study alone (see study.pseudo_patient).';

CREATE OR REPLACE VIEW dicomlake.v_xray_dose_study AS
SELECT d.study_key,
       (SELECT s.device_serial FROM dicomlake.series s
        WHERE s.study_key = d.study_key AND s.device_serial IS NOT NULL ORDER BY s.series_key LIMIT 1) AS device_serial,
       st.study_date, st.study_description,
       d.dap_total_gym2, d.dose_rp_total_gy, d.event_count,
       (SELECT count(*) FROM dicomlake.dose_event e
        WHERE e.study_key = d.study_key AND e.irradiation_event_type ILIKE 'fluoro%') AS fluoro_events,
       st.pseudo_patient
FROM dicomlake.dose_study d
JOIN dicomlake.study st USING (study_key)
WHERE d.template_id = '10001';

CREATE OR REPLACE VIEW dicomlake.v_ct_dose_study AS
WITH main_region AS (
    SELECT DISTINCT ON (study_key) study_key, target_region
    FROM dicomlake.dose_event WHERE kind = 'CT' AND dlp_mgycm IS NOT NULL
    ORDER BY study_key, dlp_mgycm DESC
)
SELECT d.study_key,
       (SELECT s.device_serial FROM dicomlake.series s
        WHERE s.study_key = d.study_key AND s.device_serial IS NOT NULL ORDER BY s.series_key LIMIT 1) AS device_serial,
       st.study_date,
       coalesce(m.target_region, st.study_description) AS protocol,
       d.dlp_total_mgycm, d.ctdivol_max_mgy, d.source,
       d.dlp_total_mgycm * k.msv_per_mgycm AS effective_dose_msv,
       r.dlp_mgycm AS drl_dlp_mgycm,
       (d.dlp_total_mgycm > r.dlp_mgycm) AS above_drl,
       d.event_count,
       st.pseudo_patient
FROM dicomlake.dose_study d
JOIN dicomlake.study st USING (study_key)
LEFT JOIN main_region m USING (study_key)
LEFT JOIN dicomlake.k_factor k ON lower(k.region) = lower(m.target_region)
LEFT JOIN dicomlake.drl r ON lower(r.region) = lower(m.target_region)
WHERE d.template_id = '10011' OR d.source = 'IMAGE_HEADER';

COMMENT ON COLUMN dicomlake.v_xray_dose_study.pseudo_patient IS
    'The study had no PatientID: its patient is a pseudo-patient of this study alone (see study.pseudo_patient).';
COMMENT ON COLUMN dicomlake.v_ct_dose_study.pseudo_patient IS
    'The study had no PatientID: its patient is a pseudo-patient of this study alone (see study.pseudo_patient).';
