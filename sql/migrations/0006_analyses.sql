-- The analyses: protocol identity, acquisition time, NEX monitoring (the founding study's
-- question), scanner utilization and data quality. Public views; columns are only ever added.

ALTER TABLE dicomlake.series
    ADD COLUMN protocol_derived   text,
    ADD COLUMN localizer          boolean NOT NULL DEFAULT false,
    ADD COLUMN derived            boolean NOT NULL DEFAULT false,
    ADD COLUMN acquisition_s      double precision,
    ADD COLUMN acquisition_source text;

-- User-editable: a site's own protocol names. The first matching row (lowest priority number)
-- overrides the protocol derived from physics. scope: a device serial, or '*' for every device.
CREATE TABLE dicomlake.protocol_map (
    priority             integer NOT NULL DEFAULT 100,
    scope                text NOT NULL DEFAULT '*',
    description_pattern  text NOT NULL,   -- SQL LIKE pattern on series_description, case-insensitive
    protocol             text NOT NULL,
    PRIMARY KEY (scope, description_pattern)
);
COMMENT ON TABLE dicomlake.protocol_map IS
    'User-editable overrides of the derived protocol: (scope = device serial or *, ILIKE pattern on series_description) -> protocol.';

-- User-editable settings of the analyses.
CREATE TABLE dicomlake.analysis_setting (
    name   text PRIMARY KEY,
    value  double precision NOT NULL,
    note   text
);
INSERT INTO dicomlake.analysis_setting VALUES
    ('nex_outlier_margin', 0.2, 'a pair is an outlier when its median NEX exceeds the fleet median by this fraction'),
    ('opening_hour', 6, 'acquisitions before this hour count as outside opening hours (clock checks)'),
    ('closing_hour', 22, 'acquisitions from this hour on count as outside opening hours (clock checks)');

CREATE OR REPLACE VIEW dicomlake.v_series AS
SELECT
    s.study_key, s.series_key, s.modality, s.manufacturer, s.model, s.device_serial, s.station,
    s.institution, s.series_description, s.protocol_name, s.body_part, s.series_number,
    st.study_date, st.study_time, s.series_date, s.nex, s.tr_ms, s.te_ms, s.ti_ms,
    s.echo_train_length, s.flip_angle, s.slice_thickness_mm, s.field_strength_t, s.ctdivol_mgy,
    s.instances, s.first_acquired, s.last_acquired,
    EXTRACT(EPOCH FROM (s.last_acquired - s.first_acquired))::double precision AS acquisition_span_s,
    s.sop_class_uid, s.attributes, st.patient_age, st.patient_sex, st.deid_profile, st.key_version,
    st.loaded_at,
    coalesce((SELECT m.protocol FROM dicomlake.protocol_map m
              WHERE (m.scope = '*' OR m.scope = s.device_serial)
                AND s.series_description ILIKE m.description_pattern
              ORDER BY m.priority, (m.scope = '*') LIMIT 1),
             s.protocol_derived) AS protocol,
    s.localizer,
    s.derived,
    s.acquisition_s,
    s.acquisition_source
FROM dicomlake.series s
JOIN dicomlake.study st USING (study_key);

COMMENT ON COLUMN dicomlake.v_series.protocol IS 'Canonical, vendor-neutral protocol (SAG_T2, AX_T1, SAG_STIR, LOCALIZER...): from protocol_map when a row matches, else derived from orientation, TR/TE/TI and sequence.';
COMMENT ON COLUMN dicomlake.v_series.localizer IS 'A localizer/scout/survey: kept out of protocol statistics.';
COMMENT ON COLUMN dicomlake.v_series.derived IS 'ImageType DERIVED (reformats, maps): kept out of protocol statistics.';
COMMENT ON COLUMN dicomlake.v_series.acquisition_s IS 'Acquisition time of the series in seconds (see acquisition_source).';
COMMENT ON COLUMN dicomlake.v_series.acquisition_source IS 'measured (AcquisitionDuration), span (first to last acquisition), or modelled (TR x phase steps x NEX / (ETL x parallel factor)).';

-- NEX per scanner x protocol, against the fleet (the founding study's analysis).
CREATE VIEW dicomlake.v_protocol_nex AS
WITH base AS (
    SELECT device_serial, manufacturer, model, protocol, nex, acquisition_s, study_date
    FROM dicomlake.v_series
    WHERE modality = 'MR' AND NOT localizer AND NOT derived AND protocol IS NOT NULL AND nex IS NOT NULL
),
pair AS (
    SELECT device_serial, min(manufacturer) AS manufacturer, min(model) AS model, protocol,
           count(*) AS series_count, avg(nex) AS mean_nex,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY nex) AS median_nex,
           avg(acquisition_s) AS mean_acquisition_s,
           greatest(1.0, (max(study_date) - min(study_date) + 1) / 7.0) AS weeks
    FROM base GROUP BY device_serial, protocol
),
fleet AS (
    SELECT protocol, percentile_cont(0.5) WITHIN GROUP (ORDER BY nex) AS fleet_median_nex
    FROM base GROUP BY protocol
)
SELECT p.device_serial, p.manufacturer, p.model, p.protocol, p.series_count, p.mean_nex, p.median_nex,
       f.fleet_median_nex, p.mean_acquisition_s, p.series_count / p.weeks AS series_per_week
FROM pair p JOIN fleet f USING (protocol);

COMMENT ON VIEW dicomlake.v_protocol_nex IS 'MR NEX per scanner x canonical protocol (localizers and derived series excluded), with the fleet median for the protocol.';
COMMENT ON COLUMN dicomlake.v_protocol_nex.device_serial IS 'Scanner (DeviceSerialNumber).';
COMMENT ON COLUMN dicomlake.v_protocol_nex.manufacturer IS 'Manufacturer of the scanner.';
COMMENT ON COLUMN dicomlake.v_protocol_nex.model IS 'ManufacturerModelName of the scanner.';
COMMENT ON COLUMN dicomlake.v_protocol_nex.protocol IS 'Canonical protocol (v_series.protocol).';
COMMENT ON COLUMN dicomlake.v_protocol_nex.series_count IS 'Series of this protocol on this scanner.';
COMMENT ON COLUMN dicomlake.v_protocol_nex.mean_nex IS 'Mean NEX (number of averages).';
COMMENT ON COLUMN dicomlake.v_protocol_nex.median_nex IS 'Median NEX.';
COMMENT ON COLUMN dicomlake.v_protocol_nex.fleet_median_nex IS 'Median NEX of this protocol over every scanner.';
COMMENT ON COLUMN dicomlake.v_protocol_nex.mean_acquisition_s IS 'Mean acquisition time of the series, seconds.';
COMMENT ON COLUMN dicomlake.v_protocol_nex.series_per_week IS 'Series per week over the dates loaded.';

CREATE VIEW dicomlake.v_protocol_nex_outliers AS
SELECT n.*,
       n.series_per_week * n.mean_acquisition_s * (1 - n.fleet_median_nex / n.mean_nex) / 60.0
           AS est_minutes_saved_per_week
FROM dicomlake.v_protocol_nex n
WHERE n.median_nex > n.fleet_median_nex *
      (1 + coalesce((SELECT value FROM dicomlake.analysis_setting WHERE name = 'nex_outlier_margin'), 0.2));

COMMENT ON VIEW dicomlake.v_protocol_nex_outliers IS 'Scanner x protocol pairs whose median NEX exceeds the fleet median by more than analysis_setting nex_outlier_margin, with the time they would save at the fleet median.';
COMMENT ON COLUMN dicomlake.v_protocol_nex_outliers.device_serial IS 'Scanner (DeviceSerialNumber).';
COMMENT ON COLUMN dicomlake.v_protocol_nex_outliers.manufacturer IS 'Manufacturer of the scanner.';
COMMENT ON COLUMN dicomlake.v_protocol_nex_outliers.model IS 'ManufacturerModelName of the scanner.';
COMMENT ON COLUMN dicomlake.v_protocol_nex_outliers.protocol IS 'Canonical protocol (v_series.protocol).';
COMMENT ON COLUMN dicomlake.v_protocol_nex_outliers.series_count IS 'Series of this protocol on this scanner.';
COMMENT ON COLUMN dicomlake.v_protocol_nex_outliers.mean_nex IS 'Mean NEX (number of averages).';
COMMENT ON COLUMN dicomlake.v_protocol_nex_outliers.median_nex IS 'Median NEX.';
COMMENT ON COLUMN dicomlake.v_protocol_nex_outliers.fleet_median_nex IS 'Median NEX of this protocol over every scanner.';
COMMENT ON COLUMN dicomlake.v_protocol_nex_outliers.mean_acquisition_s IS 'Mean acquisition time of the series, seconds.';
COMMENT ON COLUMN dicomlake.v_protocol_nex_outliers.series_per_week IS 'Series per week over the dates loaded.';
COMMENT ON COLUMN dicomlake.v_protocol_nex_outliers.est_minutes_saved_per_week IS 'Series per week x mean acquisition time x (1 - fleet median NEX / mean NEX), in minutes (scan time is proportional to NEX).';

-- Scanner utilization per day, from the real (unshifted) times of acquisition_activity.
CREATE VIEW dicomlake.v_scanner_day AS
WITH a AS (
    SELECT device_serial, acquired_day AS day, first_acquired, last_acquired,
           lag(last_acquired) OVER (PARTITION BY device_serial, acquired_day ORDER BY first_acquired) AS previous_end
    FROM dicomlake.acquisition_activity
    WHERE first_acquired IS NOT NULL
)
SELECT device_serial, day, count(*) AS studies, min(first_acquired) AS first_acquired,
       max(last_acquired) AS last_acquired,
       sum(EXTRACT(EPOCH FROM (last_acquired - first_acquired))) / 60.0 AS busy_minutes,
       coalesce(max(greatest(0, EXTRACT(EPOCH FROM (first_acquired - previous_end)))) / 60.0, 0)
           AS longest_idle_minutes,
       (day > current_date
        OR count(*) FILTER (WHERE EXTRACT(HOUR FROM first_acquired) <
                                  (SELECT value FROM dicomlake.analysis_setting WHERE name = 'opening_hour')
                               OR EXTRACT(HOUR FROM first_acquired) >=
                                  (SELECT value FROM dicomlake.analysis_setting WHERE name = 'closing_hour'))
           > count(*) / 2) AS clock_suspect
FROM a GROUP BY device_serial, day;

COMMENT ON VIEW dicomlake.v_scanner_day IS 'Per scanner and real calendar day: studies, first and last acquisition, busy and longest idle minutes, and whether its clock looks wrong.';
COMMENT ON COLUMN dicomlake.v_scanner_day.device_serial IS 'Scanner (DeviceSerialNumber).';
COMMENT ON COLUMN dicomlake.v_scanner_day.day IS 'Real calendar day of the first acquisition of the studies (never shifted).';
COMMENT ON COLUMN dicomlake.v_scanner_day.studies IS 'Studies acquired on the scanner that day.';
COMMENT ON COLUMN dicomlake.v_scanner_day.first_acquired IS 'First acquisition of the day.';
COMMENT ON COLUMN dicomlake.v_scanner_day.last_acquired IS 'Last acquisition of the day.';
COMMENT ON COLUMN dicomlake.v_scanner_day.busy_minutes IS 'Sum of study durations (first to last acquisition of each study), minutes.';
COMMENT ON COLUMN dicomlake.v_scanner_day.longest_idle_minutes IS 'Longest gap between the end of one study and the start of the next, minutes.';
COMMENT ON COLUMN dicomlake.v_scanner_day.clock_suspect IS 'True when the day is in the future or most of its studies start outside opening hours (analysis_setting opening_hour/closing_hour).';

-- Data quality: how often each key parameter is missing, per scanner and modality.
CREATE VIEW dicomlake.v_data_quality AS
SELECT device_serial, modality, count(*) AS series,
       avg((nex IS NULL)::int) FILTER (WHERE modality = 'MR') AS missing_nex,
       avg((tr_ms IS NULL)::int) FILTER (WHERE modality = 'MR') AS missing_tr,
       avg((te_ms IS NULL)::int) FILTER (WHERE modality = 'MR') AS missing_te,
       avg((ctdivol_mgy IS NULL)::int) FILTER (WHERE modality = 'CT') AS missing_ctdivol,
       avg((protocol IS NULL)::int) FILTER (WHERE modality = 'MR' AND NOT localizer) AS missing_protocol,
       avg((acquisition_s IS NULL)::int) AS missing_acquisition_time,
       avg((device_serial IS NULL)::int) AS missing_device_serial
FROM dicomlake.v_series
GROUP BY device_serial, modality;

COMMENT ON VIEW dicomlake.v_data_quality IS 'Per scanner x modality, the share of series missing each key parameter, so gaps are seen rather than averaged away.';
COMMENT ON COLUMN dicomlake.v_data_quality.device_serial IS 'Scanner (DeviceSerialNumber); NULL groups series without one.';
COMMENT ON COLUMN dicomlake.v_data_quality.modality IS 'Modality.';
COMMENT ON COLUMN dicomlake.v_data_quality.series IS 'Series counted.';
COMMENT ON COLUMN dicomlake.v_data_quality.missing_nex IS 'MR: share of series without NEX.';
COMMENT ON COLUMN dicomlake.v_data_quality.missing_tr IS 'MR: share of series without TR.';
COMMENT ON COLUMN dicomlake.v_data_quality.missing_te IS 'MR: share of series without TE.';
COMMENT ON COLUMN dicomlake.v_data_quality.missing_ctdivol IS 'CT: share of series without CTDIvol.';
COMMENT ON COLUMN dicomlake.v_data_quality.missing_protocol IS 'MR (not localizers): share of series whose protocol could not be derived or mapped.';
COMMENT ON COLUMN dicomlake.v_data_quality.missing_acquisition_time IS 'Share of series without an acquisition time.';
COMMENT ON COLUMN dicomlake.v_data_quality.missing_device_serial IS 'Share of series without DeviceSerialNumber.';
