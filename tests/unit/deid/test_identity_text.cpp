// deid/identity_text: identity tokens found in free text in any script, replaced in the text
// as stored, at the right bytes even where folding changes a character's length.
#include "deid/identity_text.hpp"

#include <gtest/gtest.h>

namespace dicomlake::deid {
namespace {

TEST(IdentityText, StorableTextDropsControlsAndInvalidUtf8) {
    EXPECT_EQ(storable_text(std::string("a\0b", 3)), "ab");
    EXPECT_EQ(storable_text("a\x01\x1f\x7f" "b"), "ab");
    EXPECT_EQ(storable_text("a\tb\r\nc"), "a\tb\r\nc");      // tab, CR, LF are text
    EXPECT_EQ(storable_text("a\xC2\x85" "b"), "ab");         // U+0085, a C1 control
    EXPECT_EQ(storable_text("a\xFF\xC3" "b"), "ab");         // not UTF-8
    EXPECT_EQ(storable_text("Müller 山田"), "Müller 山田");
}

TEST(IdentityText, ReplacesAtTheOriginalBytesWhenFoldingChangesLengths) {
    IdentityTokens t;
    t.add_name("Kate^Straße");
    // U+212A KELVIN SIGN (3 bytes) folds to 'k' (1 byte); U+1E9E (3 bytes) to 'ß' (2 bytes).
    EXPECT_EQ(t.clean("x \u212Aate y"), "x *** y");
    EXPECT_EQ(t.clean("STRA\u1E9EE head"), "*** head");
    EXPECT_EQ(t.clean("\u212Aate\u212Aate"), "***");  // adjacent matches merge
    EXPECT_EQ(t.clean("Katex"), "***x");               // a name inside a word is still removed
}

TEST(IdentityText, OneLetterTokensAreIgnoredButWholeNamesAreFound) {
    IdentityTokens t;
    t.add_name("O");
    t.add_identifier("7");
    EXPECT_TRUE(t.empty());
    IdentityTokens u;
    u.add_name("O^J");
    EXPECT_EQ(u.clean("project O J 7 MR"), "project *** 7 MR");
    IdentityTokens cjk;
    cjk.add_name("=王^明");
    EXPECT_EQ(cjk.clean("王明 头部"), "*** 头部");
    EXPECT_EQ(cjk.clean("王 头部"), "王 头部");
}

TEST(IdentityText, ShortIdentifiersKeepTheirSeparators) {
    IdentityTokens t;
    t.add_identifier("A-77");
    EXPECT_EQ(t.clean("q a-77 x"), "q *** x");
    EXPECT_EQ(t.clean("q a 77 x"), "q *** x");
    EXPECT_EQ(t.clean("qa77 x"), "qa77 x");
}

TEST(IdentityText, NamesMustBeContiguousIdentifiersMayBeSplit) {
    IdentityTokens names;
    names.add_name("Doe^Jane");
    EXPECT_EQ(names.clean("do extra"), "do extra");  // "doe" across a space is not the name
    EXPECT_EQ(names.clean("Do\u0301e"), "***");      // a combining mark does not split it
    IdentityTokens ids;
    ids.add_identifier("AB-1234");
    EXPECT_EQ(ids.clean("ab 12 34 knee"), "*** knee");
    EXPECT_EQ(ids.clean("ab/1234"), "***");
}

}  // namespace
}  // namespace dicomlake::deid
