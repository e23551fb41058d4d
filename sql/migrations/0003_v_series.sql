-- The BI contract: dicomlake.v_series, one row per series. Column names are public
-- (dashboards depend on them): add columns, never rename or remove them.

CREATE VIEW dicomlake.v_series AS
SELECT
    s.study_key,
    s.series_key,
    s.modality,
    s.manufacturer,
    s.model,
    s.device_serial,
    s.station,
    s.institution,
    s.series_description,
    s.protocol_name,
    s.body_part,
    s.series_number,
    st.study_date,
    st.study_time,
    s.series_date,
    s.nex,
    s.tr_ms,
    s.te_ms,
    s.ti_ms,
    s.echo_train_length,
    s.flip_angle,
    s.slice_thickness_mm,
    s.field_strength_t,
    s.ctdivol_mgy,
    s.instances,
    s.first_acquired,
    s.last_acquired,
    EXTRACT(EPOCH FROM (s.last_acquired - s.first_acquired))::double precision AS acquisition_span_s,
    s.sop_class_uid,
    s.attributes,
    st.patient_age,
    st.patient_sex,
    st.deid_profile,
    st.key_version,
    st.loaded_at
FROM dicomlake.series s
JOIN dicomlake.study st USING (study_key);

COMMENT ON VIEW dicomlake.v_series IS
    'One row per series loaded by dicomlake: identity (pseudonymized keys), device, protocol, typed acquisition parameters and instance summary. The stable entry point for BI tools.';
COMMENT ON COLUMN dicomlake.v_series.study_key IS 'Pseudonym of the StudyInstanceUID (2.25.<HMAC>): stable across runs for one key.';
COMMENT ON COLUMN dicomlake.v_series.series_key IS 'Pseudonym of the SeriesInstanceUID (2.25.<HMAC>).';
COMMENT ON COLUMN dicomlake.v_series.modality IS 'Modality (0008,0060), e.g. MR, CT, SR.';
COMMENT ON COLUMN dicomlake.v_series.manufacturer IS 'Manufacturer (0008,0070) as the device writes it.';
COMMENT ON COLUMN dicomlake.v_series.model IS 'ManufacturerModelName (0008,1090).';
COMMENT ON COLUMN dicomlake.v_series.device_serial IS 'DeviceSerialNumber (0018,1000): the scanner identity used for per-scanner analyses.';
COMMENT ON COLUMN dicomlake.v_series.station IS 'StationName (0008,1010).';
COMMENT ON COLUMN dicomlake.v_series.institution IS 'InstitutionName (0008,0080).';
COMMENT ON COLUMN dicomlake.v_series.series_description IS 'SeriesDescription (0008,103E), vendor- and site-specific naming.';
COMMENT ON COLUMN dicomlake.v_series.protocol_name IS 'ProtocolName (0018,1030).';
COMMENT ON COLUMN dicomlake.v_series.body_part IS 'BodyPartExamined (0018,0015).';
COMMENT ON COLUMN dicomlake.v_series.series_number IS 'SeriesNumber (0020,0011).';
COMMENT ON COLUMN dicomlake.v_series.study_date IS 'StudyDate (0008,0020) of the study the series belongs to.';
COMMENT ON COLUMN dicomlake.v_series.study_time IS 'StudyTime (0008,0030).';
COMMENT ON COLUMN dicomlake.v_series.series_date IS 'SeriesDate (0008,0021).';
COMMENT ON COLUMN dicomlake.v_series.nex IS 'Number of averages (NEX): NumberOfAverages (0018,0083), or MR Averages Sequence in the shared, then first per-frame functional group of enhanced objects. From the reference (lowest InstanceNumber) instance.';
COMMENT ON COLUMN dicomlake.v_series.tr_ms IS 'Repetition time in ms: RepetitionTime (0018,0080) or MR Timing and Related Parameters Sequence.';
COMMENT ON COLUMN dicomlake.v_series.te_ms IS 'Echo time in ms: EchoTime (0018,0081) or EffectiveEchoTime in MR Echo Sequence.';
COMMENT ON COLUMN dicomlake.v_series.ti_ms IS 'Inversion time in ms: InversionTime (0018,0082) or InversionTimes in MR Modifier Sequence.';
COMMENT ON COLUMN dicomlake.v_series.echo_train_length IS 'EchoTrainLength (0018,0091), classic or from functional groups.';
COMMENT ON COLUMN dicomlake.v_series.flip_angle IS 'FlipAngle (0018,1314) in degrees.';
COMMENT ON COLUMN dicomlake.v_series.slice_thickness_mm IS 'SliceThickness (0018,0050) or Pixel Measures Sequence, in mm.';
COMMENT ON COLUMN dicomlake.v_series.field_strength_t IS 'MagneticFieldStrength (0018,0087) in tesla.';
COMMENT ON COLUMN dicomlake.v_series.ctdivol_mgy IS 'CTDIvol (0018,9345) in mGy, mean over the instances of the series that carry it.';
COMMENT ON COLUMN dicomlake.v_series.instances IS 'Number of instances (files) in the series; an enhanced multi-frame series is one instance.';
COMMENT ON COLUMN dicomlake.v_series.first_acquired IS 'Earliest acquisition timestamp in the series (AcquisitionDateTime, AcquisitionDate+Time, FrameAcquisitionDateTime, else ContentDate+Time).';
COMMENT ON COLUMN dicomlake.v_series.last_acquired IS 'Latest acquisition timestamp in the series.';
COMMENT ON COLUMN dicomlake.v_series.acquisition_span_s IS 'last_acquired - first_acquired in seconds (0 for single-instance series).';
COMMENT ON COLUMN dicomlake.v_series.sop_class_uid IS 'SOPClassUID (0008,0016): tells classic from enhanced images and dose reports.';
COMMENT ON COLUMN dicomlake.v_series.attributes IS 'Every other series-level attribute (same value in every instance), keyed by keyword path, e.g. attributes->>''MagneticFieldStrength'' or ''SharedFunctionalGroupsSequence[0].MRAveragesSequence[0].NumberOfAverages''. Private and unknown tags keep their hex form.';
COMMENT ON COLUMN dicomlake.v_series.patient_age IS 'PatientAge (0010,1010) as written (e.g. 045Y).';
COMMENT ON COLUMN dicomlake.v_series.patient_sex IS 'PatientSex (0010,0040).';
COMMENT ON COLUMN dicomlake.v_series.deid_profile IS 'De-identification profile the row was produced under.';
COMMENT ON COLUMN dicomlake.v_series.key_version IS 'Version of the pseudonymization key the keys were made with.';
COMMENT ON COLUMN dicomlake.v_series.loaded_at IS 'When the study was last loaded or changed.';
