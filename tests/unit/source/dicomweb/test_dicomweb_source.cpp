// source/dicomweb: parsing of QIDO-RS study pages (no network).
#include "source/dicomweb/dicomweb_source.hpp"

#include <gtest/gtest.h>

#include <string>

namespace dicomlake::source::dicomweb {
namespace {

TEST(QidoPage, ArrayOfStudies) {
    const std::string body = R"JSON([
      {"0020000D": {"vr": "UI", "Value": ["1.2.3.1"]},
       "00080020": {"vr": "DA", "Value": ["20261103"]},
       "00201208": {"vr": "IS", "Value": [42]}},
      {"00080020": {"Value": ["20261104"], "vr": "DA"},
       "0020000D": {"Value": ["1.2.3.2"], "vr": "UI"},
       "00201208": {"vr": "IS", "Value": ["7"]}},
      {"0020000D": {"vr": "UI", "Value": ["1.2.3.3"]}}
    ])JSON";
    auto refs = DicomwebSource::parse_qido_page(body);
    ASSERT_EQ(refs.size(), 3u);
    EXPECT_EQ(refs[0].study_uid, "1.2.3.1");
    EXPECT_EQ(refs[0].study_date, "2026-11-03");
    EXPECT_EQ(refs[0].instances, 42);
    EXPECT_EQ(refs[1].study_uid, "1.2.3.2");
    EXPECT_EQ(refs[1].study_date, "2026-11-04");
    EXPECT_EQ(refs[1].instances, 7);  // IS as a string
    EXPECT_EQ(refs[2].study_uid, "1.2.3.3");
    EXPECT_EQ(refs[2].study_date, "");
    EXPECT_EQ(refs[2].instances, -1);  // not said
}

TEST(QidoPage, ObjectBodyIsOneStudy) {
    auto refs = DicomwebSource::parse_qido_page(
        R"JSON({"0020000D": {"vr": "UI", "Value": ["1.2.3.9"]}, "00080020": {"vr": "DA", "Value": ["20260101"]}})JSON");
    ASSERT_EQ(refs.size(), 1u);
    EXPECT_EQ(refs[0].study_uid, "1.2.3.9");
    EXPECT_EQ(refs[0].study_date, "2026-01-01");
}

TEST(QidoPage, EmptyBodyIsNoStudy) {
    EXPECT_TRUE(DicomwebSource::parse_qido_page("").empty());
    EXPECT_TRUE(DicomwebSource::parse_qido_page(" \r\n\t").empty());
    EXPECT_TRUE(DicomwebSource::parse_qido_page("[]").empty());
}

TEST(QidoPage, NonJsonIsMalformed) {
    for (const char* body : {"<html>502 Bad Gateway</html>", "[{\"0020000D\":", "not json"}) {
        try {
            DicomwebSource::parse_qido_page(body);
            ADD_FAILURE() << "no error for " << body;
        } catch (const SourceError& e) {
            EXPECT_EQ(e.kind(), FailureKind::malformed) << body;
            EXPECT_STREQ(to_string(e.kind()), "malformed");
        }
    }
}

TEST(QidoPage, WrongJsonShapesAreMalformed) {
    for (const char* body : {"42", "\"text\"", "[1, 2]", "[{\"0020000D\": {\"vr\": \"UI\", \"Value\": [\"1.2\"]}}, []]"}) {
        try {
            DicomwebSource::parse_qido_page(body);
            ADD_FAILURE() << "no error for " << body;
        } catch (const SourceError& e) {
            EXPECT_EQ(e.kind(), FailureKind::malformed) << body;
        }
    }
}

TEST(QidoPage, EntriesWithoutStudyUidAreSkipped) {
    const std::string body = R"JSON([
      {"00080020": {"vr": "DA", "Value": ["20261103"]}},
      {"0020000D": {"vr": "UI"}},
      {"0020000D": {"vr": "UI", "Value": []}},
      {"0020000D": {"vr": "UI", "Value": [""]}},
      {"0020000D": "1.2.3.4"},
      {"0020000D": {"vr": "UI", "Value": ["1.2.3.5"]}}
    ])JSON";
    auto refs = DicomwebSource::parse_qido_page(body);
    ASSERT_EQ(refs.size(), 1u);
    EXPECT_EQ(refs[0].study_uid, "1.2.3.5");
}

TEST(QidoPage, ErrorMessagesHoldNoUid) {
    try {
        DicomwebSource::parse_qido_page(R"JSON([{"0020000D": {"vr": "UI", "Value": ["1.2.3.777"]}}, 5])JSON");
        ADD_FAILURE() << "no error";
    } catch (const SourceError& e) {
        EXPECT_EQ(std::string(e.what()).find("1.2.3.777"), std::string::npos) << e.what();
    }
    try {
        DicomwebSource::parse_qido_page(R"JSON([{"0020000D": {"vr": "UI", "Value": ["1.2.3.777"]})JSON");
        ADD_FAILURE() << "no error";
    } catch (const SourceError& e) {
        EXPECT_EQ(std::string(e.what()).find("1.2.3.777"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace dicomlake::source::dicomweb

namespace dicomlake::source::dicomweb {
namespace {

TEST(Multipart, SplitsPartsByTheBoundary) {
    const std::string body =
        "preamble\r\n--b1\r\nContent-Type: application/dicom+json\r\n\r\n[{\"a\":1}]\r\n"
        "--b1\r\nContent-Type: application/dicom+json\r\n\r\n{\"b\":2}\r\n--b1--\r\n";
    auto parts = DicomwebSource::split_multipart(body, "multipart/related; type=\"application/dicom+json\"; boundary=b1");
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(parts[0], "[{\"a\":1}]");
    EXPECT_EQ(parts[1], "{\"b\":2}");
    auto quoted = DicomwebSource::split_multipart(body, "multipart/related; boundary=\"b1\"");
    EXPECT_EQ(quoted.size(), 2u);
}

TEST(Multipart, MalformedAnswersAreMalformedErrors) {
    for (const auto& [body, type] : std::vector<std::pair<std::string, std::string>>{
             {"--b1\r\n\r\n[]", "multipart/related; boundary=b1"},   // no closing delimiter
             {"[]", "multipart/related"},                                // no boundary
             {"nothing", "multipart/related; boundary=b1"}}) {          // no part
        try {
            DicomwebSource::split_multipart(body, type);
            ADD_FAILURE() << "no error for " << type;
        } catch (const SourceError& e) {
            EXPECT_EQ(e.kind(), FailureKind::malformed);
        }
    }
}

// Found by fuzzing (tests/fuzz/seeds/multipart/regression-empty-part*): an empty part made the
// next part start before its own content and run to the end of the body.
TEST(Multipart, AnEmptyPartIsEmpty) {
    const std::string crlf = "--B\r\n\r\n--B\r\nContent-Type: application/dicom+json\r\n\r\n{}\r\n--B--\r\n";
    EXPECT_EQ(DicomwebSource::split_multipart(crlf, "multipart/related; boundary=B"),
              (std::vector<std::string>{"", "{}"}));
    EXPECT_EQ(DicomwebSource::split_multipart("--B\n\n--B\n\n[]\n--B--\n", "multipart/related; boundary=B"),
              (std::vector<std::string>{"", "[]"}));
}

// Found by fuzzing (tests/fuzz/seeds/qido/regression-*): a number JSON cannot hold escaped as
// a library exception, and a float where a UID or a count belongs was converted to an integer
// (undefined behaviour).
TEST(QidoPage, NumbersOutOfRangeAreMalformedOrIgnored) {
    try {
        DicomwebSource::parse_qido_page(R"([{"0020000D":{"vr":"UI","Value":["1.2.3"]},"00201208":{"vr":"IS","Value":[1e400]}}])");
        ADD_FAILURE() << "no error for 1e400";
    } catch (const SourceError& e) {
        EXPECT_EQ(e.kind(), FailureKind::malformed);
    }
    auto refs = DicomwebSource::parse_qido_page(
        R"([{"0020000D":{"vr":"UI","Value":[1e300]}},{"0020000D":{"vr":"UI","Value":["1.2.3"]},"00201208":{"vr":"IS","Value":[-1e300]}}])");
    ASSERT_EQ(refs.size(), 1u);  // a float is no UID
    EXPECT_EQ(refs[0].study_uid, "1.2.3");
    EXPECT_EQ(refs[0].instances, -1);  // nor a count
}

}  // namespace
}  // namespace dicomlake::source::dicomweb
