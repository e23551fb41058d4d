// source/dicomweb/answers and the client's Retry-After reading: what a hostile PACS can send in
// a listing, a count or a header, and how each is taken (no network).
#include "source/dicomweb/answers.hpp"

#include <gtest/gtest.h>

#include <string>

#include "source/dicomweb/dicomweb_source.hpp"
#include "source/dicomweb/http_client.hpp"

namespace dicomlake::source::dicomweb {
namespace {

TEST(Uids, OnlyDigitsAndDotsUpTo64Characters) {
    EXPECT_TRUE(valid_uid("1.2.840.10008.5.1.4.1.1.2"));
    EXPECT_TRUE(valid_uid(std::string(64, '1')));
    EXPECT_FALSE(valid_uid(""));
    EXPECT_FALSE(valid_uid(std::string(65, '1')));
    for (const char* bad : {"1.2.3/../../studies", "1.2.3?x=1", "1.2.3 ", "1.2.3\n", "abc", "1.2.3%2F"})
        EXPECT_FALSE(valid_uid(bad)) << bad;
}

TEST(QidoPage, AUidThatIsNotAUidIsKeptForTheStudyToFailByName) {
    auto refs = DicomwebSource::parse_qido_page(
        R"JSON([{"0020000D": {"vr": "UI", "Value": ["1.2/../3"]}}, {"0020000D": {"vr": "UI", "Value": ["1.2.3"]}}])JSON");
    ASSERT_EQ(refs.size(), 2u);
    EXPECT_FALSE(valid_uid(refs[0].study_uid));
    EXPECT_TRUE(valid_uid(refs[1].study_uid));
}

TEST(QidoPage, EntriesWithoutUidAreCounted) {
    size_t without = 0;
    auto refs = DicomwebSource::parse_qido_page(
        R"JSON([{"00080020": {"vr": "DA", "Value": ["20261103"]}}, {"0020000D": {"vr": "UI", "Value": ["1.2"]}}])JSON",
        &without);
    EXPECT_EQ(refs.size(), 1u);
    EXPECT_EQ(without, 1u);
}

TEST(QidoPage, AbsurdCountsAreUnknown) {
    auto refs = DicomwebSource::parse_qido_page(R"JSON([
      {"0020000D": {"vr": "UI", "Value": ["1.1"]}, "00201208": {"vr": "IS", "Value": [-5]},
       "00201206": {"vr": "IS", "Value": [1e300]}},
      {"0020000D": {"vr": "UI", "Value": ["1.2"]}, "00201208": {"vr": "IS", "Value": [18446744073709551615]},
       "00201206": {"vr": "IS", "Value": ["99999999999999999999"]}},
      {"0020000D": {"vr": "UI", "Value": ["1.3"]}, "00201208": {"vr": "IS", "Value": ["12x"]},
       "00201206": {"vr": "IS", "Value": [" 3 "]}},
      {"0020000D": {"vr": "UI", "Value": ["1.4"]}, "00201208": {"vr": "IS", "Value": [2.5]},
       "00201206": {"vr": "IS", "Value": [{"a": 1}]}}
    ])JSON");
    ASSERT_EQ(refs.size(), 4u);
    for (const auto& r : refs) EXPECT_EQ(r.instances, -1) << r.study_uid;
    EXPECT_EQ(refs[0].series, -1);
    EXPECT_EQ(refs[1].series, -1);
    EXPECT_EQ(refs[2].series, 3);
    EXPECT_EQ(refs[3].series, -1);
}

TEST(QidoPage, SeriesCountIsRead) {
    auto refs = DicomwebSource::parse_qido_page(
        R"JSON([{"0020000D": {"vr": "UI", "Value": ["1.1"]}, "00201206": {"vr": "IS", "Value": [4]}}])JSON");
    ASSERT_EQ(refs.size(), 1u);
    EXPECT_EQ(refs[0].series, 4);
}

TEST(SeriesPage, UidsInOrder) {
    auto uids = parse_series_page(
        R"JSON([{"0020000E": {"vr": "UI", "Value": ["1.2.1"]}}, {"0020000E": {"vr": "UI", "Value": ["1.2.2"]}}])JSON");
    EXPECT_EQ(uids, (std::vector<std::string>{"1.2.1", "1.2.2"}));
    EXPECT_TRUE(parse_series_page("").empty());
    EXPECT_TRUE(parse_series_page("[]").empty());
}

TEST(SeriesPage, UnusableListsAreMalformed) {
    for (const char* body :
         {"[{\"0020000E\": {\"vr\": \"UI\", \"Value\": [\"1.2.1\"]}",    // cut short
          "<html>busy</html>", "{}", "[1]",                              // not a list of series
          "[{\"0020000E\": {\"vr\": \"UI\", \"Value\": [\"1.2/../x\"]}}]",  // not a UID
          "[{\"0020000E\": {\"vr\": \"UI\"}}]"}) {                        // no UID
        try {
            parse_series_page(body);
            ADD_FAILURE() << "no error for " << body;
        } catch (const SourceError& e) {
            EXPECT_EQ(e.kind(), FailureKind::malformed) << body;
            EXPECT_EQ(std::string(e.what()).find("1.2"), std::string::npos) << e.what();
        }
    }
}

TEST(JsonComplete, CutBodiesAreIncomplete) {
    const std::string whole = R"JSON([{"a": {"vr": "LO", "Value": ["x ] } \" {"]}}, {"b": [1, [2, {}]]}])JSON";
    EXPECT_TRUE(json_complete(whole));
    EXPECT_TRUE(json_complete("{}"));
    for (size_t n = 0; n < whole.size(); ++n) EXPECT_FALSE(json_complete(whole.substr(0, n))) << n;
    EXPECT_FALSE(json_complete("   "));
    EXPECT_FALSE(json_complete("]["));
    EXPECT_TRUE(json_complete(std::string(100000, '[') + std::string(100000, ']')));  // no recursion
}

TEST(Multipart, EmptyOrOverlongBoundariesAreMalformed) {
    for (const std::string& type : {std::string("multipart/related; boundary="), std::string("multipart/related; boundary=\"\""),
                                    "multipart/related; boundary=" + std::string(71, 'b')}) {
        try {
            DicomwebSource::split_multipart("----\r\n\r\n[]\r\n------\r\n", type);
            ADD_FAILURE() << "no error for " << type;
        } catch (const SourceError& e) {
            EXPECT_EQ(e.kind(), FailureKind::malformed) << type;
        }
    }
}

TEST(RetryAfter, SecondsAndDatesWithinTheCap) {
    EXPECT_DOUBLE_EQ(retry_after_seconds("3", 60), 3);
    EXPECT_DOUBLE_EQ(retry_after_seconds("0", 60), 0);
    EXPECT_DOUBLE_EQ(retry_after_seconds("86400", 60), 60);            // absurd: capped
    EXPECT_DOUBLE_EQ(retry_after_seconds("999999999999", 60), 60);
    EXPECT_DOUBLE_EQ(retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", 60), 0);  // in the past
    EXPECT_DOUBLE_EQ(retry_after_seconds("Fri, 31 Dec 2100 23:59:59 GMT", 60), 60);  // far future: capped
    for (const char* bad : {"", "-5", "soon", "1.5", "99999999999999999999999999", "3 4"})
        EXPECT_LT(retry_after_seconds(bad, 60), 0) << bad;
}

}  // namespace
}  // namespace dicomlake::source::dicomweb
