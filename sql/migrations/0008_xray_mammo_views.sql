-- Projection X-ray, fluoroscopy and mammography dose views.

CREATE VIEW dicomlake.v_xray_dose_study AS
SELECT d.study_key,
       (SELECT s.device_serial FROM dicomlake.series s
        WHERE s.study_key = d.study_key AND s.device_serial IS NOT NULL ORDER BY s.series_key LIMIT 1) AS device_serial,
       st.study_date, st.study_description,
       d.dap_total_gym2, d.dose_rp_total_gy, d.event_count,
       (SELECT count(*) FROM dicomlake.dose_event e
        WHERE e.study_key = d.study_key AND e.irradiation_event_type ILIKE 'fluoro%') AS fluoro_events
FROM dicomlake.dose_study d
JOIN dicomlake.study st USING (study_key)
WHERE d.template_id = '10001';

COMMENT ON VIEW dicomlake.v_xray_dose_study IS 'Projection X-ray and fluoroscopy dose per study, from TID 10001 dose reports (units normalised to Gy.m2 and Gy).';
COMMENT ON COLUMN dicomlake.v_xray_dose_study.study_key IS 'Pseudonym of the study.';
COMMENT ON COLUMN dicomlake.v_xray_dose_study.device_serial IS 'Device (DeviceSerialNumber).';
COMMENT ON COLUMN dicomlake.v_xray_dose_study.study_date IS 'StudyDate as stored (shifted under modified dates).';
COMMENT ON COLUMN dicomlake.v_xray_dose_study.study_description IS 'StudyDescription (cleaned).';
COMMENT ON COLUMN dicomlake.v_xray_dose_study.dap_total_gym2 IS 'Dose Area Product Total (113722), Gy.m2.';
COMMENT ON COLUMN dicomlake.v_xray_dose_study.dose_rp_total_gy IS 'Dose (RP) Total (113725), Gy.';
COMMENT ON COLUMN dicomlake.v_xray_dose_study.event_count IS 'Irradiation events in the merged report.';
COMMENT ON COLUMN dicomlake.v_xray_dose_study.fluoro_events IS 'Events whose Irradiation Event Type is fluoroscopy.';

-- Mammography, per view: from the images' headers and from dose reports.
CREATE VIEW dicomlake.v_mammo_dose_view AS
SELECT s.study_key, s.series_key, s.device_serial, 'IMAGE_HEADER'::text AS source,
       s.attributes->>'ViewPosition' AS view_position,
       s.attributes->>'ImageLaterality' AS laterality,
       (s.attributes->>'OrganDose')::double precision * 100.0 AS agd_mgy,
       (s.attributes->>'EntranceDoseInmGy')::double precision AS entrance_dose_mgy,
       (s.attributes->>'BodyPartThickness')::double precision AS compression_thickness_mm,
       (s.attributes->>'CompressionForce')::double precision AS compression_force_n,
       (s.attributes->>'KVP')::double precision AS kvp,
       s.attributes->>'AnodeTargetMaterial' AS anode,
       s.attributes->>'FilterMaterial' AS filter
FROM dicomlake.series s
WHERE s.modality = 'MG' AND jsonb_typeof(s.attributes->'OrganDose') = 'number'
UNION ALL
SELECT e.study_key, NULL, (SELECT s.device_serial FROM dicomlake.series s
                           WHERE s.study_key = e.study_key AND s.device_serial IS NOT NULL ORDER BY s.series_key LIMIT 1),
       'RDSR', NULL, NULL, e.agd_mgy, NULL, e.compression_thickness_mm, NULL, NULL, NULL, NULL
FROM dicomlake.dose_event e
WHERE e.agd_mgy IS NOT NULL;

COMMENT ON VIEW dicomlake.v_mammo_dose_view IS 'Mammography dose per view: average glandular dose and compressed thickness from image headers (OrganDose is in dGy: converted to mGy) and from dose reports (111631, 111633).';
COMMENT ON COLUMN dicomlake.v_mammo_dose_view.study_key IS 'Pseudonym of the study.';
COMMENT ON COLUMN dicomlake.v_mammo_dose_view.series_key IS 'Pseudonym of the image series (NULL for a dose report event).';
COMMENT ON COLUMN dicomlake.v_mammo_dose_view.device_serial IS 'Device (DeviceSerialNumber).';
COMMENT ON COLUMN dicomlake.v_mammo_dose_view.source IS 'IMAGE_HEADER or RDSR.';
COMMENT ON COLUMN dicomlake.v_mammo_dose_view.view_position IS 'ViewPosition (CC, MLO...).';
COMMENT ON COLUMN dicomlake.v_mammo_dose_view.laterality IS 'ImageLaterality.';
COMMENT ON COLUMN dicomlake.v_mammo_dose_view.agd_mgy IS 'Average glandular dose, mGy (OrganDose x 100, or 111631).';
COMMENT ON COLUMN dicomlake.v_mammo_dose_view.entrance_dose_mgy IS 'EntranceDoseInmGy (0040,8302).';
COMMENT ON COLUMN dicomlake.v_mammo_dose_view.compression_thickness_mm IS 'BodyPartThickness (0018,11A0) or Compression Thickness 111633, mm.';
COMMENT ON COLUMN dicomlake.v_mammo_dose_view.compression_force_n IS 'CompressionForce (0018,11A2), N.';
COMMENT ON COLUMN dicomlake.v_mammo_dose_view.kvp IS 'KVP.';
COMMENT ON COLUMN dicomlake.v_mammo_dose_view.anode IS 'AnodeTargetMaterial.';
COMMENT ON COLUMN dicomlake.v_mammo_dose_view.filter IS 'FilterMaterial.';

COMMENT ON COLUMN dicomlake.v_series.ctdivol_mgy IS 'CTDIvol (0018,9345) in mGy: the mean over the instances of the series that carry it; for a legacy dose screen, the largest CTDIvol of its Exposure Dose Sequence.';
