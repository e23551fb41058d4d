// De-identification policy applied during the metadata walk (model::AttributeFilter).
//
// This is dicomlake's built-in baseline profile "dicomlake-basic-0": it removes direct patient
// identifiers at every depth, every PN value, every private attribute and SR free text, and
// replaces every instance UID with a keyed pseudonym. Dates are kept. The PS3.15 E.1-1 rule
// table with its options replaces this baseline (see docs/ARCHITECTURE.md, "De-identification").
#pragma once

#include <string>

#include "deid/pseudonym.hpp"
#include "model/dicom_json.hpp"

namespace dicomlake::deid {

class BaselinePolicy final : public model::AttributeFilter {
public:
    explicit BaselinePolicy(const Pseudonymizer& pseudonymizer) : pseudonymizer_(pseudonymizer) {}

    Action decide(model::TagKey tag, std::string_view vr, const model::AttributeContext& ctx) const override;
    std::string replace_uid(std::string_view uid) const override { return pseudonymizer_.uid(uid); }

    static constexpr const char* kName = "dicomlake-basic-0";

private:
    const Pseudonymizer& pseudonymizer_;
};

}  // namespace dicomlake::deid
