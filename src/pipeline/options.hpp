// What the extraction pipeline needs of the settings. A command builds it from its
// configuration (command/extract_common.cpp: pipeline_options); the pipeline knows nothing of
// configuration files, environment variables or the command line.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "deid/policy.hpp"  // SafePrivate
#include "deid/profile.hpp"
#include "model/instance.hpp"

namespace dicomlake::pipeline {

struct Options {
    // De-identification: the current key, the keys rows may still be sealed under, the profile.
    std::string key;
    int key_version = 1;
    std::vector<std::pair<int, std::string>> previous_keys;  // (version, key)
    deid::ProfileOptions deid = deid::ProfileOptions::defaults();
    std::vector<deid::SafePrivate> safe_private;
    std::vector<model::TagKey> keep_text = deid::RuleTable::default_keep_text();  // unlisted free text kept
    model::WalkOptions walk;  // bounds of one instance's walk (limits.max_depth, max_attributes)

    size_t workers = 4;        // studies fetched and transformed at once (pacs.concurrency)
    size_t batch_studies = 25;  // studies per load transaction (load.batch_studies)
    int max_attempts = 5;       // a failed study is retried until it has failed this often
    // The listing asks for some modalities or descriptions only: a study it does not return
    // may still be on the PACS, so nothing is removed from the warehouse.
    bool listing_filtered = false;
};

}  // namespace dicomlake::pipeline
