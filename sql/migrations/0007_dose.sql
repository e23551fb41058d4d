-- Radiation dose: per study (from dose reports, else CT image headers) and per irradiation event,
-- with user-editable effective-dose coefficients and diagnostic reference levels.

CREATE TABLE dicomlake.dose_study (
    study_key          text PRIMARY KEY REFERENCES dicomlake.study (study_key) ON DELETE CASCADE,
    source             text NOT NULL,          -- RDSR | IMAGE_HEADER
    template_id        text,
    dlp_total_mgycm    double precision,
    ctdivol_max_mgy    double precision,
    dap_total_gym2     double precision,
    dose_rp_total_gy   double precision,
    event_count        integer NOT NULL
);

CREATE TABLE dicomlake.dose_event (
    study_key                 text NOT NULL REFERENCES dicomlake.study (study_key) ON DELETE CASCADE,
    ordinal                   integer NOT NULL,
    event_uid                 text,
    kind                      text,
    ctdivol_mgy               double precision,
    dlp_mgycm                 double precision,
    phantom                   text,
    target_region             text,
    acquisition_type          text,
    irradiation_event_type    text,
    dap_gym2                  double precision,
    dose_rp_gy                double precision,
    agd_mgy                   double precision,
    compression_thickness_mm  double precision,
    PRIMARY KEY (study_key, ordinal)
);

-- Adult effective dose per DLP, mSv per mGy.cm (AAPM Report 96); edit for your population.
CREATE TABLE dicomlake.k_factor (
    region              text PRIMARY KEY,   -- matched case-insensitively against the target region
    msv_per_mgycm       double precision NOT NULL
);
INSERT INTO dicomlake.k_factor VALUES
    ('head', 0.0021), ('head and neck', 0.0031), ('neck', 0.0059), ('chest', 0.014),
    ('abdomen', 0.015), ('pelvis', 0.015), ('abdomen and pelvis', 0.015), ('trunk', 0.015),
    ('chest, abdomen and pelvis', 0.015);

-- Diagnostic reference levels differ by country: fill in your own (empty by default).
CREATE TABLE dicomlake.drl (
    region              text PRIMARY KEY,   -- matched case-insensitively against the target region
    dlp_mgycm           double precision,
    ctdivol_mgy         double precision
);

CREATE VIEW dicomlake.v_ct_dose_event AS
SELECT e.study_key, e.event_uid,
       (SELECT s.device_serial FROM dicomlake.series s
        WHERE s.study_key = e.study_key AND s.device_serial IS NOT NULL ORDER BY s.series_key LIMIT 1) AS device_serial,
       e.ctdivol_mgy, e.dlp_mgycm, e.phantom, e.target_region, e.acquisition_type, e.ordinal
FROM dicomlake.dose_event e
WHERE e.kind = 'CT';

CREATE VIEW dicomlake.v_ct_dose_study AS
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
       d.event_count
FROM dicomlake.dose_study d
JOIN dicomlake.study st USING (study_key)
LEFT JOIN main_region m USING (study_key)
LEFT JOIN dicomlake.k_factor k ON lower(k.region) = lower(m.target_region)
LEFT JOIN dicomlake.drl r ON lower(r.region) = lower(m.target_region)
WHERE d.template_id = '10011' OR d.source = 'IMAGE_HEADER';

COMMENT ON VIEW dicomlake.v_ct_dose_event IS 'One row per CT irradiation event of a dose report (cumulative reports of a study merged by Irradiation Event UID).';
COMMENT ON COLUMN dicomlake.v_ct_dose_event.study_key IS 'Pseudonym of the study.';
COMMENT ON COLUMN dicomlake.v_ct_dose_event.event_uid IS 'Pseudonym of the Irradiation Event UID (113769).';
COMMENT ON COLUMN dicomlake.v_ct_dose_event.device_serial IS 'Scanner (DeviceSerialNumber).';
COMMENT ON COLUMN dicomlake.v_ct_dose_event.ctdivol_mgy IS 'Mean CTDIvol (113830), mGy.';
COMMENT ON COLUMN dicomlake.v_ct_dose_event.dlp_mgycm IS 'DLP (113838), mGy.cm (unit spellings such as mGycm normalised).';
COMMENT ON COLUMN dicomlake.v_ct_dose_event.phantom IS 'CTDIw Phantom Type (113835).';
COMMENT ON COLUMN dicomlake.v_ct_dose_event.target_region IS 'Target Region (123014).';
COMMENT ON COLUMN dicomlake.v_ct_dose_event.acquisition_type IS 'CT Acquisition Type (113820).';
COMMENT ON COLUMN dicomlake.v_ct_dose_event.ordinal IS 'Position of the event in the merged report.';
COMMENT ON VIEW dicomlake.v_ct_dose_study IS 'CT dose per study: DLP total and CTDIvol max from the dose report (source RDSR), or CTDIvol from image headers when there is none (IMAGE_HEADER); effective dose from k_factor and comparison with drl by the target region of the event with the largest DLP.';
COMMENT ON COLUMN dicomlake.v_ct_dose_study.study_key IS 'Pseudonym of the study.';
COMMENT ON COLUMN dicomlake.v_ct_dose_study.device_serial IS 'Scanner (DeviceSerialNumber).';
COMMENT ON COLUMN dicomlake.v_ct_dose_study.study_date IS 'StudyDate as stored (shifted under modified dates).';
COMMENT ON COLUMN dicomlake.v_ct_dose_study.protocol IS 'Target region of the main event, else the study description.';
COMMENT ON COLUMN dicomlake.v_ct_dose_study.dlp_total_mgycm IS 'Study DLP total, mGy.cm (sum over unique events when reports are cumulative).';
COMMENT ON COLUMN dicomlake.v_ct_dose_study.ctdivol_max_mgy IS 'Highest CTDIvol of the study, mGy.';
COMMENT ON COLUMN dicomlake.v_ct_dose_study.source IS 'RDSR (dose report) or IMAGE_HEADER (CTDIvol of the images only).';
COMMENT ON COLUMN dicomlake.v_ct_dose_study.effective_dose_msv IS 'DLP total x k-factor of the region (table k_factor, AAPM Report 96 adult values by default), mSv.';
COMMENT ON COLUMN dicomlake.v_ct_dose_study.drl_dlp_mgycm IS 'Diagnostic reference level for the region (table drl, empty until you fill it).';
COMMENT ON COLUMN dicomlake.v_ct_dose_study.above_drl IS 'DLP total above the reference level.';
COMMENT ON COLUMN dicomlake.v_ct_dose_study.event_count IS 'Irradiation events in the merged report.';
