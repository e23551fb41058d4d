// model/walk over a reader that is not JSON: what a DICOM dataset reader reports (text values
// with their padding, PN as one "Alphabetic=Ideographic=Phonetic" string, binary numbers) must
// give the same attributes as the DICOM JSON of the same object. Expectations are PS3.5's
// rules written out by hand.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/dicom_json.hpp"
#include "model/walk.hpp"

namespace dicomlake::model {
namespace {

struct Element {
    TagKey tag;
    std::string vr;
    std::vector<RawValue> values;
    std::vector<std::vector<Element>> items;
};

// A dataset held in memory, read forward like a DCMTK dataset.
class ListReader final : public DatasetReader {
public:
    explicit ListReader(const std::vector<Element>& elements) : elements_(elements) {}
    bool next() override { return ++index_ < elements_.size(); }
    TagKey tag() override { return elements_[index_].tag; }
    std::string_view sent_vr() override { return elements_[index_].vr; }
    void values(const std::function<void(const RawValue&)>& each) override {
        for (const auto& v : elements_[index_].values) each(v);
    }
    void items(const std::function<void(DatasetReader*)>& each) override {
        for (const auto& item : elements_[index_].items) {
            ListReader reader(item);
            each(&reader);
        }
    }
    void rewind() override { index_ = static_cast<size_t>(-1); }

private:
    const std::vector<Element>& elements_;
    size_t index_ = static_cast<size_t>(-1);
};

RawValue text(std::string_view s) {
    RawValue v;
    v.kind = RawValue::Kind::text;
    v.text = s;
    return v;
}

RawValue number(double d, std::string_view token) {
    RawValue v;
    v.kind = RawValue::Kind::number;
    v.number = d;
    v.text = token;
    return v;
}

TEST(Walk, ADatasetReaderAndItsJsonGiveTheSameAttributes) {
    const std::vector<Element> dataset = {
        {0x00080060, "CS", {text("MR")}, {}},
        {0x00100010, "PN", {text("Yamada^Tarou=\xE5\xB1\xB1\xE7\x94\xB0^\xE5\xA4\xAA\xE9\x83\x8E ")}, {}},
        {0x00180083, "DS", {text(" 1.50 ")}, {}},
        {0x00280010, "US", {number(256, "256")}, {}},
        {0x00181030, "LO", {text("t1_se_tra ")}, {}},
        {0x00080020, "DA", {text("20240105")}, {}},
        {0x00081032, "SQ", {}, {{{0x00080100, "SH", {text("RPID5 ")}, {}}}}},
        {0x00200037, "DS", {text("1"), text("0"), text("0 ")}, {}},
    };
    const std::string json = R"JSON({
      "00080060": {"vr": "CS", "Value": ["MR"]},
      "00100010": {"vr": "PN", "Value": [{"Ideographic": "山田^太郎", "Alphabetic": "Yamada^Tarou"}]},
      "00180083": {"vr": "DS", "Value": [1.5]},
      "00280010": {"vr": "US", "Value": [256]},
      "00181030": {"vr": "LO", "Value": ["t1_se_tra"]},
      "00080020": {"vr": "DA", "Value": ["20240105"]},
      "00081032": {"vr": "SQ", "Value": [{"00080100": {"vr": "SH", "Value": ["RPID5"]}}]},
      "00200037": {"vr": "DS", "Value": [1, 0, 0]}
    })JSON";
    KeepAllFilter keep;
    ListReader reader(dataset);
    Instance from_dataset = walk_instance(reader, keep);
    std::vector<Instance> from_json = parse_metadata(json, keep);
    ASSERT_EQ(from_json.size(), 1u);
    ASSERT_EQ(from_dataset.attributes.size(), from_json[0].attributes.size());
    for (size_t i = 0; i < from_dataset.attributes.size(); ++i) {
        const Attribute& a = from_dataset.attributes[i];
        const Attribute& b = from_json[0].attributes[i];
        EXPECT_EQ(a.path, b.path);
        EXPECT_EQ(a.json, b.json) << a.path;
        EXPECT_EQ(a.text, b.text) << a.path;
    }
    // And what PS3.5 says they are.
    EXPECT_EQ(from_dataset.find("PatientName")->json,
              "{\"Alphabetic\":\"Yamada^Tarou\",\"Ideographic\":\"\xE5\xB1\xB1\xE7\x94\xB0^\xE5\xA4\xAA\xE9\x83\x8E\"}");
    EXPECT_EQ(from_dataset.find("NumberOfAverages")->number, 1.5);
    EXPECT_EQ(from_dataset.find("ProtocolName")->text, "t1_se_tra");
    EXPECT_EQ(from_dataset.find("StudyDate")->text, "2024-01-05");
    EXPECT_EQ(from_dataset.find("ProcedureCodeSequence[0].CodeValue")->text, "RPID5");
    EXPECT_EQ(from_dataset.find("ImageOrientationPatient")->json, "[1,0,0]");
}

TEST(Walk, TheSendersVrIsNotTheOneThatRules) {
    // PatientName sent as CS (a lax VR) is still a person's name: typed and ruled as PN.
    const std::vector<Element> dataset = {{0x00100010, "CS", {text("Doe^John")}, {}}};
    KeepAllFilter keep;
    ListReader reader(dataset);
    Instance inst = walk_instance(reader, keep);
    ASSERT_EQ(inst.attributes.size(), 1u);
    EXPECT_EQ(std::string(inst.attributes[0].vr), "PN");
    EXPECT_EQ(inst.attributes[0].json, R"({"Alphabetic":"Doe^John"})");
}

TEST(Walk, UnknownVrAndBinaryValuesAreNeverStored) {
    // Pixel data and a UN element of a tag the dictionary does not know: nothing stored.
    const std::vector<Element> dataset = {{0x7FE00010, "OW", {text("xx")}, {}},
                                          {0x00191010, "UN", {text("secret")}, {}},
                                          {0x00080060, "", {text("CT")}, {}}};
    KeepAllFilter keep;
    ListReader reader(dataset);
    Instance inst = walk_instance(reader, keep);
    ASSERT_EQ(inst.attributes.size(), 1u);
    EXPECT_EQ(inst.attributes[0].path, "Modality");
    EXPECT_EQ(std::string(inst.attributes[0].vr), "CS");  // no VR sent: the dictionary's
}

TEST(Walk, AnInstanceWalkedIntoReusedMemoryEqualsAFreshWalk) {
    // The pipeline walks every instance into one Instance. Walked after a larger instance with
    // longer values (and several values per attribute), a smaller one must come out exactly as a
    // fresh walk gives it: no attribute, value or text of the first left behind.
    const std::vector<Element> large = {
        {0x00080060, "CS", {text("MAMMOGRAPHY-LONG-VALUE")}, {}},
        {0x00181030, "LO", {text("a protocol name of some length")}, {}},
        {0x00200037, "DS", {text("1"), text("0"), text("0"), text("0"), text("1"), text("0")}, {}},
        {0x00081032, "SQ", {}, {{{0x00080100, "SH", {text("RPID5 ")}, {}}}}},
        {0x00180083, "DS", {text("2.5")}, {}},
    };
    const std::vector<Element> small = {
        {0x00080060, "CS", {text("MR")}, {}},
        {0x00181030, "LO", {}, {}},
        {0x00200037, "DS", {text("7")}, {}},
    };
    KeepAllFilter keep;
    Instance reused;
    ListReader first(large);
    walk_instance(first, keep, {}, reused);
    ASSERT_EQ(reused.attributes.size(), 5u);
    ListReader second(small);
    walk_instance(second, keep, {}, reused);

    ASSERT_EQ(reused.attributes.size(), 3u);
    EXPECT_EQ(reused.attributes[0].path, "Modality");
    EXPECT_EQ(reused.attributes[0].json, "\"MR\"");
    EXPECT_EQ(reused.attributes[0].text, "MR");
    EXPECT_FALSE(reused.attributes[0].has_number());
    EXPECT_EQ(reused.attributes[1].path, "ProtocolName");
    EXPECT_EQ(reused.attributes[1].json, "null");
    EXPECT_EQ(reused.attributes[1].text, "");
    EXPECT_EQ(reused.attributes[2].path, "ImageOrientationPatient");
    EXPECT_EQ(reused.attributes[2].json, "7");
    EXPECT_EQ(reused.attributes[2].number, 7);
    EXPECT_EQ(reused.attributes[2].depth, 0);

    ListReader again(small);
    Instance fresh = walk_instance(again, keep);
    ASSERT_EQ(fresh.attributes.size(), reused.attributes.size());
    for (size_t i = 0; i < fresh.attributes.size(); ++i) {
        EXPECT_EQ(fresh.attributes[i].path, reused.attributes[i].path);
        EXPECT_EQ(fresh.attributes[i].json, reused.attributes[i].json);
        EXPECT_EQ(fresh.attributes[i].text, reused.attributes[i].text);
        EXPECT_EQ(std::string(fresh.attributes[i].vr), std::string(reused.attributes[i].vr));
    }
}

}  // namespace
}  // namespace dicomlake::model
