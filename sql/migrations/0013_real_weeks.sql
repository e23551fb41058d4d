-- Series per week on the real calendar. v_protocol_nex divided a pair's series by the span of
-- their stored study dates; under modified dates those are shifted per patient by up to ten
-- years, so the span was years wide and series per week (and the minutes per week that the
-- report's MR section leads with) came out tens or hundreds of times too small. The span is now
-- the scanner's real span from the published utilization days (first to last real day, at least
-- a week); a scanner without a published day keeps the stored-date span as before.
CREATE OR REPLACE VIEW dicomlake.v_protocol_nex AS
WITH base AS (
    SELECT device_serial, manufacturer, model, protocol, nex, acquisition_s, study_date
    FROM dicomlake.v_series
    WHERE modality = 'MR' AND NOT localizer AND NOT derived AND protocol IS NOT NULL AND nex IS NOT NULL
),
real_span AS (
    SELECT device_serial, (max(day) - min(day) + 1) / 7.0 AS weeks
    FROM dicomlake.v_scanner_day GROUP BY device_serial
),
pair AS (
    SELECT device_serial, min(manufacturer) AS manufacturer, min(model) AS model, protocol,
           count(*) AS series_count, avg(nex) AS mean_nex,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY nex) AS median_nex,
           avg(acquisition_s) AS mean_acquisition_s,
           (max(study_date) - min(study_date) + 1) / 7.0 AS stored_weeks
    FROM base GROUP BY device_serial, protocol
),
fleet AS (
    SELECT protocol, percentile_cont(0.5) WITHIN GROUP (ORDER BY nex) AS fleet_median_nex
    FROM base GROUP BY protocol
)
SELECT p.device_serial, p.manufacturer, p.model, p.protocol, p.series_count, p.mean_nex, p.median_nex,
       f.fleet_median_nex, p.mean_acquisition_s,
       p.series_count / greatest(1.0, coalesce(r.weeks, p.stored_weeks)) AS series_per_week
FROM pair p JOIN fleet f USING (protocol)
LEFT JOIN real_span r USING (device_serial);

COMMENT ON COLUMN dicomlake.v_protocol_nex.series_per_week IS
    'Series per week: series of the pair / weeks from the scanner''s first to last real day in v_scanner_day (at least 1; the stored-date span when the scanner has no published day).';
COMMENT ON COLUMN dicomlake.v_protocol_nex_outliers.series_per_week IS
    'Series per week: series of the pair / weeks from the scanner''s first to last real day in v_scanner_day (at least 1; the stored-date span when the scanner has no published day).';
