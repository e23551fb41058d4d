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

TEST(Activity, ContributionCarriesTheStudysMrSeriesAndCtDose) {
    auto mr = row("MR1", "2025-06-02T08:00:00", "2025-06-02T08:30:00");
    mr.mr_series = 3;
    mr.nex_sum = 4.5;
    auto ct = row("CT1", "2025-06-02T09:00:00", "2025-06-02T09:05:00");
    ct.ct_dlp_mgycm = 412.25;
    auto c = contributions({mr, ct});
    ASSERT_EQ(c.size(), 2u);
    EXPECT_EQ(c[0].mr_series, 3);
    EXPECT_DOUBLE_EQ(c[0].nex_sum, 4.5);
    EXPECT_EQ(c[0].ct_studies, 0);
    EXPECT_EQ(c[1].mr_series, 0);
    EXPECT_EQ(c[1].ct_studies, 1);
    EXPECT_DOUBLE_EQ(c[1].dlp_mgycm, 412.25);
}

TEST(Activity, TrendFieldsSurviveTheirEncodingAndOlderTextsReadAsZero) {
    Contribution mr{"MR1", "2025-01-06", 1, 9, 600, 4, 7.0, 0, 0};
    Contribution ct{"CT1", "2025-01-06", 1, 10, 300, 0, 0, 1, 987.5};
    auto back = decode_contributions(encode(std::vector<Contribution>{mr, ct}));
    ASSERT_TRUE(back.has_value());
    ASSERT_EQ(back->size(), 2u);
    EXPECT_EQ((*back)[0].mr_series, 4);
    EXPECT_DOUBLE_EQ((*back)[0].nex_sum, 7.0);
    EXPECT_EQ((*back)[1].ct_studies, 1);
    EXPECT_DOUBLE_EQ((*back)[1].dlp_mgycm, 987.5);
    DayTotals t;
    add(t, mr, +1);
    add(t, ct, +1);
    auto tb = decode_totals(encode(t));
    ASSERT_TRUE(tb.has_value());
    EXPECT_EQ(tb->mr_studies, 1);
    EXPECT_EQ(tb->mr_series, 4);
    EXPECT_DOUBLE_EQ(tb->nex_sum, 7.0);
    EXPECT_EQ(tb->ct_studies, 1);
    EXPECT_DOUBLE_EQ(tb->dlp_sum, 987.5);

    // Texts sealed before the trend fields existed (literal, as the previous version wrote them).
    auto old = decode_contributions(R"([["MR1","2025-01-06",1,9,600.0]])");
    ASSERT_TRUE(old.has_value());
    ASSERT_EQ(old->size(), 1u);
    EXPECT_DOUBLE_EQ((*old)[0].seconds, 600.0);
    EXPECT_EQ((*old)[0].mr_series, 0);
    EXPECT_DOUBLE_EQ((*old)[0].nex_sum, 0.0);
    EXPECT_EQ((*old)[0].ct_studies, 0);
    auto old_cell = decode_totals(R"([3,1800.0,[0,0,0,0,0,0,0,0,0,3,0,0,0,0,0,0,0,0,0,0,0,0,0,0]])");
    ASSERT_TRUE(old_cell.has_value());
    EXPECT_EQ(old_cell->studies, 3);
    EXPECT_EQ(old_cell->by_hour[9], 3);
    EXPECT_EQ(old_cell->mr_studies, 0);
    EXPECT_DOUBLE_EQ(old_cell->dlp_sum, 0.0);
    // An old cell keeps counting right once new contributions are added and old ones removed.
    add(*old_cell, mr, +1);
    add(*old_cell, {"MR1", "2025-01-06", 1, 9, 600}, -1);
    EXPECT_EQ(old_cell->studies, 3);
    EXPECT_EQ(old_cell->mr_series, 4);
}

TEST(Activity, WeekIsTheRealIsoMonday) {
    EXPECT_EQ(week_of("2025-06-02"), "2025-06-02");  // a Monday
    EXPECT_EQ(week_of("2025-06-08"), "2025-06-02");  // the Sunday after
    EXPECT_EQ(week_of("2025-01-01"), "2024-12-30");  // across a year
    EXPECT_EQ(week_of("1969-12-31"), "1969-12-29");  // before the epoch
    EXPECT_EQ(week_of("2025-02-30"), "");
}

// A day of `n` MR studies, each with two series of NEX `nex`.
DayTotals mr_day(int n, double nex) {
    DayTotals t;
    for (int i = 0; i < n; ++i) add(t, {"MR1", "2025-06-02", 1, 9, 600, 2, 2 * nex, 0, 0}, +1);
    return t;
}

TEST(Activity, WeekSumsItsPublishedDaysOnlyWithRoundedMeans) {
    Settings s;  // at least 5 studies
    // 5 studies with NEX 2 and 6 with NEX 1 on published days; a small day of 3 studies with NEX 4.
    auto week = publish_week({mr_day(5, 2), mr_day(6, 1), mr_day(3, 4)}, s);
    ASSERT_TRUE(week.has_value());
    EXPECT_EQ(week->studies, 11) << "the small day is held back like in activity_day";
    ASSERT_TRUE(week->mr_series.has_value());
    EXPECT_EQ(*week->mr_series, 22);
    ASSERT_TRUE(week->mean_nex.has_value());
    EXPECT_DOUBLE_EQ(*week->mean_nex, 1.45);  // 32 / 22 = 1.4545...
    EXPECT_FALSE(week->ct_studies.has_value());
    EXPECT_FALSE(week->mean_dlp_mgycm.has_value());
    // Only small days: nothing published.
    EXPECT_FALSE(publish_week({mr_day(4, 1), mr_day(4, 1)}, s).has_value());
    EXPECT_FALSE(publish_week({}, s).has_value());
}

TEST(Activity, WeekShowsMrOrCtOnlyWhenEnoughStudiesCarryThem) {
    Settings s;
    DayTotals day;
    for (int i = 0; i < 4; ++i) add(day, {"X1", "2025-06-02", 1, 9, 600, 1, 1.0, 0, 0}, +1);
    for (double dlp : {100.0, 200.0, 301.0, 400.0, 500.0, 600.5}) add(day, {"X1", "2025-06-02", 1, 10, 60, 0, 0, 1, dlp}, +1);
    auto week = publish_week({day}, s);
    ASSERT_TRUE(week.has_value());
    EXPECT_EQ(week->studies, 10);
    EXPECT_FALSE(week->mr_series.has_value()) << "4 MR studies would fingerprint each other";
    EXPECT_FALSE(week->mean_nex.has_value());
    ASSERT_TRUE(week->ct_studies.has_value());
    EXPECT_EQ(*week->ct_studies, 6);
    ASSERT_TRUE(week->mean_dlp_mgycm.has_value());
    EXPECT_DOUBLE_EQ(*week->mean_dlp_mgycm, 350.0);  // 2101.5 / 6 = 350.25
}

}  // namespace
}  // namespace dicomlake::warehouse::activity
