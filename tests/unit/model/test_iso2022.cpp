// The examples of PS3.5 Annexes H (Japanese), I (Korean) and K (Chinese): the bytes as the
// standard prints them, the text as the standard says they read.
#include "model/iso2022.hpp"

#include <gtest/gtest.h>

namespace dicomlake::model {
namespace {

const std::vector<std::string> kJapanese = {"", "ISO 2022 IR 87"};

TEST(Iso2022, JapaneseKanjiAndHiraganaNameOfAnnexH31) {
    auto text = decode_iso2022(
        "Yamada^Tarou=\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B=\x1b$B$d$^$@\x1b(B^\x1b$B$?$m$&\x1b(B", kJapanese, true);
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, "Yamada^Tarou=\u5c71\u7530^\u592a\u90ce=\u3084\u307e\u3060^\u305f\u308d\u3046");
}

TEST(Iso2022, HalfWidthKatakanaOfAnnexH32) {
    auto text = decode_iso2022("\xd4\xcf\xc0\xde^\xc0\xdb\xb3=\x1b$B;3ED\x1b(J^\x1b$BB@O:\x1b(J=",
                               {"ISO 2022 IR 13", "ISO 2022 IR 87"}, true);
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, "\uff94\uff8f\uff80\uff9e^\uff80\uff9b\uff73=\u5c71\u7530^\u592a\u90ce=");
}

TEST(Iso2022, KoreanNameOfAnnexI2) {
    auto text = decode_iso2022("Hong^Gildong=\x1b$)C\xfb\xf3^\x1b$)C\xd1\xce\xd4\xd7=\x1b$)C\xc8\xab^\x1b$)C\xb1\xe6\xb5\xbf",
                               {"", "ISO 2022 IR 149"}, true);
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, "Hong^Gildong=\u6d2a^\u5409\u6d1e=\ud64d^\uae38\ub3d9");
}

TEST(Iso2022, ChineseNameOfAnnexK2) {
    auto text = decode_iso2022("Zhang^XiaoDong=\x1b$)A\xd5\xc5^\x1b$)A\xd0\xa1\xb6\xab=", {"", "ISO 2022 IR 58"}, true);
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, "Zhang^XiaoDong=\u5f20^\u5c0f\u4e1c=");
}

TEST(Iso2022, AValueDelimiterMakesTheInitialSetsActiveAgain) {
    // Two values of a LO; the first leaves the Korean set in G1, the second value's high bytes
    // are then not Korean: no G1 set is initially active in this character set (Latin-1 then).
    const std::vector<std::string> korean = {"", "ISO 2022 IR 149"};
    auto text = decode_iso2022("\x1b$)C\xc8\xab\\MR", korean, false);
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, "\ud64d\\MR");
    EXPECT_EQ(decode_iso2022("\x1b$)C\xc8\xab\\\xc8\xab", korean, false), "\ud64d\\\u00c8\u00ab");
}

TEST(Iso2022, ADoubleByteCodeMayHoldTheBytesOfDelimiters) {
    // JIS X 0208 0x24 0x5E (hiragana ma) has a second byte that reads as the PN delimiter "^".
    auto text = decode_iso2022("\x1b$B$^\x1b(B^A", kJapanese, true);
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, "\u307e^A");
}

TEST(Iso2022, UndecodableBytesAreRefusedNotGuessed) {
    EXPECT_FALSE(decode_iso2022("\x1b$B;", kJapanese, false));                // half a character
    EXPECT_FALSE(decode_iso2022("\x1b$)C\xfb\xf3", kJapanese, false));        // a set not declared
    EXPECT_FALSE(decode_iso2022("\x1b$B/!", kJapanese, false));                // row 15: no JIS X 0208 character
}

TEST(Iso2022, AByteBeyondAsciiWithNoG1SetIsLatin1) {
    // A Philips Allura RDSR of the real samples writes the unit of its angles so.
    auto text = decode_iso2022("\xb0", kJapanese, false);
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, "\u00b0");
}

TEST(Iso2022, OnlyTheMultiByteSetsNeedThisDecoder) {
    EXPECT_TRUE(uses_iso2022_multibyte({"", "ISO 2022 IR 87"}));
    EXPECT_TRUE(uses_iso2022_multibyte({"ISO 2022 IR 6", "ISO 2022 IR 149"}));
    EXPECT_TRUE(uses_iso2022_multibyte({"ISO 2022 IR 13", "ISO 2022 IR 159"}));
    EXPECT_FALSE(uses_iso2022_multibyte({"ISO 2022 IR 100"}));
    EXPECT_FALSE(uses_iso2022_multibyte({"ISO_IR 192"}));
    EXPECT_FALSE(uses_iso2022_multibyte({}));
}

}  // namespace
}  // namespace dicomlake::model
