// The de-identification policy applied during the metadata walk (model::AttributeFilter):
// the PS3.15 rule table for the chosen options (profile.hpp), keyed pseudonyms, per-patient
// date shifting, descriptor cleaning, the safe-private list, and the record of what was done
// (PatientIdentityRemoved, DeidentificationMethod and its code sequence) on every instance.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "deid/profile.hpp"
#include "deid/pseudonym.hpp"
#include "model/instance.hpp"

namespace dicomlake::deid {

// One private attribute that may be kept under retain-safe-private: its creator, group and the
// element's low byte within the creator's block, e.g. "SIEMENS MR HEADER/0019,0C".
struct SafePrivate {
    std::string creator;
    std::uint16_t group = 0;
    std::uint8_t element = 0;
};
// "CREATOR/gggg,ee; CREATOR/gggg,ee". Throws ConfigError.
std::vector<SafePrivate> parse_safe_private(const std::string& list);

// Thrown (from check_instance) for an instance the profile cannot de-identify consistently
// (neither PatientID nor StudyInstanceUID); the study is then recorded as failed, never guessed.
class DeidRefusal : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Policy final : public model::AttributeFilter {
public:
    Policy(const Pseudonymizer& pseudonymizer, ProfileOptions options, std::vector<SafePrivate> safe_private = {},
           std::vector<model::TagKey> keep_text = RuleTable::default_keep_text());

    Action decide(model::TagKey tag, std::string_view vr, const model::AttributeContext& ctx) const override;
    std::string replace_uid(std::string_view uid) const override { return pseudonymizer_.uid(uid); }
    std::string shift_date(std::string_view iso, std::string_view vr, const model::AttributeContext& ctx) const override;
    std::string clean_text(std::string_view text, const model::AttributeContext& ctx) const override;
    std::vector<model::TagKey> identity_tags() const override;
    void check_instance(const model::InstanceIdentity& identity) const override;
    void finish_instance(model::Instance& instance, const model::AttributeContext& ctx) const override;

    // Whole days added to every date of this patient (a negative multiple of 7, so weekdays
    // stay true), derived from the keyed HMAC of issuer + PatientID.
    int date_offset_days(std::string_view patient_id, std::string_view issuer) const;
    // The same for the pseudo-patient of a study without PatientID: every date of the study
    // moves by one offset, derived from its StudyInstanceUID under a purpose of its own.
    int study_date_offset_days(std::string_view study_uid) const;

    static constexpr const char* kProfile = "PS3.15 Basic";
    const ProfileOptions& options() const { return rules_.options(); }
    const std::string& method_text() const { return method_text_; }  // DeidentificationMethod as stored

private:
    const Pseudonymizer& pseudonymizer_;
    RuleTable rules_;
    std::vector<SafePrivate> safe_private_;
    std::string method_text_;
    std::vector<std::pair<std::string, std::string>> method_codes_;

    int offset_for(const model::AttributeContext& ctx) const;
};

}  // namespace dicomlake::deid
