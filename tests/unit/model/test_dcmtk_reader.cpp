// model/dcmtk_reader: what a DCMTK dataset reports through the DatasetReader interface. Every
// expectation is written from PS3.5 (value multiplicity, delimiters, PN component groups, UN
// encoded as implicit VR little endian) and the values put in, never from the reader's output.
#include "model/dcmtk_reader.hpp"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcvrobow.h>
#include <dcmtk/dcmdata/dcvrus.h>
#include <dcmtk/dcmdata/dcvrfd.h>
#include <dcmtk/dcmdata/dcvrfl.h>
#include <dcmtk/dcmdata/dcvrat.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "model/instance.hpp"

namespace dicomlake::model {
namespace {

struct Seen {
    RawValue::Kind kind;
    std::string text;
    double number = 0;
    std::string groups[3];
};

std::vector<Seen> values_of(DatasetReader& r) {
    std::vector<Seen> out;
    r.values([&](const RawValue& v) {
        Seen s{v.kind, std::string(v.text), v.number, {}};
        for (int g = 0; g < 3; ++g) s.groups[g] = std::string(v.groups[g]);
        out.push_back(s);
    });
    return out;
}

// Moves the reader to `tag`; fails the test when the element is not there.
bool seek(DatasetReader& r, TagKey tag) {
    r.rewind();
    while (r.next())
        if (r.tag() == tag) return true;
    ADD_FAILURE() << "tag " << std::hex << tag << " not found";
    return false;
}

std::string trim_right(std::string s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
    return s;
}

TEST(DcmtkReader, SplitsStringValuesAtBackslashesAndKeepsEmptyComponentsAsNull) {
    DcmDataset ds;
    ds.putAndInsertString(DCM_PixelSpacing, "0.5\\0.75");
    ds.putAndInsertString(DCM_ImageType, "ORIGINAL\\\\AXIAL");
    DcmtkReader r(ds);
    ASSERT_TRUE(seek(r, 0x00280030));
    EXPECT_EQ(r.sent_vr(), "DS");
    auto v = values_of(r);
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(v[0].kind, RawValue::Kind::text);
    EXPECT_EQ(v[0].text, "0.5");
    EXPECT_EQ(v[1].text, "0.75");
    ASSERT_TRUE(seek(r, 0x00080008));
    v = values_of(r);
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(v[0].text, "ORIGINAL");
    EXPECT_EQ(v[1].kind, RawValue::Kind::null);
    EXPECT_EQ(v[2].text, "AXIAL");
}

TEST(DcmtkReader, TextVrsWhereBackslashIsNotADelimiterGiveOneValue) {
    DcmDataset ds;
    ds.putAndInsertString(DCM_ImageComments, "left\\right");  // LT
    DcmtkReader r(ds);
    ASSERT_TRUE(seek(r, 0x00204000));
    auto v = values_of(r);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].text, "left\\right");
}

TEST(DcmtkReader, EmptyElementHasNoValues) {
    DcmDataset ds;
    ds.putAndInsertString(DCM_StudyDescription, "");
    DcmtkReader r(ds);
    ASSERT_TRUE(seek(r, 0x00081030));
    EXPECT_EQ(r.sent_vr(), "LO");
    EXPECT_TRUE(values_of(r).empty());
}

TEST(DcmtkReader, BinaryNumbersAreNumbersWithTheirToken) {
    DcmDataset ds;
    ds.putAndInsertUint16Array(DCM_AcquisitionMatrix, std::vector<Uint16>{0, 256, 192, 0}.data(), 4);
    ds.putAndInsertFloat64(DCM_DiffusionBValue, 1000.5);
    ds.putAndInsertFloat32(DCM_ExaminedBodyThickness, 0.25f);
    ds.putAndInsertSint16(DCM_PixelPaddingValue, -2000);
    DcmAttributeTag* at = new DcmAttributeTag(DCM_FrameIncrementPointer);
    at->putTagVal(DcmTagKey(0x0018, 0x1063));
    ds.insert(at);
    DcmtkReader r(ds);

    ASSERT_TRUE(seek(r, 0x00181310));
    EXPECT_EQ(r.sent_vr(), "US");
    auto v = values_of(r);
    ASSERT_EQ(v.size(), 4u);
    EXPECT_EQ(v[1].kind, RawValue::Kind::number);
    EXPECT_EQ(v[1].number, 256);
    EXPECT_EQ(v[1].text, "256");
    EXPECT_EQ(v[2].number, 192);

    ASSERT_TRUE(seek(r, 0x00189087));
    EXPECT_EQ(r.sent_vr(), "FD");
    v = values_of(r);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].number, 1000.5);
    EXPECT_EQ(v[0].text, "1000.5");

    ASSERT_TRUE(seek(r, 0x00109431));
    EXPECT_EQ(r.sent_vr(), "FL");
    v = values_of(r);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].number, 0.25);  // exactly representable in binary32

    ASSERT_TRUE(seek(r, 0x00280120));
    v = values_of(r);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].number, -2000);
    EXPECT_EQ(v[0].text, "-2000");

    ASSERT_TRUE(seek(r, 0x00280009));
    EXPECT_EQ(r.sent_vr(), "AT");
    v = values_of(r);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].text, "00181063");
}

TEST(DcmtkReader, PersonNameGroupsAreSplitAtEquals) {
    DcmDataset ds;
    ds.putAndInsertString(DCM_PatientName, "Doe^John=Ideo^Graph=Pho^Net");
    ds.putAndInsertString(DCM_OtherPatientNames, "A^B\\C^D");
    DcmtkReader r(ds);
    ASSERT_TRUE(seek(r, 0x00100010));
    EXPECT_EQ(r.sent_vr(), "PN");
    auto v = values_of(r);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].kind, RawValue::Kind::person_name);
    EXPECT_EQ(v[0].groups[0], "Doe^John");
    EXPECT_EQ(v[0].groups[1], "Ideo^Graph");
    EXPECT_EQ(v[0].groups[2], "Pho^Net");
    ASSERT_TRUE(seek(r, 0x00101001));
    v = values_of(r);
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(v[0].groups[0], "A^B");
    EXPECT_EQ(v[0].groups[1], "");
    EXPECT_EQ(v[1].groups[0], "C^D");
}

TEST(DcmtkReader, SequencesYieldOneReaderPerItem) {
    DcmDataset ds;
    DcmItem* first = nullptr;
    DcmItem* second = nullptr;
    ASSERT_TRUE(ds.findOrCreateSequenceItem(DCM_RequestAttributesSequence, first, 0).good());
    ASSERT_TRUE(ds.findOrCreateSequenceItem(DCM_RequestAttributesSequence, second, 1).good());
    first->putAndInsertString(DCM_RequestedProcedureID, "P1");
    second->putAndInsertString(DCM_RequestedProcedureID, "P2");
    DcmItem* deep = nullptr;
    ASSERT_TRUE(second->findOrCreateSequenceItem(DCM_ScheduledProtocolCodeSequence, deep, 0).good());
    deep->putAndInsertString(DCM_CodeValue, "X9");
    DcmtkReader r(ds);
    ASSERT_TRUE(seek(r, 0x00400275));
    EXPECT_EQ(r.sent_vr(), "SQ");
    EXPECT_TRUE(values_of(r).empty());
    std::vector<std::string> ids, codes;
    r.items([&](DatasetReader* item) {
        ASSERT_NE(item, nullptr);
        while (item->next()) {
            if (item->tag() == 0x00401001) ids.push_back(values_of(*item).at(0).text);
            if (item->tag() == 0x00400008)
                item->items([&](DatasetReader* inner) {
                    while (inner->next())
                        if (inner->tag() == 0x00080100) codes.push_back(values_of(*inner).at(0).text);
                });
        }
    });
    EXPECT_EQ(ids, (std::vector<std::string>{"P1", "P2"}));
    EXPECT_EQ(codes, std::vector<std::string>{"X9"});
}

DcmOtherByteOtherWord* un_element(const DcmTagKey& key, const std::string& bytes) {
    auto* e = new DcmOtherByteOtherWord(DcmTag(key, EVR_UN));
    e->putUint8Array(reinterpret_cast<const Uint8*>(bytes.data()), static_cast<unsigned long>(bytes.size()));
    return e;
}

TEST(DcmtkReader, UnknownVrOfAKnownTagIsReadWithTheDictionaryVr) {
    DcmDataset ds;
    ds.insert(un_element(DCM_StudyDescription, "CT HEAD "));  // LO in the dictionary
    ds.insert(un_element(DcmTagKey(0x0008, 0xFFF0), "HIDDEN"));   // a public tag no edition defines
    prepare_dataset(ds);
    DcmtkReader r(ds);
    ASSERT_TRUE(seek(r, 0x00081030));
    EXPECT_EQ(r.sent_vr(), "LO");
    auto v = values_of(r);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(trim_right(v[0].text), "CT HEAD");
    ASSERT_TRUE(seek(r, 0x0008FFF0));
    EXPECT_EQ(r.sent_vr(), "UN");
    EXPECT_TRUE(values_of(r).empty());
}

TEST(DcmtkReader, UnknownVrSequenceIsReadAsItsItems) {
    // (0040,0275) as UN: one item (FFFE,E000) of defined length holding (0040,1001) "P123",
    // all in implicit VR little endian (PS3.5 6.2.2).
    const std::string element("\x40\x00\x01\x10\x04\x00\x00\x00P123", 12);
    const std::string item = std::string("\xFE\xFF\x00\xE0\x0C\x00\x00\x00", 8) + element;
    DcmDataset ds;
    ds.insert(un_element(DCM_RequestAttributesSequence, item));
    prepare_dataset(ds);
    DcmtkReader r(ds);
    ASSERT_TRUE(seek(r, 0x00400275));
    EXPECT_EQ(r.sent_vr(), "SQ");
    std::vector<std::string> ids;
    r.items([&](DatasetReader* it) {
        while (it->next())
            if (it->tag() == 0x00401001) {
                EXPECT_EQ(it->sent_vr(), "SH");
                ids.push_back(values_of(*it).at(0).text);
            }
    });
    EXPECT_EQ(ids, std::vector<std::string>{"P123"});
}

TEST(DcmtkReader, Latin1TextIsConvertedToUtf8) {
    DcmDataset ds;
    ds.putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 100");
    ds.putAndInsertString(DCM_PatientName, "M\xFCller^J\xFCrgen");
    ds.putAndInsertString(DCM_StudyDescription, "Sch\xE4" "del");
    prepare_dataset(ds);
    DcmtkReader r(ds);
    ASSERT_TRUE(seek(r, 0x00100010));
    auto v = values_of(r);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].groups[0], "M\xC3\xBCller^J\xC3\xBCrgen");
    ASSERT_TRUE(seek(r, 0x00081030));
    EXPECT_EQ(values_of(r).at(0).text, "Sch\xC3\xA4" "del");
    // The object's declaration is reported as it was (a DICOMweb PACS reports it so too).
    ASSERT_TRUE(seek(r, 0x00080005));
    EXPECT_EQ(trim_right(values_of(r).at(0).text), "ISO_IR 100");
}

TEST(DcmtkReader, TextWithoutCharacterSetBeyondAsciiIsReadAsLatin1) {
    DcmDataset ds;
    ds.putAndInsertString(DCM_ReferringPhysicianName, "M\xFCller");
    prepare_dataset(ds);
    DcmtkReader r(ds);
    ASSERT_TRUE(seek(r, 0x00080090));
    EXPECT_EQ(values_of(r).at(0).groups[0], "M\xC3\xBCller");
    r.rewind();
    while (r.next()) EXPECT_NE(r.tag(), 0x00080005u);  // none declared, none reported
}

TEST(DcmtkReader, AsciiTextNeedsNoConversionWhateverTheCharacterSet) {
    DcmDataset ds;
    ds.putAndInsertString(DCM_SpecificCharacterSet, "\\ISO 2022 IR 87");
    ds.putAndInsertString(DCM_StudyDescription, "CHEST PA");
    EXPECT_NO_THROW(prepare_dataset(ds));
    DcmtkReader r(ds);
    ASSERT_TRUE(seek(r, 0x00081030));
    EXPECT_EQ(values_of(r).at(0).text, "CHEST PA");
}

// PS3.5 H.3.1's name; an item inherits the set of its dataset unless it declares its own.
TEST(DcmtkReader, JapaneseIso2022TextIsConvertedAtEveryDepth) {
    DcmDataset ds;
    ds.putAndInsertString(DCM_SpecificCharacterSet, "\\ISO 2022 IR 87");
    ds.putAndInsertString(DCM_PatientName, "Yamada^Tarou=\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B");
    auto* inherits = new DcmItem();
    inherits->putAndInsertString(DCM_RequestedProcedureDescription, "\x1b$B;3ED\x1b(B CT");
    auto* own = new DcmItem();
    own->putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 100");
    own->putAndInsertString(DCM_RequestedProcedureDescription, "Sch\xE4" "del");
    auto* seq = new DcmSequenceOfItems(DCM_RequestAttributesSequence);
    seq->insert(inherits);
    seq->insert(own);
    ds.insert(seq);
    prepare_dataset(ds);
    DcmtkReader r(ds);
    ASSERT_TRUE(seek(r, 0x00100010));
    auto name = values_of(r);
    ASSERT_EQ(name.size(), 1u);
    EXPECT_EQ(name[0].groups[0], "Yamada^Tarou");
    EXPECT_EQ(name[0].groups[1], "\u5c71\u7530^\u592a\u90ce");
    std::vector<std::string> described;
    ASSERT_TRUE(seek(r, 0x00400275));
    r.items([&](DatasetReader* item) {
        ASSERT_TRUE(seek(*item, 0x00321060));
        described.push_back(values_of(*item).at(0).text);
    });
    EXPECT_EQ(described, (std::vector<std::string>{"\u5c71\u7530 CT", "Sch\xC3\xA4" "del"}));
    ASSERT_TRUE(seek(r, 0x00080005));
    EXPECT_EQ(trim_right(values_of(r).at(1).text), "ISO 2022 IR 87");
}

// Bytes beyond ASCII in a VR no character set applies to (CS, UI, DA...) reach the walk as
// Latin-1 characters, whatever the declared set: the reader hands out UTF-8 only.
TEST(DcmtkReader, BytesBeyondAsciiOutsideTextVrsAreReadAsLatin1) {
    for (const char* declared : {"", "ISO_IR 192", "\\ISO 2022 IR 87"}) {
        DcmDataset ds;
        if (*declared) ds.putAndInsertString(DCM_SpecificCharacterSet, declared);
        ds.putAndInsertString(DCM_StudyDescription, "HEAD");
        ds.putAndInsertString(DCM_BodyPartExamined, "T\xC4TE");  // CS
        prepare_dataset(ds);
        DcmtkReader r(ds);
        ASSERT_TRUE(seek(r, 0x00180015));
        EXPECT_EQ(values_of(r).at(0).text, "T\xC3\x84TE") << declared;
    }
}

TEST(DcmtkReader, UnknownCharacterSetIsMalformed) {
    DcmDataset ds;
    ds.putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 999");
    ds.putAndInsertString(DCM_StudyDescription, "Sch\xE4" "del");
    EXPECT_THROW(prepare_dataset(ds), MalformedJson);
}

TEST(DcmtkReader, BulkValuesAreNeverRead) {
    DcmDataset ds;
    Uint16 pixels[4] = {1, 2, 3, 4};
    ds.putAndInsertUint16Array(DCM_PixelData, pixels, 4);
    ds.insert(un_element(DcmTagKey(0x0009, 0x1010), "PRIVATE TEXT"));
    DcmtkReader r(ds);
    ASSERT_TRUE(seek(r, 0x7FE00010));
    EXPECT_EQ(r.sent_vr(), "OW");
    EXPECT_TRUE(values_of(r).empty());
    ASSERT_TRUE(seek(r, 0x00091010));
    EXPECT_EQ(r.sent_vr(), "UN");
    EXPECT_TRUE(values_of(r).empty());
}

// A Part 10 file written by DCMTK and read back headers-only: padding as written, no PixelData.
TEST(DcmtkReader, Part10HeadersStopBeforePixelData) {
    char dir[] = "/tmp/dicomlake-dcmtk-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    const std::string path = std::string(dir) + "/one.dcm";
    {
        DcmFileFormat file;
        DcmDataset* ds = file.getDataset();
        ds->putAndInsertString(DCM_SOPClassUID, "1.2.840.10008.5.1.4.1.1.2");
        ds->putAndInsertString(DCM_SOPInstanceUID, "1.2.3.4.5");
        ds->putAndInsertString(DCM_StudyInstanceUID, "1.2.3");
        ds->putAndInsertString(DCM_StudyDescription, "ABC");  // odd length: padded with a space
        ds->putAndInsertString(DCM_SliceThickness, "1.25");
        Uint16 pixels[4] = {1, 2, 3, 4};
        ds->putAndInsertUint16Array(DCM_PixelData, pixels, 4);
        ASSERT_TRUE(file.saveFile(path.c_str(), EXS_LittleEndianExplicit).good());
    }
    EXPECT_TRUE(has_part10_preamble(path));
    auto file = read_part10_headers(path);
    ASSERT_NE(file, nullptr);
    DcmtkReader r(*file->getDataset());
    std::vector<TagKey> tags;
    while (r.next()) tags.push_back(r.tag());
    EXPECT_EQ(std::count(tags.begin(), tags.end(), 0x7FE00010u), 0);
    ASSERT_TRUE(seek(r, 0x00081030));
    EXPECT_EQ(trim_right(values_of(r).at(0).text), "ABC");
    ASSERT_TRUE(seek(r, 0x00180050));
    EXPECT_EQ(values_of(r).at(0).text, "1.25");

    const std::string text = std::string(dir) + "/notes.txt";
    std::FILE* f = std::fopen(text.c_str(), "w");
    std::fputs("not a DICOM file\n", f);
    std::fclose(f);
    EXPECT_FALSE(has_part10_preamble(text));
    std::remove(text.c_str());
    std::remove(path.c_str());
    rmdir(dir);
}

}  // namespace
}  // namespace dicomlake::model
