// deid/profile: profile options, Table E.1-1 resolved into one rule per attribute.
#include "deid/profile.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string_view>
#include <string>
#include <vector>

#include "model/dictionary.hpp"
#include "util/error.hpp"

namespace dicomlake::deid {
namespace {

using O = ProfileOption;

ProfileOptions options_from_bits(unsigned bits) {
    ProfileOptions o;
    for (int i = 0; i < kProfileOptionCount; ++i)
        if (bits & (1u << i)) o.set(static_cast<O>(i));
    return o;
}

const E11Row& row_named(const std::string& name) {
    for (std::size_t i = 0; i < kE11RowCount; ++i)
        if (name == kE11Rows[i].name) return kE11Rows[i];
    ADD_FAILURE() << "no Table E.1-1 row named " << name;
    return kE11Rows[0];
}

std::string names_of(const ProfileOptions& o) { return o.to_string(); }

// ---------------------------------------------------------------------------------------------
// ProfileOptions

TEST(ProfileOptions, OptionNamesAreInEnumOrder) {
    const auto& names = ProfileOptions::option_names();
    ASSERT_EQ(names.size(), static_cast<size_t>(kProfileOptionCount));
    EXPECT_EQ(names[static_cast<int>(O::retain_safe_private)], "retain-safe-private");
    EXPECT_EQ(names[static_cast<int>(O::retain_uids)], "retain-uids");
    EXPECT_EQ(names[static_cast<int>(O::retain_device_identity)], "retain-device-identity");
    EXPECT_EQ(names[static_cast<int>(O::retain_institution_identity)], "retain-institution-identity");
    EXPECT_EQ(names[static_cast<int>(O::retain_patient_characteristics)], "retain-patient-characteristics");
    EXPECT_EQ(names[static_cast<int>(O::retain_long_full_dates)], "retain-long-full-dates");
    EXPECT_EQ(names[static_cast<int>(O::retain_long_modified_dates)], "retain-long-modified-dates");
    EXPECT_EQ(names[static_cast<int>(O::clean_descriptors)], "clean-descriptors");
    EXPECT_EQ(names[static_cast<int>(O::clean_structured_content)], "clean-structured-content");
    EXPECT_EQ(names[static_cast<int>(O::clean_graphics)], "clean-graphics");
}

TEST(ProfileOptions, ParseEachNameAlone) {
    const auto& names = ProfileOptions::option_names();
    for (int i = 0; i < kProfileOptionCount; ++i) {
        ProfileOptions o = ProfileOptions::parse(names[i]);
        for (int j = 0; j < kProfileOptionCount; ++j)
            EXPECT_EQ(o.has(static_cast<O>(j)), i == j) << names[i] << " / " << names[j];
        EXPECT_EQ(o.to_string(), names[i]);
    }
}

TEST(ProfileOptions, ParseToleratesSpacesTabsAndEmptyItems) {
    ProfileOptions o = ProfileOptions::parse("  retain-uids ,\tclean-graphics\t, ,,retain-device-identity,");
    EXPECT_TRUE(o.has(O::retain_uids));
    EXPECT_TRUE(o.has(O::clean_graphics));
    EXPECT_TRUE(o.has(O::retain_device_identity));
    EXPECT_FALSE(o.has(O::retain_safe_private));
    EXPECT_FALSE(o.has(O::clean_descriptors));
    EXPECT_EQ(o.to_string(), "retain-uids,retain-device-identity,clean-graphics");
    // Duplicates are harmless.
    EXPECT_EQ(ProfileOptions::parse("retain-uids,retain-uids").to_string(), "retain-uids");
}

TEST(ProfileOptions, EmptyListMeansBasicProfileOnly) {
    for (const char* empty : {"", "   ", ",", " , \t"}) {
        ProfileOptions o = ProfileOptions::parse(empty);
        for (int i = 0; i < kProfileOptionCount; ++i) EXPECT_FALSE(o.has(static_cast<O>(i))) << "'" << empty << "'";
        EXPECT_EQ(o.to_string(), "") << "'" << empty << "'";
        ASSERT_EQ(o.method_codes().size(), 1u);
        EXPECT_EQ(o.method_codes()[0].first, "113100");
    }
}

TEST(ProfileOptions, UnknownNameIsAConfigErrorListingTheKnownNames) {
    for (const char* bad : {"retain-uid", "retain-uids,keep-everything", "clean descriptors", "RETAIN-UIDS"}) {
        try {
            ProfileOptions::parse(bad);
            ADD_FAILURE() << bad << ": accepted";
        } catch (const ConfigError& e) {
            const std::string what = e.what();
            EXPECT_EQ(e.code(), ExitCode::config);
            for (const auto& n : ProfileOptions::option_names())
                EXPECT_NE(what.find(n), std::string::npos) << bad << ": '" << what << "' does not list " << n;
        }
    }
    try {
        ProfileOptions::parse("retain-uids, keep-everything");
        ADD_FAILURE() << "accepted";
    } catch (const ConfigError& e) {
        // Named by position, never echoed (configuration errors never echo a value).
        EXPECT_NE(std::string(e.what()).find("entry 2 of anonymization.options"), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find("keep-everything"), std::string::npos) << e.what();
    }
}

TEST(ProfileOptions, FullAndModifiedDatesTogetherAreRefused) {
    EXPECT_THROW(ProfileOptions::parse("retain-long-full-dates,retain-long-modified-dates"), ConfigError);
    EXPECT_THROW(ProfileOptions::parse("retain-long-modified-dates, clean-descriptors, retain-long-full-dates"),
                 ConfigError);
    EXPECT_NO_THROW(ProfileOptions::parse("retain-long-full-dates"));
    EXPECT_NO_THROW(ProfileOptions::parse("retain-long-modified-dates"));
}

TEST(ProfileOptions, ToStringIsCanonicalAndRoundTrips) {
    EXPECT_EQ(ProfileOptions::parse("clean-graphics,retain-safe-private,clean-descriptors,retain-uids").to_string(),
              "retain-safe-private,retain-uids,clean-descriptors,clean-graphics");
    EXPECT_EQ(ProfileOptions().to_string(), "");
    const unsigned full = 1u << static_cast<int>(O::retain_long_full_dates);
    const unsigned modified = 1u << static_cast<int>(O::retain_long_modified_dates);
    for (unsigned bits = 0; bits < (1u << kProfileOptionCount); ++bits) {
        if ((bits & full) && (bits & modified)) continue;
        ProfileOptions o = options_from_bits(bits);
        const std::string s = o.to_string();
        ProfileOptions back = ProfileOptions::parse(s);
        for (int i = 0; i < kProfileOptionCount; ++i)
            ASSERT_EQ(back.has(static_cast<O>(i)), o.has(static_cast<O>(i))) << s;
        ASSERT_EQ(back.to_string(), s);
        EXPECT_EQ(s.find(' '), std::string::npos) << s;
    }
}

TEST(ProfileOptions, SetCanClearAnOption) {
    ProfileOptions o;
    o.set(O::clean_graphics).set(O::retain_uids);
    EXPECT_TRUE(o.has(O::clean_graphics));
    o.set(O::clean_graphics, false);
    EXPECT_FALSE(o.has(O::clean_graphics));
    EXPECT_EQ(o.to_string(), "retain-uids");
}

TEST(ProfileOptions, DefaultsAreTheDoseAndProtocolMonitoringSet) {
    ProfileOptions d = ProfileOptions::defaults();
    EXPECT_TRUE(d.has(O::retain_device_identity));
    EXPECT_TRUE(d.has(O::retain_patient_characteristics));
    EXPECT_TRUE(d.has(O::clean_descriptors));
    EXPECT_TRUE(d.has(O::clean_structured_content));
    EXPECT_TRUE(d.has(O::retain_long_modified_dates));
    EXPECT_FALSE(d.has(O::retain_safe_private));
    EXPECT_FALSE(d.has(O::retain_uids));
    EXPECT_FALSE(d.has(O::retain_institution_identity));
    EXPECT_FALSE(d.has(O::retain_long_full_dates));
    EXPECT_FALSE(d.has(O::clean_graphics));
    EXPECT_EQ(d.to_string(),
              "retain-device-identity,retain-patient-characteristics,retain-long-modified-dates,"
              "clean-descriptors,clean-structured-content");
    // The defaults are a valid configuration string.
    EXPECT_EQ(ProfileOptions::parse(d.to_string()).to_string(), d.to_string());
}

TEST(ProfileOptions, MethodCodesStartWithTheBasicProfileThenOneCodePerOption) {
    const auto codes = ProfileOptions::defaults().method_codes();
    ASSERT_EQ(codes.size(), 6u);
    EXPECT_EQ(codes[0].first, "113100");
    EXPECT_EQ(codes[0].second, "Basic Application Confidentiality Profile");
    // ProfileOption order: device identity, patient characteristics, modified dates, descriptors,
    // structured content.
    EXPECT_EQ(codes[1].first, "113109");
    EXPECT_EQ(codes[1].second, "Retain Device Identity Option");
    EXPECT_EQ(codes[2].first, "113108");
    EXPECT_EQ(codes[3].first, "113107");
    EXPECT_EQ(codes[3].second, "Retain Longitudinal Temporal Information Modified Dates Option");
    EXPECT_EQ(codes[4].first, "113105");
    EXPECT_EQ(codes[4].second, "Clean Descriptors Option");
    EXPECT_EQ(codes[5].first, "113104");

    // Every option alone adds exactly its own CID 7050 code.
    const char* expected[kProfileOptionCount] = {"113111", "113110", "113109", "113112", "113108",
                                                 "113106", "113107", "113105", "113104", "113103"};
    std::set<std::string> distinct;
    for (int i = 0; i < kProfileOptionCount; ++i) {
        ProfileOptions o;
        o.set(static_cast<O>(i));
        auto c = o.method_codes();
        ASSERT_EQ(c.size(), 2u) << i;
        EXPECT_EQ(c[0].first, "113100");
        EXPECT_EQ(c[1].first, expected[i]) << ProfileOptions::option_names()[i];
        EXPECT_FALSE(c[1].second.empty());
        EXPECT_NE(c[1].second.find("Option"), std::string::npos) << c[1].second;
        distinct.insert(c[1].first);
    }
    EXPECT_EQ(distinct.size(), static_cast<size_t>(kProfileOptionCount));

    // All options: 11 codes, in option order.
    auto all = options_from_bits((1u << kProfileOptionCount) - 1).method_codes();
    ASSERT_EQ(all.size(), 11u);
    for (int i = 0; i < kProfileOptionCount; ++i) EXPECT_EQ(all[static_cast<size_t>(i) + 1].first, expected[i]);
}

TEST(Rule, ToStringNamesEveryRule) {
    EXPECT_STREQ(to_string(Rule::keep), "keep");
    EXPECT_STREQ(to_string(Rule::remove), "remove");
    EXPECT_STREQ(to_string(Rule::replace_uid), "replace_uid");
    EXPECT_STREQ(to_string(Rule::shift_date), "shift_date");
    EXPECT_STREQ(to_string(Rule::clean_text), "clean_text");
    EXPECT_STREQ(to_string(Rule::keep_sequence), "keep_sequence");
    EXPECT_STREQ(to_string(Rule::safe_private), "safe_private");
}

// ---------------------------------------------------------------------------------------------
// resolve(): every row of Table E.1-1 under every option set

bool is_text_vr(const std::string& vr) {
    return vr == "LO" || vr == "SH" || vr == "ST" || vr == "LT" || vr == "UT" || vr == "UC" || vr == "CS";
}

// A set of rules as bits.
using RuleSet = unsigned;
constexpr RuleSet bit(Rule r) { return 1u << static_cast<unsigned>(r); }

std::string describe(RuleSet s) {
    std::string out;
    for (Rule r : {Rule::keep, Rule::remove, Rule::replace_uid, Rule::shift_date, Rule::clean_text,
                   Rule::keep_sequence, Rule::safe_private})
        if (s & bit(r)) out += (out.empty() ? "" : "|") + std::string(to_string(r));
    return out;
}

// An independent statement of the precedence: a selected option's K keeps the attribute; else a
// selected option's C cleans it (what "clean" means depends on the option); else the Basic
// Profile: U replaces UIDs, X/Z/U* keeps the sequence for its own rows, X/Z/D combinations remove.
// Returns the acceptable rules (more than one where the standard leaves room).
RuleSet expected_rules(const E11Row& row, unsigned option_bits, const std::string& vr) {
    const bool sq = vr == "SQ";
    bool keep = false;
    RuleSet clean = 0;
    for (int i = 0; i < kProfileOptionCount; ++i) {
        if (!(option_bits & (1u << i))) continue;
        const char cell = row.options[i][0];
        if (cell == 'K') keep = true;
        if (cell != 'C') continue;
        switch (static_cast<O>(i)) {
            case O::retain_long_modified_dates:
                // Never removed: dates shifted, times of day and the rest kept.
                clean |= (vr == "DA" || vr == "DT") ? bit(Rule::shift_date) : bit(sq ? Rule::keep_sequence : Rule::keep);
                break;
            case O::clean_descriptors:
            case O::retain_patient_characteristics:
                clean |= sq ? bit(Rule::keep_sequence) : is_text_vr(vr) ? bit(Rule::clean_text) : bit(Rule::remove);
                break;
            case O::clean_structured_content: clean |= bit(sq ? Rule::keep_sequence : Rule::remove); break;
            case O::retain_safe_private: clean |= bit(Rule::safe_private); break;
            default: clean |= bit(Rule::remove); break;  // AE titles, graphics
        }
    }
    if (keep) return bit(sq ? Rule::keep_sequence : Rule::keep);
    if (clean) return clean;
    const std::string_view basic = row.basic;
    if (basic == "U") return bit(sq ? Rule::keep_sequence : Rule::replace_uid);
    // A reference sequence whose UIDs have rows of their own. (A value mislabelled with another
    // VR is dropped by the policy either way.)
    if (basic == "X/Z/U*") return sq ? bit(Rule::keep_sequence) : bit(Rule::keep_sequence) | bit(Rule::remove);
    // X, Z, D and every combination of them.
    return basic.find_first_not_of("XZD/") == std::string_view::npos ? bit(Rule::remove) : 0;
}

bool valid_rule(Rule r) {
    switch (r) {
        case Rule::keep:
        case Rule::remove:
        case Rule::replace_uid:
        case Rule::shift_date:
        case Rule::clean_text:
        case Rule::keep_sequence:
        case Rule::safe_private: return true;
    }
    return false;
}

TEST(Resolve, EveryRowHasADecisionUnderEveryOptionSet) {
    int failures = 0;
    long checked = 0;
    RuleSet seen = 0;
    for (std::size_t r = 0; r < kE11RowCount; ++r) {
        const E11Row& row = kE11Rows[r];
        std::string natural = row.private_wildcard ? std::string() : model::dictionary_vr(row.tag);
        if (natural.empty()) natural = "UN";
        // The row's own VR, a sequence, and a text and a date VR for rows whose VR varies.
        std::vector<std::string> vrs = {natural};
        for (const char* extra : {"SQ", "LO", "DA"})
            if (natural != extra) vrs.push_back(extra);
        for (unsigned bits = 0; bits < (1u << kProfileOptionCount); ++bits) {
            const ProfileOptions o = options_from_bits(bits);
            for (const auto& vr : vrs) {
                const Rule got = resolve(row, o, vr);
                ++checked;
                seen |= bit(got);
                const RuleSet ok = expected_rules(row, bits, vr);
                if (!valid_rule(got) || (ok & bit(got)) == 0) {
                    if (++failures <= 20)
                        ADD_FAILURE() << row.name << " (" << model::tag_hex(row.tag) << ") basic " << row.basic
                                      << " vr " << vr << " options {" << names_of(o) << "}: got " << to_string(got)
                                      << ", expected " << describe(ok);
                }
            }
        }
    }
    EXPECT_EQ(failures, 0);
    EXPECT_GE(checked, static_cast<long>(kE11RowCount) * 1024 * 3);
    // Every rule is reachable from the table.
    EXPECT_EQ(describe(seen), "keep|remove|replace_uid|shift_date|clean_text|keep_sequence|safe_private");
}

TEST(Resolve, NaturalVrOfEveryRowUnderDefaultsAndNoOptions) {
    // A readable restatement for the two configurations that matter most.
    const ProfileOptions none;
    const ProfileOptions defaults = ProfileOptions::defaults();
    for (std::size_t r = 0; r < kE11RowCount; ++r) {
        const E11Row& row = kE11Rows[r];
        if (row.private_wildcard) continue;
        std::string vr = model::dictionary_vr(row.tag);
        if (vr.empty()) vr = "UN";
        Rule basic = resolve(row, none, vr);
        // Without options nothing is kept as is, except sequences walked for their own rows.
        EXPECT_NE(basic, Rule::keep) << row.name;
        EXPECT_NE(basic, Rule::clean_text) << row.name;
        EXPECT_NE(basic, Rule::shift_date) << row.name;
        if (vr == "UI") {
            EXPECT_TRUE(basic == Rule::replace_uid || basic == Rule::remove) << row.name;
        }
        Rule d = resolve(row, defaults, vr);
        if (vr == "DA" || vr == "DT") {
            EXPECT_TRUE(d == Rule::shift_date || d == Rule::remove || d == Rule::keep) << row.name;
        }
        if (vr == "PN") {
            EXPECT_TRUE(d == Rule::remove || d == Rule::keep) << row.name;
        }
    }
}

TEST(Resolve, SpotChecksOnRows) {
    const ProfileOptions none;
    EXPECT_EQ(resolve(row_named("Accession Number"), ProfileOptions::defaults(), "SH"), Rule::remove);
    EXPECT_EQ(resolve(row_named("Study Instance UID"), none, "UI"), Rule::replace_uid);
    EXPECT_EQ(resolve(row_named("Study Instance UID"), ProfileOptions::parse("retain-uids"), "UI"), Rule::keep);
    EXPECT_EQ(resolve(row_named("Referenced Image Sequence"), none, "SQ"), Rule::keep_sequence);
    EXPECT_EQ(resolve(row_named("Study Date"), ProfileOptions::parse("retain-long-modified-dates"), "DA"),
              Rule::shift_date);
    EXPECT_EQ(resolve(row_named("Study Time"), ProfileOptions::parse("retain-long-modified-dates"), "TM"),
              Rule::keep);
    // K beats C when both are selected (only possible through set(), parse refuses it).
    ProfileOptions both;
    both.set(O::retain_long_full_dates).set(O::retain_long_modified_dates);
    EXPECT_EQ(resolve(row_named("Study Date"), both, "DA"), Rule::keep);
    // Calibration dates: K under device identity beats the modified-dates C.
    EXPECT_EQ(resolve(row_named("Date of Last Calibration"), ProfileOptions::defaults(), "DA"), Rule::keep);
    EXPECT_EQ(resolve(row_named("Date of Last Calibration"), ProfileOptions::parse("retain-long-modified-dates"), "DA"),
              Rule::shift_date);
    EXPECT_EQ(resolve(row_named("Allergies"), ProfileOptions::parse("retain-patient-characteristics"), "LO"),
              Rule::clean_text);
    EXPECT_EQ(resolve(row_named("Private Attributes"), ProfileOptions::parse("retain-safe-private"), "LO"),
              Rule::safe_private);
    EXPECT_EQ(resolve(row_named("Private Attributes"), none, "LO"), Rule::remove);
}

// ---------------------------------------------------------------------------------------------
// RuleTable::lookup

struct LookupCase {
    model::TagKey tag;
    const char* vr;
    const char* options;
    Rule expected;
    const char* what;
};

TEST(RuleTable, SpotChecks) {
    const std::string modified = "retain-long-modified-dates";
    const LookupCase cases[] = {
        {0x00080050, "SH", "", Rule::remove, "AccessionNumber"},
        {0x00080050, "SH", nullptr, Rule::remove, "AccessionNumber (defaults)"},
        {0x00100010, "PN", "", Rule::remove, "PatientName"},
        {0x00100010, "PN", nullptr, Rule::remove, "PatientName (defaults)"},
        {0x00100020, "LO", nullptr, Rule::remove, "PatientID (defaults)"},
        {0x00100030, "DA", nullptr, Rule::remove, "PatientBirthDate (defaults)"},
        {0x0020000D, "UI", "", Rule::replace_uid, "StudyInstanceUID"},
        {0x0020000D, "UI", nullptr, Rule::replace_uid, "StudyInstanceUID (defaults)"},
        {0x0020000D, "UI", "retain-uids", Rule::keep, "StudyInstanceUID (retain-uids)"},
        {0x00080018, "UI", "", Rule::replace_uid, "SOPInstanceUID"},
        {0x00181000, "LO", "retain-device-identity", Rule::keep, "DeviceSerialNumber"},
        {0x00181000, "LO", "", Rule::remove, "DeviceSerialNumber (none)"},
        {0x00181000, "LO", "retain-uids,clean-descriptors", Rule::remove, "DeviceSerialNumber (other options)"},
        {0x00080020, "DA", "retain-long-modified-dates", Rule::shift_date, "StudyDate (modified)"},
        {0x00080020, "DA", "retain-long-full-dates", Rule::keep, "StudyDate (full)"},
        {0x00080020, "DA", "", Rule::remove, "StudyDate (none)"},
        {0x0008002A, "DT", "retain-long-modified-dates", Rule::shift_date, "AcquisitionDateTime (modified)"},
        {0x00080030, "TM", "retain-long-modified-dates", Rule::keep, "StudyTime (modified)"},
        {0x00080030, "TM", "retain-long-full-dates", Rule::keep, "StudyTime (full)"},
        {0x00080030, "TM", "", Rule::remove, "StudyTime (none)"},
        {0x0008103E, "LO", "clean-descriptors", Rule::clean_text, "SeriesDescription (clean)"},
        {0x0008103E, "LO", "", Rule::remove, "SeriesDescription (none)"},
        {0x00081030, "LO", nullptr, Rule::clean_text, "StudyDescription (defaults)"},
        {0x00181030, "LO", nullptr, Rule::clean_text, "ProtocolName (defaults)"},
        {0x00101010, "AS", "retain-patient-characteristics", Rule::keep, "PatientAge"},
        {0x00101010, "AS", "", Rule::remove, "PatientAge (none)"},
        {0x00100040, "CS", nullptr, Rule::keep, "PatientSex (defaults)"},
        {0x00101020, "DS", nullptr, Rule::keep, "PatientSize (defaults)"},
        {0x00101030, "DS", nullptr, Rule::keep, "PatientWeight (defaults)"},
        {0x00080080, "LO", "retain-institution-identity", Rule::keep, "InstitutionName"},
        {0x00080080, "LO", nullptr, Rule::remove, "InstitutionName (defaults)"},
        {0x00080080, "LO", "retain-device-identity,retain-patient-characteristics,clean-descriptors", Rule::remove,
         "InstitutionName (other options)"},
        {0x0040A730, "SQ", "clean-structured-content", Rule::keep_sequence, "ContentSequence (clean)"},
        {0x0040A730, "SQ", "", Rule::remove, "ContentSequence (none)"},
        {0x0040A730, "SQ", "clean-descriptors", Rule::remove, "ContentSequence (descriptors only)"},
        {0x00400275, "SQ", "clean-descriptors", Rule::keep_sequence, "RequestAttributesSequence (clean)"},
        {0x00400275, "SQ", "", Rule::remove, "RequestAttributesSequence (none)"},
        {0x00101002, "SQ", nullptr, Rule::remove, "OtherPatientIDsSequence (defaults)"},
        {0x00081120, "SQ", nullptr, Rule::remove, "ReferencedPatientSequence (defaults)"},
        {0x0040A123, "PN", nullptr, Rule::remove, "PersonName (defaults)"},
        {0x0040A124, "UI", nullptr, Rule::replace_uid, "UID (defaults)"},
        // Private attributes, creators included.
        {0x00291010, "LO", nullptr, Rule::remove, "private (defaults)"},
        {0x00190010, "LO", "", Rule::remove, "private creator"},
        {0x00091001, "UI", "", Rule::remove, "private UI"},
        {0x2005140F, "SQ", "", Rule::remove, "private SQ"},
        {0x00291010, "LO", "retain-safe-private", Rule::safe_private, "private (safe)"},
        {0x00190010, "LO", "retain-safe-private", Rule::safe_private, "private creator (safe)"},
        {0x00091001, "UI", "retain-safe-private,retain-uids", Rule::safe_private, "private UI (safe)"},
        // 60xx overlays and 50xx curves: wildcard rows for every group of the range.
        {0x60003000, "OW", "", Rule::remove, "OverlayData 6000"},
        {0x601E3000, "OB", "", Rule::remove, "OverlayData 601E"},
        {0x60024000, "LT", "", Rule::remove, "OverlayComments 6002"},
        {0x60024000, "LT", "clean-graphics", Rule::remove, "OverlayComments 6002 (clean-graphics)"},
        {0x60020010, "US", "", Rule::keep, "OverlayRows 6002: not in the table"},
        {0x50020000, "US", "", Rule::remove, "curve group 5002"},
        {0x5010300A, "US", nullptr, Rule::remove, "curve group 5010"},
        // Not in Table E.1-1.
        {0x00180083, "DS", "", Rule::keep, "NumberOfAverages"},
        {0x00180083, "DS", nullptr, Rule::keep, "NumberOfAverages (defaults)"},
        {0x00189345, "FD", nullptr, Rule::keep, "CTDIvol"},
        {0x00180080, "DS", nullptr, Rule::keep, "RepetitionTime"},
        {0x00180081, "DS", nullptr, Rule::keep, "EchoTime"},
        {0x00081090, "LO", nullptr, Rule::clean_text, "ManufacturerModelName"},
        {0x00080060, "CS", "", Rule::keep, "Modality"},
        {0x00080016, "UI", "", Rule::replace_uid, "SOPClassUID (Pseudonymizer keeps 1.2.840.10008)"},
        {0x00081150, "UI", "retain-uids", Rule::keep, "ReferencedSOPClassUID (retain-uids)"},
        {0x00081115, "SQ", "", Rule::keep_sequence, "ReferencedSeriesSequence"},
        {0x52009229, "SQ", nullptr, Rule::keep_sequence, "SharedFunctionalGroupsSequence"},
        {0x00089999, "PN", "retain-device-identity", Rule::remove, "an unknown PN"},
        {0x00142006, "PN", nullptr, Rule::remove, "EvaluatorName: not in the table"},
        {0x00080070, "LO", nullptr, Rule::clean_text, "Manufacturer (default keep list)"},
        {0x00080104, "LO", nullptr, Rule::clean_text, "CodeMeaning (default keep list)"},
        {0x00081190, "UR", nullptr, Rule::remove, "RetrieveURL: not in the table"},
        {0x00020016, "AE", nullptr, Rule::remove, "SourceApplicationEntityTitle: not in the table"},
        {0x00100212, "UC", nullptr, Rule::remove, "StrainDescription: not in the table"},
        {0x00400031, "UT", nullptr, Rule::remove, "LocalNamespaceEntityID: not in the table"},
        {0x0040A075, "PN", nullptr, Rule::remove, "VerifyingObserverName"},
        {0x00141020, "DA", "retain-long-modified-dates", Rule::shift_date, "ExpiryDate (modified)"},
        {0x00141020, "DA", "retain-long-full-dates", Rule::keep, "ExpiryDate (full)"},
        {0x00141020, "DA", "", Rule::remove, "ExpiryDate (none)"},
        {0x40101025, "DT", "retain-long-modified-dates", Rule::shift_date, "RouteSegmentStartTime (modified)"},
        {0x40101025, "DT", "retain-long-full-dates", Rule::keep, "RouteSegmentStartTime (full)"},
        {0x40101025, "DT", "", Rule::remove, "RouteSegmentStartTime (none)"},
        {0x00189074, "DT", nullptr, Rule::shift_date, "FrameAcquisitionDateTime (defaults)"},
        {0x0040A120, "DT", nullptr, Rule::shift_date, "SR DateTime (defaults)"},
        {0x0040A122, "TM", nullptr, Rule::keep, "SR Time (defaults)"},
    };
    for (const auto& c : cases) {
        ProfileOptions o = c.options ? ProfileOptions::parse(c.options) : ProfileOptions::defaults();
        RuleTable table(o);
        EXPECT_EQ(to_string(table.lookup(c.tag, c.vr)), std::string(to_string(c.expected)))
            << c.what << " " << model::tag_hex(c.tag) << " " << c.vr << " {" << o.to_string() << "}";
    }
    (void)modified;
}

TEST(RuleTable, KeepTextListDecidesUnlistedFreeText) {
    RuleTable none(ProfileOptions::defaults(), {});
    EXPECT_EQ(none.lookup(0x00080070, "LO"), Rule::remove);  // Manufacturer
    EXPECT_EQ(none.lookup(0x00180024, "SH"), Rule::remove);  // SequenceName
    EXPECT_EQ(none.lookup(0x00180020, "CS"), Rule::keep);    // ScanningSequence: a code string
    RuleTable some(ProfileOptions::defaults(), parse_keep_text("WindowCenterWidthExplanation, 00142006, 0018FFF0"));
    EXPECT_EQ(some.lookup(0x00281055, "LO"), Rule::clean_text);  // kept, cleaned of identity tokens
    EXPECT_EQ(some.lookup(0x00142006, "PN"), Rule::clean_text);  // a name is cleaned, never kept as is
    EXPECT_EQ(some.lookup(0x0018FFF0, "LO"), Rule::clean_text);  // an unknown tag, listed by hex
    EXPECT_EQ(some.lookup(0x00080070, "LO"), Rule::remove);
    // Listed attributes follow Table E.1-1 whatever the list says.
    RuleTable listed(ProfileOptions::defaults(), parse_keep_text("PatientID, SeriesDescription"));
    EXPECT_EQ(listed.lookup(0x00100020, "LO"), Rule::remove);
    EXPECT_EQ(listed.lookup(0x0008103E, "LO"), Rule::clean_text);
}

TEST(RuleTable, TheSendersVrNeverLoosensTheRule) {
    // lookup() gets the VR model::value_vr chose; where it differs from PS3.6's the stricter
    // reading holds.
    RuleTable t(ProfileOptions::defaults());
    EXPECT_EQ(t.lookup(0x00080070, "PN"), Rule::remove);       // Manufacturer as a person name
    EXPECT_EQ(t.lookup(0x00181000, "PN"), Rule::remove);       // DeviceSerialNumber (K) as a name
    EXPECT_EQ(t.lookup(0x0008103E, "PN"), Rule::remove);       // SeriesDescription (C) as a name
    EXPECT_EQ(t.lookup(0x00080070, "UI"), Rule::replace_uid);  // a UID is never kept as sent
    EXPECT_EQ(t.lookup(0x00181000, "UI"), Rule::replace_uid);
    EXPECT_EQ(t.lookup(0x00100040, "LO"), Rule::remove);       // PatientSex (CS, K) as free text
    EXPECT_EQ(t.lookup(0x00101010, "LT"), Rule::remove);       // PatientAge (AS, K) as free text
    EXPECT_EQ(t.lookup(0x00080030, "SH"), Rule::remove);       // StudyTime (TM) as free text
    EXPECT_EQ(t.lookup(0x00180050, "LO"), Rule::remove);       // SliceThickness (DS) as free text
    EXPECT_EQ(t.lookup(0x0008103E, "DA"), Rule::remove);       // a descriptor as a date
    EXPECT_EQ(t.lookup(0x00281055, "DA"), Rule::shift_date);   // unlisted text as a date: shifted
    RuleTable uids(ProfileOptions::parse("retain-uids,retain-device-identity"));
    EXPECT_EQ(uids.lookup(0x00080070, "UI"), Rule::keep);
}

TEST(KeepText, ParsesKeywordsAndTags) {
    EXPECT_EQ(parse_keep_text(""), std::vector<model::TagKey>{});
    EXPECT_EQ(parse_keep_text(" SequenceName ,00080104,, SequenceName"),
              (std::vector<model::TagKey>{0x00080104, 0x00180024}));
    for (const char* bad : {"NoSuchKeyword", "00291010", "0008010", "Sequence Name"}) {
        try {
            parse_keep_text(std::string("SequenceName, ") + bad);
            ADD_FAILURE() << bad;
        } catch (const ConfigError& e) {
            EXPECT_NE(std::string(e.what()).find("entry 2 of anonymization.keep_text"), std::string::npos) << e.what();
            EXPECT_EQ(std::string(e.what()).find(bad), std::string::npos) << e.what();
        }
    }
}

TEST(KeepText, DefaultListNamesTheAttributesTheAnalysesRead) {
    const auto& tags = RuleTable::default_keep_text();
    // PS3.6 tags of what protocol and dose monitoring read.
    for (model::TagKey t : {0x00080070u, 0x00081090u, 0x00181020u, 0x00180024u, 0x00181250u, 0x00181251u,
                            0x00181210u, 0x00080100u, 0x00080102u, 0x00080104u})
        EXPECT_TRUE(std::binary_search(tags.begin(), tags.end(), t)) << model::tag_hex(t);
    EXPECT_EQ(tags.size(), 21u);  // every entry of kDefaultKeepText is a known keyword
}

TEST(RuleTable, OptionsAreKept) {
    RuleTable t(ProfileOptions::parse("retain-uids,clean-graphics"));
    EXPECT_EQ(t.options().to_string(), "retain-uids,clean-graphics");
}

TEST(RuleTable, LookupAgreesWithResolveForEveryListedTag) {
    for (unsigned bits : {0u, 0x3FFu & ~(1u << static_cast<int>(O::retain_long_full_dates)), 0x155u, 0x2AAu}) {
        ProfileOptions o = options_from_bits(bits);
        RuleTable table(o);
        for (std::size_t r = 0; r < kE11RowCount; ++r) {
            const E11Row& row = kE11Rows[r];
            if (row.private_wildcard) continue;
            std::string vr = model::dictionary_vr(row.tag);
            if (vr.empty()) vr = "UN";
            // A wildcard row stands for every group of its range: try the last even one too.
            std::vector<model::TagKey> tags = {row.tag};
            if (row.mask != 0xFFFFFFFFu) tags.push_back(row.tag | 0x001E0000u);
            for (model::TagKey tag : tags)
                EXPECT_EQ(table.lookup(tag, vr), resolve(row, o, vr))
                    << row.name << " " << model::tag_hex(tag) << " {" << o.to_string() << "}";
        }
    }
}

TEST(RuleTable, UnlistedAttributesByVrUnderEveryOptionSet) {
    // NumberOfAverages, CTDIvol, ExpiryDate, RouteSegmentStartTime are not in Table E.1-1.
    for (unsigned bits = 0; bits < (1u << kProfileOptionCount); ++bits) {
        ProfileOptions o = options_from_bits(bits);
        RuleTable t(o);
        const bool full = o.has(O::retain_long_full_dates);
        const bool modified = o.has(O::retain_long_modified_dates);
        const Rule date = full ? Rule::keep : modified ? Rule::shift_date : Rule::remove;
        ASSERT_EQ(t.lookup(0x00180083, "DS"), Rule::keep) << o.to_string();
        ASSERT_EQ(t.lookup(0x00189345, "FD"), Rule::keep) << o.to_string();
        ASSERT_EQ(t.lookup(0x00141020, "DA"), date) << o.to_string();
        ASSERT_EQ(t.lookup(0x40101025, "DT"), date) << o.to_string();
        ASSERT_EQ(t.lookup(0x00142006, "PN"), Rule::remove) << o.to_string();  // EvaluatorName
        ASSERT_EQ(t.lookup(0x00081150, "UI"), o.has(O::retain_uids) ? Rule::keep : Rule::replace_uid)
            << o.to_string();
        ASSERT_EQ(t.lookup(0x52009229, "SQ"), Rule::keep_sequence) << o.to_string();
        ASSERT_EQ(t.lookup(0x00281055, "LO"), Rule::remove) << o.to_string();  // WindowCenterWidthExplanation
        ASSERT_EQ(t.lookup(0x00180024, "SH"), Rule::clean_text) << o.to_string();    // SequenceName (kept by default)
        // Public tags PS3.6 does not define are removed like private ones.
        for (const char* vr : {"PN", "UI", "SQ", "LO", "CS", "DS", "DA"})
            ASSERT_EQ(t.lookup(0x00089999, vr), Rule::remove) << vr << " " << o.to_string();
        ASSERT_EQ(t.lookup(0x00291010, "LO"), o.has(O::retain_safe_private) ? Rule::safe_private : Rule::remove)
            << o.to_string();
    }
}

}  // namespace
}  // namespace dicomlake::deid
