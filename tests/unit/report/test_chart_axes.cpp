// report/chart drawing kit: numbers, escaping and ticks, against values worked out by hand.
#include <gtest/gtest.h>

#include <clocale>
#include <limits>
#include <string>
#include <vector>

#include "report/chart/draw.hpp"

namespace dicomlake::report::chart::draw {
namespace {

TEST(ChartNumbers, FixedPrecisionTrimmedAndLocaleFree) {
    EXPECT_EQ(num(2.5), "2.5");
    EXPECT_EQ(num(2.0), "2");
    EXPECT_EQ(num(1.23456), "1.23");
    EXPECT_EQ(num(-0.001), "0");
    EXPECT_EQ(num(1000000), "1000000");
    EXPECT_EQ(num(0.15, 1), "0.1");  // 0.15 is 0.1499999... as a double
    EXPECT_EQ(num(7.25, 0), "7");
    // A decimal comma locale must not leak into SVG coordinates.
    if (std::setlocale(LC_NUMERIC, "de_DE.UTF-8")) {
        EXPECT_EQ(num(2.5), "2.5");
        std::setlocale(LC_NUMERIC, "C");
    }
}

TEST(ChartText, EscapesMarkupAndShortensByCharacter) {
    EXPECT_EQ(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
    EXPECT_EQ(escape("tab\there"), "tab here");
    EXPECT_EQ(escape("\xff"), "\xEF\xBF\xBD");
    EXPECT_EQ(escape("\xc3\xa9"), "\xc3\xa9");
    EXPECT_EQ(shorten("abcdefg", 5), "abcd\xE2\x80\xA6");
    EXPECT_EQ(shorten("abcde", 5), "abcde");
    EXPECT_EQ(shorten("\xc3\xa9\xc3\xa9\xc3\xa9", 2), "\xc3\xa9\xE2\x80\xA6");  // never cuts inside a character
}

TEST(ChartTicks, OneTwoFiveSteps) {
    Ticks t = nice_ticks(0, 97, 5);
    EXPECT_EQ(t.labels, (std::vector<std::string>{"0", "20", "40", "60", "80", "100"}));
    EXPECT_EQ(t.lo, 0);
    EXPECT_EQ(t.hi, 100);
    t = nice_ticks(1.09, 1.8, 4);
    EXPECT_EQ(t.labels, (std::vector<std::string>{"1", "1.2", "1.4", "1.6", "1.8"}));
    t = nice_ticks(0, 4500, 5);
    EXPECT_EQ(t.labels, (std::vector<std::string>{"0", "1000", "2000", "3000", "4000", "5000"}));
    t = nice_ticks(0.013, 0.061, 5);
    EXPECT_EQ(t.labels, (std::vector<std::string>{"0.01", "0.02", "0.03", "0.04", "0.05", "0.06", "0.07"}));
}

TEST(ChartTicks, FixedBoundsAreKept) {
    Ticks t = nice_ticks(0, 2.5, 5, true, true);
    EXPECT_EQ(t.lo, 0);
    EXPECT_EQ(t.hi, 2.5);
    EXPECT_EQ(t.labels, (std::vector<std::string>{"0", "0.5", "1", "1.5", "2", "2.5"}));
}

TEST(ChartTicks, OneValueGetsRoomAndNonsenseGetsZeroToOne) {
    Ticks t = nice_ticks(5, 5, 5);
    EXPECT_LT(t.lo, 5);
    EXPECT_GT(t.hi, 5);
    t = nice_ticks(0, std::numeric_limits<double>::infinity(), 5);
    EXPECT_EQ(t.lo, 0);
    EXPECT_EQ(t.hi, 1);
}

TEST(ChartTicks, DatesOnMondaysAndFirstsOfMonths) {
    // 2026-11-02 (day 20759) is a Monday; 2026-11-01 is day 20758 (Python's date arithmetic).
    Ticks weeks = date_ticks(20758, 20758 + 27, 5);
    EXPECT_EQ(weeks.labels, (std::vector<std::string>{"2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"}));
    // 2026-01-01 = 20454, 2026-12-31 = 20818.
    Ticks months = date_ticks(20454, 20818, 5);
    EXPECT_EQ(months.labels, (std::vector<std::string>{"2026-01-01", "2026-04-01", "2026-07-01", "2026-10-01"}));
    Ticks days = date_ticks(20758, 20760, 5);
    EXPECT_EQ(days.labels, (std::vector<std::string>{"2026-11-01", "2026-11-02", "2026-11-03"}));
}

}  // namespace
}  // namespace dicomlake::report::chart::draw
