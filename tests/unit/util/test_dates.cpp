// util/dates: civil calendar arithmetic on ISO dates.
#include "util/dates.hpp"

#include <gtest/gtest.h>

#include <string>

#include "util/error.hpp"

namespace dicomlake {
namespace {

TEST(Dates, ParseGivesDaysSinceEpoch) {
    // Reference values from Python's datetime.date arithmetic.
    EXPECT_EQ(parse_iso_date("1970-01-01"), 0L);
    EXPECT_EQ(parse_iso_date("1969-12-31"), -1L);
    EXPECT_EQ(parse_iso_date("2000-03-01"), 11017L);
    EXPECT_EQ(parse_iso_date("2026-11-03"), 20760L);
    EXPECT_EQ(parse_iso_date("1900-01-01"), -25567L);
    EXPECT_EQ(parse_iso_date("2400-02-29"), 157113L);
    EXPECT_EQ(parse_iso_date("1600-01-01"), -135140L);
}

TEST(Dates, FormatParseRoundTrip) {
    EXPECT_EQ(format_iso_date(0), "1970-01-01");
    EXPECT_EQ(format_iso_date(20760), "2026-11-03");
    EXPECT_EQ(format_iso_date(-25567), "1900-01-01");
    // Every 37th day from 1600 to 2400: format then parse is the identity.
    for (long d = -135140; d <= 157113; d += 37) {
        std::string iso = format_iso_date(d);
        ASSERT_EQ(iso.size(), 10u) << d;
        auto back = parse_iso_date(iso);
        ASSERT_TRUE(back.has_value()) << iso;
        ASSERT_EQ(*back, d) << iso;
    }
    // Consecutive days are consecutive dates across a leap century boundary.
    long d = *parse_iso_date("2000-02-28");
    EXPECT_EQ(format_iso_date(d + 1), "2000-02-29");
    EXPECT_EQ(format_iso_date(d + 2), "2000-03-01");
}

TEST(Dates, InvalidDatesAreRejected) {
    for (const char* bad : {"2026-02-30", "2026-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10",
                            "2026-01-00", "2026-01-32", "20261103", "2026-1-03", "2026-11-3", "", "0",
                            "2026/11/03", "abcd-ef-gh", "2026-11-03T00:00", " 2026-11-03", "2026-11-0x"})
        EXPECT_FALSE(parse_iso_date(bad).has_value()) << bad;
    EXPECT_TRUE(parse_iso_date("2024-02-29").has_value());
    EXPECT_TRUE(parse_iso_date("2000-02-29").has_value());
}

TEST(Dates, AddDaysAcrossBoundaries) {
    EXPECT_EQ(add_days("2026-11-03", 0), "2026-11-03");
    EXPECT_EQ(add_days("2026-01-31", 1), "2026-02-01");
    EXPECT_EQ(add_days("2026-02-28", 1), "2026-03-01");
    EXPECT_EQ(add_days("2024-02-28", 1), "2024-02-29");
    EXPECT_EQ(add_days("2024-02-29", 1), "2024-03-01");
    EXPECT_EQ(add_days("2024-03-01", -1), "2024-02-29");
    EXPECT_EQ(add_days("2026-03-01", -1), "2026-02-28");
    EXPECT_EQ(add_days("2026-12-31", 1), "2027-01-01");
    EXPECT_EQ(add_days("2027-01-01", -1), "2026-12-31");
    EXPECT_EQ(add_days("2024-01-01", 365), "2024-12-31");  // leap year
    EXPECT_EQ(add_days("2025-01-01", 365), "2026-01-01");
    EXPECT_EQ(add_days("2026-11-03", -30), "2026-10-04");
    EXPECT_THROW(add_days("2026-02-30", 1), ConfigError);
    EXPECT_THROW(add_days("yesterday", 1), ConfigError);
}

TEST(Dates, TodayPlusIsConsistentWithAddDays) {
    for (int attempt = 0; attempt < 3; ++attempt) {
        std::string today = today_plus(0);
        std::string tomorrow = today_plus(1);
        std::string yesterday = today_plus(-1);
        if (today_plus(0) != today) continue;  // crossed midnight: try again
        ASSERT_TRUE(parse_iso_date(today).has_value()) << today;
        EXPECT_EQ(tomorrow, add_days(today, 1));
        EXPECT_EQ(yesterday, add_days(today, -1));
        return;
    }
    FAIL() << "the date kept changing";
}

TEST(Dates, DaysBetweenIsInclusive) {
    EXPECT_EQ(days_between("2026-11-03", "2026-11-03"), std::vector<std::string>{"2026-11-03"});
    EXPECT_EQ(days_between("2024-02-27", "2024-03-01"),
              (std::vector<std::string>{"2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01"}));
    EXPECT_EQ(days_between("2026-12-30", "2027-01-02"),
              (std::vector<std::string>{"2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"}));
    EXPECT_EQ(days_between("2026-01-01", "2026-12-31").size(), 365u);
}

TEST(Dates, DaysBetweenErrors) {
    try {
        days_between("2026-11-04", "2026-11-03");
        ADD_FAILURE() << "no error";
    } catch (const ConfigError& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("2026-11-04"), std::string::npos) << what;
        EXPECT_NE(what.find("2026-11-03"), std::string::npos) << what;
        EXPECT_EQ(e.code(), ExitCode::config);
    }
    try {
        days_between("2026-02-30", "2026-03-03");
        ADD_FAILURE() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("--from"), std::string::npos) << e.what();
    }
    try {
        days_between("2026-03-01", "03/03/2026");
        ADD_FAILURE() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("--to"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace dicomlake
