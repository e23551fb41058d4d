// warehouse/copy_text: PostgreSQL COPY text format and the date/time validators.
#include "warehouse/copy_text.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

namespace dicomlake::warehouse {
namespace {

TEST(CopyText, FieldsAreTabSeparated) {
    CopyLine line;
    line.text("a").text("b").text("c");
    EXPECT_EQ(line.str(), "a\tb\tc");
    CopyLine single;
    single.text("only");
    EXPECT_EQ(single.str(), "only");  // no leading separator
}

TEST(CopyText, EscapesTabNewlineCarriageReturnAndBackslash) {
    CopyLine line;
    line.text("a\tb").text("line1\nline2\r\n").text("C:\\dir\\");
    EXPECT_EQ(line.str(), "a\\tb\tline1\\nline2\\r\\n\tC:\\\\dir\\\\");
    // The only raw tabs are the two separators; no raw newline at all.
    EXPECT_EQ(std::count(line.str().begin(), line.str().end(), '\t'), 2);
    EXPECT_EQ(line.str().find('\n'), std::string::npos);
    EXPECT_EQ(line.str().find('\r'), std::string::npos);
}

TEST(CopyText, BackslashNIsNotMistakenForNull) {
    // A value that reads "\N" must be escaped so that COPY does not see NULL.
    CopyLine line;
    line.text("\\N");
    EXPECT_EQ(line.str(), "\\\\N");
}

TEST(CopyText, NulIsDropped) {
    CopyLine line;
    line.text(std::string("a\0b\0", 4));
    EXPECT_EQ(line.str(), "ab");
}

TEST(CopyText, NonAsciiPassesThrough) {
    CopyLine line;
    line.text("M\xC3\xBCller \xE5\xB1\xB1");
    EXPECT_EQ(line.str(), "M\xC3\xBCller \xE5\xB1\xB1");
}

TEST(CopyText, NullAndTextOrNull) {
    CopyLine line;
    line.null().text("").text_or_null("").text_or_null("x").null();
    EXPECT_EQ(line.str(), "\\N\t\t\\N\tx\t\\N");
}

TEST(CopyText, NumbersAreShortestRoundTripWithoutSurprises) {
    CopyLine line;
    line.number(0.1).number(2.0).number(-3.25).number(123456.0).number(0.0).number(1.0 / 3.0);
    EXPECT_EQ(line.str(), "0.1\t2\t-3.25\t123456\t0\t0.3333333333333333");
}

TEST(CopyText, WholeNumbersArePlainIntegers) {
    CopyLine line;
    line.number(1e6).number(100000.0).number(-2e9).number(1e20);
    EXPECT_EQ(line.str(), "1000000\t100000\t-2000000000\t1e+20");
}

TEST(CopyText, NumbersReadBackExactlyAsPostgresqlParsesThem) {
    // float8in is strtod: the whole field must be consumed and give the same double. (Round
    // values may come out in exponent form, e.g. 1e+06, which double precision accepts.)
    for (double v : {0.1, 1e6, 1e-7, 3000.0, 12.75, -0.0001, 1.0 / 3.0, 6.02214076e23, 95.5}) {
        CopyLine line;
        line.number(v);
        const std::string& s = line.str();
        char* end = nullptr;
        double back = std::strtod(s.c_str(), &end);
        EXPECT_EQ(*end, '\0') << s;
        EXPECT_EQ(back, v) << s;
        EXPECT_EQ(s.find_first_not_of("0123456789.-+e"), std::string::npos) << s;
    }
}

TEST(CopyText, MissingAndNonFiniteNumbersAreNull) {
    CopyLine line;
    line.number(std::nullopt)
        .number(std::numeric_limits<double>::quiet_NaN())
        .number(std::numeric_limits<double>::infinity())
        .number(-std::numeric_limits<double>::infinity());
    EXPECT_EQ(line.str(), "\\N\t\\N\t\\N\t\\N");
}

TEST(CopyText, Integers) {
    CopyLine line;
    line.integer(42).integer(-7).integer(std::nullopt).integer(0);
    EXPECT_EQ(line.str(), "42\t-7\t\\N\t0");
}

TEST(CopyText, ArrayLiteralQuotesEveryItem) {
    EXPECT_EQ(pg_array_literal({}), "{}");
    EXPECT_EQ(pg_array_literal({"MR"}), "{\"MR\"}");
    EXPECT_EQ(pg_array_literal({"MR", "CT"}), "{\"MR\",\"CT\"}");
    EXPECT_EQ(pg_array_literal({"a,b", "say \"hi\"", "back\\slash", "", "{x}", "NULL"}),
              R"({"a,b","say \"hi\"","back\\slash","","{x}","NULL"})");
}

TEST(CopyText, ArrayFieldIsCopyEscapedToo) {
    // The literal's own backslashes are doubled again by the COPY text layer.
    CopyLine line;
    line.text("x").array({"a\\b", "tab\there"});
    EXPECT_EQ(line.str(), "x\t{\"a\\\\\\\\b\",\"tab\\there\"}");
}

TEST(CopyText, ValidIsoDate) {
    EXPECT_TRUE(valid_iso_date("2026-11-03"));
    EXPECT_TRUE(valid_iso_date("2024-02-29"));   // leap year
    EXPECT_TRUE(valid_iso_date("2000-02-29"));   // divisible by 400
    EXPECT_FALSE(valid_iso_date("1900-02-29"));  // divisible by 100, not 400
    EXPECT_FALSE(valid_iso_date("2026-02-29"));
    EXPECT_FALSE(valid_iso_date("2026-02-30"));
    EXPECT_TRUE(valid_iso_date("2026-12-31"));
    EXPECT_FALSE(valid_iso_date("2026-04-31"));
    EXPECT_FALSE(valid_iso_date("2026-13-01"));
    EXPECT_FALSE(valid_iso_date("2026-00-10"));
    EXPECT_FALSE(valid_iso_date("2026-01-00"));
    EXPECT_TRUE(valid_iso_date("1800-01-01"));
    EXPECT_FALSE(valid_iso_date("1799-12-31"));
    EXPECT_FALSE(valid_iso_date("0000-01-01"));
    EXPECT_FALSE(valid_iso_date("0"));
    EXPECT_FALSE(valid_iso_date(""));
    EXPECT_FALSE(valid_iso_date("20261103"));
    EXPECT_FALSE(valid_iso_date("9999-99-99"));
    EXPECT_FALSE(valid_iso_date("2026/11/03"));
    EXPECT_FALSE(valid_iso_date("2026-1-031"));
    EXPECT_FALSE(valid_iso_date("2026-11-03 "));
    EXPECT_FALSE(valid_iso_date("+026-11-03"));
}

TEST(CopyText, ValidIsoTime) {
    EXPECT_TRUE(valid_iso_time("08:15"));
    EXPECT_TRUE(valid_iso_time("08:15:00"));
    EXPECT_TRUE(valid_iso_time("23:59:59.999999"));
    EXPECT_TRUE(valid_iso_time("00:00:00.1"));
    EXPECT_FALSE(valid_iso_time("25:61"));
    EXPECT_FALSE(valid_iso_time("24:00"));
    EXPECT_FALSE(valid_iso_time("12:60"));
    EXPECT_FALSE(valid_iso_time("12:00:61"));
    EXPECT_FALSE(valid_iso_time("08:15:00."));  // empty fraction
    EXPECT_FALSE(valid_iso_time("08:15:00.1234567890"));
    EXPECT_FALSE(valid_iso_time("08:15:00.12a"));
    EXPECT_FALSE(valid_iso_time("08:15:0"));
    EXPECT_FALSE(valid_iso_time("0815"));
    EXPECT_FALSE(valid_iso_time("081500"));
    EXPECT_FALSE(valid_iso_time("8:15"));
    EXPECT_FALSE(valid_iso_time(""));
    EXPECT_FALSE(valid_iso_time("08:15:00+01:00"));
}

TEST(CopyText, ValidIsoTimestamp) {
    EXPECT_TRUE(valid_iso_timestamp("2026-11-03T08:15"));
    EXPECT_TRUE(valid_iso_timestamp("2026-11-03T08:15:00"));
    EXPECT_TRUE(valid_iso_timestamp("2026-11-03T08:15:00.25"));
    EXPECT_FALSE(valid_iso_timestamp("2026-11-03 08:15:00"));
    EXPECT_FALSE(valid_iso_timestamp("2026-11-03"));
    EXPECT_FALSE(valid_iso_timestamp("2026-02-30T08:15:00"));
    EXPECT_FALSE(valid_iso_timestamp("2026-11-03T25:00:00"));
    EXPECT_FALSE(valid_iso_timestamp("1700-11-03T08:15:00"));
    EXPECT_FALSE(valid_iso_timestamp(""));
}

}  // namespace
}  // namespace dicomlake::warehouse
