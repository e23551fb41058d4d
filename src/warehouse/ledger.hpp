// The run ledger (dicomlake.run, study_status, run_failure): what each run did, which studies
// failed and why, and where the nightly window starts.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "deid/pseudonym.hpp"
#include "warehouse/database.hpp"

namespace dicomlake::warehouse {

struct RunCounts {
    long studies_found = 0;
    long studies_loaded = 0;
    long studies_unchanged = 0;
    long studies_failed = 0;
    long series_loaded = 0;
};

// A study in the ledger is named by its ledger key, a keyed pseudonym of its study_key under a
// purpose of its own: ledger times (when it loaded or failed, in which run) cannot be joined to
// the study's rows, whose dates are shifted, without the key. What the runs need back (the
// study_key, the real day to list again) is kept sealed.
std::string ledger_key(const deid::Pseudonymizer& p, const std::string& study_key);

struct LedgerEntry {
    std::string study_key;
    std::string day;  // real ISO StudyDate, or empty
};
std::string seal_entry(const deid::Pseudonymizer& p, const LedgerEntry& e);
// nullopt when it was sealed under another key (or altered).
std::optional<LedgerEntry> open_entry(const deid::Pseudonymizer& p, const std::string& sealed);

struct FailedStudy {
    std::string ledger_key;
    std::string sealed;  // a LedgerEntry, sealed
    int attempts = 0;
    std::string reason;
};

// Holds the extraction lock for a scope.
class ExtractionLock;

class Ledger {
public:
    explicit Ledger(Database& db) : db_(db) {}

    // Takes the warehouse's extraction lock (a session-level advisory lock, released when the
    // connection ends, even on kill -9) and closes the ledger rows of runs that died without
    // finishing. Throws LockedError naming the run that holds it.
    void lock_extraction();
    // Releases it at once (rather than when the server notices the connection is gone).
    void unlock_extraction() noexcept;

    // `source`: the source the run reads (Source::name()), or "" for runs that read none.
    long start_run(const std::string& command, const std::string& window_from, const std::string& window_to,
                   const std::string& source = "");
    void finish_run(long run_id, const RunCounts& counts, const std::string& outcome, int exit_code,
                    const std::string& message);

    // Records a failed study (reason names no patient) and counts the attempt; `real_day` (the
    // listed StudyDate, never a shifted one) is kept only sealed, to list that day again.
    void record_failure(long run_id, const deid::Pseudonymizer& p, const std::string& study_key,
                        const std::string& real_day, const std::string& reason);

    // The end of the window of the last `run` of `source` that finished (success or partial),
    // ISO date. Runs recorded before sources were named count for every source.
    std::optional<std::string> watermark(const std::string& source);
    // Every source's watermark, by source name ("" for runs recorded before sources were named).
    std::vector<std::pair<std::string, std::string>> watermarks();

    // Failed studies that have been tried fewer than `max_attempts` times.
    std::vector<FailedStudy> retryable_failures(int max_attempts);

private:
    Database& db_;
};

class ExtractionLock {
public:
    explicit ExtractionLock(Database& db) : ledger_(db) { ledger_.lock_extraction(); }
    ~ExtractionLock() { ledger_.unlock_extraction(); }
    ExtractionLock(const ExtractionLock&) = delete;
    ExtractionLock& operator=(const ExtractionLock&) = delete;

private:
    Ledger ledger_;
};

}  // namespace dicomlake::warehouse
