// model/dictionary: PS3.6 keywords from DCMTK, the hex form of private and unknown tags, and the
// 8-hex-digit keys of the DICOM JSON model.
#include "model/dictionary.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace dicomlake::model {
namespace {

// The names src/normalize/series.cpp builds its paths from must be DCMTK's names exactly.
TEST(Dictionary, KeywordForGivesPs36KeywordsUsedBySeriesPaths) {
    const std::vector<std::pair<TagKey, std::string>> expected = {
        {0x00180083, "NumberOfAverages"},
        {0x00189345, "CTDIvol"},
        {0x52009229, "SharedFunctionalGroupsSequence"},
        {0x52009230, "PerFrameFunctionalGroupsSequence"},
        {0x00189119, "MRAveragesSequence"},
        {0x00189112, "MRTimingAndRelatedParametersSequence"},
        {0x00189114, "MREchoSequence"},
        {0x00189082, "EffectiveEchoTime"},
        {0x00289110, "PixelMeasuresSequence"},
        {0x00189321, "CTExposureSequence"},
        {0x00189079, "InversionTimes"},
        {0x00189115, "MRModifierSequence"},
        {0x00180080, "RepetitionTime"},
        {0x00180081, "EchoTime"},
        {0x00180082, "InversionTime"},
        {0x00180091, "EchoTrainLength"},
        {0x00181314, "FlipAngle"},
        {0x00180050, "SliceThickness"},
        {0x00180087, "MagneticFieldStrength"},
        {0x00189074, "FrameAcquisitionDateTime"},
        {0x0020000D, "StudyInstanceUID"},
        {0x00100010, "PatientName"},
    };
    for (const auto& [tag, name] : expected) EXPECT_EQ(keyword_for(tag), name) << tag_hex(tag);
}

TEST(Dictionary, RetiredElementsKeepTheirPs36Keyword) {
    // DCMTK names them "RETIRED_..."; PS3.6 keeps the plain keyword.
    EXPECT_EQ(keyword_for(0x00101000), "OtherPatientIDs");
    EXPECT_EQ(keyword_for(0x00324000), "StudyComments");
}

TEST(Dictionary, PrivateTagsKeepHexForm) {
    EXPECT_TRUE(is_private(0x00291010));
    EXPECT_EQ(keyword_for(0x00291010), "00291010");
    EXPECT_EQ(keyword_for(0x2001100B), "2001100B");  // Philips private, odd group
    EXPECT_EQ(keyword_for(0x0019100c), "0019100C");
    EXPECT_EQ(dictionary_vr(0x00291010), "");
}

TEST(Dictionary, UnknownPublicTagsKeepHexForm) {
    EXPECT_FALSE(is_private(0x0018ABCD));
    EXPECT_EQ(keyword_for(0x0018ABCD), "0018ABCD");
    EXPECT_EQ(keyword_for(0x00109999), "00109999");
}

TEST(Dictionary, KeywordForIsStableAcrossCallsAndThreads) {
    const std::string* first = &keyword_for(0x00180083);
    EXPECT_EQ(first, &keyword_for(0x00180083));  // cached: the same node
    std::vector<std::thread> threads;
    std::vector<std::string> seen(4);
    for (size_t i = 0; i < seen.size(); ++i)
        threads.emplace_back([&seen, i] {
            for (TagKey t = 0x00180080; t < 0x00180090; ++t) keyword_for(t);
            seen[i] = keyword_for(0x00189345);
        });
    for (auto& t : threads) t.join();
    for (const auto& s : seen) EXPECT_EQ(s, "CTDIvol");
    EXPECT_EQ(*first, "NumberOfAverages");
}

TEST(Dictionary, DictionaryVr) {
    EXPECT_EQ(dictionary_vr(0x00180083), "DS");
    EXPECT_EQ(dictionary_vr(0x52009229), "SQ");
    EXPECT_EQ(dictionary_vr(0x00189345), "FD");
    EXPECT_EQ(dictionary_vr(0x00100010), "PN");
    EXPECT_EQ(dictionary_vr(0x0018ABCD), "");
}

TEST(Dictionary, ParseTagAcceptsUpperAndLowerHex) {
    TagKey t = 0;
    ASSERT_TRUE(parse_tag("00180083", t));
    EXPECT_EQ(t, 0x00180083u);
    ASSERT_TRUE(parse_tag("5200922a", t));
    EXPECT_EQ(t, 0x5200922Au);
    ASSERT_TRUE(parse_tag("7FE0ffFF", t));
    EXPECT_EQ(t, 0x7FE0FFFFu);
    ASSERT_TRUE(parse_tag("FFFFFFFF", t));
    EXPECT_EQ(t, 0xFFFFFFFFu);
}

TEST(Dictionary, ParseTagRejectsMalformedKeysAndLeavesOutputAlone) {
    const char* bad[] = {"", "0018008", "001800833", "0018008G", "0x180083", "0018 083", "-0180083",
                         "(0018,0083)", "0018,083"};
    for (const char* s : bad) {
        TagKey t = 0xDEADBEEF;
        EXPECT_FALSE(parse_tag(s, t)) << s;
        EXPECT_EQ(t, 0xDEADBEEFu) << s;
    }
}

TEST(Dictionary, TagHexIsEightUpperCaseDigits) {
    EXPECT_EQ(tag_hex(0x00180083), "00180083");
    EXPECT_EQ(tag_hex(0x5200922A), "5200922A");
    EXPECT_EQ(tag_hex(0), "00000000");
    EXPECT_EQ(tag_hex(0xFFFFFFFF), "FFFFFFFF");
    EXPECT_EQ(tag_group(0x52009229), 0x5200);
    EXPECT_EQ(tag_element(0x52009229), 0x9229);
}

TEST(Dictionary, TagHexRoundTrip) {
    const TagKey samples[] = {0, 1, 0x00080016, 0x0020000D, 0x0040A160, 0x7FE00010, 0xFFFEE000, 0x12345678,
                              0xABCDEF01, 0xFFFFFFFF};
    for (TagKey t : samples) {
        TagKey back = 0;
        ASSERT_TRUE(parse_tag(tag_hex(t), back));
        EXPECT_EQ(back, t);
    }
    // Pseudo-random walk over the key space.
    TagKey x = 0x9E3779B9;
    for (int i = 0; i < 1000; ++i) {
        x = x * 1664525u + 1013904223u;
        TagKey back = 0;
        ASSERT_TRUE(parse_tag(tag_hex(x), back));
        ASSERT_EQ(back, x);
    }
}


// PS3.6 VRs: StudyDate DA, StudyTime TM, Manufacturer LO, PatientName PN, SliceThickness DS,
// ReferencedImageSequence SQ, SOPInstanceUID UI, PatientSex CS.
TEST(Dictionary, DictionaryVrIsPs36s) {
    EXPECT_EQ(dictionary_vr(0x00080020), "DA");
    EXPECT_EQ(dictionary_vr(0x00080030), "TM");
    EXPECT_EQ(dictionary_vr(0x00080070), "LO");
    EXPECT_EQ(dictionary_vr(0x00100010), "PN");
    EXPECT_EQ(dictionary_vr(0x00081140), "SQ");
    EXPECT_EQ(dictionary_vr(0x00291010), "");  // private
}

TEST(Dictionary, ValueVrTakesTheRiskierOfDictionaryAndSender) {
    struct Case {
        TagKey tag;
        const char* sent;
        const char* expected;
    };
    const Case cases[] = {
        {0x00080020, "LO", "DA"},  // a date stays a date
        {0x00080020, "UN", "UN"},  // bytes: never read, never stored
        {0x7FE00010, "LO", "LO"},  // text where bytes were expected
        {0x00080020, "SH", "DA"},
        {0x00100030, "CS", "DA"},
        {0x00080030, "DA", "DA"},  // a date where a time was expected is still a date
        {0x00080070, "PN", "PN"},  // a person name wherever it is sent
        {0x00180050, "PN", "PN"},
        {0x00080070, "UI", "UI"},  // a UID is never kept as text
        {0x00100010, "LO", "PN"},
        {0x00180050, "LO", "LO"},  // text where a number was expected
        {0x00100040, "LO", "LO"},
        {0x00080070, "SH", "LO"},  // same kind: the dictionary's
        {0x00180050, "IS", "DS"},
        {0x00080018, "LO", "UI"},
        {0x00080020, "SQ", ""},    // a sequence for a value, or a value for a sequence
        {0x00081140, "LO", ""},
        {0x00291010, "LO", "LO"},  // private: the sender's
        {0x00291010, "SQ", "SQ"},
    };
    for (const auto& c : cases)
        EXPECT_EQ(value_vr(c.tag, c.sent), std::string_view(c.expected)) << tag_hex(c.tag) << " sent as " << c.sent;
}

TEST(Dictionary, TagForKeyword) {
    EXPECT_EQ(tag_for_keyword("SequenceName"), 0x00180024u);
    EXPECT_EQ(tag_for_keyword("CodeMeaning"), 0x00080104u);
    EXPECT_EQ(tag_for_keyword("OtherPatientIDs"), 0x00101000u);  // retired in PS3.6
    // DCMTK's dictionary also names vendor private elements so (GE's (0019,0050)): the public
    // element is the one meant.
    EXPECT_EQ(tag_for_keyword("NumberOfAverages"), 0x00180083u);
    EXPECT_EQ(tag_for_keyword("NoSuchKeyword"), 0u);
    EXPECT_EQ(tag_for_keyword(""), 0u);
}

}  // namespace
}  // namespace dicomlake::model
