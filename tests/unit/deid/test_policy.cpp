// deid/policy: the baseline de-identification profile, decided per attribute during the walk.
#include "deid/policy.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "model/dictionary.hpp"

namespace dicomlake::deid {
namespace {

using Action = model::AttributeFilter::Action;

const std::string kSecret = "policy-test-secret-0123456789abcdef";

Action decide(const BaselinePolicy& policy, model::TagKey tag, std::string_view vr,
              const std::vector<model::TagKey>& parents = {}) {
    model::AttributeContext ctx{parents};
    return policy.decide(tag, vr, ctx);
}

TEST(Policy, DropsDirectIdentifiers) {
    Pseudonymizer p(kSecret, 1);
    BaselinePolicy policy(p);
    EXPECT_EQ(decide(policy, 0x00100010, "PN"), Action::drop);  // PatientName
    EXPECT_EQ(decide(policy, 0x00100020, "LO"), Action::drop);  // PatientID
    EXPECT_EQ(decide(policy, 0x00100030, "DA"), Action::drop);  // PatientBirthDate
    EXPECT_EQ(decide(policy, 0x00080050, "SH"), Action::drop);  // AccessionNumber
    EXPECT_EQ(decide(policy, 0x00101002, "SQ"), Action::drop);  // OtherPatientIDsSequence
    EXPECT_EQ(decide(policy, 0x0040A160, "UT"), Action::drop);  // TextValue
    EXPECT_EQ(decide(policy, 0x00081120, "SQ"), Action::drop);  // ReferencedPatientSequence
    // ... at any depth.
    EXPECT_EQ(decide(policy, 0x00100020, "LO", {0x00400275}), Action::drop);
    EXPECT_EQ(decide(policy, 0x00080050, "SH", {0x00400275, 0x00081110, 0x00081115}), Action::drop);
}

TEST(Policy, DropsEveryPersonNameAndEveryPrivateTag) {
    Pseudonymizer p(kSecret, 1);
    BaselinePolicy policy(p);
    EXPECT_EQ(decide(policy, 0x00080090, "PN"), Action::drop);  // ReferringPhysicianName
    EXPECT_EQ(decide(policy, 0x00081070, "PN"), Action::drop);  // OperatorsName
    EXPECT_EQ(decide(policy, 0x0040A123, "PN", {0x0040A730, 0x0040A730}), Action::drop);
    EXPECT_EQ(decide(policy, 0x12345678, "PN"), Action::drop);  // any PN, even an unknown tag
    EXPECT_EQ(decide(policy, 0x00291010, "LO"), Action::drop);
    EXPECT_EQ(decide(policy, 0x2001100B, "CS"), Action::drop);
    EXPECT_EQ(decide(policy, 0x2005140F, "SQ"), Action::drop);
    EXPECT_EQ(decide(policy, 0x00190010, "LO"), Action::drop);  // private creator
    EXPECT_EQ(decide(policy, 0x00091001, "UI"), Action::drop);  // private beats UID replacement
}

TEST(Policy, ReplacesUidsExceptSopClasses) {
    Pseudonymizer p(kSecret, 1);
    BaselinePolicy policy(p);
    EXPECT_EQ(decide(policy, 0x0020000D, "UI"), Action::replace_uid);  // StudyInstanceUID
    EXPECT_EQ(decide(policy, 0x0020000E, "UI"), Action::replace_uid);  // SeriesInstanceUID
    EXPECT_EQ(decide(policy, 0x00080018, "UI"), Action::replace_uid);  // SOPInstanceUID
    EXPECT_EQ(decide(policy, 0x00200052, "UI"), Action::replace_uid);  // FrameOfReferenceUID
    EXPECT_EQ(decide(policy, 0x00081155, "UI", {0x00081140}), Action::replace_uid);
    EXPECT_EQ(decide(policy, 0x00080016, "UI"), Action::keep);  // SOPClassUID
    EXPECT_EQ(decide(policy, 0x00081150, "UI", {0x00081140}), Action::keep);  // ReferencedSOPClassUID
    EXPECT_EQ(policy.replace_uid("1.2.3.4"), p.uid("1.2.3.4"));
    EXPECT_EQ(policy.replace_uid("1.2.840.10008.5.1.4.1.1.4"), "1.2.840.10008.5.1.4.1.1.4");
}

TEST(Policy, KeepsAcquisitionAndDemographicSummaryAttributes) {
    Pseudonymizer p(kSecret, 1);
    BaselinePolicy policy(p);
    EXPECT_EQ(decide(policy, 0x00080060, "CS"), Action::keep);  // Modality
    EXPECT_EQ(decide(policy, 0x00180083, "DS"), Action::keep);  // NumberOfAverages
    EXPECT_EQ(decide(policy, 0x00180083, "DS", {0x52009229, 0x00189119}), Action::keep);
    EXPECT_EQ(decide(policy, 0x00181000, "LO"), Action::keep);  // DeviceSerialNumber
    EXPECT_EQ(decide(policy, 0x00101010, "AS"), Action::keep);  // PatientAge
    EXPECT_EQ(decide(policy, 0x00100040, "CS"), Action::keep);  // PatientSex
    EXPECT_EQ(decide(policy, 0x00101030, "DS"), Action::keep);  // PatientWeight
    EXPECT_EQ(decide(policy, 0x00080020, "DA"), Action::keep);  // StudyDate: dates are kept
    EXPECT_EQ(decide(policy, 0x52009229, "SQ"), Action::keep);  // walk into functional groups
    EXPECT_EQ(decide(policy, 0x00400275, "SQ"), Action::keep);  // RequestAttributesSequence: walked
}

// The removal table in policy.cpp is binary-searched: every listed tag must be found, which
// only holds when the table is sorted. Read the table from the source so that a tag added out
// of order is caught even though the table itself is private.
TEST(Policy, EveryTagOfTheRemovalTableIsDroppedAndTheTableIsSorted) {
    std::ifstream in(std::string(DICOMLAKE_SOURCE_DIR) + "/src/deid/policy.cpp");
    ASSERT_TRUE(in) << "cannot read src/deid/policy.cpp";
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string src = ss.str();
    auto begin = src.find("kRemoved");
    ASSERT_NE(begin, std::string::npos);
    auto open = src.find('{', begin);
    auto close = src.find("};", open);
    ASSERT_NE(close, std::string::npos);
    const std::string table = src.substr(open, close - open);

    std::smatch size_match;
    ASSERT_TRUE(std::regex_search(src.cbegin() + static_cast<long>(begin > 60 ? begin - 60 : 0), src.cbegin() + static_cast<long>(open),
                                  size_match, std::regex(R"(TagKey,\s*(\d+)>)")));
    const size_t declared = std::stoul(size_match[1]);

    std::regex entry(R"((0x[0-9A-Fa-f]{8}),\s*//\s*(\w+))");
    std::vector<std::pair<model::TagKey, std::string>> tags;
    for (std::sregex_iterator it(table.begin(), table.end(), entry), end; it != end; ++it)
        tags.emplace_back(static_cast<model::TagKey>(std::stoul((*it)[1], nullptr, 16)), (*it)[2]);
    ASSERT_EQ(tags.size(), declared);
    ASSERT_GE(tags.size(), 30u);

    Pseudonymizer p(kSecret, 1);
    BaselinePolicy policy(p);
    for (size_t i = 0; i < tags.size(); ++i) {
        const auto& [tag, comment] = tags[i];
        if (i > 0) {
            EXPECT_LT(tags[i - 1].first, tag) << "kRemoved is not sorted at " << model::tag_hex(tag);
        }
        // "LO" so that neither the PN nor the UID rule decides: only the table can drop it.
        EXPECT_EQ(decide(policy, tag, "LO"), Action::drop) << model::tag_hex(tag);
        EXPECT_EQ(decide(policy, tag, "SQ", {0x00400275, 0x00081110}), Action::drop) << model::tag_hex(tag);
        // The comment names the tag: a typo in a hex number shows up here.
        EXPECT_EQ(model::keyword_for(tag), comment) << model::tag_hex(tag);
    }
}

// End to end: a realistic body with identifiers at depths 0-3 walked under the policy.
TEST(Policy, WalkLeavesNoIdentifierAnywhere) {
    const std::string body = R"JSON([{
      "00080016": {"vr": "UI", "Value": ["1.2.840.10008.5.1.4.1.1.4"]},
      "00080018": {"vr": "UI", "Value": ["1.2.3.4.5.6.300"]},
      "00080020": {"vr": "DA", "Value": ["20261103"]},
      "00080050": {"vr": "SH", "Value": ["ACC98765"]},
      "00080060": {"vr": "CS", "Value": ["MR"]},
      "00080080": {"vr": "LO", "Value": ["General Hospital"]},
      "00080081": {"vr": "ST", "Value": ["1 Hospital Road"]},
      "00080090": {"vr": "PN", "Value": [{"Alphabetic": "Referring^Ray"}]},
      "00081070": {"vr": "PN", "Value": [{"Alphabetic": "Operator^Otto"}]},
      "00081120": {"vr": "SQ", "Value": [{"00081155": {"vr": "UI", "Value": ["1.2.3.4.5.6.900"]}}]},
      "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Doe^John", "Ideographic": "山田^太郎"}]},
      "00100020": {"vr": "LO", "Value": ["PID12345"]},
      "00100021": {"vr": "LO", "Value": ["ISSUERX"]},
      "00100030": {"vr": "DA", "Value": ["19700101"]},
      "00100040": {"vr": "CS", "Value": ["M"]},
      "00101002": {"vr": "SQ", "Value": [{"00100020": {"vr": "LO", "Value": ["OTHERPID1"]},
                                          "00100021": {"vr": "LO", "Value": ["ISSUERX"]}}]},
      "00101010": {"vr": "AS", "Value": ["045Y"]},
      "00101030": {"vr": "DS", "Value": ["80"]},
      "00101040": {"vr": "LO", "Value": ["12 Patient Street"]},
      "00180083": {"vr": "DS", "Value": ["2"]},
      "00181000": {"vr": "LO", "Value": ["SN123"]},
      "0020000D": {"vr": "UI", "Value": ["1.2.3.4.5.6.100"]},
      "0020000E": {"vr": "UI", "Value": ["1.2.3.4.5.6.200"]},
      "00200010": {"vr": "SH", "Value": ["STUDYID77"]},
      "00291010": {"vr": "LO", "Value": ["PRIVATE-SECRET"]},
      "00291011": {"vr": "SQ", "Value": [{"00100020": {"vr": "LO", "Value": ["PRIVPID"]}}]},
      "00400275": {"vr": "SQ", "Value": [{
        "00080050": {"vr": "SH", "Value": ["ACC98765"]},
        "00401001": {"vr": "SH", "Value": ["RPID555"]},
        "00400009": {"vr": "SH", "Value": ["SPSID666"]},
        "00321032": {"vr": "PN", "Value": [{"Alphabetic": "Requesting^Rita"}]},
        "00081110": {"vr": "SQ", "Value": [{
          "00081150": {"vr": "UI", "Value": ["1.2.840.10008.3.1.2.3.1"]},
          "00081155": {"vr": "UI", "Value": ["1.2.3.4.5.6.100"]},
          "00081115": {"vr": "SQ", "Value": [{
            "00100020": {"vr": "LO", "Value": ["DEEPPID3"]},
            "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Deep^Dora"}]},
            "0020000E": {"vr": "UI", "Value": ["1.2.3.4.5.6.200"]},
            "00080104": {"vr": "LO", "Value": ["kept meaning"]}
          }]}
        }]}
      }]},
      "0040A730": {"vr": "SQ", "Value": [{
        "0040A730": {"vr": "SQ", "Value": [{
          "0040A730": {"vr": "SQ", "Value": [{
            "0040A160": {"vr": "UT", "Value": ["Free text about Doe"]},
            "0040A123": {"vr": "PN", "Value": [{"Alphabetic": "Observer^Olga"}]},
            "0040A124": {"vr": "UI", "Value": ["1.2.3.4.5.6.777"]},
            "0040A040": {"vr": "CS", "Value": ["TEXT"]}
          }]}
        }]}
      }]}
    }])JSON";

    Pseudonymizer p(kSecret, 1);
    BaselinePolicy policy(p);
    auto all = model::parse_metadata(body, policy);
    ASSERT_EQ(all.size(), 1u);
    const model::Instance& inst = all[0];

    const char* identifiers[] = {
        "ACC98765", "1 Hospital Road", "Referring", "Operator", "Doe", "John", "\xE5\xB1\xB1\xE7\x94\xB0",
        "PID12345", "ISSUERX", "19700101", "1970-01-01", "OTHERPID1", "12 Patient Street", "STUDYID77",
        "PRIVATE-SECRET", "PRIVPID", "RPID555", "SPSID666", "Requesting", "DEEPPID3", "Dora", "Observer",
        "1.2.3.4.5.6.100", "1.2.3.4.5.6.200", "1.2.3.4.5.6.300", "1.2.3.4.5.6.777", "1.2.3.4.5.6.900",
    };
    for (const auto& a : inst.attributes)
        for (const char* id : identifiers) {
            EXPECT_EQ(a.json.find(id), std::string::npos) << a.path << " json holds " << id;
            EXPECT_EQ(a.text.find(id), std::string::npos) << a.path << " text holds " << id;
            EXPECT_EQ(a.path.find(id), std::string::npos) << a.path;
        }
    for (const auto& a : inst.attributes) {
        EXPECT_FALSE(model::is_private(a.tag)) << a.path;
        EXPECT_NE(std::string(a.vr, 2), "PN") << a.path;
    }

    auto text_of = [&](const std::string& path) {
        const model::Attribute* a = inst.find(path);
        return a ? a->text : std::string("<missing>");
    };
    EXPECT_EQ(text_of("Modality"), "MR");
    EXPECT_EQ(text_of("NumberOfAverages"), "2");
    EXPECT_EQ(text_of("DeviceSerialNumber"), "SN123");
    EXPECT_EQ(text_of("PatientAge"), "045Y");
    EXPECT_EQ(text_of("PatientSex"), "M");
    EXPECT_EQ(text_of("PatientWeight"), "80");
    EXPECT_EQ(text_of("StudyDate"), "2026-11-03");
    EXPECT_EQ(text_of("SOPClassUID"), "1.2.840.10008.5.1.4.1.1.4");
    EXPECT_EQ(text_of("StudyInstanceUID"), p.uid("1.2.3.4.5.6.100"));
    EXPECT_EQ(text_of("SeriesInstanceUID"), p.uid("1.2.3.4.5.6.200"));
    EXPECT_EQ(text_of("SOPInstanceUID"), p.uid("1.2.3.4.5.6.300"));
    // References keep pointing at the same (pseudonymized) objects.
    const std::string ref = "RequestAttributesSequence[0].ReferencedStudySequence[0].";
    EXPECT_EQ(text_of(ref + "ReferencedSOPInstanceUID"), p.uid("1.2.3.4.5.6.100"));
    EXPECT_EQ(text_of(ref + "ReferencedSOPClassUID"), "1.2.840.10008.3.1.2.3.1");
    EXPECT_EQ(text_of(ref + "ReferencedSeriesSequence[0].SeriesInstanceUID"), p.uid("1.2.3.4.5.6.200"));
    EXPECT_EQ(text_of(ref + "ReferencedSeriesSequence[0].CodeMeaning"), "kept meaning");
    const std::string sr = "ContentSequence[0].ContentSequence[0].ContentSequence[0].";
    EXPECT_EQ(text_of(sr + "ValueType"), "TEXT");
    EXPECT_EQ(text_of(sr + "UID"), p.uid("1.2.3.4.5.6.777"));
    EXPECT_EQ(inst.find(sr + "TextValue"), nullptr);
    EXPECT_EQ(inst.find("OtherPatientIDsSequence[0].PatientID"), nullptr);
}

}  // namespace
}  // namespace dicomlake::deid
