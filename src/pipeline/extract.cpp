#include "pipeline/extract.hpp"
#include "pipeline/lister.hpp"
#include "pipeline/transform.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "deid/policy.hpp"
#include "deid/pseudonym.hpp"
#include "model/instance.hpp"
#include "normalize/series.hpp"
#include "util/bounded_queue.hpp"
#include "util/error.hpp"
#include "util/progress.hpp"
#include "util/signals.hpp"
#include "warehouse/loader.hpp"

namespace dicomlake::pipeline {

namespace {

// Failures that say the PACS, not the study, is in trouble: when every study of a run failed
// this way and none loaded, the run's exit code is "PACS" rather than "partial".
bool pacs_side(source::FailureKind k) {
    return k == source::FailureKind::unreachable || k == source::FailureKind::refused ||
           k == source::FailureKind::timeout || k == source::FailureKind::server_error ||
           k == source::FailureKind::throttled;
}

long reconcile(warehouse::Loader& loader, const deid::Pseudonymizer& pseudo, const std::vector<std::string>& days,
               const std::set<std::string>& listed) {
    std::set<std::string> window(days.begin(), days.end());
    std::vector<std::string> loaded;
    for (const auto& sealed : loader.sealed_entries()) {
        auto entry = warehouse::open_entry(pseudo, sealed);  // rows sealed under an older key stay out of this
        if (entry && window.count(entry->day)) loaded.push_back(entry->study_key);
    }
    // Only this source's studies: another PACS's studies of the same days are not its to remove.
    std::vector<std::string> gone;
    loaded = loader.of_this_source(loaded);
    const long in_window = static_cast<long>(loaded.size());
    for (auto& key : loaded)
        if (!listed.count(key)) gone.push_back(std::move(key));
    if (gone.empty()) return 0;
    if (gone.size() > 10 && gone.size() * 2 > static_cast<size_t>(in_window)) {
        spdlog::warn("{} of the {} loaded studies of the window are no longer listed by the PACS: that looks like a "
                     "PACS or query problem rather than deletions, so nothing is removed (check the PACS)",
                     gone.size(), in_window);
        return 0;
    }
    loader.remove_studies(gone);
    spdlog::info("removed {} stud(ies) the PACS no longer has", gone.size());
    return static_cast<long>(gone.size());
}

}  // namespace

bool for_each_chunk(const std::vector<std::string>& days, const ChunkVisitor& visit) {
    size_t chunk = kQueryChunkDays;
    for (size_t i = 0; i < days.size();) {
        size_t last = std::min(days.size(), i + chunk) - 1;
        auto [go, found] = visit(days[i], days[last]);
        if (!go) return false;
        i = last + 1;
        // Empty stretches (years before a PACS existed) are crossed in growing strides.
        chunk = found ? kQueryChunkDays : std::min(chunk * 2, kMaxQueryChunkDays);
    }
    return true;
}

std::map<std::string, long> count_studies(source::Source& source, const std::vector<std::string>& days) {
    std::map<std::string, long> per_day;
    std::set<std::string> seen;
    for_each_chunk(days, [&](const std::string& first, const std::string& last) {
        long n = 0;
        for (const auto& r : source.list_studies(first, last))
            if (seen.insert(r.study_uid).second) {
                ++per_day[r.study_date.empty() ? std::string("(no date)") : r.study_date];
                ++n;
            }
        return std::make_pair(!stop_requested(), n > 0);
    });
    return per_day;
}

ExtractReport extract(const cli::Config& config, source::Source& source, warehouse::Database& db,
                      const ExtractRequest& request) {
    deid::Pseudonymizer pseudo(config.key, config.key_version);
    deid::Policy policy(pseudo, config.deid_options, config.safe_private);
    warehouse::Ledger ledger(db);
    ExtractReport report;
    report.run_id = ledger.start_run(request.command, request.window_from, request.window_to, source.name());
    spdlog::info("{} run {} started: {} day(s) from {} to {}", request.command, report.run_id, request.days.size(),
                 request.window_from, request.window_to);

    // Studies that failed before are retried on their own day, found again by pseudonym.
    std::map<std::string, std::set<std::string>> retry_days;
    if (request.retry_failed) {
        std::set<std::string> window(request.days.begin(), request.days.end());
        long retried = 0;
        for (const auto& f : ledger.retryable_failures(config.max_attempts)) {
            auto entry = warehouse::open_entry(pseudo, f.sealed);
            if (!entry || entry->day.empty() || window.count(entry->day)) continue;
            retry_days[entry->day].insert(entry->study_key);
            ++retried;
        }
        if (retried > 0) spdlog::info("retrying {} earlier failed stud(ies) outside the window", retried);
    }

    const model::WalkOptions walk = walk_limits(config);
    const size_t workers = static_cast<size_t>(config.pacs_concurrency);
    BoundedQueue<source::StudyRef> work(workers * 4);
    BoundedQueue<StudyOutcome> results(static_cast<size_t>(config.batch_studies) * 2);
    std::atomic<long> listed{0};
    std::atomic<bool> listing_done{false}, abort{false};
    std::mutex error_mutex;
    std::string listing_error;

    ListingReport listing;
    std::thread lister([&] {
        ListingInput in{request, retry_days, [&] { return abort || stop_requested(); },
                        [&](source::StudyRef&& r) {
                            ++listed;
                            return work.push(std::move(r));
                        }};
        try {
            list_studies(source, pseudo, in, listing);
        } catch (const std::exception& e) {
            std::lock_guard lock(error_mutex);
            listing_error = e.what();
        }
        listing_done = true;
        work.close();
    });

    std::atomic<size_t> active{workers};
    std::vector<std::thread> pool;
    for (size_t i = 0; i < workers; ++i) {
        pool.emplace_back([&] {
            auto session = source.open_session();
            while (auto ref = work.pop()) {
                if (abort || stop_requested()) break;
                if (!results.push(transform_study(*ref, *session, pseudo, policy, walk))) break;
            }
            if (--active == 0) results.close();
        });
    }

    auto join_all = [&] {
        abort = true;
        work.close();
        results.close();
        lister.join();
        for (auto& t : pool) t.join();
    };

    std::vector<deid::Pseudonymizer> previous;
    for (const auto& [version, key] : config.previous_keys) previous.emplace_back(key, version);
    warehouse::activity::Keyring keyring{&pseudo};
    for (const auto& p : previous) keyring.push_back(&p);
    warehouse::Loader loader(db, {deid::Policy::kProfile, config.deid_options.to_string(), deid::kE11Edition,
                                  config.key_version, source.name(), report.run_id, request.force}, keyring);
    Progress progress(request.command);
    auto& counts = report.counts;
    long pacs_failures = 0;
    std::vector<normalize::StudyResult> batch;
    auto flush = [&] {
        if (batch.empty()) return;
        for (const auto& o : loader.load(batch)) {
            using State = warehouse::StudyLoadOutcome::State;
            if (o.state == State::failed) {
                ledger.record_failure(report.run_id, pseudo, o.study_key, o.real_day, o.reason);
                spdlog::warn("study {} failed: {}", warehouse::ledger_key(pseudo, o.study_key), o.reason);
                ++counts.studies_failed;
                progress.add_done(0, 0, 1);
            } else if (o.state == State::unchanged) {
                ++counts.studies_unchanged;
                progress.add_done(0, 1, 0);
            } else {
                ++counts.studies_loaded;
                counts.series_loaded += o.series;
                progress.add_done(1, 0, 0);
            }
        }
        batch.clear();
    };

    try {
        while (auto o = results.pop()) {
            progress.set_listed(listed, listing_done);
            if (o->ok) {
                batch.push_back(std::move(o->result));
                if (batch.size() >= static_cast<size_t>(config.batch_studies)) flush();
                continue;
            }
            if (stop_requested()) continue;  // cut short by the stop, not a fault of the study
            ledger.record_failure(report.run_id, pseudo, o->study_key, o->study_date, o->reason);
            spdlog::warn("study {} failed: {}", warehouse::ledger_key(pseudo, o->study_key), o->reason);
            ++counts.studies_failed;
            if (pacs_side(o->kind)) ++pacs_failures;
            progress.add_done(0, 0, 1);
        }
        flush();
    } catch (...) {
        join_all();
        progress.finish();
        try {
            ledger.finish_run(report.run_id, counts, "failed", static_cast<int>(ExitCode::db_unavailable),
                              "the warehouse connection failed during the run");
        } catch (...) {
        }
        throw;
    }
    join_all();
    progress.set_listed(listed, true);
    progress.finish();
    counts.studies_found = listed;

    report.unmatched_accessions = listing.unmatched_accessions;
    // Studies of the window that the PACS no longer lists are removed, when the listing is known
    // to be complete and unfiltered (days whose listing failed are left as they are).
    std::vector<std::string> listed_days;
    for (const auto& day : request.days)
        if (!listing.failed_days.count(day)) listed_days.push_back(day);
    if (!stop_requested() && listing_error.empty() && request.accessions.empty() && config.modalities.empty() &&
        config.study_description.empty() && !listed_days.empty())
        report.removed = reconcile(loader, pseudo, listed_days, listing.window_keys);

    std::string outcome = "success";
    if (stop_requested()) {
        report.code = ExitCode::interrupted;
        report.message = "interrupted by a signal after " + std::to_string(counts.studies_loaded + counts.studies_unchanged) +
                         " studies; run the same command again to finish (loaded studies are skipped)";
        outcome = "failed";
    } else if (!listing_error.empty()) {
        report.code = ExitCode::pacs_unavailable;
        report.message = "listing studies failed: " + listing_error;
        outcome = "failed";
    } else if (counts.studies_failed > 0 || report.unmatched_accessions > 0 || !listing.failures.empty()) {
        bool all_pacs = counts.studies_failed > 0 && pacs_failures == counts.studies_failed &&
                        counts.studies_loaded + counts.studies_unchanged == 0 && listing.failures.empty();
        report.code = all_pacs ? ExitCode::pacs_unavailable : ExitCode::partial;
        if (counts.studies_failed > 0)
            report.message = std::to_string(counts.studies_failed) +
                             " stud(ies) failed; they are recorded (dicomlake status) and retried by the next run";
        if (!listing.failures.empty())
            report.message += (report.message.empty() ? "" : "; ") + std::to_string(listing.failures.size()) +
                              " listing(s) failed (first: " + listing.failures.front() +
                              "); the next `run` lists them again, or run the same command again (the log "
                              "names each)";
        if (report.unmatched_accessions > 0)
            report.message += (report.message.empty() ? "" : "; ") + std::to_string(report.unmatched_accessions) +
                              " accession(s) of the list matched no study (see the log for their lines)";
        // A window with days not listed is not done: "failed" keeps `run` from advancing past it,
        // so the next run lists those days again (the exit code stays "partial").
        outcome = all_pacs || !listing.failures.empty() ? "failed" : "partial";
    }
    ledger.finish_run(report.run_id, counts, outcome, static_cast<int>(report.code), report.message);
    spdlog::info("{} run {} {}: {} studies found, {} loaded, {} unchanged, {} failed, {} series loaded, {} removed",
                 request.command, report.run_id, outcome, counts.studies_found, counts.studies_loaded,
                 counts.studies_unchanged, counts.studies_failed, counts.series_loaded, report.removed);
    return report;
}

}  // namespace dicomlake::pipeline
