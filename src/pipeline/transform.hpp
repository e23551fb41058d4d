// One study through fetch -> walk + de-identify -> series rows, with every failure turned into
// a recorded reason that names no patient. Shared by backfill/run and reanonymize.
#pragma once

#include <string>

#include "deid/pseudonym.hpp"
#include "model/instance.hpp"
#include "normalize/series.hpp"
#include "source/source.hpp"

namespace dicomlake::pipeline {

struct StudyOutcome {
    bool ok = false;
    normalize::StudyResult result;
    std::string study_key, study_date, reason;  // study_key: pseudonym under the current key
    source::FailureKind kind = source::FailureKind::other;
};

StudyOutcome transform_study(const source::StudyRef& ref, source::Session& session,
                             const deid::Pseudonymizer& pseudo, const model::AttributeFilter& policy,
                             const model::WalkOptions& walk = {});

}  // namespace dicomlake::pipeline
