// deid/pseudonym: keyed UID pseudonyms ("2.25." + 128 bits), tokens, key files.
#include "deid/pseudonym.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <new>
#include <set>
#include <string>

#include "util/error.hpp"

namespace dicomlake::deid {
namespace {

__extension__ typedef unsigned __int128 uint128;

const std::string kSecret = "unit-test-secret-0123456789abcdef-xyz";

// Parses the decimal after "2.25."; false when it is not a decimal below 2^128.
bool parse_u128(const std::string& digits, uint128& out) {
    if (digits.empty() || digits.size() > 39) return false;
    if (digits.size() > 1 && digits[0] == '0') return false;  // UID components have no leading zero
    const uint128 max = ~static_cast<uint128>(0);
    uint128 v = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return false;
        unsigned d = static_cast<unsigned>(c - '0');
        if (v > (max - d) / 10) return false;  // would overflow 128 bits
        v = v * 10 + d;
    }
    out = v;
    return true;
}

uint128 uid_value(const std::string& uid) {
    EXPECT_EQ(uid.rfind("2.25.", 0), 0u) << uid;
    uint128 v = 0;
    EXPECT_TRUE(parse_u128(uid.substr(5), v)) << uid;
    return v;
}

TEST(Pseudonym, UidIsTwoDotTwentyFiveAndAValueBelowTwoToThe128) {
    Pseudonymizer p(kSecret, 1);
    for (const char* original : {"1.2.3", "1.2.826.0.1.3680043.8.498.1", "9", "2.25.1234"}) {
        std::string uid = p.uid(original);
        ASSERT_EQ(uid.rfind("2.25.", 0), 0u) << uid;
        EXPECT_LE(uid.size(), 64u);  // a UID is at most 64 characters
        uint128 v = 0;
        EXPECT_TRUE(parse_u128(uid.substr(5), v)) << uid;
        for (char c : uid.substr(5)) EXPECT_TRUE(c >= '0' && c <= '9') << uid;
    }
}

TEST(Pseudonym, UidHasUuidVersion8AndRfc4122Variant) {
    Pseudonymizer p(kSecret, 1);
    for (int i = 0; i < 200; ++i) {
        uint128 v = uid_value(p.uid("1.2.3.4." + std::to_string(i)));
        // Byte 6 (bits 72..79) carries the version in its high nibble: 8.
        unsigned version = static_cast<unsigned>((v >> 76) & 0xF);
        // Byte 8 (bits 56..63) carries the variant in its two high bits: 10.
        unsigned variant = static_cast<unsigned>((v >> 62) & 0x3);
        EXPECT_EQ(version, 8u) << i;
        EXPECT_EQ(variant, 2u) << i;
    }
}

TEST(Pseudonym, UidMatchesIndependentlyComputedVectors) {
    // Computed with Python's hmac/hashlib from the scheme in pseudonym.hpp:
    // uid key = HMAC-SHA256(secret, "dicomlake/v1/uid"); 128 bits of HMAC(uid key, UID) with
    // version 8 / variant bits. Pseudonyms must never change for the same key.
    Pseudonymizer p(kSecret, 1);
    EXPECT_EQ(p.uid("1.2.826.0.1.3680043.8.498.1"), "2.25.151042302258462464989460056263442404630");
    EXPECT_EQ(p.uid("1.2.3"), "2.25.252831080683398463053312626356838497578");
    EXPECT_EQ(p.token(Purpose::patient, "PAT-0001^HOSP"), "becbfbad0c9c07c76dcc2637238160f4");
    EXPECT_EQ(p.token(Purpose::accession, "ACC-42"), "696a36d3120fd69bd42d683e74fe057c");
}

TEST(Pseudonym, UidIsDeterministicAndDependsOnKeyAndInput) {
    Pseudonymizer a(kSecret, 1);
    Pseudonymizer a2(kSecret, 2);  // the version is recorded, not mixed into the pseudonym
    Pseudonymizer b("another-secret-of-at-least-32-chars!!", 1);
    const std::string uid = "1.2.826.0.1.3680043.8.498.12345";
    EXPECT_EQ(a.uid(uid), a.uid(uid));
    EXPECT_EQ(a.uid(uid), Pseudonymizer(kSecret, 1).uid(uid));
    EXPECT_EQ(a.uid(uid), a2.uid(uid));
    EXPECT_NE(a.uid(uid), b.uid(uid));
    EXPECT_NE(a.uid(uid), a.uid(uid + "6"));
    std::set<std::string> distinct;
    for (int i = 0; i < 500; ++i) distinct.insert(a.uid("1.2.3." + std::to_string(i)));
    EXPECT_EQ(distinct.size(), 500u);
    EXPECT_EQ(a2.key_version(), 2);
}

TEST(Pseudonym, WellKnownDicomUidsPassUnchanged) {
    Pseudonymizer p(kSecret, 1);
    EXPECT_EQ(p.uid("1.2.840.10008.5.1.4.1.1.4"), "1.2.840.10008.5.1.4.1.1.4");  // MR Image Storage
    EXPECT_EQ(p.uid("1.2.840.10008.1.2.1"), "1.2.840.10008.1.2.1");
    EXPECT_EQ(p.uid("1.2.840.10008.1.2.1 "), "1.2.840.10008.1.2.1");
    // Only the registered root, not a look-alike prefix.
    EXPECT_EQ(p.uid("1.2.840.100081.2").rfind("2.25.", 0), 0u);
    EXPECT_EQ(p.uid("1.2.840.113619.2.55").rfind("2.25.", 0), 0u);
}

TEST(Pseudonym, UidTrimsTrailingPaddingAndNul) {
    Pseudonymizer p(kSecret, 1);
    const std::string base = p.uid("1.2.3.4");
    EXPECT_EQ(p.uid("1.2.3.4 "), base);
    EXPECT_EQ(p.uid(std::string("1.2.3.4\0", 8)), base);  // UI values are NUL-padded to even length
    EXPECT_EQ(p.uid(std::string("1.2.3.4 \0", 9)), base);
    EXPECT_NE(p.uid("1.2.3.40"), base);
}

TEST(Pseudonym, UidAgreesWithMac) {
    Pseudonymizer p(kSecret, 1);
    auto m = p.mac(Purpose::uid, "1.2.3.4");
    m[6] = static_cast<unsigned char>((m[6] & 0x0F) | 0x80);
    m[8] = static_cast<unsigned char>((m[8] & 0x3F) | 0x80);
    uint128 expected = 0;
    for (size_t i = 0; i < 16; ++i) expected = (expected << 8) | m[i];
    EXPECT_TRUE(uid_value(p.uid("1.2.3.4")) == expected);
}

TEST(Pseudonym, TokenDiffersAcrossPurposesAndIsHex) {
    Pseudonymizer p(kSecret, 1);
    const std::string value = "PAT-0001";
    std::set<std::string> tokens;
    for (Purpose purpose :
         {Purpose::uid, Purpose::patient, Purpose::accession, Purpose::date, Purpose::activity, Purpose::ledger}) {
        std::string t = p.token(purpose, value);
        EXPECT_EQ(t.size(), 32u);
        EXPECT_EQ(t.find_first_not_of("0123456789abcdef"), std::string::npos) << t;
        EXPECT_EQ(t, p.token(purpose, value));
        tokens.insert(t);
    }
    EXPECT_EQ(tokens.size(), 6u);
    EXPECT_NE(p.token(Purpose::patient, "A"), p.token(Purpose::patient, "B"));
    EXPECT_EQ(p.token(Purpose::patient, "A "), p.token(Purpose::patient, "A"));
    EXPECT_NE(p.mac(Purpose::date, "x"), p.mac(Purpose::patient, "x"));
}

TEST(Pseudonym, GenerateKeyIs64HexCharsAndRandom) {
    std::string a = generate_key();
    std::string b = generate_key();
    EXPECT_EQ(a.size(), 64u);
    EXPECT_EQ(b.size(), 64u);
    EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos) << a;
    EXPECT_NE(a, b);
    // Usable as a key as is.
    Pseudonymizer p(a, 1);
    EXPECT_EQ(p.uid("1.2.3").rfind("2.25.", 0), 0u);
}

}  // namespace
}  // namespace dicomlake::deid

namespace dicomlake::deid {
namespace {

TEST(Pseudonym, CachedPseudonymsNeverCrossKeysEvenAtTheSameAddress) {
    // Objects built one after another in the same storage: the per-thread cache must not hand
    // the first key's pseudonym to the second.
    std::string previous;
    for (int i = 0; i < 3; ++i) {
        alignas(Pseudonymizer) unsigned char storage[sizeof(Pseudonymizer)];
        auto* p = new (storage) Pseudonymizer("cache-test-secret-number-" + std::to_string(i) + "-abcdefghijk", 1);
        std::string uid = p->uid("1.2.3.4.5.6.7");
        EXPECT_NE(uid, previous);
        EXPECT_EQ(uid, p->uid("1.2.3.4.5.6.7"));  // and cached values are right
        previous = uid;
        p->~Pseudonymizer();
    }
}

}  // namespace
}  // namespace dicomlake::deid

namespace dicomlake::deid {
namespace {

TEST(Seal, RoundTripsUnderTheSameKeyOnly) {
    Pseudonymizer a("seal-test-secret-aaaaaaaaaaaaaaaaaaaa", 1), b("seal-test-secret-bbbbbbbbbbbbbbbbbbbb", 1);
    std::string sealed = a.seal("2025-06-03");
    EXPECT_EQ(sealed.find("2025"), std::string::npos) << sealed;
    EXPECT_NE(a.seal("2025-06-03"), sealed) << "a fresh IV each time";
    ASSERT_TRUE(a.unseal(sealed).has_value());
    EXPECT_EQ(*a.unseal(sealed), "2025-06-03");
    EXPECT_FALSE(b.unseal(sealed).has_value());
    std::string altered = sealed;
    altered[30] = altered[30] == '0' ? '1' : '0';
    EXPECT_FALSE(a.unseal(altered).has_value());
    EXPECT_FALSE(a.unseal("not hex").has_value());
}

}  // namespace
}  // namespace dicomlake::deid
