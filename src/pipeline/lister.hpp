// The lister stage of the extraction pipeline: lists the window chunk by chunk (then the
// accession list, then the days of earlier failures) and hands every study to the workers once.
// A window whose listing fails is narrowed to single days; a day that still fails is recorded
// and the rest of the run goes on. Only a PACS that is unreachable or refuses the credentials
// ends the listing.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "deid/pseudonym.hpp"
#include "pipeline/extract.hpp"
#include "source/source.hpp"

namespace dicomlake::pipeline {

struct ListingReport {
    std::set<std::string> window_keys;   // pseudonyms of every study the window's listing returned
    std::set<std::string> failed_days;   // days whose listing failed: neither loaded nor reconciled
    std::vector<std::string> failures;   // one message per failed day or accession lookup (no values)
    long unmatched_accessions = 0;
};

struct ListingInput {
    const ExtractRequest& request;
    // Days (ISO) of earlier failed studies outside the window, with the pseudonyms to retry.
    const std::map<std::string, std::set<std::string>>& retry_days;
    std::function<bool()> stopped;                        // the run is ending: list no further
    std::function<bool(source::StudyRef&&)> push;         // hands a study on; false: the run is ending
};

// Throws source::SourceError only when the PACS is unavailable (unreachable, refused, timeout).
void list_studies(source::Source& source, const deid::Pseudonymizer& pseudo, const ListingInput& in,
                  ListingReport& report);

}  // namespace dicomlake::pipeline
