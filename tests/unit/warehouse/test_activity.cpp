#include <gtest/gtest.h>

#include "warehouse/activity.hpp"

namespace dicomlake::warehouse::activity {
namespace {

normalize::ActivityRow row(const std::string& serial, const std::string& first, const std::string& last) {
    normalize::ActivityRow a;
    a.device_serial = serial;
    a.first_acquired = first;
    a.last_acquired = last;
    a.acquired_day = first.substr(0, 10);
    return a;
}

TEST(Activity, ContributionHasTheRealDayWeekdayHourAndDuration) {
    auto c = contributions({row("MR1", "2025-06-08T23:50:00", "2025-06-09T00:20:30"),
                            row("CT1", "2025-06-02T07:05:00.5", "2025-06-02T07:05:00.5"), row("X", "", "")});
    ASSERT_EQ(c.size(), 2u);  // no real time, nothing to count
    EXPECT_EQ(c[0].day, "2025-06-08");
    EXPECT_EQ(c[0].weekday, 7);  // a Sunday
    EXPECT_EQ(c[0].hour, 23);
    EXPECT_DOUBLE_EQ(c[0].seconds, 1830.0);
    EXPECT_EQ(c[1].weekday, 1);  // a Monday
    EXPECT_EQ(c[1].hour, 7);
    EXPECT_DOUBLE_EQ(c[1].seconds, 0.0);
}

TEST(Activity, ContributionsAndTotalsSurviveTheirEncoding) {
    std::vector<Contribution> cs = {{"S|1\x1f\"x", "2025-01-06", 1, 9, 1234.5}, {"B", "2025-01-07", 2, 0, 0}};
    auto back = decode_contributions(encode(cs));
    ASSERT_TRUE(back.has_value());
    ASSERT_EQ(back->size(), 2u);
    EXPECT_EQ((*back)[0].device_serial, "S|1\x1f\"x");
    EXPECT_EQ((*back)[0].day, "2025-01-06");
    EXPECT_DOUBLE_EQ((*back)[0].seconds, 1234.5);
    EXPECT_FALSE(decode_contributions("not json").has_value());
    DayTotals t;
    add(t, cs[0], +1);
    auto tb = decode_totals(encode(t));
    ASSERT_TRUE(tb.has_value());
    EXPECT_EQ(tb->studies, 1);
    EXPECT_EQ(tb->by_hour[9], 1);
    EXPECT_FALSE(decode_totals("[1]").has_value());
}

TEST(Activity, SmallDaysAreNotPublishedAndBusyMinutesAreRoundedToFive) {
    Settings s;  // opening 6, closing 22, at least 5 studies
    DayTotals t;
    Contribution c{"MR1", "2025-01-06", 1, 9, 0};
    for (int i = 0; i < 4; ++i) {
        c.seconds = 600 + i;  // 10 minutes and a few seconds each
        add(t, c, +1);
    }
    EXPECT_FALSE(publish(t, s).has_value()) << "four studies fingerprint each other";
    c.seconds = 400;
    add(t, c, +1);
    auto d = publish(t, s);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->studies, 5);
    EXPECT_EQ(d->busy_minutes, 45);  // 46.8 minutes, to the nearest 5
    EXPECT_FALSE(d->mostly_off_hours);
    add(t, c, -1);  // a removal takes the day back below the threshold
    EXPECT_FALSE(publish(t, s).has_value());
}

TEST(Activity, ADayMostlyOutsideOpeningHoursIsFlagged) {
    Settings s;
    s.min_cell_studies = 1;
    DayTotals t;
    add(t, {"N", "2025-01-06", 1, 2, 60}, +1);
    add(t, {"N", "2025-01-06", 1, 23, 60}, +1);
    add(t, {"N", "2025-01-06", 1, 10, 60}, +1);
    EXPECT_TRUE(publish(t, s)->mostly_off_hours);  // 2 of 3 (hours 2 and 23)
    add(t, {"N", "2025-01-06", 1, 12, 60}, +1);
    EXPECT_FALSE(publish(t, s)->mostly_off_hours);  // 2 of 4 is not most
}

}  // namespace
}  // namespace dicomlake::warehouse::activity
