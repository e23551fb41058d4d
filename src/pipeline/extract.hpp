// The extraction pipeline shared by `run` and `backfill`:
//
//   lister thread  --StudyRef-->  N fetch+transform workers  --StudyResult-->  loader (this thread)
//   (QIDO-RS, per day)            (WADO-RS, walk + de-identify,               (COPY + upsert per batch,
//                                  series accumulation)                        ledger rows)
//
// Bounded queues between the stages; a study is the unit of success: loaded whole with its
// ledger row, or recorded as failed (and retried by a later run).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "dicomlake/exit_codes.hpp"
#include "pipeline/options.hpp"
#include "source/source.hpp"
#include "warehouse/database.hpp"
#include "warehouse/ledger.hpp"

namespace dicomlake::pipeline {

struct ExtractRequest {
    std::string command;                // "run" or "backfill"
    std::string window_from, window_to;  // ISO dates, recorded in the ledger
    std::vector<std::string> days;       // ISO days whose studies are all extracted (consecutive)
    std::vector<std::string> accessions; // AccessionNumbers whose studies are extracted ("" = skip a line)
    std::vector<source::StudyRef> studies;  // studies given whole (`import`: a folder's), extracted as listed
    bool retry_failed = true;            // also retry studies that failed before (other days too)
    bool dry_run = false;                // list and count only: nothing fetched, nothing written
    bool force = false;                  // re-write studies that are already loaded and unchanged
};

struct ExtractReport {
    long run_id = 0;
    warehouse::RunCounts counts;
    ExitCode code = ExitCode::ok;
    long unmatched_accessions = 0;
    long removed = 0;  // studies of the window the PACS no longer has, removed from the warehouse
    std::string message;
};

// Consecutive days are listed in chunks of this many days (one paged QIDO-RS query each); after
// an empty chunk the next one is twice as long, up to a year, so empty history costs little.
inline constexpr size_t kQueryChunkDays = 7;
inline constexpr size_t kMaxQueryChunkDays = 364;

// Visits consecutive `days` in chunks (first and last day of each); the visitor returns
// {go on?, found anything?}. Returns false when the visitor stopped.
using ChunkVisitor = std::function<std::pair<bool, bool>(const std::string& first, const std::string& last)>;
bool for_each_chunk(const std::vector<std::string>& days, const ChunkVisitor& visit);

// What a run over `days` would fetch: studies per StudyDate (`--dry-run`). Throws SourceError.
std::map<std::string, long> count_studies(source::Source& source, const std::vector<std::string>& days);

ExtractReport extract(const Options& options, source::Source& source, warehouse::Database& db,
                      const ExtractRequest& request);

}  // namespace dicomlake::pipeline
