-- The run ledger: the only place a run's truth is kept. `dicomlake status` reads it and the
-- next run resumes from it. Studies are named by pseudonym only; failure reasons name no patient.

CREATE TABLE dicomlake.run (
    run_id             bigserial PRIMARY KEY,
    command            text NOT NULL,
    window_from        date,
    window_to          date,
    started_at         timestamptz NOT NULL DEFAULT now(),
    finished_at        timestamptz,
    studies_found      integer NOT NULL DEFAULT 0,
    studies_loaded     integer NOT NULL DEFAULT 0,
    studies_unchanged  integer NOT NULL DEFAULT 0,
    studies_failed     integer NOT NULL DEFAULT 0,
    series_loaded      integer NOT NULL DEFAULT 0,
    outcome            text NOT NULL DEFAULT 'running'
                       CHECK (outcome IN ('running', 'success', 'partial', 'failed')),
    exit_code          integer,
    message            text,
    host               text,
    version            text
);

-- Latest state of every study seen. A failed study keeps its (real) study date so the next run
-- can query that day again and retry it, without storing its UID.
CREATE TABLE dicomlake.study_status (
    study_key    text PRIMARY KEY,
    study_date   date,
    state        text NOT NULL CHECK (state IN ('loaded', 'failed')),
    reason       text,
    attempts     integer NOT NULL DEFAULT 0,
    last_run_id  bigint REFERENCES dicomlake.run (run_id),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX study_status_failed_idx ON dicomlake.study_status (state) WHERE state = 'failed';

-- Every failure of every run, for the history.
CREATE TABLE dicomlake.run_failure (
    run_id      bigint NOT NULL REFERENCES dicomlake.run (run_id) ON DELETE CASCADE,
    study_key   text NOT NULL,
    study_date  date,
    reason      text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, study_key)
);
