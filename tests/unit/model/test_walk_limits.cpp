// model/dicom_json under hostile input: nesting, attribute counts and deep JSON that is not a
// sequence. Every bound answers with LimitExceeded or MalformedJson naming the setting, never a
// crash (the walk recurses once per sequence level).
#include <gtest/gtest.h>

#include <string>

#include "model/dicom_json.hpp"

namespace dicomlake::model {
namespace {

// An instance whose ContentSequence (0040A730) items nest `depth` levels deep.
std::string nested_sequences(int depth) {
    std::string body = "[{";
    body.reserve(static_cast<size_t>(depth) * 48 + 64);
    for (int i = 0; i < depth; ++i) body += R"("0040A730":{"vr":"SQ","Value":[{)";
    body += R"("00080060":{"vr":"CS","Value":["SR"]})";
    for (int i = 0; i < depth; ++i) body += "}]}";
    body += "}]";
    return body;
}

std::string error_of(const std::string& body, const WalkOptions& options = {}) {
    KeepAllFilter keep;
    try {
        parse_metadata(body, keep, options);
    } catch (const LimitExceeded& e) {
        return std::string("limit: ") + e.what();
    } catch (const MalformedJson& e) {
        return std::string("malformed: ") + e.what();
    }
    return "no error";
}

TEST(WalkLimits, NestingWithinTheLimitIsWalked) {
    KeepAllFilter keep;
    auto all = parse_metadata(nested_sequences(20), keep);
    ASSERT_EQ(all.size(), 1u);
    ASSERT_EQ(all[0].attributes.size(), 1u);
    EXPECT_EQ(all[0].attributes[0].depth, 20);
    std::string expected;
    for (int i = 0; i < 20; ++i) expected += "ContentSequence[0].";
    EXPECT_EQ(all[0].attributes[0].path, expected + "Modality");
}

TEST(WalkLimits, NestingBeyondTheLimitNamesTheSetting) {
    WalkOptions options;
    options.max_depth = 8;
    EXPECT_EQ(error_of(nested_sequences(8), options), "no error");
    std::string e = error_of(nested_sequences(9), options);
    EXPECT_EQ(e.rfind("limit: ", 0), 0u) << e;
    EXPECT_NE(e.find("limits.max_depth"), std::string::npos) << e;
}

TEST(WalkLimits, ASequenceNestedAHundredThousandDeepIsAClearErrorNotACrash) {
    std::string e = error_of(nested_sequences(100000));
    EXPECT_EQ(e.rfind("limit: ", 0), 0u) << e;
    EXPECT_NE(e.find("64 sequences deep"), std::string::npos) << e;
}

TEST(WalkLimits, DeepArraysOutsideSequencesAreRefusedBeforeAnythingIsRead) {
    // 100,000 nested arrays nest deeper than any DICOM JSON the sequence bound allows: the body
    // is refused whole, whether they sit in a kept attribute or in a binary one the walk would
    // skip (it is parsed and validated before it is read).
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    for (const char* attribute : {R"("00081030":{"vr":"LO","Value":)", R"("7FE00010":{"vr":"OB","Value":)"}) {
        std::string e = error_of(std::string("[{") + attribute + deep + R"(},"00080060":{"vr":"CS","Value":["CT"]}}])");
        EXPECT_EQ(e.rfind("limit: ", 0), 0u) << e;
        EXPECT_NE(e.find("limits.max_depth"), std::string::npos) << e;
    }
    // Shallow arrays where a value belongs are malformed, not a limit.
    std::string e = error_of(R"([{"00081030":{"vr":"LO","Value":[[["x"]]]}}])");
    EXPECT_EQ(e.rfind("malformed: ", 0), 0u) << e;
}

TEST(WalkLimits, TooManyAttributesNameTheSetting) {
    std::string body = "[{";
    for (int i = 0; i < 50; ++i) {
        char tag[16];
        std::snprintf(tag, sizeof tag, "0009%04X", 0x1000 + i);
        body += std::string(i ? "," : "") + "\"" + tag + R"(":{"vr":"LO","Value":["x"]})";
    }
    body += "}]";
    WalkOptions options;
    options.max_attributes = 50;
    EXPECT_EQ(error_of(body, options), "no error");
    options.max_attributes = 49;
    std::string e = error_of(body, options);
    EXPECT_EQ(e.rfind("limit: ", 0), 0u) << e;
    EXPECT_NE(e.find("limits.max_attributes"), std::string::npos) << e;
}

}  // namespace
}  // namespace dicomlake::model
