// model/dicom_json: the single walk over WADO-RS metadata (DICOM JSON model, PS3.18 F.2).
#include "model/dicom_json.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace dicomlake::model {
namespace {

std::vector<Instance> parse(const std::string& body, const WalkOptions& options = {}) {
    KeepAllFilter keep;
    return parse_metadata(body, keep, options);
}

Instance parse_one(const std::string& body) {
    auto all = parse(body);
    EXPECT_EQ(all.size(), 1u);
    return all.empty() ? Instance{} : std::move(all.front());
}

std::string vr_of(const Attribute& a) { return std::string(a.vr, 2); }

// ---------------------------------------------------------------------------------------------
// Flattening

TEST(DicomJson, FlattensNestedSequencesToKeywordPathsAtDepthZeroToThree) {
    const std::string body = R"JSON([{
      "00080060": {"vr": "CS", "Value": ["MR"]},
      "52009229": {"vr": "SQ", "Value": [{
        "00189112": {"vr": "SQ", "Value": [{
          "00180080": {"vr": "DS", "Value": ["2500"]},
          "00189176": {"vr": "SQ", "Value": [{
            "00189177": {"vr": "CS", "Value": ["IEC_GRADIENT"]},
            "00189178": {"vr": "CS", "Value": ["IEC_NORMAL"]}
          }]}
        }]}
      }]}
    }])JSON";
    Instance inst = parse_one(body);
    ASSERT_EQ(inst.attributes.size(), 4u);

    const Attribute* modality = inst.find("Modality");
    ASSERT_NE(modality, nullptr);
    EXPECT_EQ(modality->depth, 0);
    EXPECT_EQ(modality->tag, 0x00080060u);
    EXPECT_EQ(modality->json, "\"MR\"");
    EXPECT_EQ(modality->text, "MR");

    const Attribute* tr = inst.find("SharedFunctionalGroupsSequence[0].MRTimingAndRelatedParametersSequence[0].RepetitionTime");
    ASSERT_NE(tr, nullptr);
    EXPECT_EQ(tr->depth, 2);
    EXPECT_EQ(tr->tag, 0x00180080u);
    EXPECT_EQ(tr->number, 2500.0);

    const Attribute* mode = inst.find(
        "SharedFunctionalGroupsSequence[0].MRTimingAndRelatedParametersSequence[0].OperatingModeSequence[0]."
        "OperatingModeType");
    ASSERT_NE(mode, nullptr);
    EXPECT_EQ(mode->depth, 3);
    EXPECT_EQ(mode->text, "IEC_GRADIENT");
    const Attribute* mode2 = inst.find(
        "SharedFunctionalGroupsSequence[0].MRTimingAndRelatedParametersSequence[0].OperatingModeSequence[0]."
        "OperatingMode");
    ASSERT_NE(mode2, nullptr);
    EXPECT_EQ(mode2->depth, 3);

    // Sequences themselves are not attributes: only leaves are emitted.
    EXPECT_EQ(inst.find("SharedFunctionalGroupsSequence"), nullptr);
    for (const auto& a : inst.attributes) EXPECT_NE(vr_of(a), "SQ") << a.path;
}

TEST(DicomJson, SequenceItemsAreIndexedInOrderIncludingNullAndEmptyItems) {
    const std::string body = R"JSON({
      "00081115": {"vr": "SQ", "Value": [
        {"0020000E": {"vr": "UI", "Value": ["1.2.3.1"]}},
        null,
        {"0020000E": {"vr": "UI", "Value": ["1.2.3.3"]}},
        {}
      ]},
      "00081110": {"vr": "SQ", "Value": []},
      "00081140": {"vr": "SQ"}
    })JSON";
    Instance inst = parse_one(body);
    ASSERT_EQ(inst.attributes.size(), 2u);
    const Attribute* a0 = inst.find("ReferencedSeriesSequence[0].SeriesInstanceUID");
    const Attribute* a2 = inst.find("ReferencedSeriesSequence[2].SeriesInstanceUID");
    ASSERT_NE(a0, nullptr);
    ASSERT_NE(a2, nullptr);
    EXPECT_EQ(a0->text, "1.2.3.1");
    EXPECT_EQ(a2->text, "1.2.3.3");
    EXPECT_EQ(a0->depth, 1);
    EXPECT_EQ(inst.find("ReferencedSeriesSequence[1].SeriesInstanceUID"), nullptr);
}

TEST(DicomJson, PrivateAndUnknownTagsKeepHexInPaths) {
    const std::string body = R"JSON({
      "00291010": {"vr": "LO", "Value": ["vendor"]},
      "2005140F": {"vr": "SQ", "Value": [{"00180083": {"vr": "DS", "Value": ["2"]}}]}
    })JSON";
    Instance inst = parse_one(body);
    ASSERT_NE(inst.find("00291010"), nullptr);
    EXPECT_EQ(inst.find("00291010")->text, "vendor");
    const Attribute* nested = inst.find("2005140F[0].NumberOfAverages");
    ASSERT_NE(nested, nullptr);
    EXPECT_EQ(nested->number, 2.0);
}

TEST(DicomJson, LowerCaseKeysAreAccepted) {
    Instance inst = parse_one(R"JSON({"0020000d": {"vr": "UI", "Value": ["1.2.3"]}})JSON");
    ASSERT_EQ(inst.attributes.size(), 1u);
    EXPECT_EQ(inst.attributes[0].path, "StudyInstanceUID");
    EXPECT_EQ(inst.attributes[0].tag, 0x0020000Du);
}

// ---------------------------------------------------------------------------------------------
// Typing by VR

TEST(DicomJson, DecimalAndIntegerStringsBecomeNumbers) {
    const std::string body = R"JSON({
      "00180083": {"vr": "DS", "Value": [" 2.50 "]},
      "00180080": {"vr": "DS", "Value": [3000]},
      "00200013": {"vr": "IS", "Value": ["12"]},
      "00200012": {"vr": "IS", "Value": [7]},
      "00181314": {"vr": "DS", "Value": ["+90"]},
      "00180050": {"vr": "DS", "Value": ["0.1"]},
      "00180088": {"vr": "DS", "Value": ["1.5e-3"]}
    })JSON";
    Instance inst = parse_one(body);
    struct Expect {
        const char* path;
        const char* json;
        double number;
    };
    const Expect expected[] = {
        {"NumberOfAverages", "2.5", 2.5},   {"RepetitionTime", "3000", 3000},
        {"InstanceNumber", "12", 12},       {"AcquisitionNumber", "7", 7},
        {"FlipAngle", "90", 90},            {"SliceThickness", "0.1", 0.1},
        {"SpacingBetweenSlices", "0.0015", 0.0015},
    };
    for (const auto& e : expected) {
        const Attribute* a = inst.find(e.path);
        ASSERT_NE(a, nullptr) << e.path;
        EXPECT_EQ(a->json, e.json) << e.path;
        EXPECT_TRUE(a->has_number()) << e.path;
        EXPECT_DOUBLE_EQ(a->number, e.number) << e.path;
    }
}

TEST(DicomJson, NonNumericDecimalStringStaysAString) {
    const std::string body = R"JSON({
      "00180083": {"vr": "DS", "Value": ["n/a"]},
      "00180080": {"vr": "DS", "Value": ["NaN"]},
      "00180081": {"vr": "DS", "Value": ["12abc"]}
    })JSON";
    Instance inst = parse_one(body);
    const Attribute* nex = inst.find("NumberOfAverages");
    ASSERT_NE(nex, nullptr);
    EXPECT_EQ(nex->json, "\"n/a\"");
    EXPECT_EQ(nex->text, "n/a");
    EXPECT_FALSE(nex->has_number());
    // "NaN" would make invalid JSON as a bare token and is not a measurement: string.
    ASSERT_NE(inst.find("RepetitionTime"), nullptr);
    EXPECT_EQ(inst.find("RepetitionTime")->json, "\"NaN\"");
    EXPECT_FALSE(inst.find("RepetitionTime")->has_number());
    ASSERT_NE(inst.find("EchoTime"), nullptr);
    EXPECT_EQ(inst.find("EchoTime")->json, "\"12abc\"");
    EXPECT_FALSE(inst.find("EchoTime")->has_number());
}

TEST(DicomJson, BinaryNumberVrsAreNumbers) {
    const std::string body = R"JSON({
      "00189345": {"vr": "FD", "Value": [12.75]},
      "00189082": {"vr": "FD", "Value": [0.1]},
      "00280010": {"vr": "US", "Value": [512]},
      "00189087": {"vr": "FD", "Value": [1000.0]},
      "00189219": {"vr": "SS", "Value": [-5]},
      "00280106": {"vr": "US", "Value": [0]},
      "00181320": {"vr": "FL", "Value": [2.5]},
      "00182043": {"vr": "FL", "Value": [0.5, -1.25]}
    })JSON";
    Instance inst = parse_one(body);
    ASSERT_NE(inst.find("CTDIvol"), nullptr);
    EXPECT_EQ(inst.find("CTDIvol")->json, "12.75");
    EXPECT_EQ(inst.find("CTDIvol")->number, 12.75);
    ASSERT_NE(inst.find("EffectiveEchoTime"), nullptr);
    EXPECT_EQ(inst.find("EffectiveEchoTime")->json, "0.1");
    ASSERT_NE(inst.find("Rows"), nullptr);
    EXPECT_EQ(inst.find("Rows")->json, "512");
    EXPECT_EQ(inst.find("Rows")->number, 512.0);
    ASSERT_NE(inst.find("DiffusionBValue"), nullptr);
    EXPECT_EQ(inst.find("DiffusionBValue")->json, "1000");
    const Attribute* zero = inst.find("SmallestImagePixelValue");
    ASSERT_NE(zero, nullptr);
    EXPECT_EQ(zero->json, "0");
    EXPECT_TRUE(zero->has_number());  // 0 is a number, not "absent"
    ASSERT_NE(inst.find("B1rms"), nullptr);
    EXPECT_EQ(inst.find("B1rms")->json, "2.5");
    EXPECT_EQ(inst.find("B1rms")->number, 2.5);
    ASSERT_NE(inst.find("LocalizingCursorPosition"), nullptr);
    EXPECT_EQ(inst.find("LocalizingCursorPosition")->json, "[0.5,-1.25]");
    EXPECT_EQ(inst.find("LocalizingCursorPosition")->number, 0.5);
    for (const auto& a : inst.attributes)
        if (a.tag == 0x00189219) {
            EXPECT_EQ(a.json, "-5");
            EXPECT_EQ(a.number, -5.0);
        }
}

TEST(DicomJson, MultiValuedBecomesArrayWithFirstValueAsNumberAndText) {
    const std::string body = R"JSON({
      "00200032": {"vr": "DS", "Value": ["-120.5", "10", 3.25]},
      "00189079": {"vr": "FD", "Value": [150, 2100.5]},
      "00080008": {"vr": "CS", "Value": ["ORIGINAL", "PRIMARY", "M"]},
      "00280030": {"vr": "DS", "Value": ["0.5", null]}
    })JSON";
    Instance inst = parse_one(body);
    const Attribute* pos = inst.find("ImagePositionPatient");
    ASSERT_NE(pos, nullptr);
    EXPECT_EQ(pos->json, "[-120.5,10,3.25]");
    EXPECT_EQ(pos->number, -120.5);
    EXPECT_EQ(pos->text, "-120.5");
    const Attribute* ti = inst.find("InversionTimes");
    ASSERT_NE(ti, nullptr);
    EXPECT_EQ(ti->json, "[150,2100.5]");
    EXPECT_EQ(ti->number, 150.0);
    const Attribute* type = inst.find("ImageType");
    ASSERT_NE(type, nullptr);
    EXPECT_EQ(type->json, R"(["ORIGINAL","PRIMARY","M"])");
    EXPECT_EQ(type->text, "ORIGINAL");
    EXPECT_FALSE(type->has_number());
    const Attribute* spacing = inst.find("PixelSpacing");
    ASSERT_NE(spacing, nullptr);
    EXPECT_EQ(spacing->json, "[0.5,null]");
    EXPECT_EQ(spacing->number, 0.5);
}

TEST(DicomJson, NumberInAStringVrKeepsTheTokenAsAString) {
    Instance inst = parse_one(R"JSON({"00081030": {"vr": "LO", "Value": [42]}})JSON");
    ASSERT_EQ(inst.attributes.size(), 1u);
    EXPECT_EQ(inst.attributes[0].json, "\"42\"");
    EXPECT_EQ(inst.attributes[0].text, "42");
    EXPECT_FALSE(inst.attributes[0].has_number());
}

TEST(DicomJson, DatesAndTimesBecomeIso) {
    const std::string body = R"JSON({
      "00080020": {"vr": "DA", "Value": ["20261103"]},
      "00080030": {"vr": "TM", "Value": ["081500.25"]},
      "00080031": {"vr": "TM", "Value": ["0815"]},
      "0008002A": {"vr": "DT", "Value": ["20261103081500+0100"]},
      "00080021": {"vr": "DA", "Value": ["2026.11.04"]},
      "00080023": {"vr": "DA", "Value": ["garbage"]}
    })JSON";
    Instance inst = parse_one(body);
    auto json_of = [&](const char* p) {
        const Attribute* a = inst.find(p);
        return a ? a->json : std::string("<missing>");
    };
    auto text_of = [&](const char* p) {
        const Attribute* a = inst.find(p);
        return a ? a->text : std::string("<missing>");
    };
    EXPECT_EQ(json_of("StudyDate"), "\"2026-11-03\"");
    EXPECT_EQ(text_of("StudyDate"), "2026-11-03");
    EXPECT_EQ(json_of("StudyTime"), "\"08:15:00.25\"");
    EXPECT_EQ(text_of("StudyTime"), "08:15:00.25");
    EXPECT_EQ(text_of("SeriesTime"), "08:15:00");
    EXPECT_EQ(json_of("AcquisitionDateTime"), "\"2026-11-03T08:15:00+01:00\"");
    EXPECT_EQ(text_of("SeriesDate"), "2026-11-04");
    EXPECT_EQ(text_of("ContentDate"), "garbage");  // invalid: unchanged, validated at load time
    EXPECT_FALSE(inst.find("StudyDate")->has_number());
}

TEST(DicomJson, IsoDateHelper) {
    EXPECT_EQ(iso_date("20261103"), "2026-11-03");
    EXPECT_EQ(iso_date("20261103 "), "2026-11-03");
    EXPECT_EQ(iso_date("2026.11.03"), "2026-11-03");
    EXPECT_EQ(iso_date("2026110"), "2026110");
    EXPECT_EQ(iso_date("2026110X"), "2026110X");
    EXPECT_EQ(iso_date(""), "");
}

TEST(DicomJson, IsoTimeHelper) {
    EXPECT_EQ(iso_time("081500.25"), "08:15:00.25");
    EXPECT_EQ(iso_time("081500"), "08:15:00");
    EXPECT_EQ(iso_time("0815"), "08:15:00");
    EXPECT_EQ(iso_time("08"), "08:00:00");
    EXPECT_EQ(iso_time("235959.999999 "), "23:59:59.999999");
    EXPECT_EQ(iso_time("08:15:00"), "08:15:00");  // already ISO (ACR-NEMA style)
    EXPECT_EQ(iso_time("08150"), "08150");        // odd length: unchanged
    EXPECT_EQ(iso_time("ab"), "ab");
}

TEST(DicomJson, IsoDateTimeHelper) {
    EXPECT_EQ(iso_datetime("20261103081500+0100"), "2026-11-03T08:15:00+01:00");
    EXPECT_EQ(iso_datetime("20261103081500.123456-0500"), "2026-11-03T08:15:00.123456-05:00");
    EXPECT_EQ(iso_datetime("20261103081500"), "2026-11-03T08:15:00");
    EXPECT_EQ(iso_datetime("202611030815"), "2026-11-03T08:15:00");
    EXPECT_EQ(iso_datetime("20261103"), "2026-11-03");
    EXPECT_EQ(iso_datetime("202611"), "2026-11-01");
    EXPECT_EQ(iso_datetime("20261103081500 "), "2026-11-03T08:15:00");
}

// PN groups are stored in the standard's order (Alphabetic, Ideographic, Phonetic) whatever
// order the sender wrote: a DICOM dataset and its JSON give the same row.
TEST(DicomJson, PersonNameBecomesObjectWithAlphabeticAsText) {
    const std::string body = R"JSON({
      "00100010": {"vr": "PN", "Value": [{"Ideographic": "山田^太郎", "Alphabetic": "Yamada^Tarou",
                                         "Phonetic": "やまだ^たろう"}]},
      "00080090": {"vr": "PN", "Value": [{"Ideographic": "山田^太郎"}]},
      "00081050": {"vr": "PN", "Value": [{"Alphabetic": "A^B"}, {"Alphabetic": "C^D"}]},
      "00081060": {"vr": "PN", "Value": ["Plain^String"]}
    })JSON";
    Instance inst = parse_one(body);
    const Attribute* pn = inst.find("PatientName");
    ASSERT_NE(pn, nullptr);
    EXPECT_EQ(pn->json,
              "{\"Alphabetic\":\"Yamada^Tarou\",\"Ideographic\":\"山田^太郎\",\"Phonetic\":\"やまだ^たろう\"}");
    EXPECT_EQ(pn->text, "Yamada^Tarou");

    const Attribute* ideo = inst.find("ReferringPhysicianName");
    ASSERT_NE(ideo, nullptr);
    EXPECT_EQ(ideo->text, "山田^太郎");  // no Alphabetic group: the first group

    const Attribute* many = inst.find("PerformingPhysicianName");
    ASSERT_NE(many, nullptr);
    EXPECT_EQ(many->json, R"([{"Alphabetic":"A^B"},{"Alphabetic":"C^D"}])");
    EXPECT_EQ(many->text, "A^B");

    const Attribute* plain = inst.find("NameOfPhysiciansReadingStudy");
    ASSERT_NE(plain, nullptr);
    EXPECT_EQ(plain->json, R"({"Alphabetic":"Plain^String"})");
    EXPECT_EQ(plain->text, "Plain^String");
}

TEST(DicomJson, NonAsciiUtf8SurvivesByteExact) {
    const std::string body = R"JSON({
      "00081030": {"vr": "LO", "Value": ["Müller^Jörg"]},
      "0008103E": {"vr": "LO", "Value": ["山田^太郎"]},
      "00181030": {"vr": "LO", "Value": ["M\u00fcller"]},
      "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Müller^Jörg", "Ideographic": "山田^太郎"}]}
    })JSON";
    Instance inst = parse_one(body);
    const std::string mueller = "M\xC3\xBC" "ller^J\xC3\xB6rg";
    const std::string yamada = "\xE5\xB1\xB1\xE7\x94\xB0^\xE5\xA4\xAA\xE9\x83\x8E";
    ASSERT_NE(inst.find("StudyDescription"), nullptr);
    EXPECT_EQ(inst.find("StudyDescription")->text, mueller);
    EXPECT_EQ(inst.find("StudyDescription")->json, "\"" + mueller + "\"");
    ASSERT_NE(inst.find("SeriesDescription"), nullptr);
    EXPECT_EQ(inst.find("SeriesDescription")->text, yamada);
    EXPECT_EQ(inst.find("SeriesDescription")->json, "\"" + yamada + "\"");
    ASSERT_NE(inst.find("ProtocolName"), nullptr);
    EXPECT_EQ(inst.find("ProtocolName")->text, "M\xC3\xBCller");  // \u escape decoded to UTF-8
    ASSERT_NE(inst.find("PatientName"), nullptr);
    EXPECT_EQ(inst.find("PatientName")->text, mueller);
    EXPECT_EQ(inst.find("PatientName")->json,
              "{\"Alphabetic\":\"" + mueller + "\",\"Ideographic\":\"" + yamada + "\"}");
}

// ---------------------------------------------------------------------------------------------
// JSON escaping

TEST(DicomJson, AppendJsonStringEscapes) {
    std::string out;
    append_json_string(out, std::string("a\"b\\c\nd\re\tf\x01g\x1fh\x7fi", 17));
    EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\\u001fh\x7fi\"");

    out = "prefix:";
    append_json_string(out, "");
    EXPECT_EQ(out, "prefix:\"\"");

    out.clear();
    append_json_string(out, std::string("x\0y\0", 4));
    EXPECT_EQ(out, "\"xy\"");  // jsonb cannot hold U+0000

    out.clear();
    append_json_string(out, "\xE5\xB1\xB1");
    EXPECT_EQ(out, "\"\xE5\xB1\xB1\"");
}

TEST(DicomJson, ValuesWithQuotesBackslashesAndControlsAreReEscaped) {
    const std::string body = R"JSON({
      "00081030": {"vr": "LO", "Value": ["say \"hi\" \\ back"]},
      "0008103E": {"vr": "LO", "Value": ["tab\there\u0001"]},
      "00181030": {"vr": "LO", "Value": ["a\u0000b"]}
    })JSON";
    Instance inst = parse_one(body);
    ASSERT_NE(inst.find("StudyDescription"), nullptr);
    EXPECT_EQ(inst.find("StudyDescription")->text, "say \"hi\" \\ back");
    EXPECT_EQ(inst.find("StudyDescription")->json, R"("say \"hi\" \\ back")");
    ASSERT_NE(inst.find("SeriesDescription"), nullptr);
    EXPECT_EQ(inst.find("SeriesDescription")->json, R"("tab\there\u0001")");
    ASSERT_NE(inst.find("ProtocolName"), nullptr);
    EXPECT_EQ(inst.find("ProtocolName")->json, "\"ab\"");
}

// ---------------------------------------------------------------------------------------------
// What is dropped or empty

TEST(DicomJson, BinaryAttributesAreDropped) {
    const std::string body = R"JSON({
      "7FE00010": {"vr": "OW", "BulkDataURI": "http://pacs/bulk/1"},
      "00420011": {"vr": "OB", "InlineBinary": "AAECAw=="},
      "00291010": {"vr": "UN", "InlineBinary": "AAECAw=="},
      "00189345": {"vr": "OF", "InlineBinary": "AAAAAA=="},
      "00291020": {"Value": ["no vr, private: UN"]},
      "00080060": {"vr": "CS", "Value": ["CT"]}
    })JSON";
    Instance inst = parse_one(body);
    ASSERT_EQ(inst.attributes.size(), 1u);
    EXPECT_EQ(inst.attributes[0].path, "Modality");
}

TEST(DicomJson, EmptyAttributeIsJsonNull) {
    const std::string body = R"JSON({
      "00081030": {"vr": "LO"},
      "00180083": {"vr": "DS", "Value": []},
      "00100010": {"vr": "PN"}
    })JSON";
    Instance inst = parse_one(body);
    ASSERT_EQ(inst.attributes.size(), 3u);
    for (const auto& a : inst.attributes) {
        EXPECT_EQ(a.json, "null") << a.path;
        EXPECT_EQ(a.text, "") << a.path;
        EXPECT_FALSE(a.has_number()) << a.path;
    }
}

TEST(DicomJson, VrAfterValueWorks) {
    // Orthanc sorts keys, so "Value" comes before "vr".
    const std::string body = R"JSON({
      "00180083": {"Value": ["2"], "vr": "DS"},
      "00080020": {"Value": ["20261103"], "vr": "DA"},
      "52009229": {"Value": [{"00189119": {"Value": [{"00180083": {"Value": [3], "vr": "DS"}}], "vr": "SQ"}}],
                   "vr": "SQ"},
      "00100010": {"Value": [{"Alphabetic": "Doe^John"}], "vr": "PN"}
    })JSON";
    Instance inst = parse_one(body);
    ASSERT_NE(inst.find("NumberOfAverages"), nullptr);
    EXPECT_EQ(inst.find("NumberOfAverages")->json, "2");
    EXPECT_EQ(vr_of(*inst.find("NumberOfAverages")), "DS");
    ASSERT_NE(inst.find("StudyDate"), nullptr);
    EXPECT_EQ(inst.find("StudyDate")->text, "2026-11-03");
    const Attribute* nested = inst.find("SharedFunctionalGroupsSequence[0].MRAveragesSequence[0].NumberOfAverages");
    ASSERT_NE(nested, nullptr);
    EXPECT_EQ(nested->number, 3.0);
    ASSERT_NE(inst.find("PatientName"), nullptr);
    EXPECT_EQ(inst.find("PatientName")->text, "Doe^John");
}

TEST(DicomJson, MissingVrFallsBackToDictionary) {
    Instance inst = parse_one(R"JSON({"00180083": {"Value": ["4"]}, "00080020": {"Value": ["20260101"]}})JSON");
    ASSERT_NE(inst.find("NumberOfAverages"), nullptr);
    EXPECT_EQ(vr_of(*inst.find("NumberOfAverages")), "DS");
    EXPECT_EQ(inst.find("NumberOfAverages")->json, "4");
    ASSERT_NE(inst.find("StudyDate"), nullptr);
    EXPECT_EQ(inst.find("StudyDate")->text, "2026-01-01");
}

// ---------------------------------------------------------------------------------------------
// Body shapes

TEST(DicomJson, ArrayBodyGivesOneInstancePerItem) {
    const std::string body = R"JSON([
      {"00080018": {"vr": "UI", "Value": ["1.1"]}},
      {"00080018": {"vr": "UI", "Value": ["1.2"]}},
      {"00080018": {"vr": "UI", "Value": ["1.3"]}}
    ])JSON";
    auto all = parse(body);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].attributes.at(0).text, "1.1");
    EXPECT_EQ(all[2].attributes.at(0).text, "1.3");
    EXPECT_TRUE(parse("[]").empty());
}

TEST(DicomJson, SingleObjectBodyIsOneInstance) {
    auto all = parse(R"JSON({"00080018": {"vr": "UI", "Value": ["1.9"]}})JSON");
    ASSERT_EQ(all.size(), 1u);
    ASSERT_EQ(all[0].attributes.size(), 1u);
    EXPECT_EQ(all[0].attributes[0].text, "1.9");
}

TEST(DicomJson, WalkMetadataOnPaddedMemoryCallsBackPerInstance) {
    simdjson::padded_string body(std::string(R"JSON([{"00080060": {"vr": "CS", "Value": ["MR"]}},
                                                     {"00080060": {"vr": "CS", "Value": ["CT"]}}])JSON"));
    KeepAllFilter keep;
    std::vector<std::string> modalities;
    walk_metadata(body, keep, [&](Instance&& i) { modalities.push_back(i.attributes.at(0).text); });
    EXPECT_EQ(modalities, (std::vector<std::string>{"MR", "CT"}));
}

// ---------------------------------------------------------------------------------------------
// Malformed input

void expect_malformed_without_values(const std::string& body, const char* label) {
    try {
        parse(body);
        ADD_FAILURE() << label << ": no MalformedJson";
    } catch (const MalformedJson& e) {
        std::string what = e.what();
        EXPECT_FALSE(what.empty()) << label;
        EXPECT_EQ(what.find("Secret"), std::string::npos) << label << ": " << what;
        EXPECT_EQ(what.find("4711"), std::string::npos) << label << ": " << what;
    } catch (const std::exception& e) {
        ADD_FAILURE() << label << ": wrong exception type: " << e.what();
    }
}

TEST(DicomJson, MalformedJsonThrowsWithoutValuesInTheMessage) {
    expect_malformed_without_values(
        R"JSON([{"00100010": {"vr": "PN", "Value": [{"Alphabetic": "Secret^Patient"}]}, "00100020": {"vr": "LO", "Value": ["4711"])JSON",
        "truncated");
    expect_malformed_without_values(R"JSON([{"00100020": {"vr": "LO", "Value": ["Secret4711)JSON",
                                    "unterminated string");
    expect_malformed_without_values(R"JSON("Secret4711")JSON", "a string");
    expect_malformed_without_values("4711", "a number");
    expect_malformed_without_values(R"JSON([{"0008001": {"vr": "LO", "Value": ["Secret4711"]}}])JSON",
                                    "7-digit key");
    expect_malformed_without_values(R"JSON([{"0008001G": {"vr": "LO", "Value": ["Secret4711"]}}])JSON",
                                    "non-hex key");
    expect_malformed_without_values(R"JSON([{"00100020": {"vr": "L", "Value": ["Secret4711"]}}])JSON",
                                    "1-letter vr");
    expect_malformed_without_values(R"JSON([{"00100020": {"vr": "LOX", "Value": ["Secret4711"]}}])JSON",
                                    "3-letter vr");
    expect_malformed_without_values(R"JSON([{"00100020": {"vr": 5, "Value": ["Secret4711"]}}])JSON",
                                    "numeric vr");
    expect_malformed_without_values(R"JSON([{"00100020": ["Secret4711"]}])JSON", "attribute not an object");
    expect_malformed_without_values(R"JSON([{"00100020": {"vr": "LO", "Value": "Secret4711"}}])JSON",
                                    "Value not an array");
    expect_malformed_without_values(R"JSON([{"00100020": {"vr": "LO", "Value": ["Secret4711"]}}, 4711])JSON",
                                    "instance not an object");
}

// ---------------------------------------------------------------------------------------------
// Per-frame functional groups

const char* kPerFrameBody = R"JSON({
  "52009230": {"vr": "SQ", "Value": [
    {"00209111": {"vr": "SQ", "Value": [{"00189074": {"vr": "DT", "Value": ["20261103081500.000000"]},
                                         "00189220": {"vr": "FD", "Value": [12.5]}}]},
     "00209113": {"vr": "SQ", "Value": [{"00200032": {"vr": "DS", "Value": ["0", "0", "1.5"]}}]}},
    {"00209111": {"vr": "SQ", "Value": [{"00189074": {"vr": "DT", "Value": ["20261103081501.000000"]},
                                         "00189220": {"vr": "FD", "Value": [12.5]}}]},
     "00209113": {"vr": "SQ", "Value": [{"00200032": {"vr": "DS", "Value": ["0", "0", "3"]}}]}},
    {"00209111": {"vr": "SQ", "Value": [{"00189074": {"vr": "DT", "Value": ["20261103081502.000000"]},
                                         "00189220": {"vr": "FD", "Value": [12.5]}}]},
     "00209113": {"vr": "SQ", "Value": [{"00200032": {"vr": "DS", "Value": ["0", "0", "4.5"]}}]}}
  ]},
  "52009229": {"vr": "SQ", "Value": [{"00189119": {"vr": "SQ", "Value": [{"00180083": {"vr": "DS", "Value": ["1"]}}]}}]}
})JSON";

TEST(DicomJson, PerFrameItemsBeyondTheFirstOnlyFeedSummaries) {
    Instance inst = parse_one(kPerFrameBody);
    const std::string frame0 = "PerFrameFunctionalGroupsSequence[0].";
    const Attribute* t0 = inst.find(frame0 + "FrameContentSequence[0].FrameAcquisitionDateTime");
    ASSERT_NE(t0, nullptr);
    EXPECT_FALSE(t0->summary_only);
    EXPECT_EQ(t0->text, "2026-11-03T08:15:00.000000");
    const Attribute* p0 = inst.find(frame0 + "PlanePositionSequence[0].ImagePositionPatient");
    ASSERT_NE(p0, nullptr);
    EXPECT_FALSE(p0->summary_only);
    EXPECT_EQ(p0->json, "[0,0,1.5]");

    for (int i = 1; i <= 2; ++i) {
        const std::string frame = "PerFrameFunctionalGroupsSequence[" + std::to_string(i) + "].";
        const Attribute* t = inst.find(frame + "FrameContentSequence[0].FrameAcquisitionDateTime");
        ASSERT_NE(t, nullptr) << i;
        EXPECT_TRUE(t->summary_only) << i;
        EXPECT_EQ(t->text, "2026-11-03T08:15:0" + std::to_string(i) + ".000000");
        EXPECT_EQ(t->depth, 2);
        EXPECT_EQ(inst.find(frame + "PlanePositionSequence[0].ImagePositionPatient"), nullptr) << i;
    }
    // Everything that is summary_only is a frame time attribute from a later frame.
    int summary = 0;
    for (const auto& a : inst.attributes) {
        if (!a.summary_only) continue;
        ++summary;
        EXPECT_TRUE(a.tag == 0x00189074 || a.tag == 0x00189220 || a.tag == 0x00189151) << a.path;
        EXPECT_EQ(a.path.rfind("PerFrameFunctionalGroupsSequence[0]", 0), std::string::npos) << a.path;
    }
    EXPECT_EQ(summary, 4);  // FrameAcquisitionDateTime + FrameAcquisitionDuration of frames 1 and 2
    // The shared group is untouched.
    const Attribute* nex = inst.find("SharedFunctionalGroupsSequence[0].MRAveragesSequence[0].NumberOfAverages");
    ASSERT_NE(nex, nullptr);
    EXPECT_FALSE(nex->summary_only);
}

TEST(DicomJson, PerFrameCollapseCanBeTurnedOff) {
    WalkOptions options;
    options.collapse_per_frame = false;
    auto all = parse(kPerFrameBody, options);
    ASSERT_EQ(all.size(), 1u);
    const Instance& inst = all[0];
    for (const auto& a : inst.attributes) EXPECT_FALSE(a.summary_only) << a.path;
    const Attribute* p2 = inst.find("PerFrameFunctionalGroupsSequence[2].PlanePositionSequence[0].ImagePositionPatient");
    ASSERT_NE(p2, nullptr);
    EXPECT_EQ(p2->json, "[0,0,4.5]");
}

// ---------------------------------------------------------------------------------------------
// Filter decisions

class RecordingFilter final : public AttributeFilter {
public:
    struct Seen {
        TagKey tag;
        std::vector<TagKey> parents;
    };
    mutable std::vector<Seen> seen;

    Action decide(TagKey tag, std::string_view vr, const AttributeContext& ctx) const override {
        seen.push_back({tag, ctx.parents});
        EXPECT_EQ(ctx.depth(), static_cast<int>(ctx.parents.size()));
        if (tag == 0x00100020) return Action::drop;          // PatientID
        if (tag == 0x00081110) return Action::drop;          // ReferencedStudySequence: whole subtree
        if (tag == 0x00081155) return Action::replace_uid;  // ReferencedSOPInstanceUID
        if (tag == 0x00080100) return Action::replace_uid;  // CodeValue (SH): not a UI, stays
        return Action::keep;
    }
    std::string replace_uid(std::string_view uid) const override { return "X" + std::string(uid); }
};

TEST(DicomJson, FilterDecisionsApplyAtEveryDepth) {
    const std::string body = R"JSON([{
      "00100020": {"vr": "LO", "Value": ["PID-D0"]},
      "00081155": {"vr": "UI", "Value": ["1.2.3.0"]},
      "00081115": {"vr": "SQ", "Value": [{
        "00100020": {"vr": "LO", "Value": ["PID-D1"]},
        "00081155": {"vr": "UI", "Value": ["1.2.3.1"]},
        "0008114A": {"vr": "SQ", "Value": [{
          "00100020": {"vr": "LO", "Value": ["PID-D2"]},
          "00081155": {"vr": "UI", "Value": ["1.2.3.2"]},
          "00081140": {"vr": "SQ", "Value": [{
            "00100020": {"vr": "LO", "Value": ["PID-D3"]},
            "00081155": {"vr": "UI", "Value": ["1.2.3.3", "1.2.3.4"]},
            "00080100": {"vr": "SH", "Value": ["KEEP3"]}
          }]}
        }]}
      }]},
      "00081110": {"vr": "SQ", "Value": [{
        "00081155": {"vr": "UI", "Value": ["1.2.3.9"]},
        "00080104": {"vr": "LO", "Value": ["GONE"]}
      }]}
    }])JSON";
    RecordingFilter filter;
    auto all = parse_metadata(body, filter);
    ASSERT_EQ(all.size(), 1u);
    const Instance& inst = all[0];

    for (const auto& a : inst.attributes) {
        EXPECT_NE(a.tag, 0x00100020u) << a.path;
        EXPECT_EQ(a.json.find("PID-"), std::string::npos) << a.path;
        EXPECT_EQ(a.json.find("GONE"), std::string::npos) << a.path;
        EXPECT_EQ(a.path.find("ReferencedStudySequence"), std::string::npos) << a.path;
    }
    const std::string p1 = "ReferencedSeriesSequence[0].";
    const std::string p2 = p1 + "ReferencedInstanceSequence[0].";
    const std::string p3 = p2 + "ReferencedImageSequence[0].";
    const std::pair<std::string, std::string> uids[] = {
        {"ReferencedSOPInstanceUID", "\"X1.2.3.0\""},
        {p1 + "ReferencedSOPInstanceUID", "\"X1.2.3.1\""},
        {p2 + "ReferencedSOPInstanceUID", "\"X1.2.3.2\""},
        {p3 + "ReferencedSOPInstanceUID", "[\"X1.2.3.3\",\"X1.2.3.4\"]"},
    };
    int depth = 0;
    for (const auto& [path, json] : uids) {
        const Attribute* a = inst.find(path);
        ASSERT_NE(a, nullptr) << path;
        EXPECT_EQ(a->json, json) << path;
        EXPECT_EQ(a->text.rfind("X1.2.3.", 0), 0u) << path;
        EXPECT_EQ(a->depth, depth++) << path;
    }
    const Attribute* code = inst.find(p3 + "CodeValue");
    ASSERT_NE(code, nullptr);
    EXPECT_EQ(code->json, "\"KEEP3\"");  // replace_uid only rewrites UI values
    EXPECT_EQ(inst.attributes.size(), 5u);

    // The filter saw PatientID at depth 3 with the enclosing sequences, outermost first, and
    // never saw anything inside the dropped sequence.
    bool saw_deep_pid = false;
    for (const auto& s : filter.seen) {
        if (s.tag == 0x00100020 && s.parents.size() == 3) {
            saw_deep_pid = true;
            EXPECT_EQ(s.parents, (std::vector<TagKey>{0x00081115, 0x0008114A, 0x00081140}));
        }
        for (TagKey p : s.parents) EXPECT_NE(p, 0x00081110u);
        EXPECT_NE(s.tag, 0x00080104u);
    }
    EXPECT_TRUE(saw_deep_pid);
}

// ---------------------------------------------------------------------------------------------
// Identity values, private creators, value rewriting and the end of an instance

class RewritingFilter final : public AttributeFilter {
public:
    struct Seen {
        TagKey tag;
        std::string creator;
        int depth;
    };
    mutable std::vector<Seen> seen;
    mutable std::vector<InstanceIdentity> identities;
    mutable int finished = 0;

    Action decide(TagKey tag, std::string_view vr, const AttributeContext& ctx) const override {
        seen.push_back({tag, std::string(ctx.private_creator), ctx.depth()});
        if (tag == 0x00080030) return Action::shift_date;  // StudyTime: TM, never rewritten
        if (vr == "DA" || vr == "DT") return Action::shift_date;
        if (tag == 0x0008103E || tag == 0x00100010 || tag == 0x00081030) return Action::clean_text;
        if (vr == "UI") return Action::replace_uid;
        return Action::keep;
    }
    std::string replace_uid(std::string_view uid) const override { return "U(" + std::string(uid) + ")"; }
    std::string shift_date(std::string_view iso, std::string_view vr, const AttributeContext& ctx) const override {
        return "S(" + std::string(iso) + "|" + std::string(vr) + "|" + std::string(ctx.identity_value(0x00100020)) +
               ")";
    }
    std::string clean_text(std::string_view text, const AttributeContext& ctx) const override {
        std::string out(text);
        std::string id(ctx.identity_value(0x00100020));
        if (!id.empty())
            for (auto pos = out.find(id); pos != std::string::npos; pos = out.find(id)) out.replace(pos, id.size(), "#");
        return "C(" + out + ")";
    }
    std::vector<TagKey> identity_tags() const override {
        return {0x00100020, 0x00100010, 0x00080020, 0x00100021, 0x00101010, 0x00080050, 0x00101000};
    }
    void check_instance(const InstanceIdentity& identity) const override {
        identities.push_back(identity);
        for (const auto& [tag, value] : identity)
            if (tag == 0x00100020 && value == "REFUSE") throw std::runtime_error("refused by the filter");
    }
    void finish_instance(Instance& instance, const AttributeContext& ctx) const override {
        ++finished;
        EXPECT_EQ(ctx.depth(), 0);
        Attribute a;
        a.path = "Finished";
        a.tag = 0x00120062;
        a.text = std::to_string(instance.attributes.size()) + ":" + std::string(ctx.identity_value(0x00100020));
        instance.attributes.push_back(a);
        instance.date_shift_days = -14;
        instance.patient_key = "pk";
    }
};

std::string identity_of(const InstanceIdentity& identity, TagKey tag) {
    for (const auto& [t, v] : identity)
        if (t == tag) return v;
    return "<absent>";
}

TEST(DicomJson, IdentityValuesAreReadBeforeTheWalkInAnyKeyOrder) {
    // Orthanc order ("Value" before "vr"), identity attributes after others, a PN object, a PN
    // written as a string, a number, several values, an empty value and a null first value.
    const std::string body = R"JSON([{
      "00080018": {"Value": ["1.2.3"], "vr": "UI"},
      "00080020": {"Value": ["20251103"], "vr": "DA"},
      "00080050": {"Value": [null], "vr": "SH"},
      "00100010": {"Value": [{"Ideographic": "X^Y", "Alphabetic": "Doe^Jane"}], "vr": "PN"},
      "00100020": {"Value": ["PID-1", "PID-2"], "vr": "LO"},
      "00100021": {"vr": "LO"},
      "00101010": {"Value": [45], "vr": "AS"},
      "00400275": {"Value": [{"00100020": {"Value": ["NESTED"], "vr": "LO"}}], "vr": "SQ"}
    }, {
      "00100010": {"vr": "PN", "Value": ["Plain^String"]},
      "00101000": {"vr": "LO", "Value": ["OTHER-1"]}
    }])JSON";
    RewritingFilter filter;
    auto all = parse_metadata(body, filter);
    ASSERT_EQ(all.size(), 2u);
    ASSERT_EQ(filter.identities.size(), 2u);
    const InstanceIdentity& first = filter.identities[0];
    EXPECT_EQ(identity_of(first, 0x00100020), "PID-1");  // the first value, top level only
    EXPECT_EQ(identity_of(first, 0x00100010), "Doe^Jane=X^Y");  // PN: all groups, Alphabetic first
    EXPECT_EQ(identity_of(first, 0x00080020), "20251103");  // as written
    EXPECT_EQ(identity_of(first, 0x00101010), "45");
    EXPECT_EQ(identity_of(first, 0x00100021), "<absent>");  // no Value
    EXPECT_EQ(identity_of(first, 0x00080050), "<absent>");  // null value
    EXPECT_EQ(identity_of(first, 0x00101000), "<absent>");  // not in the instance
    const InstanceIdentity& second = filter.identities[1];
    EXPECT_EQ(identity_of(second, 0x00100010), "Plain^String");
    EXPECT_EQ(identity_of(second, 0x00101000), "OTHER-1");
    EXPECT_EQ(identity_of(second, 0x00100020), "<absent>");  // nothing carried over

    // Reading the identity first consumed nothing: the walk still sees every attribute whole.
    const Instance& inst = all[0];
    ASSERT_NE(inst.find("PatientName"), nullptr);
    EXPECT_EQ(inst.find("PatientName")->json, R"J({"Alphabetic":"C(Doe^Jane)","Ideographic":"C(X^Y)"})J");
    ASSERT_NE(inst.find("PatientID"), nullptr);
    EXPECT_EQ(inst.find("PatientID")->json, R"(["PID-1","PID-2"])");
    EXPECT_EQ(vr_of(*inst.find("PatientID")), "LO");
    EXPECT_EQ(inst.find("SOPInstanceUID")->text, "U(1.2.3)");
    EXPECT_EQ(inst.find("StudyDate")->text, "S(2025-11-03|DA|PID-1)");
    EXPECT_EQ(inst.find("PatientAge")->json, "\"45\"");
    EXPECT_EQ(inst.find("RequestAttributesSequence[0].PatientID")->text, "NESTED");
    EXPECT_EQ(inst.find("IssuerOfPatientID")->json, "null");
    EXPECT_EQ(inst.find("AccessionNumber")->json, "null");
    EXPECT_EQ(all[1].find("PatientName")->json, R"J({"Alphabetic":"C(Plain^String)"})J");
}

TEST(DicomJson, ShiftDateAndCleanTextRewriteValuesWithTheInstanceIdentity) {
    const std::string body = R"JSON([{
      "00100020": {"vr": "LO", "Value": ["P7"]},
      "00080020": {"vr": "DA", "Value": ["20251103", "20251104"]},
      "00080030": {"vr": "TM", "Value": ["081500"]},
      "0008002A": {"vr": "DT", "Value": ["20251103081500+0100"]},
      "00081030": {"vr": "LO", "Value": [12]},
      "0008103E": {"vr": "LO", "Value": ["scan of P7", "second P7 value"]},
      "52009230": {"vr": "SQ", "Value": [
        {"00209111": {"vr": "SQ", "Value": [{"00189074": {"vr": "DT", "Value": ["20251103081500"]}}]}},
        {"00209111": {"vr": "SQ", "Value": [{"00189074": {"vr": "DT", "Value": ["20251103081501"]}}]}}
      ]}
    }, {
      "00100020": {"vr": "LO", "Value": ["Q8"]},
      "00080020": {"vr": "DA", "Value": ["20240101"]},
      "0008103E": {"vr": "LO", "Value": ["scan of P7"]}
    }])JSON";
    RewritingFilter filter;
    auto all = parse_metadata(body, filter);
    ASSERT_EQ(all.size(), 2u);
    const Instance& a = all[0];
    ASSERT_NE(a.find("StudyDate"), nullptr);
    EXPECT_EQ(a.find("StudyDate")->json, R"J(["S(2025-11-03|DA|P7)","S(2025-11-04|DA|P7)"])J");
    EXPECT_EQ(a.find("StudyDate")->text, "S(2025-11-03|DA|P7)");
    // shift_date gets the ISO form and the VR; a TM is never passed to it.
    EXPECT_EQ(a.find("AcquisitionDateTime")->text, "S(2025-11-03T08:15:00+01:00|DT|P7)");
    EXPECT_EQ(a.find("StudyTime")->text, "08:15:00");
    EXPECT_EQ(a.find("SeriesDescription")->json, R"J(["C(scan of #)","C(second # value)"])J");
    EXPECT_EQ(a.find("SeriesDescription")->text, "C(scan of #)");
    // A number written into a text VR is cleaned like text.
    EXPECT_EQ(a.find("StudyDescription")->json, "\"C(12)\"");
    // Per-frame items beyond the first (summary only) are shifted too.
    const Attribute* later = a.find("PerFrameFunctionalGroupsSequence[1].FrameContentSequence[0].FrameAcquisitionDateTime");
    ASSERT_NE(later, nullptr);
    EXPECT_TRUE(later->summary_only);
    EXPECT_EQ(later->text, "S(2025-11-03T08:15:01|DT|P7)");
    // The second instance uses its own identity.
    EXPECT_EQ(all[1].find("StudyDate")->text, "S(2024-01-01|DA|Q8)");
    EXPECT_EQ(all[1].find("SeriesDescription")->text, "C(scan of P7)");
}

TEST(DicomJson, ADateWrittenAsANumberGoesThroughShiftDate) {
    RewritingFilter filter;
    auto all = parse_metadata(R"JSON({"00100020": {"vr": "LO", "Value": ["P1"]},
                                      "00080020": {"vr": "DA", "Value": [20251103]},
                                      "00080018": {"vr": "UI", "Value": [1.5]}})JSON",
                              filter);
    ASSERT_EQ(all.size(), 1u);
    ASSERT_NE(all[0].find("StudyDate"), nullptr);
    EXPECT_EQ(all[0].find("StudyDate")->text, "S(2025-11-03|DA|P1)");
    EXPECT_EQ(all[0].find("SOPInstanceUID")->text, "U(1.5)");
    // Kept, it is typed like any date written as text.
    KeepAllFilter keep;
    auto kept = parse_metadata(R"JSON({"00080020": {"vr": "DA", "Value": [20251103]}})JSON", keep);
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(kept[0].attributes.at(0).json, "\"2025-11-03\"");
}

TEST(DicomJson, PrivateCreatorOfEachBlockIsPassedToTheFilter) {
    const std::string body = R"JSON({
      "00080060": {"vr": "CS", "Value": ["MR"]},
      "00190010": {"vr": "LO", "Value": ["ACME CORP"]},
      "00190011": {"Value": ["OTHER"], "vr": "LO"},
      "00191001": {"vr": "DS", "Value": ["1"]},
      "00191101": {"Value": ["2"], "vr": "DS"},
      "00191201": {"vr": "DS", "Value": ["3"]},
      "00210010": {"vr": "LO", "Value": ["GROUP21"]},
      "00211005": {"vr": "SQ", "Value": [{
        "00190010": {"vr": "LO", "Value": ["INNER"]},
        "00191001": {"vr": "LO", "Value": ["4"]},
        "00191101": {"vr": "LO", "Value": ["5"]}
      }]},
      "00291001": {"vr": "LO", "Value": ["6"]}
    })JSON";
    RewritingFilter filter;
    auto all = parse_metadata(body, filter);
    ASSERT_EQ(all.size(), 1u);
    auto creator_of = [&](TagKey tag, int depth) {
        std::vector<std::string> out;
        for (const auto& s : filter.seen)
            if (s.tag == tag && s.depth == depth) out.push_back(s.creator);
        return out.size() == 1 ? out[0] : "<seen " + std::to_string(out.size()) + " times>";
    };
    EXPECT_EQ(creator_of(0x00080060, 0), "");                // public: no creator
    EXPECT_EQ(creator_of(0x00190010, 0), "ACME CORP");       // a creator element names itself
    EXPECT_EQ(creator_of(0x00190011, 0), "OTHER");
    EXPECT_EQ(creator_of(0x00191001, 0), "ACME CORP");       // block 10
    EXPECT_EQ(creator_of(0x00191101, 0), "OTHER");           // block 11
    EXPECT_EQ(creator_of(0x00191201, 0), "");                // block 12 has no creator
    EXPECT_EQ(creator_of(0x00211005, 0), "GROUP21");
    // An item has its own creators: the outer ones do not apply inside it.
    EXPECT_EQ(creator_of(0x00190010, 1), "INNER");
    EXPECT_EQ(creator_of(0x00191001, 1), "INNER");
    EXPECT_EQ(creator_of(0x00191101, 1), "");
    // ... and the item's creators do not leak out of it.
    EXPECT_EQ(creator_of(0x00291001, 0), "");
    // The creator values are stored intact although they were read for the context first.
    const Instance& inst = all[0];
    ASSERT_NE(inst.find("00190011"), nullptr);
    EXPECT_EQ(inst.find("00190011")->json, "\"OTHER\"");
    EXPECT_EQ(inst.find("00191101")->number, 2.0);
    EXPECT_EQ(inst.find("00211005[0].00191101")->text, "5");
}

TEST(DicomJson, FinishInstanceAppendsAndCheckInstanceCanRefuse) {
    RewritingFilter filter;
    auto all = parse_metadata(R"JSON([{"00100020": {"vr": "LO", "Value": ["P1"]},
                                       "00080060": {"vr": "CS", "Value": ["MR"]}},
                                      {"00080060": {"vr": "CS", "Value": ["CT"]}}])JSON",
                              filter);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(filter.finished, 2);
    ASSERT_EQ(all[0].attributes.size(), 3u);
    EXPECT_EQ(all[0].attributes.back().path, "Finished");
    EXPECT_EQ(all[0].attributes.back().text, "2:P1");  // called after the walk, with the identity
    EXPECT_EQ(all[0].date_shift_days, -14);
    EXPECT_EQ(all[0].patient_key, "pk");
    EXPECT_EQ(all[1].attributes.back().text, "1:");

    // A refusal propagates as thrown (not as malformed JSON) and stops the walk.
    RewritingFilter refusing;
    std::vector<std::string> delivered;
    simdjson::padded_string body(std::string(R"JSON([{"00100020": {"vr": "LO", "Value": ["P1"]}},
                                                     {"00100020": {"vr": "LO", "Value": ["REFUSE"]}},
                                                     {"00100020": {"vr": "LO", "Value": ["P3"]}}])JSON"));
    try {
        walk_metadata(body, refusing, [&](Instance&& i) { delivered.push_back(i.find("PatientID")->text); });
        ADD_FAILURE() << "no refusal";
    } catch (const MalformedJson&) {
        ADD_FAILURE() << "a refusal became MalformedJson";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "refused by the filter");
    }
    EXPECT_EQ(delivered, (std::vector<std::string>{"P1"}));
    EXPECT_EQ(refusing.finished, 1);
}

// Found by fuzzing (tests/fuzz/seeds/walk/regression-identity-search-malformed.json): reading
// the identity of a malformed instance reached undefined behaviour inside simdjson (reported by
// the sanitizer build). simdjson On-Demand does not validate what it skips, so such a body ends
// as MalformedJson or as an instance in which the malformed attribute holds no value.
TEST(DicomJson, MalformedIdentityAttributesAreRefusedOrEmpty) {
    RewritingFilter filter;
    for (const char* body : {R"({"00080050":{"":]}})", R"({"00100020":{"vr":"LO","Value":["P"]},"00080050":{"":]}})",
                             R"([{"00080050":{"vr":"SH","Value":["A"}},"00100010":{"vr":"PN"}}])"}) {
        try {
            for (const auto& instance : parse_metadata(body, filter))
                for (const auto& a : instance.attributes)
                    if (a.tag == 0x00080050) EXPECT_EQ(a.json, "null") << body;
        } catch (const MalformedJson&) {
        }
    }
    EXPECT_THROW(parse_metadata(R"([{"00080050":{"vr":"SH","Value":["A"}}}])", filter), MalformedJson);
}

}  // namespace
}  // namespace dicomlake::model

namespace dicomlake::model {
namespace {

// The filter is asked with the VR the value is read as: the dictionary's unless the sender's is
// riskier (PS3.6: StudyDate DA, Manufacturer LO, ReferencedImageSequence SQ).
class VrRecordingFilter final : public AttributeFilter {
public:
    mutable std::vector<std::pair<TagKey, std::string>> seen;
    Action decide(TagKey tag, std::string_view vr, const AttributeContext&) const override {
        seen.emplace_back(tag, std::string(vr));
        return Action::keep;
    }
    std::string replace_uid(std::string_view uid) const override { return std::string(uid); }
};

TEST(DicomJson, ValuesAreReadAsTheDictionaryVrUnlessTheSendersIsRiskier) {
    VrRecordingFilter filter;
    auto all = parse_metadata(R"JSON({
      "00080020": {"vr": "LO", "Value": ["20251103"]},
      "00080070": {"vr": "PN", "Value": [{"Alphabetic": "Doe^Jane"}]},
      "00081140": {"vr": "LO", "Value": ["not a sequence"]},
      "00080030": {"Value": ["081500"]}
    })JSON",
                              filter);
    ASSERT_EQ(all.size(), 1u);
    const Instance& inst = all.front();
    ASSERT_NE(inst.find("StudyDate"), nullptr);
    EXPECT_EQ(vr_of(*inst.find("StudyDate")), "DA");
    EXPECT_EQ(inst.find("StudyDate")->text, "2025-11-03");  // typed as a date
    ASSERT_NE(inst.find("Manufacturer"), nullptr);
    EXPECT_EQ(vr_of(*inst.find("Manufacturer")), "PN");
    EXPECT_EQ(inst.find("ReferencedImageSequence"), nullptr);  // neither a value nor items
    EXPECT_EQ(inst.find("StudyTime")->text, "08:15:00");        // no VR sent: the dictionary's
    const std::vector<std::pair<TagKey, std::string>> expected = {
        {0x00080020, "DA"}, {0x00080070, "PN"}, {0x00080030, "TM"}};
    EXPECT_EQ(filter.seen, expected);
}

// Identity values: every value of a multi-valued attribute, and the text values of a
// sequence's items (under the sequence's tag), before the walk.
class IdentityRecordingFilter final : public AttributeFilter {
public:
    mutable InstanceIdentity identity;
    Action decide(TagKey, std::string_view, const AttributeContext&) const override { return Action::keep; }
    std::string replace_uid(std::string_view uid) const override { return std::string(uid); }
    std::vector<TagKey> identity_tags() const override { return {0x00101000, 0x00101002, 0x00100010}; }
    void check_instance(const InstanceIdentity& i) const override { identity = i; }
};

TEST(DicomJson, IdentityHoldsEveryValueAndSequenceItemText) {
    IdentityRecordingFilter filter;
    parse_metadata(R"JSON({
      "00101000": {"vr": "LO", "Value": ["OPID-1", "OPID-2"]},
      "00101002": {"vr": "SQ", "Value": [
         {"00100020": {"vr": "LO", "Value": ["SEQ-1"]}, "00100022": {"vr": "CS", "Value": ["TEXT"]}},
         {"00100020": {"vr": "LO", "Value": ["SEQ-2"]}, "00100021": {"vr": "LO", "Value": ["ISSUER-2"]}}]},
      "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Doe^Jane", "Ideographic": "山田^花子"}]}
    })JSON",
                   filter);
    const InstanceIdentity expected = {{0x00101000, "OPID-1"},   {0x00101000, "OPID-2"},
                                       {0x00101002, "SEQ-1"},    {0x00101002, "SEQ-2"},
                                       {0x00101002, "ISSUER-2"}, {0x00100010, "Doe^Jane=山田^花子"}};
    EXPECT_EQ(filter.identity, expected);
}

}  // namespace
}  // namespace dicomlake::model
