#include "warehouse/ledger.hpp"

#include <unistd.h>

#include <chrono>
#include <thread>

#include "util/error.hpp"
#include "warehouse/copy_text.hpp"

namespace dicomlake::warehouse {

namespace {

std::string host_name() {
    char buf[256] = {0};
    if (gethostname(buf, sizeof buf - 1) != 0) return {};
    return buf;
}

std::optional<std::string> opt_date(const std::string& s) {
    if (!valid_iso_date(s)) return std::nullopt;
    return s;
}

}  // namespace

std::string ledger_key(const deid::Pseudonymizer& p, const std::string& study_key) {
    return p.token(deid::Purpose::ledger, study_key);
}

std::string seal_entry(const deid::Pseudonymizer& p, const LedgerEntry& e) {
    return p.seal((valid_iso_date(e.day) ? e.day : std::string()) + '|' + e.study_key);
}

std::optional<LedgerEntry> open_entry(const deid::Pseudonymizer& p, const std::string& sealed) {
    auto plain = p.unseal(sealed);
    if (!plain) return std::nullopt;
    auto bar = plain->find('|');
    if (bar == std::string::npos) return std::nullopt;
    return LedgerEntry{plain->substr(bar + 1), plain->substr(0, bar)};
}

void Ledger::lock_extraction() {
    // A run that has just ended may still hold the lock for a moment (its server process exits
    // after the client): ask a few times before calling it taken.
    bool locked = false;
    for (int attempt = 0; attempt < 10 && !locked; ++attempt) {
        if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200));
        locked = db_.with_transaction([](pqxx::work& tx) {
            return tx.exec1("SELECT pg_try_advisory_lock(hashtext('dicomlake.extraction'))")[0].as<bool>();
        });
    }
    if (!locked) {
        std::string holder = db_.with_transaction([](pqxx::work& tx) {
            auto r = tx.exec(
                "SELECT format('run %s (%s, started %s on %s)', run_id, command,"
                " to_char(started_at, 'YYYY-MM-DD HH24:MI:SS'), coalesce(host, '?'))"
                " FROM dicomlake.run WHERE outcome = 'running' ORDER BY run_id DESC LIMIT 1");
            return r.empty() ? std::string("another dicomlake process") : r[0][0].as<std::string>();
        });
        throw LockedError(holder + " holds the warehouse lock: wait for it to finish (dicomlake status shows " +
                          "runs); two runs must not load the same warehouse at once");
    }
    db_.with_transaction([](pqxx::work& tx) {
        tx.exec(
            "UPDATE dicomlake.run SET outcome = 'failed', finished_at = coalesce(finished_at, now()),"
            " message = 'interrupted: the process ended before finishing the run (killed, or the host went down)'"
            " WHERE outcome = 'running'");
    });
}

void Ledger::unlock_extraction() noexcept {
    try {
        db_.with_transaction(
            [](pqxx::work& tx) { tx.exec("SELECT pg_advisory_unlock(hashtext('dicomlake.extraction'))"); });
    } catch (...) {
        // The connection is gone: so is the lock.
    }
}

long Ledger::start_run(const std::string& command, const std::string& window_from, const std::string& window_to,
                       const std::string& source) {
    return db_.with_transaction([&](pqxx::work& tx) {
        auto r = tx.exec_params1(
            "INSERT INTO dicomlake.run (command, window_from, window_to, host, version, source)"
            " VALUES ($1, $2::date, $3::date, $4, $5, $6) RETURNING run_id",
            command, opt_date(window_from), opt_date(window_to), host_name(), std::string(DICOMLAKE_VERSION),
            source.empty() ? std::optional<std::string>() : std::optional<std::string>(source));
        return r[0].as<long>();
    });
}

void Ledger::finish_run(long run_id, const RunCounts& c, const std::string& outcome, int exit_code,
                        const std::string& message) {
    db_.with_transaction([&](pqxx::work& tx) {
        tx.exec_params(
            "UPDATE dicomlake.run SET finished_at = now(), studies_found = $2, studies_loaded = $3,"
            " studies_unchanged = $4, studies_failed = $5, series_loaded = $6, outcome = $7, exit_code = $8,"
            " message = NULLIF($9, '') WHERE run_id = $1",
            run_id, c.studies_found, c.studies_loaded, c.studies_unchanged, c.studies_failed, c.series_loaded,
            outcome, exit_code, message);
    });
}

void Ledger::record_failure(long run_id, const deid::Pseudonymizer& p, const std::string& study_key,
                            const std::string& real_day, const std::string& reason) {
    const std::string key = ledger_key(p, study_key);
    const std::string sealed = seal_entry(p, {study_key, real_day});
    // A failure without a day (a study listed without StudyDate) keeps the day known before.
    db_.with_transaction([&](pqxx::work& tx) {
        tx.exec_params(
            "INSERT INTO dicomlake.study_status AS ss (ledger_key, sealed, state, reason, attempts, last_run_id)"
            " VALUES ($1, $2, 'failed', $3, 1, $4)"
            " ON CONFLICT (ledger_key) DO UPDATE SET state = 'failed', reason = EXCLUDED.reason,"
            "   attempts = CASE WHEN ss.state = 'failed' THEN ss.attempts + 1 ELSE 1 END,"
            "   sealed = CASE WHEN $5 OR ss.sealed IS NULL THEN EXCLUDED.sealed ELSE ss.sealed END,"
            "   last_run_id = EXCLUDED.last_run_id, updated_at = now()",
            key, sealed, reason, run_id, valid_iso_date(real_day));
        tx.exec_params(
            "INSERT INTO dicomlake.run_failure (run_id, ledger_key, reason) VALUES ($1, $2, $3)"
            " ON CONFLICT (run_id, ledger_key) DO UPDATE SET reason = EXCLUDED.reason",
            run_id, key, reason);
    });
}

std::vector<std::pair<std::string, std::string>> Ledger::watermarks() {
    return db_.with_transaction([](pqxx::work& tx) {
        std::vector<std::pair<std::string, std::string>> out;
        for (const auto& r : tx.exec("SELECT coalesce(source, ''), max(window_to)::text FROM dicomlake.run"
                                     " WHERE command = 'run' AND outcome IN ('success', 'partial')"
                                     " GROUP BY 1 ORDER BY 1"))
            out.emplace_back(r[0].as<std::string>(), r[1].as<std::string>());
        return out;
    });
}

std::optional<std::string> Ledger::watermark(const std::string& source) {
    return db_.with_transaction([&](pqxx::work& tx) -> std::optional<std::string> {
        auto r = tx.exec_params1(
            "SELECT max(window_to)::text FROM dicomlake.run"
            " WHERE command = 'run' AND outcome IN ('success', 'partial') AND coalesce(source, $1) = $1",
            source);
        if (r[0].is_null()) return std::nullopt;
        return r[0].as<std::string>();
    });
}

std::vector<FailedStudy> Ledger::retryable_failures(int max_attempts) {
    return db_.with_transaction([&](pqxx::work& tx) {
        std::vector<FailedStudy> out;
        auto r = tx.exec_params(
            "SELECT ledger_key, coalesce(sealed, ''), attempts, coalesce(reason, '')"
            " FROM dicomlake.study_status WHERE state = 'failed' AND attempts < $1 ORDER BY ledger_key",
            max_attempts);
        for (const auto& row : r)
            out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<int>(),
                           row[3].as<std::string>()});
        return out;
    });
}

}  // namespace dicomlake::warehouse
