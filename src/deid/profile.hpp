// The de-identification profile: PS3.15 Basic Application Level Confidentiality Profile plus
// the chosen options, compiled from Table E.1-1 (e1_1_table) into one rule per attribute.
#pragma once

#include <bitset>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "deid/e1_1_table.hpp"
#include "model/dictionary.hpp"

namespace dicomlake::deid {

// Visits the entries of a `separator`-separated setting, trimmed, skipping empty ones, with
// their 1-based position (errors name an entry by position: they never echo a value).
void for_each_list_entry(const std::string& list, char separator,
                         const std::function<void(const std::string& entry, size_t position)>& visit);

class ProfileOptions {
public:
    // The shipped default, for protocol and dose monitoring: device identity, patient
    // characteristics, cleaned descriptors and structured content (dose reports), and dates
    // shifted per patient.
    static ProfileOptions defaults();
    // "retain-device-identity, clean-descriptors, ..." (names as in option_names()); "" = none.
    // Throws ConfigError naming the unknown option and listing the known ones.
    static ProfileOptions parse(const std::string& list);
    static const std::vector<std::string>& option_names();  // in ProfileOption order

    bool has(ProfileOption o) const { return bits_.test(static_cast<size_t>(o)); }
    ProfileOptions& set(ProfileOption o, bool on = true);
    std::string to_string() const;  // canonical: ProfileOption order, comma-separated
    // DICOM codes (CID 7050) of the profile and its options, e.g. {"113100", "Basic Application Confidentiality Profile"}.
    std::vector<std::pair<std::string, std::string>> method_codes() const;

private:
    std::bitset<kProfileOptionCount> bits_;
};

// What the rules say to do with one attribute.
enum class Rule {
    keep,
    remove,
    replace_uid,      // keyed pseudonym
    shift_date,       // DA/DT shifted by the patient's offset (Modified Dates)
    clean_text,       // descriptor cleaned of the patient's name, ID and accession number
    keep_sequence,    // walk into the sequence: its items' attributes have their own rules
    safe_private,     // kept only when (creator, element) is on the safe list
};
const char* to_string(Rule r);

// Resolves one Table E.1-1 row: a selected option's K wins over its C, which wins over the
// Basic Profile action. The Basic Profile's X, Z, D and their combinations all mean the value
// is not stored (a warehouse row has no IOD whose type would call for a dummy).
Rule resolve(const E11Row& row, const ProfileOptions& options, std::string_view vr);

// The public attributes Table E.1-1 does not list whose free text is kept anyway (setting
// anonymization.keep_text): keywords ("SequenceName") or tags ("00180024"), comma-separated.
// The default keeps what the analyses read: device identity, MR sequence and coil names, CT
// kernels, PET reconstruction, and the codes of structured reports (dose reports, units).
extern const char* const kDefaultKeepText;
// Throws ConfigError naming an entry that is neither a known keyword nor 8 hex digits of a
// public tag.
std::vector<model::TagKey> parse_keep_text(const std::string& list);

class RuleTable {
public:
    explicit RuleTable(const ProfileOptions& options, std::vector<model::TagKey> keep_text = default_keep_text());
    // The rule for an attribute whose value is read as `vr`, the VR model::value_vr chose
    // from the dictionary's and the sender's. Attributes Table E.1-1 does not list: UIDs
    // pseudonymized, dates shifted (Modified Dates), kept (Full Dates) or removed; free text
    // (LO SH ST LT UT UC UR AE) and person names removed unless on the keep-text list (person
    // names then cleaned); sequences walked; coded and numeric values kept. Public tags the
    // dictionary does not know are removed like private ones, unless on the keep-text list.
    // When `vr` is not the dictionary's (the sender's was riskier), a person name is removed
    // (even from a kept attribute), a UID is never kept as sent, and free text where the
    // dictionary expects a code, number or time is ruled as unlisted free text.
    Rule lookup(model::TagKey tag, std::string_view vr) const;
    const ProfileOptions& options() const { return options_; }
    static const std::vector<model::TagKey>& default_keep_text();

private:
    Rule unlisted(model::TagKey tag, std::string_view vr) const;
    bool kept_text(model::TagKey tag) const;
    ProfileOptions options_;
    std::vector<model::TagKey> keep_text_;  // sorted
    std::unordered_map<model::TagKey, const E11Row*> rows_;
    std::vector<const E11Row*> wildcards_;  // repeating groups (50xx, 60xx)
    const E11Row* private_row_ = nullptr;
};

}  // namespace dicomlake::deid
