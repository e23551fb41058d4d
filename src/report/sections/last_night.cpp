// Last night: the latest extraction run from the ledger (run, run_failure, study_status).
// Ledger rows name studies by a pseudonym of their own; this section shows only counts and
// failure kinds, never a key.
#include "report/sections/sections.hpp"

namespace dicomlake::report::sections {

namespace {

// A reason is "<kind>: <message>" (pipeline/transform): the kind groups failures, the message
// may carry details of one study (sizes, statuses) that would split every group.
const char* const kReasonKind = "split_part(reason, ':', 1)";

Table failure_reasons(Context& c, long run_id) {
    Table t{"run_failure_reasons", "Failures of the run, by kind", "dicomlake.run_failure",
            "Studies the run could not load, grouped by the kind of failure (the part of the reason before ':').",
            {text_column("reason", "Failure kind"), count_column("studies", "Studies")}, {}};
    return query_table(c.tx,
                       std::string("SELECT ") + kReasonKind + " AS reason, count(*) AS studies"
                       " FROM dicomlake.run_failure WHERE run_id = " + std::to_string(run_id) +
                       " GROUP BY 1 ORDER BY 2 DESC, 1",
                       std::move(t));
}

Table waiting(Context& c) {
    Table t{"failed_waiting", "Failed studies waiting for a person", "dicomlake.study_status",
            "Studies that failed at least run.max_attempts times: runs no longer retry them; fix the cause, "
            "then run backfill over their days.",
            {text_column("reason", "Failure kind"), count_column("studies", "Studies"),
             count_column("attempts", "Most attempts")},
            {}};
    return query_table(c.tx,
                       std::string("SELECT ") + kReasonKind + " AS reason, count(*) AS studies, max(attempts) AS attempts"
                       " FROM dicomlake.study_status WHERE state = 'failed' AND attempts >= " +
                       std::to_string(c.options.max_attempts) + " GROUP BY 1 ORDER BY 2 DESC, 1",
                       std::move(t));
}

// One warehouse may hold several PACS: the latest extraction of each, with its watermark (the
// same rule as Ledger::watermarks()).
Table runs_by_source(Context& c) {
    Table t{"runs_by_source", "Latest extraction per source", "dicomlake.run",
            "The latest run or backfill of each source (pacs.name, or its address without credentials) and the "
            "last real day its nightly runs have extracted.",
            {text_column("source", "Source"), text_column("command", "Command"), text_column("outcome", "Outcome"),
             count_column("found", "Listed"), count_column("loaded", "Loaded"), count_column("failed", "Failed"),
             text_column("watermark", "Nightly watermark")},
            {}};
    return query_table(c.tx,
                       "SELECT DISTINCT ON (coalesce(r.source, '')) coalesce(r.source, '(unnamed)') AS source,"
                       " r.command, r.outcome, r.studies_found AS found, r.studies_loaded AS loaded,"
                       " r.studies_failed AS failed,"
                       " coalesce((SELECT max(w.window_to)::text FROM dicomlake.run w WHERE w.command = 'run'"
                       "   AND w.outcome IN ('success', 'partial') AND coalesce(w.source, '') = coalesce(r.source, '')),"
                       "  '') AS watermark"
                       " FROM dicomlake.run r WHERE r.command IN ('run', 'backfill')"
                       " ORDER BY coalesce(r.source, ''), r.run_id DESC",
                       std::move(t));
}

long total(const Table& t) {
    long n = 0;
    for (std::size_t i = 0; i < t.rows.size(); ++i) n += static_cast<long>(number_at(t, i, "studies").value_or(0));
    return n;
}

std::string watermark(Context& c) {
    // The same rule as Ledger::watermark(): the end of the window of the last nightly run that
    // finished (of any source; runs_by_source has each source's).
    auto r = c.tx.exec1("SELECT max(window_to)::text FROM dicomlake.run"
                        " WHERE command = 'run' AND outcome IN ('success', 'partial')");
    return r[0].is_null() ? "" : r[0].as<std::string>();
}

}  // namespace

Section last_night(Context& c) {
    Section s;
    s.id = "last-night";
    s.title = "Last night";
    s.meaning = "Whether the latest extraction loaded what the PACS listed, and what needs a person.";
    s.clock = "run times, UTC (the database server's clock); run windows are real days";
    auto r = c.tx.exec(
        "SELECT run_id, command, outcome, exit_code, studies_found, studies_loaded, studies_unchanged,"
        " studies_failed, coalesce(message, ''), to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),"
        " coalesce(to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), ''),"
        " coalesce(window_from::text, ''), coalesce(window_to::text, ''), coalesce(source, '')"
        " FROM dicomlake.run WHERE command IN ('run', 'backfill') ORDER BY run_id DESC LIMIT 1");
    if (r.empty()) {
        s.period = "no run yet";
        s.empty_reason = "no run or backfill is recorded in this warehouse yet";
        return s;
    }
    const auto& row = r[0];
    long run_id = row[0].as<long>();
    s.period = "the latest " + row[1].as<std::string>() + ", started " + row[9].as<std::string>() + " UTC" +
               (row[10].as<std::string>().empty() ? "" : ", finished " + row[10].as<std::string>() + " UTC") +
               (row[11].as<std::string>().empty()
                    ? ""
                    : ", listing the real days " + row[11].as<std::string>() + " to " + row[12].as<std::string>());
    if (!row[13].as<std::string>().empty()) s.facts.push_back("Source: " + row[13].as<std::string>());
    s.facts.push_back("Outcome: " + row[2].as<std::string>() +
                      (row[3].is_null() ? "" : " (exit code " + row[3].as<std::string>() + ")"));
    s.facts.push_back("Studies listed " + row[4].as<std::string>() + ", loaded " + row[5].as<std::string>() +
                      ", unchanged " + row[6].as<std::string>() + ", failed " + row[7].as<std::string>());
    if (!row[8].as<std::string>().empty()) s.facts.push_back("Message: " + row[8].as<std::string>());

    Table reasons = failure_reasons(c, run_id);
    Table waiting_table = waiting(c);
    long waiting_studies = total(waiting_table);
    s.facts.push_back(plural(waiting_studies, "failed study waits", "failed studies wait") +
                      " for a person (tried " + std::to_string(c.options.max_attempts) + " times or more)");
    std::string mark = watermark(c);
    s.facts.push_back(mark.empty() ? "Nightly watermark: none yet (no nightly run has finished)"
                                   : "Nightly watermark: " + mark + " (the last real day a finished nightly run extracted)");
    Table sources = runs_by_source(c);
    if (sources.rows.size() > 1) s.tables.push_back(std::move(sources));
    if (!reasons.rows.empty()) s.tables.push_back(std::move(reasons));
    if (!waiting_table.rows.empty()) s.tables.push_back(std::move(waiting_table));
    return s;
}

}  // namespace dicomlake::report::sections
