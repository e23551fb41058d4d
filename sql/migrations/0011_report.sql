-- The report's analyses as views, so the nightly report, analysts and BI tools read the same
-- numbers: CT dose against the local reference (P75 of the scanners' medians) and the national
-- DRLs, CT studies above notification values, fluoroscopy high-dose alerts over a rolling window
-- per patient, and MR series whose protocol is neither derived nor mapped.
-- Per-study views carry stored (shifted) dates only, and none of these views shows a date.

-- 1. CT dose notification values ---------------------------------------------------------------

-- User-editable, like drl and k_factor. Defaults: the CTDIvol notification values of the AAPM
-- "Dose Check Guidelines" (version 1.0, 2011) for adults: head 80 mGy, torso (chest, abdomen,
-- pelvis and their combinations) 50 mGy, brain perfusion 600 mGy, cardiac 50 mGy (prospectively
-- gated; use 150 for retrospectively gated spiral scanning). Pediatric values (head below 2
-- years 50 mGy, 2-5 years 60 mGy; torso below 10 years 25 mGy in the 32 cm phantom) need the
-- patient's age, which a region cannot carry: add rows of your own if your regions say so.
-- The AAPM gives no DLP notification values; dlp_mgycm is left empty for you to fill.
CREATE TABLE dicomlake.dose_notification (
    region       text PRIMARY KEY,   -- matched case-insensitively against the target region
    ctdivol_mgy  double precision,
    dlp_mgycm    double precision,
    note         text
);
COMMENT ON TABLE dicomlake.dose_notification IS
    'User-editable CT notification values per target region (AAPM Dose Check Guidelines adult CTDIvol values by default; DLP empty).';

INSERT INTO dicomlake.dose_notification (region, ctdivol_mgy, note) VALUES
    ('Head', 80, 'AAPM Dose Check: adult head'),
    ('Brain', 80, 'AAPM Dose Check: adult head'),
    ('Chest', 50, 'AAPM Dose Check: adult torso'),
    ('Abdomen', 50, 'AAPM Dose Check: adult torso'),
    ('Pelvis', 50, 'AAPM Dose Check: adult torso'),
    ('Abdomen and pelvis', 50, 'AAPM Dose Check: adult torso'),
    ('Chest and abdomen', 50, 'AAPM Dose Check: adult torso'),
    ('Chest, abdomen and pelvis', 50, 'AAPM Dose Check: adult torso'),
    ('Trunk', 50, 'AAPM Dose Check: adult torso'),
    ('Brain perfusion', 600, 'AAPM Dose Check: adult brain perfusion (same level scanned repeatedly)'),
    ('Heart', 50, 'AAPM Dose Check: adult cardiac, prospectively gated (150 when retrospectively gated)');

-- 2. CT dose per protocol and scanner against the local and national references -----------------

CREATE VIEW dicomlake.v_ct_dose_reference AS
WITH pair AS (
    SELECT protocol, device_serial, count(*) AS studies,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ctdivol_max_mgy) AS median_ctdivol_mgy,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY dlp_total_mgycm) AS median_dlp_mgycm
    FROM dicomlake.v_ct_dose_study
    WHERE protocol IS NOT NULL
    GROUP BY protocol, device_serial
),
reference AS (
    SELECT protocol, count(*) AS scanners,
           percentile_cont(0.75) WITHIN GROUP (ORDER BY median_ctdivol_mgy) AS local_reference_ctdivol_mgy,
           percentile_cont(0.75) WITHIN GROUP (ORDER BY median_dlp_mgycm) AS local_reference_dlp_mgycm
    FROM pair GROUP BY protocol
)
SELECT p.protocol, p.device_serial, p.studies, p.median_ctdivol_mgy, p.median_dlp_mgycm,
       r.scanners, r.local_reference_ctdivol_mgy, r.local_reference_dlp_mgycm,
       d.ctdivol_mgy AS national_drl_ctdivol_mgy, d.dlp_mgycm AS national_drl_dlp_mgycm,
       (p.median_dlp_mgycm > r.local_reference_dlp_mgycm) AS above_local_reference,
       (p.median_dlp_mgycm > d.dlp_mgycm OR p.median_ctdivol_mgy > d.ctdivol_mgy) AS above_national_drl
FROM pair p
JOIN reference r USING (protocol)
LEFT JOIN dicomlake.drl d ON lower(d.region) = lower(p.protocol);

COMMENT ON VIEW dicomlake.v_ct_dose_reference IS 'CT dose per protocol (target region of the main event) and scanner over every loaded study: median CTDIvol and DLP, the local reference (75th percentile of the scanners'' medians, the usual DRL method) and the national DRL from table drl.';
COMMENT ON COLUMN dicomlake.v_ct_dose_reference.protocol IS 'v_ct_dose_study.protocol: target region of the event with the largest DLP, else the study description.';
COMMENT ON COLUMN dicomlake.v_ct_dose_reference.device_serial IS 'Scanner (DeviceSerialNumber).';
COMMENT ON COLUMN dicomlake.v_ct_dose_reference.studies IS 'CT studies of this protocol on this scanner.';
COMMENT ON COLUMN dicomlake.v_ct_dose_reference.median_ctdivol_mgy IS 'Median over the studies of their highest CTDIvol (v_ct_dose_study.ctdivol_max_mgy), mGy.';
COMMENT ON COLUMN dicomlake.v_ct_dose_reference.median_dlp_mgycm IS 'Median study DLP total (v_ct_dose_study.dlp_total_mgycm), mGy.cm.';
COMMENT ON COLUMN dicomlake.v_ct_dose_reference.scanners IS 'Scanners with studies of this protocol (the medians the local reference is taken over).';
COMMENT ON COLUMN dicomlake.v_ct_dose_reference.local_reference_ctdivol_mgy IS 'Local reference CTDIvol: 75th percentile (percentile_cont) of the scanners'' median CTDIvol for this protocol, mGy.';
COMMENT ON COLUMN dicomlake.v_ct_dose_reference.local_reference_dlp_mgycm IS 'Local reference DLP: 75th percentile (percentile_cont) of the scanners'' median DLP for this protocol, mGy.cm.';
COMMENT ON COLUMN dicomlake.v_ct_dose_reference.national_drl_ctdivol_mgy IS 'National DRL CTDIvol for the region (table drl, empty until the site fills it), mGy.';
COMMENT ON COLUMN dicomlake.v_ct_dose_reference.national_drl_dlp_mgycm IS 'National DRL DLP for the region (table drl, empty until the site fills it), mGy.cm.';
COMMENT ON COLUMN dicomlake.v_ct_dose_reference.above_local_reference IS 'The scanner''s median DLP is above the local reference.';
COMMENT ON COLUMN dicomlake.v_ct_dose_reference.above_national_drl IS 'The scanner''s median DLP or CTDIvol is above the national DRL (NULL when no DRL is configured).';

-- 3. CT studies above notification values ------------------------------------------------------

CREATE VIEW dicomlake.v_ct_dose_notification AS
WITH events AS (
    SELECT e.study_key, count(*) AS events_above
    FROM dicomlake.dose_event e
    JOIN dicomlake.dose_notification n ON lower(n.region) = lower(e.target_region)
    WHERE e.kind = 'CT' AND e.ctdivol_mgy > n.ctdivol_mgy
    GROUP BY e.study_key
)
SELECT s.study_key, s.device_serial, s.protocol, s.source, s.ctdivol_max_mgy,
       n.ctdivol_mgy AS notification_ctdivol_mgy, s.dlp_total_mgycm,
       n.dlp_mgycm AS notification_dlp_mgycm,
       coalesce(ev.events_above, 0) AS events_above_ctdivol,
       coalesce(s.dlp_total_mgycm > n.dlp_mgycm, false) AS above_dlp
FROM dicomlake.v_ct_dose_study s
LEFT JOIN events ev USING (study_key)
LEFT JOIN dicomlake.dose_notification n ON lower(n.region) = lower(s.protocol)
WHERE ev.study_key IS NOT NULL
   OR s.dlp_total_mgycm > n.dlp_mgycm
   OR (s.source = 'IMAGE_HEADER' AND s.ctdivol_max_mgy > n.ctdivol_mgy);

COMMENT ON VIEW dicomlake.v_ct_dose_notification IS 'CT studies above a notification value of table dose_notification: an irradiation event whose CTDIvol exceeds the value of its target region (image-header studies: their highest CTDIvol against their protocol), or a study DLP total above the region''s DLP value. No date: a notification is about the dose, whatever the day.';
COMMENT ON COLUMN dicomlake.v_ct_dose_notification.study_key IS 'Pseudonym of the study.';
COMMENT ON COLUMN dicomlake.v_ct_dose_notification.device_serial IS 'Scanner (DeviceSerialNumber).';
COMMENT ON COLUMN dicomlake.v_ct_dose_notification.protocol IS 'v_ct_dose_study.protocol (target region of the main event).';
COMMENT ON COLUMN dicomlake.v_ct_dose_notification.source IS 'RDSR (dose report) or IMAGE_HEADER.';
COMMENT ON COLUMN dicomlake.v_ct_dose_notification.ctdivol_max_mgy IS 'Highest CTDIvol of the study, mGy.';
COMMENT ON COLUMN dicomlake.v_ct_dose_notification.notification_ctdivol_mgy IS 'CTDIvol notification value of the study''s protocol (dose_notification), mGy.';
COMMENT ON COLUMN dicomlake.v_ct_dose_notification.dlp_total_mgycm IS 'Study DLP total, mGy.cm.';
COMMENT ON COLUMN dicomlake.v_ct_dose_notification.notification_dlp_mgycm IS 'DLP notification value of the study''s protocol (dose_notification; empty by default), mGy.cm.';
COMMENT ON COLUMN dicomlake.v_ct_dose_notification.events_above_ctdivol IS 'Irradiation events whose CTDIvol exceeds the notification value of their own target region.';
COMMENT ON COLUMN dicomlake.v_ct_dose_notification.above_dlp IS 'The study DLP total exceeds the DLP notification value.';

-- 4. Fluoroscopy high-dose alerts over a rolling window ------------------------------------------

-- Starting levels modelled on OpenREM's fluoroscopy high-dose alerts (total DAP and total dose at
-- the reference point, summed per patient over a number of weeks): 20000 cGy.cm2 (= 2 Gy.m2),
-- 2 Gy, 12 weeks. Not a standard: set your own.
INSERT INTO dicomlake.analysis_setting VALUES
    ('fluoro_alert_dap_gym2', 2, 'fluoroscopy alert: total DAP of a patient over the window, Gy.m2 (2 Gy.m2 = 20000 cGy.cm2)'),
    ('fluoro_alert_dose_rp_gy', 2, 'fluoroscopy alert: total dose at the reference point of a patient over the window, Gy'),
    ('fluoro_alert_weeks', 12, 'fluoroscopy alert: the window, in weeks, ending at each study')
ON CONFLICT (name) DO NOTHING;

-- Stored dates are shifted per patient by one offset, so intervals between one patient's
-- studies are true and a window over them is the real window. A patient is patient_key (a
-- pseudo-patient is one study alone); the view shows the alerting study and the window
-- totals, not patient_key.
CREATE VIEW dicomlake.v_fluoro_alert AS
WITH setting AS (
    SELECT coalesce((SELECT value FROM dicomlake.analysis_setting WHERE name = 'fluoro_alert_weeks'), 12) AS weeks,
           coalesce((SELECT value FROM dicomlake.analysis_setting WHERE name = 'fluoro_alert_dap_gym2'), 2) AS dap_gym2,
           coalesce((SELECT value FROM dicomlake.analysis_setting WHERE name = 'fluoro_alert_dose_rp_gy'), 2) AS dose_rp_gy
),
x AS (
    SELECT d.study_key, coalesce(st.patient_key, st.study_key) AS person,
           st.study_date + coalesce(st.study_time, time '00:00') AS at,
           d.dap_total_gym2, d.dose_rp_total_gy
    FROM dicomlake.dose_study d
    JOIN dicomlake.study st USING (study_key)
    WHERE d.template_id = '10001' AND st.study_date IS NOT NULL
),
w AS (
    SELECT x.study_key, min(x.dap_total_gym2) AS dap_total_gym2, min(x.dose_rp_total_gy) AS dose_rp_total_gy,
           min(s.weeks) AS window_weeks, count(*) AS window_studies,
           sum(y.dap_total_gym2) AS window_dap_total_gym2, sum(y.dose_rp_total_gy) AS window_dose_rp_total_gy,
           min(s.dap_gym2) AS alert_dap_gym2, min(s.dose_rp_gy) AS alert_dose_rp_gy
    FROM x
    CROSS JOIN setting s
    JOIN x y ON y.person = x.person AND y.at <= x.at
            AND y.at > x.at - make_interval(days => (s.weeks * 7)::int)
    GROUP BY x.study_key
)
SELECT w.study_key,
       (SELECT sr.device_serial FROM dicomlake.series sr
        WHERE sr.study_key = w.study_key AND sr.device_serial IS NOT NULL ORDER BY sr.series_key LIMIT 1) AS device_serial,
       w.dap_total_gym2, w.dose_rp_total_gy, w.window_weeks, w.window_studies,
       w.window_dap_total_gym2, w.window_dose_rp_total_gy,
       coalesce(w.window_dap_total_gym2 >= w.alert_dap_gym2, false) AS alert_dap,
       coalesce(w.window_dose_rp_total_gy >= w.alert_dose_rp_gy, false) AS alert_dose_rp
FROM w
WHERE w.window_dap_total_gym2 >= w.alert_dap_gym2 OR w.window_dose_rp_total_gy >= w.alert_dose_rp_gy;

COMMENT ON VIEW dicomlake.v_fluoro_alert IS 'Projection X-ray and fluoroscopy studies (TID 10001 dose reports) at which the patient''s total DAP or total dose at the reference point, summed over the window of analysis_setting fluoro_alert_weeks ending at the study, reaches fluoro_alert_dap_gym2 or fluoro_alert_dose_rp_gy (starting levels modelled on OpenREM''s alerts: 2 Gy.m2, 2 Gy, 12 weeks).';
COMMENT ON COLUMN dicomlake.v_fluoro_alert.study_key IS 'Pseudonym of the study at which the window total reached an alert level.';
COMMENT ON COLUMN dicomlake.v_fluoro_alert.device_serial IS 'Device (DeviceSerialNumber) of that study.';
COMMENT ON COLUMN dicomlake.v_fluoro_alert.dap_total_gym2 IS 'Dose Area Product Total of that study, Gy.m2.';
COMMENT ON COLUMN dicomlake.v_fluoro_alert.dose_rp_total_gy IS 'Dose (RP) Total of that study, Gy.';
COMMENT ON COLUMN dicomlake.v_fluoro_alert.window_weeks IS 'Length of the window ending at the study (analysis_setting fluoro_alert_weeks), weeks.';
COMMENT ON COLUMN dicomlake.v_fluoro_alert.window_studies IS 'Studies of the same patient in the window, this one included.';
COMMENT ON COLUMN dicomlake.v_fluoro_alert.window_dap_total_gym2 IS 'Sum of their DAP totals, Gy.m2.';
COMMENT ON COLUMN dicomlake.v_fluoro_alert.window_dose_rp_total_gy IS 'Sum of their doses at the reference point, Gy.';
COMMENT ON COLUMN dicomlake.v_fluoro_alert.alert_dap IS 'The window DAP total reached analysis_setting fluoro_alert_dap_gym2.';
COMMENT ON COLUMN dicomlake.v_fluoro_alert.alert_dose_rp IS 'The window dose at the reference point reached analysis_setting fluoro_alert_dose_rp_gy.';

-- 5. MR series without a protocol ---------------------------------------------------------------

CREATE VIEW dicomlake.v_protocol_unmapped AS
SELECT device_serial, series_description, count(*) AS series
FROM dicomlake.v_series
WHERE modality = 'MR' AND NOT localizer AND protocol IS NULL
GROUP BY device_serial, series_description;

COMMENT ON VIEW dicomlake.v_protocol_unmapped IS 'MR series (not localizers) whose protocol was neither derived from physics nor mapped by protocol_map, per scanner and series description: the rows to add to protocol_map.';
COMMENT ON COLUMN dicomlake.v_protocol_unmapped.device_serial IS 'Scanner (DeviceSerialNumber).';
COMMENT ON COLUMN dicomlake.v_protocol_unmapped.series_description IS 'SeriesDescription (cleaned), to match with a protocol_map pattern.';
COMMENT ON COLUMN dicomlake.v_protocol_unmapped.series IS 'Series with this description and no protocol.';
