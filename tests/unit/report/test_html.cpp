// report/html: the page is self-contained (no script, no URL), escapes every text, truncates
// tables with a pointer to the full data, shows empty sections' reasons, and links each number
// to its source view once in the appendix.
#include "report/html.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace dicomlake::report {
namespace {

std::size_t count(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
    return n;
}

Table nex_table(std::size_t rows) {
    Table table;
    table.id = "nex_outliers";
    table.title = "Protocols above the fleet NEX";
    table.source = "dicomlake.v_protocol_nex_outliers";
    table.meaning = "Pairs whose mean NEX exceeds the fleet reference.";
    table.columns = {{"protocol", "Protocol", "", Column::Kind::text, 2},
                     {"mean_nex", "Mean NEX", "", Column::Kind::number, 2},
                     {"minutes_saved", "Time saved", "min/week", Column::Kind::number, 1},
                     {"series", "Series", "", Column::Kind::integer, 0}};
    for (std::size_t i = 0; i < rows; ++i)
        table.rows.push_back({Value::of("T2 SAG " + std::to_string(i)), Value::of(1.8), Value::of(12.25),
                              Value::of(double(i))});
    return table;
}

Chart nex_chart(const std::string& id, const std::string& source) {
    chart::Line line;
    line.title = "Mean NEX per week";
    line.x = {"Week", "", true, {}, {}};
    line.y = {"Mean NEX", "", false, {}, {}};
    line.series = {{"MR1", {{20000, 1.8}, {20007, 1.09}}}};
    return {id, true, source, line};
}

// A section with a chart and a table that it must not show: it has nothing to say.
Section empty_ct_section() {
    Section ct;
    ct.id = "ct-dose";
    ct.title = "CT dose";
    ct.empty_reason = "No CT study in the period.";
    ct.charts = {nex_chart("ct_trend", "dicomlake.v_ct_dose")};
    ct.tables = {nex_table(2)};
    ct.tables[0].id = "ct_rows";
    return ct;
}

Report sample() {
    Report report;
    report.date = "2026-11-30";
    report.first_day = "2026-09-02";
    report.generated_at = "2026-12-01T02:00:00Z";
    report.version = "0.9.0";
    Section mr;
    mr.id = "mr-protocols";
    mr.title = "MR protocols";
    mr.meaning = "Where averaging costs scanner time.";
    mr.period = "the last 90 days";
    mr.clock = "real days from the aggregates";
    mr.facts = {"3 protocol pairs above the fleet"};
    mr.charts = {nex_chart("nex_trend", "dicomlake.v_nex_weekly")};
    mr.tables = {nex_table(3)};
    report.sections.push_back(mr);
    return report;
}

TEST(Html, IsOneSelfContainedPageWithoutScriptOrUrl) {
    std::string page = to_html(sample());
    EXPECT_EQ(page.rfind("<!doctype html>", 0), 0u);
    EXPECT_NE(page.find("<meta charset=\"utf-8\">"), std::string::npos);
    EXPECT_NE(page.find("<meta name=\"viewport\""), std::string::npos);
    EXPECT_NE(page.find("content=\"default-src 'none'; style-src 'unsafe-inline'\""), std::string::npos);
    EXPECT_NE(page.find("<style>"), std::string::npos);
    EXPECT_NE(page.find("@page { size: A4; margin: 15mm; }"), std::string::npos);
    EXPECT_NE(page.find("<svg"), std::string::npos);  // the chart is inline
    for (const char* banned : {"<script", "http:", "https:", "src=\"//", "href=\"//", "url(", "@import",
                               "@font-face", "<link", "<img", "<iframe", "<object"})
        EXPECT_EQ(page.find(banned), std::string::npos) << banned;
}

TEST(Html, HeaderNamesTheDayPeriodClockAndVersionAndLinksEverySection) {
    std::string page = to_html(sample());
    for (const char* text : {"2026-11-30", "2026-09-02 to 2026-11-30 (90 days)", "2026-12-01T02:00:00Z (UTC)",
                             "dicomlake 0.9.0", "<a href=\"#mr-protocols\">MR protocols</a>",
                             "<section id=\"mr-protocols\">", "Period: the last 90 days",
                             "Clock: real days from the aggregates", "<li>3 protocol pairs above the fleet</li>",
                             "Where averaging costs scanner time."})
        EXPECT_NE(page.find(text), std::string::npos) << text;
}

TEST(Html, EscapesEveryText) {
    Report report = sample();
    report.title = "Report <b>";
    report.sections[0].title = "MR <&\"> 'x'";
    report.sections[0].facts = {"a < b & c"};
    report.sections[0].tables[0].rows[0][0] = Value::of("<script>alert(1)</script>");
    report.sections[0].tables[0].columns[2].unit = "<min>";
    std::string page = to_html(report);
    EXPECT_NE(page.find("<h2>MR &lt;&amp;&quot;&gt; &#39;x&#39;</h2>"), std::string::npos);
    EXPECT_NE(page.find("<h1>Report &lt;b&gt;</h1>"), std::string::npos);
    EXPECT_NE(page.find("<li>a &lt; b &amp; c</li>"), std::string::npos);
    EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(page.find("Time saved (&lt;min&gt;)"), std::string::npos);
    EXPECT_EQ(page.find("MR <&"), std::string::npos);
    EXPECT_EQ(page.find("<script"), std::string::npos);
    EXPECT_EQ(page.find("<b>"), std::string::npos);
}

TEST(Html, TruncatedTableSaysWhereTheOtherRowsAre) {
    Report report = sample();
    report.sections[0].tables[0] = nex_table(30);
    report.sections[0].tables[0].html_rows = 25;
    std::string page = to_html(report);
    EXPECT_NE(page.find("5 more rows in <a href=\"nex_outliers.csv\">nex_outliers.csv</a> and report.xlsx"),
              std::string::npos);
    EXPECT_NE(page.find("T2 SAG 24<"), std::string::npos);
    EXPECT_EQ(page.find("T2 SAG 25<"), std::string::npos);
    EXPECT_EQ(count(page, "<tr>"), 1u + 25u);  // header row and 25 rows

    report.sections[0].tables[0] = nex_table(26);
    EXPECT_NE(to_html(report).find("1 more row in "), std::string::npos);
    report.sections[0].tables[0] = nex_table(25);
    EXPECT_EQ(to_html(report).find("more row"), std::string::npos);
}

TEST(Html, NumbersRightAlignedWithUnitsAndNullAsDash) {
    Report report = sample();
    Table& table = report.sections[0].tables[0];
    table.rows = {{Value::null(), Value::of(1.005e4), Value::of(-0.001), Value::of(123456.0)},
                  {Value::of("T1"), Value::null(), Value::of(2.0), Value::of(7.4)}};
    std::string page = to_html(report);
    EXPECT_NE(page.find("<th scope=\"col\" class=\"num\">Time saved (min/week)</th>"), std::string::npos);
    EXPECT_NE(page.find("<th scope=\"col\">Protocol</th>"), std::string::npos);
    // Expected texts written by hand: 2 decimals, 1 decimal, integers rounded, SI grouping
    // with a narrow no-break space from 5 digits, no negative zero.
    EXPECT_NE(page.find("<td class=\"null\">\u2013</td><td class=\"num\">10\u202f050.00</td>"
                        "<td class=\"num\">0.0</td><td class=\"num\">123\u202f456</td>"),
              std::string::npos);
    EXPECT_NE(page.find("<td>T1</td><td class=\"num null\">\u2013</td><td class=\"num\">2.0</td>"
                        "<td class=\"num\">7</td>"),
              std::string::npos);
}

TEST(Html, EmptySectionShowsItsReasonAndNoChart) {
    Report report = sample();
    report.sections = {empty_ct_section()};
    std::string page = to_html(report);
    EXPECT_NE(page.find("<p class=\"empty\">No CT study in the period.</p>"), std::string::npos);
    EXPECT_EQ(page.find("<svg"), std::string::npos);
    EXPECT_EQ(page.find("<table"), std::string::npos);
    EXPECT_EQ(page.find("v_ct_dose"), std::string::npos);  // nothing shown, nothing to source
    EXPECT_EQ(page.find("ct_rows"), std::string::npos);
}

TEST(Html, EverySourceViewListedOnceInTheAppendixAndLinked) {
    Report report = sample();
    Section more = report.sections[0];
    more.id = "more";
    more.title = "More";
    more.charts = {nex_chart("nex_again", "dicomlake.v_protocol_nex_outliers")};
    more.tables[0].id = "nex_again";
    report.sections.push_back(more);
    std::string page = to_html(report);
    std::size_t appendix = page.find("<h2>Where the numbers come from</h2>");
    ASSERT_NE(appendix, std::string::npos);
    std::string tail = page.substr(appendix);
    EXPECT_EQ(count(tail, "<code>dicomlake.v_protocol_nex_outliers</code>"), 1u);
    EXPECT_EQ(count(tail, "<code>dicomlake.v_nex_weekly</code>"), 1u);
    // Three tables and charts read v_protocol_nex_outliers, each linking to its one anchor.
    std::string anchor = "source-dicomlake-v-protocol-nex-outliers";
    EXPECT_EQ(count(tail, "id=\"" + anchor + "\""), 1u);
    EXPECT_EQ(count(page, "<a href=\"#" + anchor + "\">"), 3u);
    EXPECT_EQ(count(page, "<a href=\"#source-dicomlake-v-nex-weekly\">"), 1u);
    // The appendix links back to what uses the view.
    EXPECT_NE(tail.find("<a href=\"#chart-nex_again\">"), std::string::npos);
    EXPECT_NE(tail.find("<a href=\"#table-nex_outliers\">"), std::string::npos);
    EXPECT_NE(page.find("id=\"chart-nex_again\""), std::string::npos);
    EXPECT_NE(page.find("id=\"table-nex_outliers\""), std::string::npos);
}

TEST(Html, SourceNamesThatCollapseToOneAnchorStayDistinct) {
    Report report = sample();
    report.sections[0].tables[0].source = "dicomlake.v_nex-weekly";
    std::string page = to_html(report);
    EXPECT_EQ(count(page, "id=\"source-dicomlake-v-nex-weekly\""), 1u);
    EXPECT_EQ(count(page, "id=\"source-dicomlake-v-nex-weekly-2\""), 1u);
    // A third name whose own anchor is the second one's numbered anchor.
    report.sections[0].charts.push_back(nex_chart("third", "dicomlake.v_nex_weekly_2"));
    page = to_html(report);
    EXPECT_EQ(count(page, "id=\"source-dicomlake-v-nex-weekly-2\""), 1u);
    EXPECT_EQ(count(page, "<dt id=\"source-"), 3u);
}

// Every in-page link lands somewhere, and no two elements share an id.
TEST(Html, EveryAnchorLinkResolvesAndIdsAreUnique) {
    Report report = sample();
    report.sections.push_back(empty_ct_section());
    std::string page = to_html(report);
    auto values_of = [&page](const std::string& prefix) {
        std::vector<std::string> values;
        for (auto at = page.find(prefix); at != std::string::npos; at = page.find(prefix, at + 1)) {
            std::size_t start = at + prefix.size();
            values.push_back(page.substr(start, page.find('"', start) - start));
        }
        return values;
    };
    std::vector<std::string> ids = values_of(" id=\"");
    std::vector<std::string> links = values_of("href=\"#");
    EXPECT_GE(links.size(), 6u);
    for (const auto& link : links) EXPECT_EQ(std::count(ids.begin(), ids.end(), link), 1) << link;
    for (const auto& id : ids) EXPECT_EQ(std::count(ids.begin(), ids.end(), id), 1) << id;
}

TEST(Html, SameReportSameBytes) {
    EXPECT_EQ(to_html(sample()), to_html(sample()));
    Report other = sample();
    other.sections[0].tables[0].rows[0][1] = Value::of(1.81);
    EXPECT_NE(to_html(sample()), to_html(other));
}

}  // namespace
}  // namespace dicomlake::report
