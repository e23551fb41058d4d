#include "deid/policy.hpp"

#include <algorithm>
#include <cstdio>

#include "deid/identity_text.hpp"
#include "util/dates.hpp"
#include "util/error.hpp"

namespace dicomlake::deid {

namespace {

constexpr model::TagKey kPatientName = 0x00100010;
constexpr model::TagKey kPatientID = 0x00100020;
constexpr model::TagKey kIssuerOfPatientID = 0x00100021;
constexpr model::TagKey kPatientBirthDate = 0x00100030;
constexpr model::TagKey kPatientAge = 0x00101010;
constexpr model::TagKey kOtherPatientIDs = 0x00101000;
constexpr model::TagKey kAccessionNumber = 0x00080050;
constexpr model::TagKey kStudyDate = 0x00080020;
constexpr model::TagKey kStudyInstanceUID = 0x0020000D;
// More identity, for cleaning descriptors: names, and the items' IDs and issuers of sequences.
constexpr model::TagKey kOtherPatientNames = 0x00101001;
constexpr model::TagKey kPatientBirthName = 0x00101005;
constexpr model::TagKey kPatientMotherBirthName = 0x00101060;
constexpr model::TagKey kOtherPatientIDsSequence = 0x00101002;
constexpr model::TagKey kIssuerOfPatientIDQualifiers = 0x00100024;
constexpr model::TagKey kIssuerOfAccessionNumber = 0x00080051;
constexpr model::TagKey kTextValue = 0x0040A160;  // SR TEXT items: free text, never kept
// Written by this policy; the source's own values are dropped so there is one of each.
constexpr model::TagKey kPatientIdentityRemoved = 0x00120062;
constexpr model::TagKey kDeidentificationMethod = 0x00120063;
constexpr model::TagKey kDeidentificationMethodCodeSequence = 0x00120064;
constexpr model::TagKey kLongitudinalTemporalInformationModified = 0x00280303;

std::string trim(std::string_view s) {
    size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\0')) --e;
    return std::string(s.substr(b, e - b));
}

// The identity tokens of the instance in `ctx`, built once per instance and thread.
const IdentityTokens& tokens_of(const model::AttributeContext& ctx) {
    // Compared by value, without building anything: this runs for every text value.
    thread_local model::InstanceIdentity cached_for;
    thread_local bool valid = false;
    thread_local IdentityTokens cached;
    static const model::InstanceIdentity kNone;
    const model::InstanceIdentity& identity = ctx.identity != nullptr ? *ctx.identity : kNone;
    if (valid && identity == cached_for) return cached;
    cached = IdentityTokens();
    cached_for = identity;
    valid = true;
    if (ctx.identity == nullptr) return cached;
    for (const auto& [tag, value] : *ctx.identity) {
        switch (tag) {
            case kPatientName:
            case kOtherPatientNames:
            case kPatientBirthName:
            case kPatientMotherBirthName: cached.add_name(value); break;
            case kPatientID:
            case kIssuerOfPatientID:
            case kOtherPatientIDs:
            case kOtherPatientIDsSequence:
            case kIssuerOfPatientIDQualifiers:
            case kAccessionNumber:
            case kIssuerOfAccessionNumber: cached.add_identifier(value); break;
            default: break;
        }
    }
    return cached;
}

model::Attribute text_attribute(const std::string& path, model::TagKey tag, const char* vr, const std::string& value) {
    model::Attribute a;
    a.path = path;
    a.tag = tag;
    a.vr[0] = vr[0];
    a.vr[1] = vr[1];
    model::append_json_string(a.json, value);
    a.text = value;
    return a;
}

}  // namespace

std::vector<SafePrivate> parse_safe_private(const std::string& list) {
    std::vector<SafePrivate> out;
    for_each_list_entry(list, ';', [&](const std::string& item, size_t entry) {
        auto slash = item.rfind('/');
        unsigned group = 0, element = 0;
        char tail = 0;
        if (slash == std::string::npos || slash == 0 ||
            std::sscanf(item.c_str() + slash + 1, "%4x,%2x%c", &group, &element, &tail) != 2 || (group & 1) == 0)
            // Named by position: configuration errors never echo a value.
            throw ConfigError("entry " + std::to_string(entry) +
                              " of anonymization.safe_private is not of the form CREATOR/gggg,ee (odd group, "
                              "element's last two hex digits), e.g. SIEMENS MR HEADER/0019,0C");
        out.push_back({trim(item.substr(0, slash)), static_cast<std::uint16_t>(group),
                       static_cast<std::uint8_t>(element)});
    });
    return out;
}

Policy::Policy(const Pseudonymizer& pseudonymizer, ProfileOptions options, std::vector<SafePrivate> safe_private,
               std::vector<model::TagKey> keep_text)
    : pseudonymizer_(pseudonymizer), rules_(options, std::move(keep_text)), safe_private_(std::move(safe_private)),
      method_codes_(options.method_codes()) {
    std::string opts = options.to_string();
    method_text_ = std::string("dicomlake ") + DICOMLAKE_VERSION + ": " + kProfile + " (DICOM " + kE11Edition + ")" +
                   (opts.empty() ? std::string() : "; " + opts);
}

model::AttributeFilter::Action Policy::decide(model::TagKey tag, std::string_view vr,
                                              const model::AttributeContext& ctx) const {
    if (tag == kTextValue || tag == kPatientIdentityRemoved || tag == kDeidentificationMethod ||
        tag == kDeidentificationMethodCodeSequence || tag == kLongitudinalTemporalInformationModified)
        return Action::drop;
    switch (rules_.lookup(tag, vr)) {
        case Rule::keep:
        case Rule::keep_sequence: return Action::keep;
        case Rule::remove: return Action::drop;
        case Rule::replace_uid: return vr == "UI" ? Action::replace_uid : Action::drop;
        case Rule::shift_date: return (vr == "DA" || vr == "DT") ? Action::shift_date : Action::drop;
        case Rule::clean_text: return Action::clean_text;
        case Rule::safe_private: {
            std::uint16_t group = model::tag_group(tag), element = model::tag_element(tag);
            for (const auto& s : safe_private_) {
                if (s.group != group || s.creator != trim(ctx.private_creator)) continue;
                if (element <= 0x00FF || (element & 0xFF) == s.element) return Action::keep;
            }
            return Action::drop;
        }
    }
    return Action::drop;
}

namespace {

// -7 x (1 + n mod 520) days: 1 week to 10 years back, weekdays true.
int offset_from(const std::array<unsigned char, 32>& m) {
    std::uint32_t v = (std::uint32_t(m[0]) << 24) | (std::uint32_t(m[1]) << 16) | (std::uint32_t(m[2]) << 8) | m[3];
    return -7 * static_cast<int>(1 + v % 520);
}

// What a study without PatientID is keyed by, per use: the key and the offset come from
// different inputs, so the stored key says nothing about the offset.
std::string study_patient_input(std::string_view use, std::string_view study_uid) {
    return std::string(use) + '\x1f' + trim(study_uid);
}

}  // namespace

int Policy::date_offset_days(std::string_view patient_id, std::string_view issuer) const {
    // Every date of an instance asks for the same patient's offset: remember the last one.
    thread_local std::uint64_t cached_for = 0;
    thread_local std::string cached_patient;
    thread_local int cached_offset = 0;
    std::string patient = trim(issuer) + '\x1f' + trim(patient_id);
    if (cached_for == pseudonymizer_.instance_id() && cached_patient == patient) return cached_offset;
    cached_for = pseudonymizer_.instance_id();
    cached_patient = patient;
    cached_offset = offset_from(pseudonymizer_.mac(Purpose::date, patient));
    return cached_offset;
}

int Policy::study_date_offset_days(std::string_view study_uid) const {
    return offset_from(pseudonymizer_.mac(Purpose::study_patient, study_patient_input("date", study_uid)));
}

int Policy::offset_for(const model::AttributeContext& ctx) const {
    std::string_view id = ctx.identity_value(kPatientID);
    if (!trim(id).empty()) return date_offset_days(id, ctx.identity_value(kIssuerOfPatientID));
    return study_date_offset_days(ctx.identity_value(kStudyInstanceUID));
}

std::string Policy::shift_date(std::string_view iso, std::string_view vr, const model::AttributeContext& ctx) const {
    auto days = parse_iso_date(std::string(iso.substr(0, 10)));
    if (!days) return {};  // a partial or invalid date cannot be shifted: not stored
    return format_iso_date(*days + offset_for(ctx)) + std::string(iso.substr(10));
}

std::string Policy::clean_text(std::string_view text, const model::AttributeContext& ctx) const {
    return tokens_of(ctx).clean(text);
}

std::vector<model::TagKey> Policy::identity_tags() const {
    return {kStudyDate,          kStudyInstanceUID,        kAccessionNumber,         kPatientName,
            kPatientID,          kIssuerOfPatientID,       kPatientBirthDate,        kOtherPatientIDs,
            kPatientAge,         kOtherPatientNames,       kPatientBirthName,        kPatientMotherBirthName,
            kOtherPatientIDsSequence, kIssuerOfPatientIDQualifiers, kIssuerOfAccessionNumber};
}

void Policy::check_instance(const model::InstanceIdentity& identity) const {
    if (!options().has(ProfileOption::retain_long_modified_dates)) return;
    if (options().has(ProfileOption::retain_long_full_dates)) return;
    // Without PatientID the study is its own pseudo-patient, keyed by its StudyInstanceUID.
    for (const auto& [tag, value] : identity)
        if ((tag == kPatientID || tag == kStudyInstanceUID) && !trim(value).empty()) return;
    throw DeidRefusal(
        "the instance has neither PatientID nor StudyInstanceUID, so its dates cannot be shifted "
        "consistently (retain-long-modified-dates): it is left out rather than guessed");
}

void Policy::finish_instance(model::Instance& instance, const model::AttributeContext& ctx) const {
    std::string id = trim(ctx.identity_value(kPatientID));
    std::string issuer = trim(ctx.identity_value(kIssuerOfPatientID));
    // Full dates win when both are set (the rule table keeps dates then): nothing is shifted.
    bool modified = options().has(ProfileOption::retain_long_modified_dates) &&
                    !options().has(ProfileOption::retain_long_full_dates);
    std::string study_uid = trim(ctx.identity_value(kStudyInstanceUID));
    if (!id.empty()) {
        instance.patient_key = pseudonymizer_.token(Purpose::patient, issuer + '\x1f' + id);
    } else if (!study_uid.empty()) {
        instance.patient_key = pseudonymizer_.token(Purpose::study_patient, study_patient_input("key", study_uid));
        instance.pseudo_patient = true;
    }
    std::string accession = trim(ctx.identity_value(kAccessionNumber));
    if (!accession.empty()) instance.accession_key = pseudonymizer_.token(Purpose::accession, accession);
    instance.date_shift_days = modified && !instance.patient_key.empty() ? offset_for(ctx) : 0;

    // Age at the study, from the real dates, before they are shifted or removed.
    if (options().has(ProfileOption::retain_patient_characteristics)) {
        bool has_age = false;
        for (const auto& a : instance.attributes) has_age = has_age || (a.depth == 0 && a.tag == kPatientAge);
        auto birth = model::iso_date(ctx.identity_value(kPatientBirthDate));
        auto study = model::iso_date(ctx.identity_value(kStudyDate));
        if (!has_age && parse_iso_date(birth) && parse_iso_date(study) && birth <= study) {
            int years = std::stoi(study.substr(0, 4)) - std::stoi(birth.substr(0, 4));
            if (study.substr(5) < birth.substr(5)) --years;
            char age[16];
            std::snprintf(age, sizeof age, "%03dY", std::min(years, 999));
            instance.attributes.push_back(text_attribute("PatientAge", kPatientAge, "AS", age));
        }
    }

    instance.attributes.push_back(text_attribute("PatientIdentityRemoved", kPatientIdentityRemoved, "CS", "YES"));
    instance.attributes.push_back(
        text_attribute("DeidentificationMethod", kDeidentificationMethod, "LO", method_text()));
    const auto& codes = method_codes_;
    for (size_t i = 0; i < codes.size(); ++i) {
        std::string item = "DeidentificationMethodCodeSequence[" + std::to_string(i) + "].";
        auto add = [&](const char* kw, model::TagKey tag, const char* vr, const std::string& v) {
            auto a = text_attribute(item + kw, tag, vr, v);
            a.depth = 1;
            instance.attributes.push_back(std::move(a));
        };
        add("CodeValue", 0x00080100, "SH", codes[i].first);
        add("CodingSchemeDesignator", 0x00080102, "SH", "DCM");
        add("CodeMeaning", 0x00080104, "LO", codes[i].second);
    }
    const char* longitudinal = options().has(ProfileOption::retain_long_full_dates) ? "UNMODIFIED"
                               : modified                                          ? "MODIFIED"
                                                                                   : "REMOVED";
    instance.attributes.push_back(text_attribute("LongitudinalTemporalInformationModified",
                                                 kLongitudinalTemporalInformationModified, "CS", longitudinal));
}

}  // namespace dicomlake::deid
