#include "pipeline/extract.hpp"
#include "pipeline/lister.hpp"
#include "pipeline/transform.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
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

namespace {

// One extraction: the lister thread, the worker pool and the loader (this thread), with what
// they share. run() is the whole of it; each step is a method.
class Extraction {
public:
    Extraction(const Options& options, source::Source& source, warehouse::Database& db, const ExtractRequest& request)
        : options_(options),
          source_(source),
          request_(request),
          pseudo_(options.key, options.key_version),
          policy_(pseudo_, options.deid, options.safe_private, options.keep_text),
          ledger_(db),
          work_(options.workers * 4),
          results_(options.batch_studies * 2),
          progress_(request.command) {
        for (const auto& [version, key] : options.previous_keys) previous_.emplace_back(key, version);
        keyring_.push_back(&pseudo_);
        for (const auto& p : previous_) keyring_.push_back(&p);
        report_.run_id = ledger_.start_run(request.command, request.window_from, request.window_to, source.name());
        loader_.emplace(db,
                        warehouse::LoadContext{deid::Policy::kProfile, options.deid.to_string(), deid::kE11Edition,
                                               options.key_version, source.name(), report_.run_id, request.force},
                        keyring_);
    }

    ExtractReport run() {
        spdlog::info("{} run {} started: {} day(s) from {} to {}", request_.command, report_.run_id,
                     request_.days.size(), request_.window_from, request_.window_to);
        retry_days_ = earlier_failures();
        start_lister();
        start_workers();
        try {
            load_results();
        } catch (...) {
            stop_threads();
            progress_.finish();
            record_broken_run();
            throw;
        }
        stop_threads();
        progress_.set_listed(listed_, true);
        progress_.finish();
        report_.counts.studies_found = listed_;
        report_.unmatched_accessions = listing_.unmatched_accessions;
        if (!stop_requested() && listing_error_.empty() && request_.accessions.empty() && !options_.listing_filtered)
            report_.removed = reconcile(*loader_, pseudo_, listed_days(), listing_.window_keys);
        finish();
        return report_;
    }

private:
    // Studies that failed before are retried on their own day, found again by pseudonym.
    std::map<std::string, std::set<std::string>> earlier_failures() {
        std::map<std::string, std::set<std::string>> days;
        if (!request_.retry_failed) return days;
        std::set<std::string> window(request_.days.begin(), request_.days.end());
        long retried = 0;
        for (const auto& f : ledger_.retryable_failures(options_.max_attempts)) {
            auto entry = warehouse::open_entry(pseudo_, f.sealed);
            if (!entry || entry->day.empty() || window.count(entry->day)) continue;
            days[entry->day].insert(entry->study_key);
            ++retried;
        }
        if (retried > 0) spdlog::info("retrying {} earlier failed stud(ies) outside the window", retried);
        return days;
    }

    void start_lister() {
        lister_ = std::thread([this] {
            ListingInput in{request_, retry_days_, [this] { return abort_ || stop_requested(); },
                            [this](source::StudyRef&& r) {
                                ++listed_;
                                return work_.push(std::move(r));
                            }};
            try {
                list_studies(source_, pseudo_, in, listing_);
            } catch (const std::exception& e) {
                std::lock_guard lock(error_mutex_);
                listing_error_ = e.what();
            }
            listing_done_ = true;
            work_.close();
        });
    }

    void start_workers() {
        active_ = options_.workers;
        for (size_t i = 0; i < options_.workers; ++i) {
            pool_.emplace_back([this] {
                auto session = source_.open_session();
                while (auto ref = work_.pop()) {
                    if (abort_ || stop_requested()) break;
                    if (!results_.push(transform_study(*ref, *session, pseudo_, policy_, options_.walk))) break;
                }
                if (--active_ == 0) results_.close();
            });
        }
    }

    void stop_threads() {
        abort_ = true;
        work_.close();
        results_.close();
        if (lister_.joinable()) lister_.join();
        for (auto& t : pool_)
            if (t.joinable()) t.join();
    }

    void load_results() {
        while (auto o = results_.pop()) {
            progress_.set_listed(listed_, listing_done_);
            if (o->ok) {
                batch_.push_back(std::move(o->result));
                if (batch_.size() >= options_.batch_studies) flush();
                continue;
            }
            if (stop_requested()) continue;  // cut short by the stop, not a fault of the study
            record_failure(o->study_key, o->study_date, o->reason);
            if (pacs_side(o->kind)) ++pacs_failures_;
        }
        flush();
    }

    void flush() {
        if (batch_.empty()) return;
        auto& counts = report_.counts;
        for (const auto& o : loader_->load(batch_)) {
            using State = warehouse::StudyLoadOutcome::State;
            if (o.state == State::failed) {
                record_failure(o.study_key, o.real_day, o.reason);
            } else if (o.state == State::unchanged) {
                ++counts.studies_unchanged;
                progress_.add_done(0, 1, 0);
            } else {
                ++counts.studies_loaded;
                counts.series_loaded += o.series;
                progress_.add_done(1, 0, 0);
            }
        }
        batch_.clear();
    }

    void record_failure(const std::string& study_key, const std::string& day, const std::string& reason) {
        ledger_.record_failure(report_.run_id, pseudo_, study_key, day, reason);
        spdlog::warn("study {} failed: {}", warehouse::ledger_key(pseudo_, study_key), reason);
        ++report_.counts.studies_failed;
        progress_.add_done(0, 0, 1);
    }

    void record_broken_run() {
        try {
            ledger_.finish_run(report_.run_id, report_.counts, "failed", static_cast<int>(ExitCode::db_unavailable),
                               "the warehouse connection failed during the run");
        } catch (...) {
        }
    }

    // Days of the window whose listing is complete (a day whose listing failed is left as it is).
    std::vector<std::string> listed_days() const {
        std::vector<std::string> days;
        for (const auto& day : request_.days)
            if (!listing_.failed_days.count(day)) days.push_back(day);
        return days;
    }

    void finish() {
        const std::string outcome = conclude();
        const auto& counts = report_.counts;
        ledger_.finish_run(report_.run_id, counts, outcome, static_cast<int>(report_.code), report_.message);
        spdlog::info("{} run {} {}: {} studies found, {} loaded, {} unchanged, {} failed, {} series loaded, {} removed",
                     request_.command, report_.run_id, outcome, counts.studies_found, counts.studies_loaded,
                     counts.studies_unchanged, counts.studies_failed, counts.series_loaded, report_.removed);
    }

    // The exit code and message of the run; returns the ledger's outcome.
    std::string conclude() {
        const auto& counts = report_.counts;
        if (stop_requested()) {
            report_.code = ExitCode::interrupted;
            report_.message = "interrupted by a signal after " +
                              std::to_string(counts.studies_loaded + counts.studies_unchanged) +
                              " studies; run the same command again to finish (loaded studies are skipped)";
            return "failed";
        }
        if (!listing_error_.empty()) {
            report_.code = ExitCode::pacs_unavailable;
            report_.message = "listing studies failed: " + listing_error_;
            return "failed";
        }
        if (counts.studies_failed == 0 && report_.unmatched_accessions == 0 && listing_.failures.empty())
            return "success";
        const bool all_pacs = counts.studies_failed > 0 && pacs_failures_ == counts.studies_failed &&
                              counts.studies_loaded + counts.studies_unchanged == 0 && listing_.failures.empty();
        report_.code = all_pacs ? ExitCode::pacs_unavailable : ExitCode::partial;
        report_.message = partial_message();
        // A window with days not listed is not done: "failed" keeps `run` from advancing past it,
        // so the next run lists those days again (the exit code stays "partial").
        return all_pacs || !listing_.failures.empty() ? "failed" : "partial";
    }

    std::string partial_message() const {
        std::vector<std::string> parts;
        if (report_.counts.studies_failed > 0)
            parts.push_back(std::to_string(report_.counts.studies_failed) +
                            " stud(ies) failed; they are recorded (dicomlake status) and retried by the next run");
        if (!listing_.failures.empty())
            parts.push_back(std::to_string(listing_.failures.size()) + " listing(s) failed (first: " +
                            listing_.failures.front() +
                            "); the next `run` lists them again, or run the same command again (the log names each)");
        if (report_.unmatched_accessions > 0)
            parts.push_back(std::to_string(report_.unmatched_accessions) +
                            " accession(s) of the list matched no study (see the log for their lines)");
        std::string message;
        for (const auto& p : parts) message += (message.empty() ? "" : "; ") + p;
        return message;
    }

    const Options& options_;
    source::Source& source_;
    const ExtractRequest& request_;
    deid::Pseudonymizer pseudo_;
    deid::Policy policy_;
    warehouse::Ledger ledger_;
    std::vector<deid::Pseudonymizer> previous_;
    warehouse::activity::Keyring keyring_;
    std::optional<warehouse::Loader> loader_;
    ExtractReport report_;

    std::map<std::string, std::set<std::string>> retry_days_;
    BoundedQueue<source::StudyRef> work_;
    BoundedQueue<StudyOutcome> results_;
    std::thread lister_;
    std::vector<std::thread> pool_;
    std::atomic<size_t> active_{0};
    std::atomic<long> listed_{0};
    std::atomic<bool> listing_done_{false}, abort_{false};
    std::mutex error_mutex_;
    std::string listing_error_;
    ListingReport listing_;

    Progress progress_;
    long pacs_failures_ = 0;
    std::vector<normalize::StudyResult> batch_;
};

}  // namespace

ExtractReport extract(const Options& options, source::Source& source, warehouse::Database& db,
                      const ExtractRequest& request) {
    return Extraction(options, source, db, request).run();
}

}  // namespace dicomlake::pipeline
