-- No re-identification by joining (docs/privacy.md). Stored dates are shifted per patient by a
-- whole number of weeks; nothing an analyst can read may pin that shift down again:
--  * real-time utilization is kept only as aggregates without per-study fingerprints;
--  * no load time or run beside a shifted date;
--  * the ledger names studies by a pseudonym of its own and keeps real days only sealed.
-- What a migration cannot seal (it has no key) is dropped: one backfill over the loaded range
-- after upgrading rebuilds it (unchanged studies are not rewritten, only re-counted).

-- 1. Utilization -----------------------------------------------------------------------------

DROP VIEW dicomlake.v_scanner_day;
DROP TABLE dicomlake.acquisition_activity;

-- What each study added to the aggregates, sealed (AES-256-GCM) under its activity key (a keyed
-- hash that does not join to study_key): a reload or a removal subtracts it exactly.
CREATE TABLE dicomlake.activity_contribution (
    activity_key  text PRIMARY KEY,
    sealed        text NOT NULL
);
COMMENT ON TABLE dicomlake.activity_contribution IS
    'Per study, its contribution to activity_day/activity_weekhour, encrypted; no readable column.';

-- Exact totals of one scanner-day, sealed, under a keyed hash of (device, day): the readable
-- activity_day row is derived from them, and small days are not published at all.
CREATE TABLE dicomlake.activity_cell (
    cell_key  text PRIMARY KEY,
    sealed    text NOT NULL
);
COMMENT ON TABLE dicomlake.activity_cell IS
    'Exact per scanner-day totals behind activity_day, encrypted and keyed by a keyed hash; no readable column.';

CREATE TABLE dicomlake.activity_day (
    device_serial     text NOT NULL,
    day               date NOT NULL,
    studies           integer NOT NULL,
    busy_minutes      integer NOT NULL,
    mostly_off_hours  boolean NOT NULL,
    PRIMARY KEY (device_serial, day)
);
COMMENT ON TABLE dicomlake.activity_day IS
    'Per scanner and real calendar day with at least min_cell_studies studies: studies, busy minutes (rounded to 5), clock check. Days with fewer studies are not published.';

-- Weekday and hour are the same in shifted and real time (the shift is whole weeks): this table
-- says nothing about a shift, so it is exact and never suppressed.
CREATE TABLE dicomlake.activity_weekhour (
    device_serial  text NOT NULL,
    weekday        smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    hour           smallint NOT NULL CHECK (hour BETWEEN 0 AND 23),
    studies        integer NOT NULL,
    busy_minutes   numeric NOT NULL,  -- exact sums: the same whatever order studies come in
    PRIMARY KEY (device_serial, weekday, hour)
);
COMMENT ON TABLE dicomlake.activity_weekhour IS
    'Per scanner, ISO weekday and hour of the first acquisition: studies and busy minutes over everything loaded; no calendar date.';

INSERT INTO dicomlake.analysis_setting VALUES
    ('min_cell_studies', 5, 'scanner-days with fewer studies are not published in activity_day (privacy: small cells fingerprint single studies)')
ON CONFLICT (name) DO NOTHING;

CREATE VIEW dicomlake.v_scanner_day AS
SELECT device_serial, day, studies, busy_minutes::double precision AS busy_minutes,
       (day > current_date OR mostly_off_hours) AS clock_suspect
FROM dicomlake.activity_day;

COMMENT ON VIEW dicomlake.v_scanner_day IS 'Per scanner and real calendar day (days with at least analysis_setting min_cell_studies studies): studies, busy minutes, and whether its clock looks wrong.';
COMMENT ON COLUMN dicomlake.v_scanner_day.device_serial IS 'Scanner (DeviceSerialNumber).';
COMMENT ON COLUMN dicomlake.v_scanner_day.day IS 'Real calendar day of the first acquisition of the studies (never shifted).';
COMMENT ON COLUMN dicomlake.v_scanner_day.studies IS 'Studies acquired on the scanner that day.';
COMMENT ON COLUMN dicomlake.v_scanner_day.busy_minutes IS 'Sum of study durations (first to last acquisition of each study), minutes, rounded to 5.';
COMMENT ON COLUMN dicomlake.v_scanner_day.clock_suspect IS 'True when the day is in the future or most of its studies start outside opening hours (analysis_setting opening_hour/closing_hour when the day was last loaded).';

CREATE VIEW dicomlake.v_scanner_weekhour AS
SELECT device_serial, weekday, hour, studies, busy_minutes::double precision AS busy_minutes
FROM dicomlake.activity_weekhour;

COMMENT ON VIEW dicomlake.v_scanner_weekhour IS 'Per scanner, weekday and hour of the day: studies started and their busy minutes, over every loaded study (no calendar date).';
COMMENT ON COLUMN dicomlake.v_scanner_weekhour.device_serial IS 'Scanner (DeviceSerialNumber).';
COMMENT ON COLUMN dicomlake.v_scanner_weekhour.weekday IS 'ISO weekday of the first acquisition (1 = Monday .. 7 = Sunday).';
COMMENT ON COLUMN dicomlake.v_scanner_weekhour.hour IS 'Hour of the day of the first acquisition (0..23).';
COMMENT ON COLUMN dicomlake.v_scanner_weekhour.studies IS 'Studies whose first acquisition on the scanner falls in this weekday and hour.';
COMMENT ON COLUMN dicomlake.v_scanner_weekhour.busy_minutes IS 'Sum of their durations (first to last acquisition), minutes.';

-- 2. No load time or run beside a shifted date -----------------------------------------------

-- v_series keeps its public column, always NULL now: loaded_at minus the shifted study_date
-- gives the shift of a nightly load.
CREATE OR REPLACE VIEW dicomlake.v_series AS
SELECT
    s.study_key, s.series_key, s.modality, s.manufacturer, s.model, s.device_serial, s.station,
    s.institution, s.series_description, s.protocol_name, s.body_part, s.series_number,
    st.study_date, st.study_time, s.series_date, s.nex, s.tr_ms, s.te_ms, s.ti_ms,
    s.echo_train_length, s.flip_angle, s.slice_thickness_mm, s.field_strength_t, s.ctdivol_mgy,
    s.instances, s.first_acquired, s.last_acquired,
    EXTRACT(EPOCH FROM (s.last_acquired - s.first_acquired))::double precision AS acquisition_span_s,
    s.sop_class_uid, s.attributes, st.patient_age, st.patient_sex, st.deid_profile, st.key_version,
    NULL::timestamptz AS loaded_at,
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

COMMENT ON COLUMN dicomlake.v_series.loaded_at IS 'Always NULL: a load time beside a shifted date reveals the shift (docs/privacy.md). Kept so existing queries still run.';

ALTER TABLE dicomlake.study DROP COLUMN loaded_at, DROP COLUMN run_id;

-- 3. The ledger under its own pseudonym, real days sealed ------------------------------------

-- Rows keyed by study_key with readable dates cannot be re-keyed without the secret: they go.
DROP TABLE dicomlake.run_failure;
DROP TABLE dicomlake.study_status;

CREATE TABLE dicomlake.study_status (
    ledger_key   text PRIMARY KEY,
    sealed       text,
    state        text NOT NULL CHECK (state IN ('loaded', 'failed')),
    reason       text,
    attempts     integer NOT NULL DEFAULT 0,
    last_run_id  bigint REFERENCES dicomlake.run (run_id),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX study_status_failed_idx ON dicomlake.study_status (state) WHERE state = 'failed';
COMMENT ON TABLE dicomlake.study_status IS
    'Latest state of every study seen, named by a ledger pseudonym that does not join to study_key.';
COMMENT ON COLUMN dicomlake.study_status.sealed IS
    'The real StudyDate and the study_key, encrypted with a key only dicomlake holds (retries and reconciliation).';

CREATE TABLE dicomlake.run_failure (
    run_id      bigint NOT NULL REFERENCES dicomlake.run (run_id) ON DELETE CASCADE,
    ledger_key  text NOT NULL,
    reason      text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, ledger_key)
);
COMMENT ON TABLE dicomlake.run_failure IS 'Every failure of every run, by ledger pseudonym.';
