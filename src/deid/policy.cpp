#include "deid/policy.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

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

// Case folding for matching names: ASCII, and the Latin-1 letters (U+00C0-U+00DE, bar U+00D7)
// that UTF-8 writes as 0xC3 0x80-0x9E. Byte lengths are unchanged, so positions line up.
std::string lower(std::string s) {
    for (size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            s[i] = static_cast<char>(std::tolower(c));
        } else if (c == 0xC3 && i + 1 < s.size()) {
            unsigned char n = static_cast<unsigned char>(s[i + 1]);
            if (n >= 0x80 && n <= 0x9E && n != 0x97) s[i + 1] = static_cast<char>(n + 0x20);
            ++i;
        }
    }
    return s;
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
    size_t start = 0;
    while (start < list.size()) {
        size_t end = list.find(';', start);
        std::string item = trim(list.substr(start, end == std::string::npos ? std::string::npos : end - start));
        start = end == std::string::npos ? list.size() : end + 1;
        if (item.empty()) continue;
        auto slash = item.rfind('/');
        unsigned group = 0, element = 0;
        char tail = 0;
        if (slash == std::string::npos || slash == 0 ||
            std::sscanf(item.c_str() + slash + 1, "%4x,%2x%c", &group, &element, &tail) != 2 || (group & 1) == 0)
            throw ConfigError("safe private attribute '" + item +
                              "' is not of the form CREATOR/gggg,ee (odd group, element's last two hex digits), "
                              "e.g. SIEMENS MR HEADER/0019,0C");
        out.push_back({trim(item.substr(0, slash)), static_cast<std::uint16_t>(group),
                       static_cast<std::uint8_t>(element)});
    }
    return out;
}

Policy::Policy(const Pseudonymizer& pseudonymizer, ProfileOptions options, std::vector<SafePrivate> safe_private)
    : pseudonymizer_(pseudonymizer), rules_(options), safe_private_(std::move(safe_private)),
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
        case Rule::shift_date: return (vr == "DA" || vr == "DT") ? Action::shift_date : Action::keep;
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

int Policy::date_offset_days(std::string_view patient_id, std::string_view issuer) const {
    // Every date of an instance asks for the same patient's offset: remember the last one.
    thread_local std::uint64_t cached_for = 0;
    thread_local std::string cached_patient;
    thread_local int cached_offset = 0;
    std::string patient = trim(issuer) + '\x1f' + trim(patient_id);
    if (cached_for == pseudonymizer_.instance_id() && cached_patient == patient) return cached_offset;
    auto m = pseudonymizer_.mac(Purpose::date, patient);
    std::uint32_t v = (std::uint32_t(m[0]) << 24) | (std::uint32_t(m[1]) << 16) | (std::uint32_t(m[2]) << 8) | m[3];
    cached_for = pseudonymizer_.instance_id();
    cached_patient = patient;
    cached_offset = -7 * static_cast<int>(1 + v % 520);  // 1 week to 10 years back
    return cached_offset;
}

std::string Policy::shift_date(std::string_view iso, std::string_view vr, const model::AttributeContext& ctx) const {
    auto days = parse_iso_date(std::string(iso.substr(0, 10)));
    if (!days) return {};  // a partial or invalid date cannot be shifted: not stored
    int offset = date_offset_days(ctx.identity_value(kPatientID), ctx.identity_value(kIssuerOfPatientID));
    return format_iso_date(*days + offset) + std::string(iso.substr(10));
}

std::string Policy::clean_text(std::string_view text, const model::AttributeContext& ctx) const {
    std::vector<std::string> tokens;
    auto add = [&tokens](std::string_view t) {
        std::string s = lower(trim(t));
        if (s.size() >= 2) tokens.push_back(s);
    };
    std::string name(ctx.identity_value(kPatientName));
    std::string part;
    for (char c : name) {
        if (c == '^' || c == '=' || c == ' ' || c == ',') {
            add(part);
            part.clear();
        } else {
            part += c;
        }
    }
    add(part);
    add(ctx.identity_value(kPatientID));
    add(ctx.identity_value(kAccessionNumber));
    std::string other(ctx.identity_value(kOtherPatientIDs));
    add(other);
    std::string out(text);
    for (const auto& token : tokens) {
        std::string low = lower(out);
        for (size_t pos = low.find(token); pos != std::string::npos; pos = low.find(token, pos + 3)) {
            out.replace(pos, token.size(), "***");
            low.replace(pos, token.size(), "***");
        }
    }
    return out;
}

std::vector<model::TagKey> Policy::identity_tags() const {
    return {kStudyDate, kAccessionNumber, kPatientName, kPatientID, kIssuerOfPatientID, kPatientBirthDate,
            kOtherPatientIDs, kPatientAge};
}

void Policy::check_instance(const model::InstanceIdentity& identity) const {
    if (!options().has(ProfileOption::retain_long_modified_dates)) return;
    if (options().has(ProfileOption::retain_long_full_dates)) return;
    for (const auto& [tag, value] : identity)
        if (tag == kPatientID && !trim(value).empty()) return;
    throw DeidRefusal(
        "the study has no PatientID, so its dates cannot be shifted consistently per patient "
        "(retain-long-modified-dates): it is left out rather than guessed");
}

void Policy::finish_instance(model::Instance& instance, const model::AttributeContext& ctx) const {
    std::string id = trim(ctx.identity_value(kPatientID));
    std::string issuer = trim(ctx.identity_value(kIssuerOfPatientID));
    // Full dates win when both are set (the rule table keeps dates then): nothing is shifted.
    bool modified = options().has(ProfileOption::retain_long_modified_dates) &&
                    !options().has(ProfileOption::retain_long_full_dates);
    if (!id.empty()) instance.patient_key = pseudonymizer_.token(Purpose::patient, issuer + '\x1f' + id);
    std::string accession = trim(ctx.identity_value(kAccessionNumber));
    if (!accession.empty()) instance.accession_key = pseudonymizer_.token(Purpose::accession, accession);
    instance.date_shift_days = modified && !id.empty() ? date_offset_days(id, issuer) : 0;

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
