#include <gtest/gtest.h>

#include "source/dimse/find_window.hpp"

namespace dicomlake::source::dimse {
namespace {

FindWindow days(const char* a, const char* b) {
    FindWindow w;
    w.first_day = a;
    w.last_day = b;
    return w;
}

TEST(FindWindow, MatchingValues) {
    EXPECT_EQ(days("2025-06-02", "2025-06-06").study_date_value(), "20250602-20250606");
    EXPECT_EQ(days("2025-06-02", "2025-06-02").study_date_value(), "20250602");
    EXPECT_EQ(days("2025-06-02", "2025-06-02").study_time_value(), "");
    FindWindow t = days("2025-06-02", "2025-06-02");
    t.from_s = 12 * 3600;
    t.to_s = 18 * 3600 - 1;
    EXPECT_EQ(t.study_time_value(), "120000-175959");
    EXPECT_EQ(t.describe(), "2025-06-02 120000-175959");
}

TEST(FindWindow, TruncatedAtTheCapOrOnAFailureStatus) {
    EXPECT_FALSE(looks_truncated(99, 100, false));
    EXPECT_TRUE(looks_truncated(100, 100, false));
    EXPECT_TRUE(looks_truncated(101, 100, false));  // a PACS that sends more than the configured cap
    EXPECT_FALSE(looks_truncated(5000, 0, false));  // no cap known
    EXPECT_TRUE(looks_truncated(3, 0, true));
}

TEST(FindWindow, ASeveralDayWindowSplitsByDay) {
    auto parts = split_window(days("2025-06-30", "2025-07-02"), "");
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(parts[0].first_day, "2025-06-30");
    EXPECT_EQ(parts[1].first_day, "2025-07-01");
    EXPECT_EQ(parts[2].last_day, "2025-07-02");
    for (const auto& p : parts) {
        EXPECT_EQ(p.first_day, p.last_day);
        EXPECT_TRUE(p.whole_days());
    }
}

TEST(FindWindow, ADaySplitsIntoStudyTimeHalvesThatCoverIt) {
    auto parts = split_window(days("2025-06-02", "2025-06-02"), "");
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(parts[0].study_time_value(), "000000-115959");
    EXPECT_EQ(parts[1].study_time_value(), "120000-235959");
    auto quarter = split_window(parts[1], "");
    ASSERT_EQ(quarter.size(), 2u);
    EXPECT_EQ(quarter[0].study_time_value(), "120000-175959");
    EXPECT_EQ(quarter[1].study_time_value(), "180000-235959");
}

TEST(FindWindow, FifteenMinutesSplitByModalityThenNoFurther) {
    FindWindow w = days("2025-06-02", "2025-06-02");
    w.from_s = 9 * 3600;
    w.to_s = 9 * 3600 + 15 * 60 - 1;
    auto parts = split_window(w, "");
    ASSERT_EQ(parts.size(), 21u);
    EXPECT_EQ(parts[0].modality, "CT");
    EXPECT_EQ(parts[0].study_time_value(), "090000-091459");
    EXPECT_TRUE(split_window(parts[0], "").empty());
    auto only = split_window(w, "MR,CT");
    ASSERT_EQ(only.size(), 2u);
    EXPECT_EQ(only[0].modality, "CT");
    EXPECT_EQ(only[1].modality, "MR");
}

TEST(FindWindow, HalvingEndsAtFifteenMinutes) {
    FindWindow w = days("2025-06-02", "2025-06-02");
    int splits = 0;
    while (true) {
        auto parts = split_window(w, "");
        ASSERT_FALSE(parts.empty());
        if (!parts[0].modality.empty()) break;
        ASSERT_EQ(parts.size(), 2u);
        EXPECT_EQ(parts[0].to_s + 1, parts[1].from_s);
        w = parts[0];
        ++splits;
    }
    EXPECT_GE(w.to_s - w.from_s + 1, 1);
    EXPECT_LE(w.to_s - w.from_s + 1, kMinTimeWindowSeconds);
    EXPECT_EQ(splits, 7);  // 86400 s halved 7 times: 675 s, under 15 minutes
}

}  // namespace
}  // namespace dicomlake::source::dimse
