// deid/policy against a hostile sender: rules come from the tag (PS3.6 dictionary VR), never
// from the VR the sender wrote; free text outside Table E.1-1 is not kept unless listed;
// descriptors are cleaned of every identity token in any script; studies without PatientID
// get a study-scoped pseudo-patient. Expected values are written from PS3.6/PS3.15, not
// read from the rule table.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "deid/policy.hpp"
#include "model/dicom_json.hpp"
#include "walk_helpers.hpp"
#include "model/dictionary.hpp"
#include "util/dates.hpp"

namespace dicomlake::deid {
namespace {

const std::string kSecret = "attack-test-secret-0123456789abcdef";

using test::text_of;
using test::walk_one;

// No attribute's path, JSON or text contains `needle` (exact bytes: the needles below are
// written in every case they must not survive in).
void expect_absent(const model::Instance& inst, const std::string& needle, const std::string& label) {
    for (const auto& a : inst.attributes) {
        EXPECT_EQ(a.json.find(needle), std::string::npos) << label << ": " << a.path << " = " << a.json;
        EXPECT_EQ(a.text.find(needle), std::string::npos) << label << ": " << a.path << " = " << a.text;
    }
}

// ---------------------------------------------------------------------------------------------
// Rules by tag

TEST(PolicyAttack, DatesSentWithAnotherVrAreStillShiftedOrRemoved) {
    // PS3.6: StudyDate (0008,0020) and PatientBirthDate (0010,0030) are DA. PS3.15 E.1-1:
    // StudyDate is C under Retain Longitudinal Modified Dates (shifted), PatientBirthDate is X.
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    const std::string shifted = add_days("2025-11-03", policy.date_offset_days("PID-1", ""));
    for (const char* vr : {"LO", "UN", "SH", "CS", "DS", "TM", "DA"}) {
        const bool bytes = std::string(vr) == "UN";  // sent as bytes: not stored at all
        const std::string body = std::string(R"JSON({"00100020": {"vr": "LO", "Value": ["PID-1"]},
            "00080020": {"vr": ")JSON") + vr + R"JSON(", "Value": ["20251103"]},
            "00100030": {"vr": ")JSON" + vr + R"JSON(", "Value": ["19800615"]}})JSON";
        model::Instance inst = walk_one(body, policy);
        EXPECT_EQ(text_of(inst, "StudyDate"), bytes ? "<missing>" : shifted) << vr;
        EXPECT_EQ(inst.find("PatientBirthDate"), nullptr) << vr;
        for (const char* real : {"20251103", "2025-11-03", "19800615", "1980-06-15"}) expect_absent(inst, real, vr);
    }
}

TEST(PolicyAttack, TextInADateAttributeIsNotStored) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    model::Instance inst = walk_one(R"JSON({"00100020": {"vr": "LO", "Value": ["PID-1"]},
        "00080020": {"vr": "LO", "Value": ["Jane Doe"]},
        "00080021": {"vr": "PN", "Value": [{"Alphabetic": "Doe^Jane"}]}})JSON",
                                    policy);
    expect_absent(inst, "Jane", "date as text");
    expect_absent(inst, "Doe", "date as text");
}

TEST(PolicyAttack, PersonNamesSentForOtherTagsAreRemoved) {
    // Manufacturer (LO, kept), SeriesDescription (LO, cleaned), DeviceSerialNumber (LO, K under
    // Retain Device Identity), BodyPartExamined (CS, kept): none holds a person name, so a PN
    // value there is a name where none belongs.
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    model::Instance inst = walk_one(R"JSON({"00100020": {"vr": "LO", "Value": ["PID-1"]},
        "00080070": {"vr": "PN", "Value": [{"Alphabetic": "Smith^Bob"}]},
        "0008103E": {"vr": "PN", "Value": [{"Alphabetic": "Smith^Bob"}]},
        "00181000": {"vr": "PN", "Value": [{"Alphabetic": "Smith^Bob"}]},
        "00180015": {"vr": "PN", "Value": [{"Alphabetic": "Smith^Bob"}]},
        "00081140": {"vr": "SQ", "Value": [{"00080070": {"vr": "PN", "Value": [{"Alphabetic": "Smith^Bob"}]}}]}
    })JSON",
                                    policy);
    expect_absent(inst, "Smith", "PN for a non-PN tag");
    expect_absent(inst, "Bob", "PN for a non-PN tag");
}

TEST(PolicyAttack, UidsSentForTextTagsAreNeverKeptRaw) {
    // Manufacturer (LO) is kept as text; sent as UI its value is a UID, which PS3.15 replaces.
    // DeviceSerialNumber is K under Retain Device Identity: as a UID it is still replaced.
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    model::Instance inst = walk_one(R"JSON({"00100020": {"vr": "LO", "Value": ["PID-1"]},
        "00080070": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.9.777"]},
        "00081090": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.9.778"]},
        "00181000": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.9.779"]}})JSON",
                                    policy);
    expect_absent(inst, "1.2.826.0.1.3680043.9.77", "UI for text");
    EXPECT_EQ(text_of(inst, "DeviceSerialNumber"), p.uid("1.2.826.0.1.3680043.9.779"));
    EXPECT_EQ(text_of(inst, "Manufacturer"), p.uid("1.2.826.0.1.3680043.9.777"));
}

TEST(PolicyAttack, TextWhereTheDictionarySaysCodeOrNumberIsRuledAsFreeText) {
    // PatientSex (CS) and PatientAge (AS) are kept under Retain Patient Characteristics, StudyTime
    // (TM) under Modified Dates; as free text they can carry anything and are not kept.
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    model::Instance inst = walk_one(R"JSON({"00100020": {"vr": "LO", "Value": ["PID-1"]},
        "00100040": {"vr": "LO", "Value": ["Jane Doe"]},
        "00101010": {"vr": "LT", "Value": ["Jane Doe"]},
        "00080030": {"vr": "SH", "Value": ["Jane Doe"]},
        "00180050": {"vr": "LO", "Value": ["Jane Doe"]}})JSON",
                                    policy);
    expect_absent(inst, "Jane", "free text for coded tags");
}

TEST(PolicyAttack, SequencesSentAsValuesAndValuesAsSequencesAreNotStored) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    model::Instance inst = walk_one(R"JSON({"00100020": {"vr": "LO", "Value": ["PID-1"]},
        "00081140": {"vr": "LO", "Value": ["Jane Doe"]},
        "00080070": {"vr": "SQ", "Value": [{"00100010": {"vr": "LO", "Value": ["Jane Doe"]}}]}})JSON",
                                    policy);
    expect_absent(inst, "Jane", "SQ mismatch");
}

// ---------------------------------------------------------------------------------------------
// Attributes Table E.1-1 does not list

// WindowCenterWidthExplanation (0028,1055) LO, RetrieveURL (0008,1190) UR and
// LocalNamespaceEntityID (0040,0031) UT are not in Table E.1-1 and not on the default keep list.
TEST(PolicyAttack, UnlistedFreeTextIsRemovedAtEveryDepth) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    model::Instance inst = walk_one(R"JSON({"00100020": {"vr": "LO", "Value": ["PID-1"]},
        "00281055": {"vr": "LO", "Value": ["Rexcanary Name"]},
        "00081190": {"vr": "UR", "Value": ["http://pacs/studies/1.2.826.0.1.3680043.9.555"]},
        "00081140": {"vr": "SQ", "Value": [{
            "00281055": {"vr": "LO", "Value": ["Rexcanary Depth1"]},
            "00081140": {"vr": "SQ", "Value": [{"00281055": {"vr": "LT", "Value": ["Rexcanary Depth2"]}}]}}]},
        "0040A730": {"vr": "SQ", "Value": [{
            "0040A040": {"vr": "CS", "Value": ["CODE"]},
            "00281055": {"vr": "LO", "Value": ["Rexcanary In SR"]}}]},
        "00080051": {"vr": "SQ", "Value": [{"00400031": {"vr": "UT", "Value": ["Rexcanary Issuer"]}}]},
        "00080070": {"vr": "LO", "Value": ["ACME"]},
        "00180024": {"vr": "SH", "Value": ["*tse2d1_15"]}
    })JSON",
                                    policy);
    expect_absent(inst, "Rexcanary", "unlisted text");
    expect_absent(inst, "3680043.9.555", "unlisted URL");
    // What the analyses need stays: Manufacturer and SequenceName are on the default keep list,
    // ValueType is a code string.
    EXPECT_EQ(text_of(inst, "Manufacturer"), "ACME");
    EXPECT_EQ(text_of(inst, "SequenceName"), "*tse2d1_15");
    EXPECT_EQ(text_of(inst, "ContentSequence[0].ValueType"), "CODE");
}

TEST(PolicyAttack, KeepTextListDecidesWhichUnlistedTextStays) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults(), {}, parse_keep_text("WindowCenterWidthExplanation"));
    model::Instance inst = walk_one(R"JSON({"00100020": {"vr": "LO", "Value": ["PID-1"]},
        "00281055": {"vr": "LO", "Value": ["NORMAL"]},
        "00180024": {"vr": "SH", "Value": ["*tse2d1_15"]}})JSON",
                                    policy);
    EXPECT_EQ(text_of(inst, "WindowCenterWidthExplanation"), "NORMAL");
    EXPECT_EQ(inst.find("SequenceName"), nullptr);  // not on this list
}

TEST(PolicyAttack, DoseReportCodesStayOnTheDefaultList) {
    // TID 10011: a NUM item with its concept code and units (CodeValue SH, CodingSchemeDesignator
    // SH, CodeMeaning LO), none listed in Table E.1-1.
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    model::Instance inst = walk_one(R"JSON({"00100020": {"vr": "LO", "Value": ["PID-1"]},
        "0040A730": {"vr": "SQ", "Value": [{
            "0040A040": {"vr": "CS", "Value": ["NUM"]},
            "0040A043": {"vr": "SQ", "Value": [{"00080100": {"vr": "SH", "Value": ["113830"]},
                                                "00080102": {"vr": "SH", "Value": ["DCM"]},
                                                "00080104": {"vr": "LO", "Value": ["DLP"]}}]},
            "0040A300": {"vr": "SQ", "Value": [{
                "0040A30A": {"vr": "DS", "Value": ["512.5"]},
                "004008EA": {"vr": "SQ", "Value": [{"00080100": {"vr": "SH", "Value": ["mGy.cm"]},
                                                    "00080102": {"vr": "SH", "Value": ["UCUM"]},
                                                    "00080104": {"vr": "LO", "Value": ["mGy.cm"]}}]}}]}}]}
    })JSON",
                                    policy);
    EXPECT_EQ(text_of(inst, "ContentSequence[0].ConceptNameCodeSequence[0].CodeValue"), "113830");
    EXPECT_EQ(text_of(inst, "ContentSequence[0].ConceptNameCodeSequence[0].CodeMeaning"), "DLP");
    EXPECT_EQ(text_of(inst, "ContentSequence[0].MeasuredValueSequence[0].NumericValue"), "512.5");
    EXPECT_EQ(
        text_of(inst, "ContentSequence[0].MeasuredValueSequence[0].MeasurementUnitsCodeSequence[0].CodeValue"),
        "mGy.cm");
}

TEST(PolicyAttack, UnknownPublicTagsAreRemovedLikePrivateOnes) {
    // (0009,xxxx) would be private; (0018,FFF0)... even groups with elements PS3.6 never assigned.
    const model::TagKey unknown[] = {0x0018FFF0, 0x0020FFF0, 0x00400FFF};
    for (model::TagKey t : unknown) ASSERT_TRUE(model::dictionary_vr(t).empty()) << model::tag_hex(t);
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    model::Instance inst = walk_one(R"JSON({"00100020": {"vr": "LO", "Value": ["PID-1"]},
        "0018FFF0": {"vr": "LO", "Value": ["Rexcanary A"]},
        "0020FFF0": {"vr": "CS", "Value": ["REXCANARY"]},
        "00400FFF": {"vr": "DS", "Value": ["4711"]},
        "00081140": {"vr": "SQ", "Value": [{"0018FFF0": {"vr": "SH", "Value": ["Rexcanary B"]}}]}})JSON",
                                    policy);
    expect_absent(inst, "Rexcanary", "unknown public");
    expect_absent(inst, "REXCANARY", "unknown public");
    expect_absent(inst, "4711", "unknown public");
}

// ---------------------------------------------------------------------------------------------
// Descriptors

std::string descriptor_body(const std::string& identity, const std::string& description) {
    return R"JSON({"00100020": {"vr": "LO", "Value": ["PID-1"]},)JSON" + identity +
           R"JSON(, "0008103E": {"vr": "LO", "Value": [")JSON" + description + R"JSON("]}})JSON";
}

struct DescriptorCase {
    const char* identity;
    const char* description;
    const char* expected;
};

void expect_cleaned(const std::vector<DescriptorCase>& cases) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    for (const auto& c : cases) {
        model::Instance inst = walk_one(descriptor_body(c.identity, c.description), policy);
        EXPECT_EQ(text_of(inst, "SeriesDescription"), c.expected) << c.description;
    }
}

TEST(PolicyAttack, DescriptorsLoseNamesInEveryScriptAndCase) {
    const char* name =
        R"JSON("00100010": {"vr": "PN", "Value": [{"Alphabetic": "Иванов^Пётр", "Ideographic": "山田^太郎", "Phonetic": "Παπαδόπουλος^Νίκος"}]})JSON";
    expect_cleaned({
        {name, "МРТ ИВАНОВ головы", "МРТ *** головы"},
        {name, "мрт иванов", "мрт ***"},
        {name, "ПЁТР knee", "*** knee"},
        {name, "t2 ΠΑΠΑΔΌΠΟΥΛΟΣ", "t2 ***"},
        {name, "t2 παπαδοπουλος", "t2 ***"},  // without the accent
        {name, "νίκος ax", "*** ax"},
        {name, "山田太郎 head", "*** head"},
        {name, "頭部 山田", "頭部 ***"},
        {name, "ＩＶＡＮＯＶ", "ＩＶＡＮＯＶ"},  // a Latin transliteration is not the name
    });
    const char* latin = R"JSON("00100010": {"vr": "PN", "Value": [{"Alphabetic": "Müller^Zoë"}]})JSON";
    expect_cleaned({
        {latin, "MÜLLER spine", "*** spine"},
        {latin, "Mu\u0308ller spine", "*** spine"},  // decomposed umlaut
        {latin, "ｍüｌｌｅｒ spine", "*** spine"},    // full-width
        {latin, "ZOË t1", "*** t1"},
        {latin, "Muller t1", "*** t1"},
    });
}

TEST(PolicyAttack, DescriptorsLoseNamesSplitByControlAndInvisibleCharacters) {
    const char* name = R"JSON("00100010": {"vr": "PN", "Value": [{"Alphabetic": "Doe^Jane"}]})JSON";
    expect_cleaned({
        {name, "T1 Do\\u0000e", "T1 ***"},
        {name, "T1 J\\u0001ane", "T1 ***"},
        {name, "T1 D\\u001foe", "T1 ***"},
        {name, "T1 D\u200Boe", "T1 ***"},  // zero-width space
        {name, "T1 DO\\u00ADE", "T1 ***"},  // soft hyphen
        {name, "T1\\u0007 brain", "T1 brain"},  // controls are not stored either
    });
}

TEST(PolicyAttack, DescriptorsLoseEveryIdentifierOfTheStudy) {
    const char* ids = R"JSON("00100021": {"vr": "LO", "Value": ["SAINTMARYS"]},
        "00101000": {"vr": "LO", "Value": ["OPID-0001", "OPID-0022"]},
        "00101002": {"vr": "SQ", "Value": [{"00100020": {"vr": "LO", "Value": ["OTHER-AAA111"]},
                                            "00100021": {"vr": "LO", "Value": ["NORTHCLINIC"]}},
                                           {"00100020": {"vr": "LO", "Value": ["OTHER-BBB222"]}}]},
        "00080050": {"vr": "SH", "Value": ["ACC-98765"]},
        "00080051": {"vr": "SQ", "Value": [{"00400031": {"vr": "UT", "Value": ["RADIS-NORTH"]}}]})JSON";
    expect_cleaned({
        {ids, "knee pid 1", "knee ***"},
        {ids, "knee opid-0022", "knee ***"},
        {ids, "knee OPID 0001", "knee ***"},
        {ids, "other aaa111 knee", "*** knee"},
        {ids, "OTHER_BBB222", "***"},
        {ids, "acc98765 hip", "*** hip"},
        {ids, "SaintMarys knee", "*** knee"},
        {ids, "northclinic", "***"},
        {ids, "radis north spine", "*** spine"},
    });
}

// ---------------------------------------------------------------------------------------------
// Studies without PatientID

TEST(PolicyAttack, StudyWithoutPatientIdGetsAStudyScopedPseudoPatient) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    const std::string body = R"JSON([
      {"0020000D": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.9.1"]}, "00080020": {"vr": "DA", "Value": ["20251103"]},
       "00100030": {"vr": "DA", "Value": ["19800615"]}},
      {"0020000D": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.9.1"]}, "00080020": {"vr": "DA", "Value": ["20251103"]},
       "00080021": {"vr": "DA", "Value": ["20251104"]}},
      {"0020000D": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.9.2"]}, "00080020": {"vr": "DA", "Value": ["20251103"]}},
      {"0020000D": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.9.1"]}, "00100020": {"vr": "LO", "Value": ["1.2.826.0.1.3680043.9.1"]},
       "00080020": {"vr": "DA", "Value": ["20251103"]}}
    ])JSON";
    std::vector<model::Instance> all;
    ASSERT_NO_THROW(all = model::parse_metadata(body, policy));
    ASSERT_EQ(all.size(), 4u);
    const int offset = policy.study_date_offset_days("1.2.826.0.1.3680043.9.1");
    EXPECT_LT(offset, 0);
    EXPECT_EQ(offset % 7, 0);
    for (int i : {0, 1}) {
        EXPECT_TRUE(all[i].pseudo_patient);
        EXPECT_FALSE(all[i].patient_key.empty());
        EXPECT_EQ(all[i].date_shift_days, offset);
        EXPECT_EQ(text_of(all[i], "StudyDate"), add_days("2025-11-03", offset));
    }
    EXPECT_EQ(all[0].patient_key, all[1].patient_key);  // one study, one pseudo-patient
    EXPECT_EQ(text_of(all[1], "SeriesDate"), add_days("2025-11-04", offset));
    EXPECT_EQ(all[0].find("PatientBirthDate"), nullptr);
    EXPECT_TRUE(all[2].pseudo_patient);
    EXPECT_NE(all[2].patient_key, all[0].patient_key);  // another study, another pseudo-patient
    // A real patient whose ID happens to equal the UID is not the pseudo-patient.
    EXPECT_FALSE(all[3].pseudo_patient);
    EXPECT_NE(all[3].patient_key, all[0].patient_key);
    EXPECT_EQ(all[3].date_shift_days, policy.date_offset_days("1.2.826.0.1.3680043.9.1", ""));
    for (const auto& inst : all) expect_absent(inst, "2025-11-03", "pseudo-patient");
}

TEST(PolicyAttack, InstanceWithNeitherPatientIdNorStudyUidIsRefused) {
    Pseudonymizer p(kSecret, 1);
    Policy policy(p, ProfileOptions::defaults());
    EXPECT_THROW(model::parse_metadata(R"JSON({"00080020": {"vr": "DA", "Value": ["20251103"]}})JSON", policy),
                 DeidRefusal);
}

}  // namespace
}  // namespace dicomlake::deid
