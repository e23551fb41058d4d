// deid/policy: PS3.15 de-identification applied during the metadata walk, end to end through
// model::parse_metadata on DICOM JSON (PS3.18 F.2) bodies.
#include "deid/policy.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "model/dicom_json.hpp"
#include "walk_helpers.hpp"
#include "model/dictionary.hpp"
#include "util/dates.hpp"
#include "util/error.hpp"

namespace dicomlake::deid {
namespace {

using Action = model::AttributeFilter::Action;

const std::string kSecret = "policy-test-secret-0123456789abcdef";

Rule resolve_rule(model::TagKey tag, const char* vr) {
    return RuleTable(ProfileOptions::defaults()).lookup(tag, vr);
}
const std::string kUidRoot = "1.2.826.0.1.3680043.2.1125.";

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

using test::text_of;
using test::walk_one;

int count_path(const model::Instance& inst, const std::string& path) {
    int n = 0;
    for (const auto& a : inst.attributes) n += a.path == path;
    return n;
}

// No attribute's path, JSON or text holds any of `canaries` (case-insensitively).
void expect_no_canary(const model::Instance& inst, const std::vector<std::string>& canaries,
                      const std::string& label) {
    for (const auto& a : inst.attributes) {
        const std::string json = lower(a.json), text = lower(a.text), path = lower(a.path);
        for (const auto& c : canaries) {
            const std::string lc = lower(c);
            EXPECT_EQ(json.find(lc), std::string::npos) << label << ": " << a.path << " json " << a.json << " holds " << c;
            EXPECT_EQ(text.find(lc), std::string::npos) << label << ": " << a.path << " text holds " << c;
            EXPECT_EQ(path.find(lc), std::string::npos) << label << ": path " << a.path << " holds " << c;
        }
    }
}

// A realistic MR instance with identifiers at depths 0 to 3, references, functional groups,
// a private block, an SR-style content tree and the source's own de-identification record.
const std::string kFullBody = R"JSON([{
  "00080005": {"vr": "CS", "Value": ["ISO_IR 192"]},
  "00080008": {"vr": "CS", "Value": ["ORIGINAL", "PRIMARY", "M"]},
  "00080016": {"vr": "UI", "Value": ["1.2.840.10008.5.1.4.1.1.4.1"]},
  "00080018": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.2.1125.300"]},
  "00080020": {"vr": "DA", "Value": ["20251103"]},
  "00080021": {"vr": "DA", "Value": ["20251103"]},
  "00080023": {"vr": "DA", "Value": ["20251104"]},
  "0008002A": {"vr": "DT", "Value": ["20251103081512.25+0100"]},
  "00080030": {"vr": "TM", "Value": ["081500"]},
  "00080050": {"vr": "SH", "Value": ["ACC98765"]},
  "00080060": {"vr": "CS", "Value": ["MR"]},
  "00080070": {"vr": "LO", "Value": ["ACME Medical"]},
  "00080080": {"vr": "LO", "Value": ["Canary General Hospital"]},
  "00080081": {"vr": "ST", "Value": ["1 Hospital Road"]},
  "00080090": {"vr": "PN", "Value": [{"Alphabetic": "Referrer^Rexcanary"}]},
  "00081030": {"vr": "LO", "Value": ["MR BRAIN DOE"]},
  "0008103E": {"vr": "LO", "Value": ["t1 mprage Jane doe PID12345"]},
  "00081070": {"vr": "PN", "Value": [{"Alphabetic": "Operator^Ottocanary"}]},
  "00081090": {"vr": "LO", "Value": ["MAGNETOM Vida"]},
  "00081115": {"vr": "SQ", "Value": [{
    "0020000E": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.2.1125.200"]},
    "0008114A": {"vr": "SQ", "Value": [{
      "00081150": {"vr": "UI", "Value": ["1.2.840.10008.5.1.4.1.1.4"]},
      "00081155": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.2.1125.301"]}
    }]}
  }]},
  "00081120": {"vr": "SQ", "Value": [{"00081155": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.2.1125.900"]}}]},
  "00081140": {"vr": "SQ", "Value": [{
    "00081150": {"vr": "UI", "Value": ["1.2.840.10008.5.1.4.1.1.4"]},
    "00081155": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.2.1125.301"]}
  }]},
  "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Doe^Jane", "Ideographic": "山田^花子"}]},
  "00100020": {"vr": "LO", "Value": ["PID12345"]},
  "00100021": {"vr": "LO", "Value": ["ISSUERX"]},
  "00100030": {"vr": "DA", "Value": ["19800615"]},
  "00100040": {"vr": "CS", "Value": ["F"]},
  "00101000": {"vr": "LO", "Value": ["OTHERPID0"]},
  "00101001": {"vr": "PN", "Value": [{"Alphabetic": "Maiden^Mcanary"}]},
  "00101002": {"vr": "SQ", "Value": [{"00100020": {"vr": "LO", "Value": ["OTHERPID1"]},
                                      "00100021": {"vr": "LO", "Value": ["ISSUERY"]}}]},
  "00101020": {"vr": "DS", "Value": ["1.68"]},
  "00101030": {"vr": "DS", "Value": ["62.5"]},
  "00101040": {"vr": "LO", "Value": ["12 Patient Street"]},
  "00120062": {"vr": "CS", "Value": ["NO"]},
  "00120063": {"vr": "LO", "Value": ["someone else's tool"]},
  "00120064": {"vr": "SQ", "Value": [{"00080100": {"vr": "SH", "Value": ["999999"]},
                                      "00080102": {"vr": "SH", "Value": ["XYZ"]},
                                      "00080104": {"vr": "LO", "Value": ["Foreign Method"]}}]},
  "00180080": {"vr": "DS", "Value": ["2300"]},
  "00180081": {"vr": "DS", "Value": ["2.98"]},
  "00180083": {"vr": "DS", "Value": ["1"]},
  "00181000": {"vr": "LO", "Value": ["SN-4711"]},
  "00181030": {"vr": "LO", "Value": ["Jane head PID12345"]},
  "00189345": {"vr": "FD", "Value": [12.75]},
  "0020000D": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.2.1125.100"]},
  "0020000E": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.2.1125.200"]},
  "00200010": {"vr": "SH", "Value": ["STUDYID77"]},
  "00200052": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.2.1125.500"]},
  "00280303": {"vr": "CS", "Value": ["UNMODIFIED"]},
  "00290010": {"vr": "LO", "Value": ["SIEMENS CSA HEADER"]},
  "00291010": {"vr": "LO", "Value": ["PRIVATE-SECRET"]},
  "00291011": {"vr": "SQ", "Value": [{"00100020": {"vr": "LO", "Value": ["PRIVPID"]}}]},
  "00400275": {"vr": "SQ", "Value": [{
    "00080050": {"vr": "SH", "Value": ["ACC98765"]},
    "0020000D": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.2.1125.100"]},
    "00321032": {"vr": "PN", "Value": [{"Alphabetic": "Requester^Ritacanary"}]},
    "00321060": {"vr": "LO", "Value": ["MRI head for doe"]},
    "00400007": {"vr": "LO", "Value": ["brain PID12345"]},
    "00400009": {"vr": "SH", "Value": ["SPSID666"]},
    "00401001": {"vr": "SH", "Value": ["RPID555"]},
    "00081115": {"vr": "SQ", "Value": [{
      "0020000E": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.2.1125.200"]},
      "0008114A": {"vr": "SQ", "Value": [{
        "00100020": {"vr": "LO", "Value": ["DEEPPID3"]},
        "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Deep^Doracanary"}]},
        "00080050": {"vr": "SH", "Value": ["DEEPACC3"]},
        "00100030": {"vr": "DA", "Value": ["19800615"]},
        "00081155": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.2.1125.301"]},
        "00080104": {"vr": "LO", "Value": ["kept meaning"]}
      }]}
    }]}
  }]},
  "0040A730": {"vr": "SQ", "Value": [{
    "0040A040": {"vr": "CS", "Value": ["CONTAINER"]},
    "0040A730": {"vr": "SQ", "Value": [{
      "0040A040": {"vr": "CS", "Value": ["TEXT"]},
      "0040A160": {"vr": "UT", "Value": ["Free text about Doe"]}
    }, {
      "0040A040": {"vr": "CS", "Value": ["PNAME"]},
      "0040A123": {"vr": "PN", "Value": [{"Alphabetic": "Observer^Olgacanary"}]}
    }, {
      "0040A040": {"vr": "CS", "Value": ["UIDREF"]},
      "0040A124": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.2.1125.777"]}
    }, {
      "0040A040": {"vr": "CS", "Value": ["DATETIME"]},
      "0040A120": {"vr": "DT", "Value": ["20251103093000"]}
    }, {
      "0040A730": {"vr": "SQ", "Value": [{
        "0040A040": {"vr": "CS", "Value": ["TEXT"]},
        "0040A160": {"vr": "UT", "Value": ["deeper free text"]}
      }]}
    }]}
  }]},
  "52009229": {"vr": "SQ", "Value": [{
    "00189119": {"vr": "SQ", "Value": [{"00180083": {"vr": "DS", "Value": ["2"]}}]}
  }]},
  "52009230": {"vr": "SQ", "Value": [
    {"00209111": {"vr": "SQ", "Value": [{"00189074": {"vr": "DT", "Value": ["20251103081500.000000"]}}]}},
    {"00209111": {"vr": "SQ", "Value": [{"00189074": {"vr": "DT", "Value": ["20251103081501.000000"]}}]}}
  ]}
}])JSON";

// Identifiers that no configuration without retain-* options for them may store.
const std::vector<std::string> kIdentifiers = {
    "ACC98765", "Canary General Hospital", "1 Hospital Road", "Rexcanary", "Referrer", "Ottocanary", "Operator^",
    "Doe", "Jane", "\xE5\xB1\xB1\xE7\x94\xB0", "PID12345", "ISSUERX", "OTHERPID0", "OTHERPID1", "ISSUERY",
    "Mcanary", "Maiden", "12 Patient Street", "STUDYID77", "PRIVATE-SECRET", "PRIVPID", "SIEMENS CSA",
    "Ritacanary", "SPSID666", "RPID555", "DEEPPID3", "Doracanary", "DEEPACC3", "Olgacanary", "Free text",
    "deeper free text", "19800615", "1980-06-15", "someone else", "Foreign Method", "999999",
};
const std::vector<std::string> kOriginalDates = {"20251103", "2025-11-03", "20251104", "2025-11-04"};

// ---------------------------------------------------------------------------------------------
// No identifier anywhere

TEST(Policy, NoIdentifierAtAnyDepthUnderDefaults) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    model::Instance inst = walk_one(kFullBody, policy);
    ASSERT_GT(inst.attributes.size(), 20u);
    expect_no_canary(inst, kIdentifiers, "defaults");
    expect_no_canary(inst, kOriginalDates, "defaults");
    expect_no_canary(inst, {kUidRoot}, "defaults");
    for (const auto& a : inst.attributes) {
        EXPECT_FALSE(model::is_private(a.tag)) << a.path;
        EXPECT_NE(std::string(a.vr, 2), "PN") << a.path;
        EXPECT_NE(a.tag, 0x00100020u) << a.path;   // PatientID
        EXPECT_NE(a.tag, 0x00100030u) << a.path;   // PatientBirthDate
        EXPECT_NE(a.tag, 0x00080050u) << a.path;   // AccessionNumber
        EXPECT_NE(a.tag, 0x0040A160u) << a.path;   // TextValue
        EXPECT_EQ(a.path.find("OtherPatientIDsSequence"), std::string::npos) << a.path;
        EXPECT_EQ(a.path.find("ReferencedPatientSequence"), std::string::npos) << a.path;
    }
    // The walk did go into the sequences that hold the identifiers: what is allowed survives.
    EXPECT_EQ(text_of(inst, "RequestAttributesSequence[0].ReferencedSeriesSequence[0].ReferencedInstanceSequence[0]."
                            "CodeMeaning"),
              "kept meaning");
    EXPECT_EQ(text_of(inst, "Modality"), "MR");
}

TEST(Policy, NoIdentifierAtAnyDepthUnderOtherOptionSets) {
    Pseudonymizer p(kSecret, 1);
    for (const char* opts :
         {"", "clean-descriptors", "retain-long-full-dates,clean-descriptors,clean-structured-content,clean-graphics",
          "retain-device-identity,retain-patient-characteristics,retain-long-modified-dates,clean-structured-content",
          "retain-safe-private,retain-uids,retain-device-identity,retain-patient-characteristics,"
          "retain-long-modified-dates,clean-descriptors,clean-structured-content,clean-graphics"}) {
        ProfileOptions o = ProfileOptions::parse(opts);
        Policy policy(p, o);
        model::Instance inst = walk_one(kFullBody, policy);
        expect_no_canary(inst, kIdentifiers, opts);
        if (!o.has(ProfileOption::retain_long_full_dates)) expect_no_canary(inst, kOriginalDates, opts);
        if (!o.has(ProfileOption::retain_uids)) expect_no_canary(inst, {kUidRoot}, opts);
        for (const auto& a : inst.attributes) EXPECT_FALSE(model::is_private(a.tag)) << opts << ": " << a.path;
        EXPECT_EQ(text_of(inst, "PatientIdentityRemoved"), "YES") << opts;
    }
}

TEST(Policy, WithoutOptionsOnlyNonIdentifyingAttributesAndTheRecordRemain) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions());
    model::Instance inst = walk_one(kFullBody, policy);
    for (const char* gone : {"DeviceSerialNumber", "PatientSex", "PatientWeight", "PatientSize", "StudyDate",
                             "StudyTime", "AcquisitionDateTime", "SeriesDescription", "ProtocolName",
                             "StudyDescription", "ContentSequence[0].ValueType", "RequestAttributesSequence[0]."
                                                                                 "StudyInstanceUID"})
        EXPECT_EQ(inst.find(gone), nullptr) << gone;
    EXPECT_EQ(text_of(inst, "NumberOfAverages"), "1");
    EXPECT_EQ(text_of(inst, "ManufacturerModelName"), "MAGNETOM Vida");
    EXPECT_EQ(text_of(inst, "SOPInstanceUID"), p.uid(kUidRoot + "300"));
    EXPECT_EQ(text_of(inst, "LongitudinalTemporalInformationModified"), "REMOVED");
    EXPECT_EQ(inst.date_shift_days, 0);
}

// ---------------------------------------------------------------------------------------------
// UIDs

TEST(Policy, UidsAreReplacedWithTheSamePseudonymAtAnyDepth) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    EXPECT_EQ(policy.replace_uid(kUidRoot + "1"), p.uid(kUidRoot + "1"));
    model::Instance inst = walk_one(kFullBody, policy);
    const std::string study = p.uid(kUidRoot + "100"), series = p.uid(kUidRoot + "200"),
                      image = p.uid(kUidRoot + "301");
    EXPECT_EQ(study.rfind("2.25.", 0), 0u);
    EXPECT_EQ(text_of(inst, "StudyInstanceUID"), study);
    EXPECT_EQ(text_of(inst, "SeriesInstanceUID"), series);
    EXPECT_EQ(text_of(inst, "SOPInstanceUID"), p.uid(kUidRoot + "300"));
    EXPECT_EQ(text_of(inst, "FrameOfReferenceUID"), p.uid(kUidRoot + "500"));
    EXPECT_EQ(inst.find("StudyInstanceUID")->json, "\"" + study + "\"");
    // Depth 1, 2 and 3.
    EXPECT_EQ(text_of(inst, "RequestAttributesSequence[0].StudyInstanceUID"), study);
    EXPECT_EQ(text_of(inst, "ReferencedSeriesSequence[0].SeriesInstanceUID"), series);
    EXPECT_EQ(text_of(inst, "ReferencedImageSequence[0].ReferencedSOPInstanceUID"), image);
    EXPECT_EQ(text_of(inst, "ReferencedSeriesSequence[0].ReferencedInstanceSequence[0].ReferencedSOPInstanceUID"),
              image);
    EXPECT_EQ(text_of(inst, "RequestAttributesSequence[0].ReferencedSeriesSequence[0].SeriesInstanceUID"), series);
    const std::string deep = "RequestAttributesSequence[0].ReferencedSeriesSequence[0].ReferencedInstanceSequence[0].";
    ASSERT_NE(inst.find(deep + "ReferencedSOPInstanceUID"), nullptr);
    EXPECT_EQ(inst.find(deep + "ReferencedSOPInstanceUID")->depth, 3);
    EXPECT_EQ(text_of(inst, deep + "ReferencedSOPInstanceUID"), image);
    // SR UIDREF at depth 2.
    EXPECT_EQ(text_of(inst, "ContentSequence[0].ContentSequence[2].UID"), p.uid(kUidRoot + "777"));
    // Well-known DICOM UIDs stay.
    EXPECT_EQ(text_of(inst, "SOPClassUID"), "1.2.840.10008.5.1.4.1.1.4.1");
    EXPECT_EQ(text_of(inst, "ReferencedImageSequence[0].ReferencedSOPClassUID"), "1.2.840.10008.5.1.4.1.1.4");
}

TEST(Policy, AReferenceInOneInstanceMatchesTheReferencedInstance) {
    const std::string body = R"JSON([
      {"00080018": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.2.1125.41"]},
       "00100020": {"vr": "LO", "Value": ["P1"]}},
      {"00080018": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.2.1125.42"]},
       "00100020": {"vr": "LO", "Value": ["P1"]},
       "00082112": {"vr": "SQ", "Value": [{
         "00081150": {"vr": "UI", "Value": ["1.2.840.10008.5.1.4.1.1.2"]},
         "00081155": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.2.1125.41"]}}]}}
    ])JSON";
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    auto all = model::parse_metadata(body, policy);
    ASSERT_EQ(all.size(), 2u);
    const std::string first = text_of(all[0], "SOPInstanceUID");
    EXPECT_EQ(first, p.uid(kUidRoot + "41"));
    EXPECT_EQ(text_of(all[1], "SourceImageSequence[0].ReferencedSOPInstanceUID"), first);
    EXPECT_NE(text_of(all[1], "SOPInstanceUID"), first);
    EXPECT_EQ(text_of(all[1], "SourceImageSequence[0].ReferencedSOPClassUID"), "1.2.840.10008.5.1.4.1.1.2");
}

TEST(Policy, RetainUidsKeepsUids) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::parse("retain-uids,retain-long-modified-dates"));
    model::Instance inst = walk_one(kFullBody, policy);
    EXPECT_EQ(text_of(inst, "StudyInstanceUID"), kUidRoot + "100");
    EXPECT_EQ(text_of(inst, "ReferencedImageSequence[0].ReferencedSOPInstanceUID"), kUidRoot + "301");
    // Referenced Patient Sequence is K under retain-uids: its UID stays too.
    EXPECT_EQ(text_of(inst, "ReferencedPatientSequence[0].ReferencedSOPInstanceUID"), kUidRoot + "900");
}

// ---------------------------------------------------------------------------------------------
// Dates

TEST(Policy, DateOffsetIsANegativeWholeNumberOfWeeksWithinTenYears) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    std::set<int> distinct;
    for (int i = 0; i < 2000; ++i) {
        int d = policy.date_offset_days("PAT" + std::to_string(i), "HOSP");
        ASSERT_EQ(d % 7, 0) << d;
        ASSERT_GE(d, -3640) << d;
        ASSERT_LE(d, -7) << d;
        distinct.insert(d);
    }
    EXPECT_GT(distinct.size(), 450u);  // 520 possible weeks, about 509 expected from 2000 draws
}

TEST(Policy, DateOffsetIsDeterministicAndDependsOnPatientIssuerAndKey) {
    Pseudonymizer p(kSecret, 1);
    Pseudonymizer p_again(kSecret, 2);
    Pseudonymizer other("another-secret-of-at-least-32-chars!!", 1);
    Policy a(p, ProfileOptions::defaults());
    Policy a2(p_again, ProfileOptions::parse("retain-long-modified-dates"));
    Policy b(other, ProfileOptions::defaults());
    EXPECT_EQ(a.date_offset_days("PID12345", "ISSUERX"), a.date_offset_days("PID12345", "ISSUERX"));
    EXPECT_EQ(a.date_offset_days("PID12345", "ISSUERX"), a2.date_offset_days("PID12345", "ISSUERX"));
    // Padding is not part of the identifier.
    EXPECT_EQ(a.date_offset_days("PID12345 ", " ISSUERX"), a.date_offset_days("PID12345", "ISSUERX"));
    int by_issuer = 0, by_key = 0, by_patient = 0;
    for (int i = 0; i < 40; ++i) {
        const std::string id = "PAT" + std::to_string(i);
        by_issuer += a.date_offset_days(id, "HOSP-A") != a.date_offset_days(id, "HOSP-B");
        by_issuer += a.date_offset_days(id, "") != a.date_offset_days(id, "HOSP-A");
        by_key += a.date_offset_days(id, "HOSP-A") != b.date_offset_days(id, "HOSP-A");
        by_patient += a.date_offset_days(id, "HOSP-A") != a.date_offset_days(id + "x", "HOSP-A");
    }
    // Equal by chance with probability 1/520 each.
    EXPECT_GE(by_issuer, 76);
    EXPECT_GE(by_key, 38);
    EXPECT_GE(by_patient, 38);
    // Issuer and ID are not simply concatenated.
    int ambiguous = 0;
    for (int i = 0; i < 20; ++i)
        ambiguous += a.date_offset_days("1" + std::to_string(i), "A") == a.date_offset_days(std::to_string(i), "A1");
    EXPECT_LE(ambiguous, 2);
}

TEST(Policy, DatesAreShiftedByThePatientOffsetAtEveryDepth) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    const int off = policy.date_offset_days("PID12345", "ISSUERX");
    model::Instance inst = walk_one(kFullBody, policy);
    EXPECT_EQ(inst.date_shift_days, off);
    ASSERT_NE(off, 0);
    const std::string d3 = add_days("2025-11-03", off), d4 = add_days("2025-11-04", off);
    EXPECT_EQ(text_of(inst, "StudyDate"), d3);
    EXPECT_EQ(inst.find("StudyDate")->json, "\"" + d3 + "\"");
    EXPECT_EQ(text_of(inst, "SeriesDate"), d3);
    EXPECT_EQ(text_of(inst, "ContentDate"), d4);
    // DT: the date part shifts, time of day and zone stay.
    EXPECT_EQ(text_of(inst, "AcquisitionDateTime"), d3 + "T08:15:12.25+01:00");
    // Functional groups, the later frame (summary only) included.
    EXPECT_EQ(text_of(inst, "PerFrameFunctionalGroupsSequence[0].FrameContentSequence[0].FrameAcquisitionDateTime"),
              d3 + "T08:15:00.000000");
    const model::Attribute* later =
        inst.find("PerFrameFunctionalGroupsSequence[1].FrameContentSequence[0].FrameAcquisitionDateTime");
    ASSERT_NE(later, nullptr);
    EXPECT_TRUE(later->summary_only);
    EXPECT_EQ(later->text, d3 + "T08:15:01.000000");
    // SR content DateTime at depth 2.
    EXPECT_EQ(text_of(inst, "ContentSequence[0].ContentSequence[3].DateTime"), d3 + "T09:30:00");
    // Times of day are not shifted.
    EXPECT_EQ(text_of(inst, "StudyTime"), "08:15:00");
    // A week-multiple shift keeps the weekday: 2025-11-03 is a Monday.
    auto days = parse_iso_date(d3);
    ASSERT_TRUE(days.has_value());
    EXPECT_EQ(((*days % 7) + 7) % 7, 4);  // 1970-01-01 was a Thursday: Monday is 4 days later
}

TEST(Policy, DatesNotInTheTableAndMultiValuedDatesAreShiftedToo) {
    const std::string body = R"JSON({
      "00100020": {"Value": ["P-77"], "vr": "LO"},
      "00141020": {"vr": "DA", "Value": ["20300101"]},
      "40101025": {"vr": "DT", "Value": ["20250301120000"]},
      "00400275": {"vr": "SQ", "Value": [{"00321064": {"vr": "SQ", "Value": [{
        "00141020": {"vr": "DA", "Value": ["20200229", "20200301"]}}]}}]},
      "00080020": {"vr": "DA", "Value": ["2025110"]},
      "00080021": {"vr": "DA", "Value": ["20250230"]},
      "00080022": {"vr": "DA"}
    })JSON";
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    const int off = policy.date_offset_days("P-77", "");
    model::Instance inst = walk_one(body, policy);
    EXPECT_EQ(text_of(inst, "ExpiryDate"), add_days("2030-01-01", off));
    EXPECT_EQ(text_of(inst, "RouteSegmentStartTime"), add_days("2025-03-01", off) + "T12:00:00");
    const model::Attribute* multi = inst.find("RequestAttributesSequence[0].RequestedProcedureCodeSequence[0].ExpiryDate");
    ASSERT_NE(multi, nullptr);
    EXPECT_EQ(multi->depth, 2);
    EXPECT_EQ(multi->json, "[\"" + add_days("2020-02-29", off) + "\",\"" + add_days("2020-03-01", off) + "\"]");
    // A date that cannot be shifted is not stored as is.
    for (const char* path : {"StudyDate", "SeriesDate"}) {
        const model::Attribute* a = inst.find(path);
        if (a == nullptr) continue;
        EXPECT_EQ(a->text.find("2025"), std::string::npos) << path << ": " << a->text;
        EXPECT_EQ(a->json.find("2025"), std::string::npos) << path << ": " << a->json;
    }
    if (const model::Attribute* empty = inst.find("AcquisitionDate")) {
        EXPECT_EQ(empty->json, "null");
    }
}

TEST(Policy, ValuesWrittenAsJsonNumbersAreStillDeidentified) {
    // Non-conformant servers write numbers into string VRs; the walker keeps such tokens as text,
    // but a date, a UID or a descriptor must not bypass its rule that way.
    const std::string body = R"JSON({
      "00100020": {"vr": "LO", "Value": ["4711"]},
      "00080020": {"vr": "DA", "Value": [20251103]},
      "0008103E": {"vr": "LO", "Value": [4711]},
      "00200052": {"vr": "UI", "Value": [1.25]},
      "00181030": {"vr": "LO", "Value": [42]}
    })JSON";
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    model::Instance inst = walk_one(body, policy);
    const model::Attribute* date = inst.find("StudyDate");
    ASSERT_NE(date, nullptr);
    EXPECT_EQ(date->text, add_days("2025-11-03", policy.date_offset_days("4711", "")));
    EXPECT_EQ(date->json, "\"" + date->text + "\"");
    const model::Attribute* series = inst.find("SeriesDescription");
    ASSERT_NE(series, nullptr);
    EXPECT_EQ(series->json.find("4711"), std::string::npos) << series->json;
    EXPECT_EQ(text_of(inst, "FrameOfReferenceUID"), p.uid("1.25"));
    EXPECT_EQ(text_of(inst, "ProtocolName"), "42");  // cleaned, nothing to remove
    expect_no_canary(inst, {"20251103", "2025-11-03"}, "numbers");
}

TEST(Policy, NoPatientIdUnderModifiedDatesIsRefused) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    const char* bodies[] = {
        R"JSON({"00080020": {"vr": "DA", "Value": ["20251103"]}})JSON",
        R"JSON({"00100020": {"vr": "LO"}, "00080020": {"vr": "DA", "Value": ["20251103"]}})JSON",
        R"JSON({"00100020": {"vr": "LO", "Value": ["   "]}, "00080020": {"vr": "DA", "Value": ["20251103"]}})JSON",
        // Only in a sequence: not the instance's patient.
        R"JSON({"00101002": {"vr": "SQ", "Value": [{"00100020": {"vr": "LO", "Value": ["X1"]}}]}})JSON",
        // The second instance of a body.
        R"JSON([{"00100020": {"vr": "LO", "Value": ["X1"]}}, {"00100010": {"vr": "PN", "Value": [{"Alphabetic": "A^B"}]}}])JSON",
    };
    for (const char* body : bodies) {
        try {
            model::parse_metadata(body, policy);
            ADD_FAILURE() << "accepted: " << body;
        } catch (const DeidRefusal& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find("PatientID"), std::string::npos) << what;
            EXPECT_EQ(what.find("X1"), std::string::npos) << what;
        }
    }
}

TEST(Policy, FullDatesKeepDatesAndNeedNoPatientId) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::parse("retain-long-full-dates"));
    model::Instance inst;
    ASSERT_NO_THROW(inst = walk_one(R"JSON({"00080020": {"vr": "DA", "Value": ["20251103"]},
                                             "00080030": {"vr": "TM", "Value": ["081500"]}})JSON",
                                    policy));
    EXPECT_EQ(text_of(inst, "StudyDate"), "2025-11-03");
    EXPECT_EQ(text_of(inst, "StudyTime"), "08:15:00");
    EXPECT_EQ(inst.date_shift_days, 0);
    EXPECT_EQ(text_of(inst, "LongitudinalTemporalInformationModified"), "UNMODIFIED");

    model::Instance full = walk_one(kFullBody, policy);
    EXPECT_EQ(full.date_shift_days, 0);
    EXPECT_EQ(text_of(full, "StudyDate"), "2025-11-03");
    EXPECT_EQ(text_of(full, "AcquisitionDateTime"), "2025-11-03T08:15:12.25+01:00");
    EXPECT_EQ(text_of(full, "ContentSequence[0].ContentSequence[3].DateTime"), "<missing>");  // no structured content
    // Birth date is still removed.
    expect_no_canary(full, {"1980-06-15", "19800615"}, "full dates");

    Policy none(p, ProfileOptions());
    EXPECT_NO_THROW(model::parse_metadata(R"JSON({"00080020": {"vr": "DA", "Value": ["20251103"]}})JSON", none));
}

// ---------------------------------------------------------------------------------------------
// Descriptors

TEST(Policy, DescriptorsAreCleanedOfNameIdAndAccession) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    model::Instance inst = walk_one(kFullBody, policy);
    const std::vector<std::string> tokens = {"doe", "jane", "pid12345", "acc98765", "otherpid0"};
    struct Expect {
        const char* path;
        std::vector<const char*> stays;
    };
    const Expect expected[] = {
        {"StudyDescription", {"MR", "BRAIN"}},
        {"SeriesDescription", {"t1", "mprage"}},
        {"ProtocolName", {"head"}},
        {"RequestAttributesSequence[0].RequestedProcedureDescription", {"MRI", "head", "for"}},
        {"RequestAttributesSequence[0].ScheduledProcedureStepDescription", {"brain"}},
    };
    for (const auto& e : expected) {
        const model::Attribute* a = inst.find(e.path);
        ASSERT_NE(a, nullptr) << e.path;
        for (const auto& t : tokens) {
            EXPECT_EQ(lower(a->text).find(t), std::string::npos) << e.path << ": " << a->text;
            EXPECT_EQ(lower(a->json).find(t), std::string::npos) << e.path << ": " << a->json;
        }
        for (const char* w : e.stays) EXPECT_NE(a->text.find(w), std::string::npos) << e.path << ": " << a->text;
        EXPECT_EQ(a->json.front(), '"') << a->json;
    }
    // Something marks where the name was: the words are not run together.
    EXPECT_NE(text_of(inst, "SeriesDescription"), "t1 mprage  ");
}

TEST(Policy, EachInstanceIsCleanedOfItsOwnPatientWhenInstancesFollowEachOther) {
    // Instances of different patients walked one after the other on one thread (as a worker
    // does): each description loses its own patient's name, and only that.
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    auto body = [](const char* name, const char* id, const char* description) {
        return std::string(R"({"00100010":{"vr":"PN","Value":[{"Alphabetic":")") + name +
               R"("}]},"00100020":{"vr":"LO","Value":[")" + id +
               R"("]},"0020000D":{"vr":"UI","Value":["2.25.7"]},"0008103E":{"vr":"LO","Value":[")" +
               description + R"("]}})";
    };
    const char* description = "knee Doe Roe left";
    auto a1 = walk_one(body("Doe^Jane", "PIDA", description), policy);
    auto b = walk_one(body("Roe^Rick", "PIDB", description), policy);
    auto a2 = walk_one(body("Doe^Jane", "PIDA", description), policy);
    EXPECT_EQ(text_of(a1, "SeriesDescription"), "knee *** Roe left");
    EXPECT_EQ(text_of(b, "SeriesDescription"), "knee Doe *** left");
    EXPECT_EQ(text_of(a2, "SeriesDescription"), "knee *** Roe left");
}

TEST(Policy, CleaningIsCaseInsensitiveWorksWithValueBeforeVrAndLeavesOtherWords) {
    // Orthanc writes "Value" before "vr": the identity values are read all the same.
    const std::string body = R"JSON({
      "00080050": {"Value": ["A-77"], "vr": "SH"},
      "00081030": {"Value": ["CT CHEST mueller-schmidt q a-77 Anna"], "vr": "LO"},
      "0008103E": {"Value": ["axial MUELLER-SCHMIDT", "ANNA 3mm", "nothing here"], "vr": "LO"},
      "00100010": {"Value": [{"Alphabetic": "Mueller-Schmidt^Anna Maria^Q"}], "vr": "PN"},
      "00100020": {"Value": ["P-9"], "vr": "LO"},
      "00181030": {"Value": ["QA protocol maria"], "vr": "LO"}
    })JSON";
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    model::Instance inst = walk_one(body, policy);
    const std::string study = text_of(inst, "StudyDescription");
    EXPECT_EQ(lower(study).find("mueller"), std::string::npos) << study;
    EXPECT_EQ(lower(study).find("anna"), std::string::npos) << study;
    EXPECT_EQ(lower(study).find("a-77"), std::string::npos) << study;
    EXPECT_NE(study.find("CT CHEST"), std::string::npos) << study;
    const model::Attribute* series = inst.find("SeriesDescription");
    ASSERT_NE(series, nullptr);
    EXPECT_EQ(lower(series->json).find("mueller"), std::string::npos) << series->json;
    EXPECT_EQ(lower(series->json).find("anna"), std::string::npos) << series->json;
    EXPECT_NE(series->json.find("axial"), std::string::npos) << series->json;
    EXPECT_NE(series->json.find("3mm"), std::string::npos) << series->json;
    EXPECT_NE(series->json.find("nothing here"), std::string::npos) << series->json;
    const std::string protocol = text_of(inst, "ProtocolName");
    EXPECT_EQ(lower(protocol).find("maria"), std::string::npos) << protocol;
    // A one-letter name component does not eat every letter q.
    EXPECT_NE(protocol.find("QA protocol"), std::string::npos) << protocol;
}

TEST(Policy, CleaningMatchesLatin1CaseAndEveryNameGroup) {
    const std::string body = R"JSON({
      "00081030": {"Value": ["MR MÜLLER knee"], "vr": "LO"},
      "0008103E": {"Value": ["t2 山田 太郎 sag", "Yamada ax"], "vr": "LO"},
      "00100010": {"Value": [{"Alphabetic": "Müller^Jörg", "Ideographic": "山田^太郎", "Phonetic": "やまだ^たろう"}], "vr": "PN"},
      "00100020": {"Value": ["P-1"], "vr": "LO"}
    })JSON";
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    model::Instance inst = walk_one(body, policy);
    const std::string study = text_of(inst, "StudyDescription");
    EXPECT_EQ(study.find("MÜLLER"), std::string::npos) << study;
    EXPECT_NE(study.find("knee"), std::string::npos) << study;
    const model::Attribute* series = inst.find("SeriesDescription");
    ASSERT_NE(series, nullptr);
    EXPECT_EQ(series->json.find("山田"), std::string::npos) << series->json;
    EXPECT_EQ(series->json.find("太郎"), std::string::npos) << series->json;
    EXPECT_NE(series->json.find("Yamada ax"), std::string::npos) << "an unrelated word was removed";
}

TEST(Policy, AReferenceSequenceWithAWrongVrIsRemoved) {
    // Referenced Image Sequence is X/Z/U*: walked into when it is a sequence, removed otherwise.
    EXPECT_EQ(resolve_rule(0x00081140, "SQ"), Rule::keep_sequence);
    EXPECT_EQ(resolve_rule(0x00081140, "LO"), Rule::remove);
}

TEST(Policy, DescriptorsAreRemovedWithoutCleanDescriptorsAndKeptAsIsWhenNothingMatches) {
    Pseudonymizer p(kSecret, 1);
    Policy without(p, ProfileOptions::parse("retain-long-modified-dates"));
    model::Instance inst = walk_one(kFullBody, without);
    EXPECT_EQ(inst.find("SeriesDescription"), nullptr);
    EXPECT_EQ(inst.find("StudyDescription"), nullptr);
    EXPECT_EQ(inst.find("ProtocolName"), nullptr);
    EXPECT_EQ(inst.find("RequestAttributesSequence[0].ScheduledProcedureStepDescription"), nullptr);

    Policy with(p, ProfileOptions::defaults());
    model::Instance clean = walk_one(R"JSON({"00100020": {"vr": "LO", "Value": ["P1"]},
                                              "0008103E": {"vr": "LO", "Value": ["t2 tse tra"]}})JSON",
                                     with);
    EXPECT_EQ(text_of(clean, "SeriesDescription"), "t2 tse tra");
}

// ---------------------------------------------------------------------------------------------
// Structured content

const std::string kSrBody = R"JSON({
  "00100020": {"vr": "LO", "Value": ["PID-SR"]},
  "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Srpatient^Sam"}]},
  "0040A730": {"vr": "SQ", "Value": [{
    "0040A010": {"vr": "CS", "Value": ["CONTAINS"]},
    "0040A040": {"vr": "CS", "Value": ["CONTAINER"]},
    "0040A730": {"vr": "SQ", "Value": [{
      "0040A040": {"vr": "CS", "Value": ["TEXT"]},
      "0040A160": {"vr": "UT", "Value": ["Patient Srpatient said CANARYTEXT"]}
    }, {
      "0040A040": {"vr": "CS", "Value": ["PNAME"]},
      "0040A123": {"vr": "PN", "Value": [{"Alphabetic": "Canaryobserver^Olga"}]}
    }, {
      "0040A040": {"vr": "CS", "Value": ["NUM"]},
      "0040A043": {"vr": "SQ", "Value": [{"00080100": {"vr": "SH", "Value": ["113830"]},
                                          "00080102": {"vr": "SH", "Value": ["DCM"]},
                                          "00080104": {"vr": "LO", "Value": ["Mean CTDIvol"]}}]},
      "0040A300": {"vr": "SQ", "Value": [{
        "0040A30A": {"vr": "DS", "Value": ["12.75"]},
        "004008EA": {"vr": "SQ", "Value": [{"00080100": {"vr": "SH", "Value": ["mGy"]},
                                            "00080102": {"vr": "SH", "Value": ["UCUM"]}}]}
      }]}
    }, {
      "0040A040": {"vr": "CS", "Value": ["CODE"]},
      "0040A043": {"vr": "SQ", "Value": [{"00080100": {"vr": "SH", "Value": ["123014"]},
                                          "00080102": {"vr": "SH", "Value": ["DCM"]},
                                          "00080104": {"vr": "LO", "Value": ["Target Region"]}}]},
      "0040A168": {"vr": "SQ", "Value": [{"00080100": {"vr": "SH", "Value": ["T-A0100"]},
                                          "00080102": {"vr": "SH", "Value": ["SRT"]}}]}
    }, {
      "0040A040": {"vr": "CS", "Value": ["UIDREF"]},
      "0040A124": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.2.1125.777"]}
    }, {
      "0040A040": {"vr": "CS", "Value": ["CONTAINER"]},
      "0040A730": {"vr": "SQ", "Value": [{
        "0040A040": {"vr": "CS", "Value": ["TEXT"]},
        "0040A160": {"vr": "UT", "Value": ["deep CANARYTEXT"]},
        "0040A30A": {"vr": "DS", "Value": ["7"]}
      }]}
    }]}
  }]}
})JSON";

TEST(Policy, StructuredContentKeepsMeasurementsCodesAndUidsButNoFreeTextOrNames) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    model::Instance inst = walk_one(kSrBody, policy);
    expect_no_canary(inst, {"CANARYTEXT", "Canaryobserver", "Olga", "Srpatient", "PID-SR", kUidRoot}, "SR");
    for (const auto& a : inst.attributes) {
        EXPECT_NE(a.tag, 0x0040A160u) << a.path;
        EXPECT_NE(a.tag, 0x0040A123u) << a.path;
    }
    const std::string item = "ContentSequence[0].ContentSequence[";
    const model::Attribute* num = inst.find(item + "2].MeasuredValueSequence[0].NumericValue");
    ASSERT_NE(num, nullptr);
    EXPECT_EQ(num->depth, 3);
    EXPECT_DOUBLE_EQ(num->number, 12.75);
    EXPECT_EQ(text_of(inst, item + "2].MeasuredValueSequence[0].MeasurementUnitsCodeSequence[0].CodeValue"), "mGy");
    EXPECT_EQ(text_of(inst, item + "2].ConceptNameCodeSequence[0].CodeValue"), "113830");
    EXPECT_EQ(text_of(inst, item + "2].ConceptNameCodeSequence[0].CodeMeaning"), "Mean CTDIvol");
    EXPECT_EQ(text_of(inst, item + "3].ConceptNameCodeSequence[0].CodeValue"), "123014");
    EXPECT_EQ(text_of(inst, item + "3].ConceptCodeSequence[0].CodeValue"), "T-A0100");
    EXPECT_EQ(text_of(inst, item + "4].UID"), p.uid(kUidRoot + "777"));
    EXPECT_EQ(text_of(inst, item + "0].ValueType"), "TEXT");
    EXPECT_EQ(text_of(inst, item + "5].ContentSequence[0].NumericValue"), "7");
    EXPECT_EQ(text_of(inst, "ContentSequence[0].RelationshipType"), "CONTAINS");
}

TEST(Policy, WithoutCleanStructuredContentTheContentTreeIsRemoved) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::parse("retain-device-identity,clean-descriptors,retain-long-modified-dates"));
    model::Instance inst = walk_one(kSrBody, policy);
    for (const auto& a : inst.attributes) EXPECT_EQ(a.path.find("ContentSequence"), std::string::npos) << a.path;
    EXPECT_NE(inst.find("PatientIdentityRemoved"), nullptr);
}

// ---------------------------------------------------------------------------------------------
// Private attributes

const std::string kPrivateBody = R"JSON({
  "00100020": {"vr": "LO", "Value": ["PID-P"]},
  "00190010": {"vr": "LO", "Value": ["ACME CORP"]},
  "00190011": {"vr": "LO", "Value": ["OTHER"]},
  "00191001": {"vr": "DS", "Value": ["42.5"]},
  "00191002": {"vr": "LO", "Value": ["CANARY-1002"]},
  "00191101": {"vr": "LO", "Value": ["CANARY-OTHER-1101"]},
  "00210010": {"vr": "LO", "Value": ["ACME CORP"]},
  "00211001": {"vr": "LO", "Value": ["CANARY-GROUP-21"]},
  "00290010": {"Value": ["ACME CORP"], "vr": "LO"},
  "00291001": {"Value": ["CANARY-GROUP-29"], "vr": "LO"},
  "00400275": {"vr": "SQ", "Value": [{
    "00190012": {"Value": ["ACME CORP "], "vr": "LO"},
    "00191201": {"Value": ["7"], "vr": "IS"},
    "00191202": {"Value": ["CANARY-NESTED-1202"], "vr": "LO"},
    "00191001": {"vr": "LO", "Value": ["CANARY-NO-CREATOR"]}
  }]}
})JSON";

TEST(Policy, PrivateAttributesAreRemovedByDefault) {
    Pseudonymizer p(kSecret, 1);
    for (const char* opts : {"", "retain-long-modified-dates,clean-descriptors"}) {
        Policy policy(p, ProfileOptions::parse(opts), parse_safe_private("ACME CORP/0019,01"));
        model::Instance inst = walk_one(kPrivateBody, policy);
        for (const auto& a : inst.attributes) EXPECT_FALSE(model::is_private(a.tag)) << opts << ": " << a.path;
        expect_no_canary(inst, {"ACME", "CANARY", "42.5"}, opts);
    }
    // retain-safe-private with an empty list keeps nothing private either.
    Policy empty_list(p, ProfileOptions::parse("retain-safe-private"));
    model::Instance inst = walk_one(kPrivateBody, empty_list);
    for (const auto& a : inst.attributes) EXPECT_FALSE(model::is_private(a.tag)) << a.path;
}

TEST(Policy, RetainSafePrivateKeepsOnlyListedElementsOfTheirCreator) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::parse("retain-safe-private,retain-long-modified-dates,clean-descriptors"),
                  parse_safe_private("ACME CORP/0019,01"));
    model::Instance inst = walk_one(kPrivateBody, policy);
    const model::Attribute* kept = inst.find("00191001");
    ASSERT_NE(kept, nullptr);
    EXPECT_DOUBLE_EQ(kept->number, 42.5);
    EXPECT_EQ(inst.find("00191002"), nullptr);  // same creator, element not listed
    EXPECT_EQ(inst.find("00191101"), nullptr);  // same element byte, other creator's block
    EXPECT_EQ(inst.find("00211001"), nullptr);  // same creator and element, other group
    EXPECT_EQ(inst.find("00291001"), nullptr);
    EXPECT_EQ(inst.find("00190011"), nullptr);  // the other creator itself
    // In a sequence item, the item's own creator counts: block 12 is ACME CORP there.
    EXPECT_EQ(text_of(inst, "RequestAttributesSequence[0].00191201"), "7");
    EXPECT_EQ(inst.find("RequestAttributesSequence[0].00191202"), nullptr);
    // (0019,1001) in the item has no creator in that item: not safe.
    EXPECT_EQ(inst.find("RequestAttributesSequence[0].00191001"), nullptr);
    expect_no_canary(inst, {"CANARY"}, "safe private");
    for (const auto& a : inst.attributes)
        if (model::is_private(a.tag)) {
            EXPECT_EQ(model::tag_group(a.tag), 0x0019) << a.path;
            const auto element = model::tag_element(a.tag);
            EXPECT_TRUE(element <= 0x00FF || (element & 0xFF) == 0x01) << a.path;
        }
}

TEST(Policy, SafePrivateDecisionUsesTheCreatorFromTheContext) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::parse("retain-safe-private"), parse_safe_private("ACME CORP/0019,01"));
    const std::vector<model::TagKey> parents;
    auto decide = [&](model::TagKey tag, const char* vr, std::string_view creator) {
        model::AttributeContext ctx{parents, creator, nullptr};
        return policy.decide(tag, vr, ctx);
    };
    EXPECT_EQ(decide(0x00191001, "DS", "ACME CORP"), Action::keep);
    EXPECT_EQ(decide(0x00192301, "DS", "ACME CORP"), Action::keep);  // any block owned by the creator
    EXPECT_EQ(decide(0x00191001, "DS", "ACME CORP  "), Action::keep);  // trailing padding
    EXPECT_EQ(decide(0x00191001, "DS", "OTHER"), Action::drop);
    EXPECT_EQ(decide(0x00191001, "DS", ""), Action::drop);
    EXPECT_EQ(decide(0x00191002, "DS", "ACME CORP"), Action::drop);
    EXPECT_EQ(decide(0x001B1001, "DS", "ACME CORP"), Action::drop);
    EXPECT_EQ(decide(0x00190010, "LO", "ACME CORP"), Action::keep);  // the creator element itself
    EXPECT_EQ(decide(0x00190010, "LO", "OTHER"), Action::drop);

    Policy no_option(p, ProfileOptions(), parse_safe_private("ACME CORP/0019,01"));
    model::AttributeContext ctx{parents, "ACME CORP", nullptr};
    EXPECT_EQ(no_option.decide(0x00191001, "DS", ctx), Action::drop);
}

TEST(Policy, ParseSafePrivate) {
    auto list = parse_safe_private(" ACME CORP/0019,01 ;SIEMENS MR HEADER/0029,0C;; GEMS_ACQU_01/0019,a4 ; ");
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[0].creator, "ACME CORP");
    EXPECT_EQ(list[0].group, 0x0019);
    EXPECT_EQ(list[0].element, 0x01);
    EXPECT_EQ(list[1].creator, "SIEMENS MR HEADER");
    EXPECT_EQ(list[1].group, 0x0029);
    EXPECT_EQ(list[1].element, 0x0C);
    EXPECT_EQ(list[2].creator, "GEMS_ACQU_01");
    EXPECT_EQ(list[2].element, 0xA4);
    // A creator may contain a slash: the last one separates.
    auto slash = parse_safe_private("A/B CORP/0009,10");
    ASSERT_EQ(slash.size(), 1u);
    EXPECT_EQ(slash[0].creator, "A/B CORP");
    EXPECT_EQ(slash[0].group, 0x0009);
    EXPECT_TRUE(parse_safe_private("").empty());
    EXPECT_TRUE(parse_safe_private(" ; ").empty());
}

TEST(Policy, ParseSafePrivateErrors) {
    for (const char* bad : {"ACME CORP", "ACME CORP/0018,01", "/0019,01", "ACME/0019", "ACME/00zz,01",
                            "ACME/0019,001", "ACME/0019,1001", "ACME/0019;01", "ACME/0019,01x",
                            "GOOD/0019,01;BAD/0020,01"}) {
        try {
            parse_safe_private(bad);
            ADD_FAILURE() << "accepted: " << bad;
        } catch (const ConfigError& e) {
            EXPECT_NE(std::string(e.what()).find("CREATOR/gggg,ee"), std::string::npos) << e.what();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The record of what was done (finish_instance)

TEST(Policy, FinishRecordsTheMethodAndReplacesTheSourcesRecord) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    model::Instance inst = walk_one(kFullBody, policy);
    EXPECT_EQ(count_path(inst, "PatientIdentityRemoved"), 1);
    EXPECT_EQ(text_of(inst, "PatientIdentityRemoved"), "YES");
    EXPECT_EQ(inst.find("PatientIdentityRemoved")->json, "\"YES\"");
    EXPECT_EQ(inst.find("PatientIdentityRemoved")->tag, 0x00120062u);
    EXPECT_EQ(std::string(inst.find("PatientIdentityRemoved")->vr, 2), "CS");
    EXPECT_EQ(count_path(inst, "DeidentificationMethod"), 1);
    const std::string method = text_of(inst, "DeidentificationMethod");
    EXPECT_EQ(method.rfind("dicomlake ", 0), 0u) << method;
    EXPECT_EQ(method, policy.method_text());  // whole: the warehouse is not bound by LO's 64 characters
    EXPECT_NE(policy.method_text().find("PS3.15"), std::string::npos);
    EXPECT_NE(policy.method_text().find("2024b"), std::string::npos);
    EXPECT_NE(policy.method_text().find(ProfileOptions::defaults().to_string()), std::string::npos);
    EXPECT_EQ(count_path(inst, "LongitudinalTemporalInformationModified"), 1);
    EXPECT_EQ(text_of(inst, "LongitudinalTemporalInformationModified"), "MODIFIED");

    const auto codes = ProfileOptions::defaults().method_codes();
    ASSERT_EQ(codes.size(), 6u);
    int items = 0;
    for (const auto& a : inst.attributes)
        if (a.path.rfind("DeidentificationMethodCodeSequence[", 0) == 0 && a.tag == 0x00080100u) ++items;
    EXPECT_EQ(items, 6);
    for (size_t i = 0; i < codes.size(); ++i) {
        const std::string item = "DeidentificationMethodCodeSequence[" + std::to_string(i) + "].";
        EXPECT_EQ(text_of(inst, item + "CodeValue"), codes[i].first) << i;
        EXPECT_EQ(text_of(inst, item + "CodingSchemeDesignator"), "DCM") << i;
        EXPECT_EQ(text_of(inst, item + "CodeMeaning"), codes[i].second) << i;
        ASSERT_NE(inst.find(item + "CodeValue"), nullptr);
        EXPECT_EQ(inst.find(item + "CodeValue")->depth, 1);
    }
    EXPECT_EQ(text_of(inst, "DeidentificationMethodCodeSequence[0].CodeValue"), "113100");
    EXPECT_EQ(text_of(inst, "DeidentificationMethodCodeSequence[1].CodeValue"), "113109");
    EXPECT_EQ(text_of(inst, "DeidentificationMethodCodeSequence[3].CodeValue"), "113107");
    EXPECT_EQ(text_of(inst, "DeidentificationMethodCodeSequence[4].CodeValue"), "113105");
    expect_no_canary(inst, {"999999", "Foreign Method", "someone else"}, "source record");
}

TEST(Policy, FinishRecordsEveryOptionAndTheLongitudinalState) {
    Pseudonymizer p(kSecret, 1);
    const std::string body = R"JSON({"00100020": {"vr": "LO", "Value": ["P1"]},
                                     "00120062": {"vr": "CS", "Value": ["NO"]}})JSON";
    struct Case {
        const char* options;
        const char* longitudinal;
    };
    for (const Case& c : {Case{"", "REMOVED"}, Case{"retain-long-full-dates", "UNMODIFIED"},
                          Case{"retain-long-modified-dates", "MODIFIED"},
                          Case{"retain-safe-private,retain-uids,retain-device-identity,retain-institution-identity,"
                               "retain-patient-characteristics,retain-long-modified-dates,clean-descriptors,"
                               "clean-structured-content,clean-graphics",
                               "MODIFIED"}}) {
        ProfileOptions o = ProfileOptions::parse(c.options);
        Policy policy(p, o);
        model::Instance inst = walk_one(body, policy);
        EXPECT_EQ(count_path(inst, "PatientIdentityRemoved"), 1) << c.options;
        EXPECT_EQ(text_of(inst, "PatientIdentityRemoved"), "YES") << c.options;
        EXPECT_EQ(text_of(inst, "LongitudinalTemporalInformationModified"), c.longitudinal) << c.options;
        const auto codes = o.method_codes();
        for (size_t i = 0; i < codes.size(); ++i)
            EXPECT_EQ(text_of(inst, "DeidentificationMethodCodeSequence[" + std::to_string(i) + "].CodeValue"),
                      codes[i].first)
                << c.options;
        EXPECT_EQ(inst.find("DeidentificationMethodCodeSequence[" + std::to_string(codes.size()) + "].CodeValue"),
                  nullptr)
            << c.options;
    }
}

// ---------------------------------------------------------------------------------------------
// Patient's age

model::Instance age_instance(const Policy& policy, const std::string& birth, const std::string& study,
                             const std::string& age = "") {
    std::string body = R"({"00100020": {"vr": "LO", "Value": ["P-AGE"]})";
    if (!birth.empty()) body += R"(, "00100030": {"vr": "DA", "Value": [")" + birth + R"("]})";
    if (!study.empty()) body += R"(, "00080020": {"vr": "DA", "Value": [")" + study + R"("]})";
    if (!age.empty()) body += R"(, "00101010": {"vr": "AS", "Value": [")" + age + R"("]})";
    body += "}";
    return walk_one(body, policy);
}

TEST(Policy, PatientAgeIsComputedFromTheRealDatesWhenAbsent) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    model::Instance inst = age_instance(policy, "19800615", "20251103");
    EXPECT_EQ(count_path(inst, "PatientAge"), 1);
    const model::Attribute* age = inst.find("PatientAge");
    ASSERT_NE(age, nullptr);
    EXPECT_EQ(age->text, "045Y");
    EXPECT_EQ(age->json, "\"045Y\"");
    EXPECT_EQ(age->tag, 0x00101010u);
    EXPECT_EQ(std::string(age->vr, 2), "AS");
    EXPECT_EQ(age->depth, 0);
    // Birthday not reached yet on the study date: one year less; on the birthday: the full year.
    EXPECT_EQ(text_of(age_instance(policy, "19800615", "20250614"), "PatientAge"), "044Y");
    EXPECT_EQ(text_of(age_instance(policy, "19800615", "20250615"), "PatientAge"), "045Y");
    EXPECT_EQ(text_of(age_instance(policy, "19801231", "20250101"), "PatientAge"), "044Y");
    EXPECT_EQ(text_of(age_instance(policy, "20250101", "20250601"), "PatientAge"), "000Y");
    EXPECT_EQ(text_of(age_instance(policy, "19191231", "20250101"), "PatientAge"), "105Y");
    // The birth date itself is never stored.
    expect_no_canary(inst, {"1980"}, "age");
}

TEST(Policy, PatientAgeIsNotComputedWhenPresentOrNotRetainedOrUnknowable) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    model::Instance present = age_instance(policy, "19800615", "20251103", "030Y");
    EXPECT_EQ(count_path(present, "PatientAge"), 1);
    EXPECT_EQ(text_of(present, "PatientAge"), "030Y");
    EXPECT_EQ(age_instance(policy, "", "20251103").find("PatientAge"), nullptr);
    EXPECT_EQ(age_instance(policy, "19800615", "").find("PatientAge"), nullptr);
    EXPECT_EQ(age_instance(policy, "20300101", "20251103").find("PatientAge"), nullptr);  // born after the study
    EXPECT_EQ(age_instance(policy, "1980", "20251103").find("PatientAge"), nullptr);

    Policy without(p, ProfileOptions::parse("retain-long-modified-dates,clean-descriptors"));
    EXPECT_EQ(age_instance(without, "19800615", "20251103").find("PatientAge"), nullptr);
    EXPECT_EQ(age_instance(without, "19800615", "20251103", "030Y").find("PatientAge"), nullptr);
}

// ---------------------------------------------------------------------------------------------
// Keys

TEST(Policy, PatientAndAccessionKeys) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    auto keys = [&](const std::string& id, const std::string& issuer, const std::string& accession) {
        std::string body = R"({"00100020": {"vr": "LO", "Value": [")" + id + R"("]})";
        if (!issuer.empty()) body += R"(, "00100021": {"vr": "LO", "Value": [")" + issuer + R"("]})";
        if (!accession.empty()) body += R"(, "00080050": {"vr": "SH", "Value": [")" + accession + R"("]})";
        return walk_one(body + "}", policy);
    };
    model::Instance a = keys("PID1", "HOSP-A", "ACC1");
    model::Instance a_again = keys("PID1", "HOSP-A", "ACC1");
    model::Instance b = keys("PID1", "HOSP-B", "ACC1");
    model::Instance c = keys("PID2", "HOSP-A", "ACC2");
    model::Instance no_issuer = keys("PID1", "", "");
    EXPECT_EQ(a.patient_key.size(), 32u);
    EXPECT_EQ(a.patient_key.find_first_not_of("0123456789abcdef"), std::string::npos) << a.patient_key;
    EXPECT_EQ(a.patient_key, a_again.patient_key);
    EXPECT_NE(a.patient_key, b.patient_key);  // same ID from another issuer: another patient
    EXPECT_NE(a.patient_key, c.patient_key);
    EXPECT_NE(a.patient_key, no_issuer.patient_key);
    EXPECT_FALSE(no_issuer.patient_key.empty());
    EXPECT_NE(a.patient_key, p.token(Purpose::patient, "PID1"));
    EXPECT_EQ(a.accession_key, p.token(Purpose::accession, "ACC1"));
    EXPECT_EQ(a.accession_key, b.accession_key);
    EXPECT_NE(a.accession_key, c.accession_key);
    EXPECT_NE(a.accession_key, a.patient_key);
    EXPECT_TRUE(no_issuer.accession_key.empty());
    // Different issuers also give different date shifts.
    EXPECT_EQ(a.date_shift_days, policy.date_offset_days("PID1", "HOSP-A"));
    EXPECT_EQ(b.date_shift_days, policy.date_offset_days("PID1", "HOSP-B"));

    // The key does not depend on the options.
    Policy full(p, ProfileOptions::parse("retain-long-full-dates"));
    auto f = model::parse_metadata(R"({"00100020": {"vr": "LO", "Value": ["PID1"]},
                                       "00100021": {"vr": "LO", "Value": ["HOSP-A"]}})",
                                   full);
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].patient_key, a.patient_key);
    EXPECT_EQ(f[0].date_shift_days, 0);
    auto none = model::parse_metadata(R"({"00080060": {"vr": "CS", "Value": ["MR"]}})", full);
    ASSERT_EQ(none.size(), 1u);
    EXPECT_TRUE(none[0].patient_key.empty());
    EXPECT_TRUE(none[0].accession_key.empty());
}

// ---------------------------------------------------------------------------------------------
// What the warehouse is for survives

TEST(Policy, AnalyticAttributesSurviveUnderDefaults) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    model::Instance inst = walk_one(kFullBody, policy);
    EXPECT_EQ(text_of(inst, "DeviceSerialNumber"), "SN-4711");
    EXPECT_EQ(text_of(inst, "ManufacturerModelName"), "MAGNETOM Vida");
    EXPECT_EQ(text_of(inst, "Manufacturer"), "ACME Medical");
    EXPECT_EQ(text_of(inst, "PatientAge"), "045Y");  // computed: 1980-06-15 to 2025-11-03
    EXPECT_EQ(text_of(inst, "PatientSex"), "F");
    ASSERT_NE(inst.find("PatientSize"), nullptr);
    EXPECT_DOUBLE_EQ(inst.find("PatientSize")->number, 1.68);
    ASSERT_NE(inst.find("PatientWeight"), nullptr);
    EXPECT_DOUBLE_EQ(inst.find("PatientWeight")->number, 62.5);
    ASSERT_NE(inst.find("NumberOfAverages"), nullptr);
    EXPECT_DOUBLE_EQ(inst.find("NumberOfAverages")->number, 1);
    ASSERT_NE(inst.find("RepetitionTime"), nullptr);
    EXPECT_DOUBLE_EQ(inst.find("RepetitionTime")->number, 2300);
    ASSERT_NE(inst.find("EchoTime"), nullptr);
    EXPECT_DOUBLE_EQ(inst.find("EchoTime")->number, 2.98);
    ASSERT_NE(inst.find("CTDIvol"), nullptr);
    EXPECT_DOUBLE_EQ(inst.find("CTDIvol")->number, 12.75);
    EXPECT_EQ(text_of(inst, "SharedFunctionalGroupsSequence[0].MRAveragesSequence[0].NumberOfAverages"), "2");
    EXPECT_EQ(text_of(inst, "ImageType"), "ORIGINAL");
    EXPECT_EQ(text_of(inst, "SpecificCharacterSet"), "ISO_IR 192");
}

TEST(Policy, DecideDropsFreeTextAndTheSourcesRecordUnderEveryOption) {
    Pseudonymizer p(kSecret, 1);
    ProfileOptions all;
    for (int i = 0; i < kProfileOptionCount; ++i)
        if (static_cast<ProfileOption>(i) != ProfileOption::retain_long_full_dates) all.set(static_cast<ProfileOption>(i));
    Policy policy(p, all);
    const std::vector<model::TagKey> parents = {0x0040A730, 0x0040A730};
    model::AttributeContext ctx{parents, {}, nullptr};
    EXPECT_EQ(policy.decide(0x0040A160, "UT", ctx), Action::drop);
    EXPECT_EQ(policy.decide(0x00120062, "CS", ctx), Action::drop);
    EXPECT_EQ(policy.decide(0x00120063, "LO", ctx), Action::drop);
    EXPECT_EQ(policy.decide(0x00120064, "SQ", ctx), Action::drop);
    EXPECT_EQ(policy.decide(0x00280303, "CS", ctx), Action::drop);
    EXPECT_EQ(policy.decide(0x0040A123, "PN", ctx), Action::drop);
    EXPECT_EQ(policy.decide(0x0040A30A, "DS", ctx), Action::keep);
    EXPECT_EQ(policy.decide(0x0040A120, "DT", ctx), Action::shift_date);
    EXPECT_EQ(policy.decide(0x0008103E, "LO", ctx), Action::clean_text);
    EXPECT_EQ(policy.decide(0x0020000D, "UI", ctx), Action::keep);  // retain-uids
    EXPECT_EQ(policy.decide(0x0040A124, "UI", ctx), Action::replace_uid);  // SR UID: U without K
    // A UID rule on a value that is not a UI removes it rather than keeping it.
    Policy basic(p, ProfileOptions());
    EXPECT_EQ(basic.decide(0x0020000D, "LO", ctx), Action::drop);
    EXPECT_EQ(basic.decide(0x0020000D, "UI", ctx), Action::replace_uid);
}

}  // namespace
}  // namespace dicomlake::deid
