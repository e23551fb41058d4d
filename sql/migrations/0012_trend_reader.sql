-- Weekly trends in real time (docs/privacy.md). Stored dates are shifted per patient by whole
-- weeks, so a trend over stored dates is smeared over years; this table is computed by the loader
-- from the sealed scanner-day cells of activity_cell, in the load transaction, like activity_day.
-- Only the week's published days (at least min_cell_studies studies each) are summed, so a week
-- says nothing about the days held back; its MR (CT) part only when at least min_cell_studies
-- of those studies have MR series (a CT dose total); means rounded.
-- Existing cells and contributions have no MR or CT fields yet: one backfill over the loaded
-- range after upgrading counts every study again (unchanged studies are not rewritten).

CREATE TABLE dicomlake.activity_week (
    device_serial   text NOT NULL,
    week            date NOT NULL CHECK (extract(isodow FROM week) = 1),
    studies         integer NOT NULL,
    mr_series       integer,
    mean_nex        numeric(8, 2),
    ct_studies      integer,
    mean_dlp_mgycm  numeric(10, 0),
    PRIMARY KEY (device_serial, week)
);
COMMENT ON TABLE dicomlake.activity_week IS
    'Per scanner and real ISO week: the sum of its published activity_day days, with mean NEX (to 0.01) and mean CT DLP (to 1 mGy.cm) when at least min_cell_studies of those studies carry them.';

CREATE VIEW dicomlake.v_scanner_week AS
SELECT device_serial, week, studies::bigint AS studies, mr_series::bigint AS mr_series,
       mean_nex::double precision AS mean_nex, ct_studies::bigint AS ct_studies,
       mean_dlp_mgycm::double precision AS mean_dlp_mgycm
FROM dicomlake.activity_week;

COMMENT ON VIEW dicomlake.v_scanner_week IS 'Per scanner and real calendar week (ISO, from Monday): studies, mean NEX of the MR series and mean DLP of the CT studies; a trend over real time. Only the days of v_scanner_day are counted.';
COMMENT ON COLUMN dicomlake.v_scanner_week.device_serial IS 'Scanner (DeviceSerialNumber).';
COMMENT ON COLUMN dicomlake.v_scanner_week.week IS 'Monday of the real ISO week of the first acquisitions (never shifted).';
COMMENT ON COLUMN dicomlake.v_scanner_week.studies IS 'Studies on the scanner that week, on the days published in v_scanner_day (days with fewer than analysis_setting min_cell_studies studies are left out).';
COMMENT ON COLUMN dicomlake.v_scanner_week.mr_series IS 'MR series with a NEX (NumberOfAverages), localizers and derived images excluded; NULL when fewer than min_cell_studies of the week''s studies have one.';
COMMENT ON COLUMN dicomlake.v_scanner_week.mean_nex IS 'Mean NEX over those MR series, rounded to 0.01; NULL when mr_series is NULL.';
COMMENT ON COLUMN dicomlake.v_scanner_week.ct_studies IS 'Studies with a CT dose total (DLP of a CT radiation dose report, TID 10011); NULL when fewer than min_cell_studies.';
COMMENT ON COLUMN dicomlake.v_scanner_week.mean_dlp_mgycm IS 'Mean study DLP total over those CT studies, mGy.cm, rounded to 1; NULL when ct_studies is NULL.';
