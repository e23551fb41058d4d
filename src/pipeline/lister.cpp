#include "pipeline/lister.hpp"

#include <spdlog/spdlog.h>

#include "util/dates.hpp"

namespace dicomlake::pipeline {

namespace {

// Failures that mean no other query will do better: the listing (and the run) stops.
bool pacs_unavailable(source::FailureKind k) {
    return k == source::FailureKind::unreachable || k == source::FailureKind::refused ||
           k == source::FailureKind::timeout;
}

class Lister {
public:
    Lister(source::Source& source, const deid::Pseudonymizer& pseudo, const ListingInput& in, ListingReport& report)
        : source_(source), pseudo_(pseudo), in_(in), report_(report) {}

    void run() {
        bool go = for_each_chunk(in_.request.days, [&](const std::string& first, const std::string& last) {
            long before = listed_;
            bool more = !in_.stopped() && list_range(first, last, nullptr);
            return std::make_pair(more, listed_ > before);
        });
        // A RIS export: AccessionNumbers, one query each; the ones that match nothing are
        // reported by their line, never by value.
        for (size_t i = 0; go && !in_.stopped() && i < in_.request.accessions.size(); ++i)
            if (!in_.request.accessions[i].empty()) go = list_accession(i);
        // Studies the source already listed whole (a folder's): handed on as they are.
        long given = 0;
        if (go && !in_.stopped() && !in_.request.studies.empty())
            go = push_all(std::vector<source::StudyRef>(in_.request.studies), nullptr, given);
        for (const auto& [day, keys] : in_.retry_days)
            if (go && !in_.stopped()) go = list_range(day, day, &keys);
    }

private:
    bool push_all(std::vector<source::StudyRef>&& refs, const std::set<std::string>* only, long& n) {
        for (auto& r : refs) {
            if (!seen_.insert(r.study_uid).second) continue;
            if (only != nullptr && !only->count(pseudo_.uid(r.study_uid))) continue;
            ++listed_;
            ++n;
            if (!in_.push(std::move(r))) return false;
        }
        return true;
    }

    // Lists first..last; a range whose listing fails is listed again day by day, and a day that
    // fails is recorded. Returns false when the run is ending.
    bool list_range(const std::string& first, const std::string& last, const std::set<std::string>* only) {
        std::vector<source::StudyRef> refs;
        try {
            refs = source_.list_studies(first, last);
        } catch (const source::SourceError& e) {
            if (pacs_unavailable(e.kind())) throw;
            if (first != last) {
                spdlog::info("listing {}..{} failed ({}): listing it day by day", first, last, e.what());
                for (std::string day = first;; day = add_days(day, 1)) {
                    if (in_.stopped() || !list_range(day, day, only)) return false;
                    if (day == last) break;
                }
                return true;
            }
            if (only != nullptr) {
                // A retry's day is the real day of earlier failed studies: named nowhere, and the
                // source's message (which names the query) is left out too.
                report_.failures.push_back("listing the day of " + std::to_string(only->size()) +
                                           " earlier failed stud(ies) failed: " + to_string(e.kind()));
            } else {
                report_.failed_days.insert(first);
                report_.failures.push_back("listing " + first + " failed: " + std::string(to_string(e.kind())) +
                                           ": " + e.what());
            }
            spdlog::warn("{}", report_.failures.back());
            return true;
        }
        if (only == nullptr)
            for (const auto& r : refs) report_.window_keys.insert(pseudo_.uid(r.study_uid));
        long n = 0;
        bool more = push_all(std::move(refs), only, n);
        // A retry's day is the real day of a failed study: not logged.
        if (only == nullptr) spdlog::debug("{}..{}: {} stud(ies) listed", first, last, n);
        return more;
    }

    bool list_accession(size_t i) {
        std::vector<source::StudyRef> refs;
        try {
            refs = source_.find_studies("AccessionNumber", in_.request.accessions[i]);
        } catch (const source::SourceError& e) {
            if (pacs_unavailable(e.kind())) throw;
            report_.failures.push_back("the lookup of the accession on line " + std::to_string(i + 1) +
                                       " of the list failed: " + to_string(e.kind()) + ": " + e.what());
            spdlog::warn("{}", report_.failures.back());
            return true;
        }
        long n = 0;
        bool go = push_all(std::move(refs), nullptr, n);
        if (n == 0 && go) {
            ++report_.unmatched_accessions;
            spdlog::warn("accession on line {} of the list matched no study in the PACS", i + 1);
        }
        return go;
    }

    source::Source& source_;
    const deid::Pseudonymizer& pseudo_;
    const ListingInput& in_;
    ListingReport& report_;
    std::set<std::string> seen_;
    long listed_ = 0;
};

}  // namespace

void list_studies(source::Source& source, const deid::Pseudonymizer& pseudo, const ListingInput& in,
                  ListingReport& report) {
    Lister(source, pseudo, in, report).run();
}

}  // namespace dicomlake::pipeline
