#include "deid/profile.hpp"

#include <algorithm>

#include "util/error.hpp"

namespace dicomlake::deid {

namespace {

const std::vector<std::string> kNames = {
    "retain-safe-private",          "retain-uids",
    "retain-device-identity",       "retain-institution-identity",
    "retain-patient-characteristics", "retain-long-full-dates",
    "retain-long-modified-dates",   "clean-descriptors",
    "clean-structured-content",     "clean-graphics",
};

// PS3.16 CID 7050 De-identification Method codes (DCM), same order as ProfileOption.
const std::pair<const char*, const char*> kCodes[] = {
    {"113111", "Retain Safe Private Option"},
    {"113110", "Retain UIDs Option"},
    {"113109", "Retain Device Identity Option"},
    {"113112", "Retain Institution Identity Option"},
    {"113108", "Retain Patient Characteristics Option"},
    {"113106", "Retain Longitudinal Temporal Information Full Dates Option"},
    {"113107", "Retain Longitudinal Temporal Information Modified Dates Option"},
    {"113105", "Clean Descriptors Option"},
    {"113104", "Clean Structured Content Option"},
    {"113103", "Clean Graphics Option"},
};

std::string trim(std::string s) {
    auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    auto e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
}

bool is_date_vr(std::string_view vr) { return vr == "DA" || vr == "DT"; }
// Free text: what a name or an identifier fits in (CS is upper-case codes of 16 characters).
bool is_free_text_vr(std::string_view vr) {
    return vr == "LO" || vr == "SH" || vr == "ST" || vr == "LT" || vr == "UT" || vr == "UC" || vr == "UR" ||
           vr == "AE";
}
bool is_text_vr(std::string_view vr) {
    return vr == "LO" || vr == "SH" || vr == "ST" || vr == "LT" || vr == "UT" || vr == "UC" || vr == "CS";
}

// What "C" (clean) means for a row, by the option that asks for it.
Rule clean_rule(ProfileOption option, std::string_view vr) {
    switch (option) {
        case ProfileOption::retain_long_modified_dates:
            if (is_date_vr(vr)) return Rule::shift_date;
            return vr == "SQ" ? Rule::keep_sequence : Rule::keep;  // times of day stay true
        case ProfileOption::clean_descriptors:
        case ProfileOption::retain_patient_characteristics:
            if (vr == "SQ") return Rule::keep_sequence;
            return is_text_vr(vr) ? Rule::clean_text : Rule::remove;
        case ProfileOption::clean_structured_content:
            return vr == "SQ" ? Rule::keep_sequence : Rule::remove;
        case ProfileOption::retain_safe_private:
            return Rule::safe_private;
        default:  // device AE titles, graphics: nothing in them is needed once cleaned
            return Rule::remove;
    }
}

}  // namespace

const char* to_string(Rule r) {
    switch (r) {
        case Rule::keep: return "keep";
        case Rule::remove: return "remove";
        case Rule::replace_uid: return "replace_uid";
        case Rule::shift_date: return "shift_date";
        case Rule::clean_text: return "clean_text";
        case Rule::keep_sequence: return "keep_sequence";
        case Rule::safe_private: return "safe_private";
    }
    return "remove";
}

ProfileOptions ProfileOptions::defaults() {
    ProfileOptions o;
    o.set(ProfileOption::retain_device_identity)
        .set(ProfileOption::retain_patient_characteristics)
        .set(ProfileOption::clean_descriptors)
        .set(ProfileOption::clean_structured_content)
        .set(ProfileOption::retain_long_modified_dates);
    return o;
}

const std::vector<std::string>& ProfileOptions::option_names() { return kNames; }

void for_each_list_entry(const std::string& list, char separator,
                         const std::function<void(const std::string& entry, size_t position)>& visit) {
    size_t position = 0;
    for (size_t start = 0; start <= list.size();) {
        size_t end = list.find(separator, start);
        std::string entry = trim(list.substr(start, end == std::string::npos ? std::string::npos : end - start));
        ++position;
        if (!entry.empty()) visit(entry, position);
        if (end == std::string::npos) break;
        start = end + 1;
    }
}

ProfileOptions& ProfileOptions::set(ProfileOption o, bool on) {
    bits_.set(static_cast<size_t>(o), on);
    return *this;
}

ProfileOptions ProfileOptions::parse(const std::string& list) {
    ProfileOptions o;
    for_each_list_entry(list, ',', [&](const std::string& name, size_t entry) {
        size_t i = 0;
        while (i < kNames.size() && kNames[i] != name) ++i;
        if (i == kNames.size()) {
            std::string known;
            for (const auto& n : kNames) known += (known.empty() ? "" : ", ") + n;
            throw ConfigError("entry " + std::to_string(entry) +
                              " of anonymization.options is not a known option (known: " + known + ")");
        }
        o.set(static_cast<ProfileOption>(i));
    });
    if (o.has(ProfileOption::retain_long_full_dates) && o.has(ProfileOption::retain_long_modified_dates))
        throw ConfigError("choose one of retain-long-full-dates and retain-long-modified-dates");
    return o;
}

std::string ProfileOptions::to_string() const {
    std::string s;
    for (size_t i = 0; i < kNames.size(); ++i)
        if (bits_.test(i)) s += (s.empty() ? "" : ",") + kNames[i];
    return s;
}

std::vector<std::pair<std::string, std::string>> ProfileOptions::method_codes() const {
    std::vector<std::pair<std::string, std::string>> out = {{"113100", "Basic Application Confidentiality Profile"}};
    for (size_t i = 0; i < kNames.size(); ++i)
        if (bits_.test(i)) out.emplace_back(kCodes[i].first, kCodes[i].second);
    return out;
}

Rule resolve(const E11Row& row, const ProfileOptions& options, std::string_view vr) {
    bool keep = false;
    std::optional<ProfileOption> clean;
    for (int i = 0; i < kProfileOptionCount; ++i) {
        auto o = static_cast<ProfileOption>(i);
        if (!options.has(o)) continue;
        std::string_view cell = row.options[i];
        if (cell == "K") keep = true;
        if (cell == "C" && !clean) clean = o;
    }
    if (keep) return vr == "SQ" ? Rule::keep_sequence : Rule::keep;
    if (clean) return clean_rule(*clean, vr);
    std::string_view basic = row.basic;
    if (basic == "U") return vr == "SQ" ? Rule::keep_sequence : Rule::replace_uid;
    if (basic == "X/Z/U*")  // a reference sequence: its UIDs are replaced by their own rows
        return vr == "SQ" ? Rule::keep_sequence : Rule::remove;
    return Rule::remove;
}

RuleTable::RuleTable(const ProfileOptions& options, std::vector<model::TagKey> keep_text)
    : options_(options), keep_text_(std::move(keep_text)) {
    std::sort(keep_text_.begin(), keep_text_.end());
    for (size_t i = 0; i < kE11RowCount; ++i) {
        const E11Row& row = kE11Rows[i];
        if (row.private_wildcard)
            private_row_ = &row;
        else if (row.mask != 0xFFFFFFFFu)
            wildcards_.push_back(&row);
        else
            rows_.emplace(row.tag, &row);
    }
}

bool RuleTable::kept_text(model::TagKey tag) const {
    return std::binary_search(keep_text_.begin(), keep_text_.end(), tag);
}

Rule RuleTable::unlisted(model::TagKey tag, std::string_view vr) const {
    if (vr == "UI") return options_.has(ProfileOption::retain_uids) ? Rule::keep : Rule::replace_uid;
    if (vr == "PN") return kept_text(tag) ? Rule::clean_text : Rule::remove;
    if (is_date_vr(vr)) {
        if (options_.has(ProfileOption::retain_long_full_dates)) return Rule::keep;
        if (options_.has(ProfileOption::retain_long_modified_dates)) return Rule::shift_date;
        return Rule::remove;
    }
    // Kept free text is still cleaned of the study's identity tokens: a code meaning or a coil
    // name can carry a name typed at the console as well as a description can.
    if (is_free_text_vr(vr)) return kept_text(tag) ? Rule::clean_text : Rule::remove;
    return vr == "SQ" ? Rule::keep_sequence : Rule::keep;
}

Rule RuleTable::lookup(model::TagKey tag, std::string_view vr) const {
    if (model::is_private(tag)) {
        if (private_row_ == nullptr) return Rule::remove;
        return resolve(*private_row_, options_, vr) == Rule::safe_private ? Rule::safe_private : Rule::remove;
    }
    const E11Row* row = nullptr;
    if (auto it = rows_.find(tag); it != rows_.end()) row = it->second;
    for (size_t i = 0; row == nullptr && i < wildcards_.size(); ++i)
        if ((tag & wildcards_[i]->mask) == wildcards_[i]->tag) row = wildcards_[i];
    const std::string& dictionary = model::dictionary_vr(tag);
    // A public tag nobody can look up is as opaque as a private one.
    if (row == nullptr && dictionary.empty()) return kept_text(tag) ? Rule::clean_text : Rule::remove;
    if (dictionary.empty() || vr == dictionary) return row ? resolve(*row, options_, vr) : unlisted(tag, vr);
    // The sender's VR was riskier than the dictionary's (model::value_vr): the value is not
    // what the tag's rule was written for.
    if (vr == "PN") return Rule::remove;  // a person's name where the tag holds none
    if (is_free_text_vr(vr) && !is_free_text_vr(dictionary)) return unlisted(tag, vr);
    Rule rule = row ? resolve(*row, options_, vr) : unlisted(tag, vr);
    if (vr == "UI" && rule == Rule::keep && !options_.has(ProfileOption::retain_uids)) return Rule::replace_uid;
    return rule;
}

const char* const kDefaultKeepText =
    "Manufacturer, ManufacturerModelName, SoftwareVersions, "
    "SequenceName, PulseSequenceName, ImagedNucleus, ReceiveCoilName, TransmitCoilName, "
    "ConvolutionKernel, FilterType, RescaleType, AcquisitionDeviceProcessingCode, "
    "Radiopharmaceutical, ReconstructionMethod, "
    "CodeValue, CodingSchemeDesignator, CodingSchemeVersion, CodeMeaning, LongCodeValue, URNCodeValue, "
    "MappingResourceName";

std::vector<model::TagKey> parse_keep_text(const std::string& list) {
    std::vector<model::TagKey> out;
    for_each_list_entry(list, ',', [&](const std::string& name, size_t entry) {
        model::TagKey tag = 0;
        if (!model::parse_tag(name, tag)) tag = model::tag_for_keyword(name);
        if (tag == 0 || model::is_private(tag))
            throw ConfigError("entry " + std::to_string(entry) +
                              " of anonymization.keep_text is neither a PS3.6 keyword nor the 8 hex digits of a "
                              "public tag (e.g. SequenceName or 00180024)");
        out.push_back(tag);
    });
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

const std::vector<model::TagKey>& RuleTable::default_keep_text() {
    static const std::vector<model::TagKey> tags = parse_keep_text(kDefaultKeepText);
    return tags;
}

}  // namespace dicomlake::deid
