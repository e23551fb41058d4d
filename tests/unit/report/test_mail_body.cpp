#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "report/mail_body.hpp"

namespace dicomlake::report {
namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

Chart chart(const std::string& id, bool key, const std::string& title) {
    chart::Line line;
    line.title = title;
    return {id, key, "dicomlake.v_something", line};
}

Report sample_report() {
    Report r;
    r.title = "dicomlake report";
    r.date = "2025-06-02";
    r.first_day = "2025-03-05";
    r.generated_at = "2025-06-03T04:00:00Z";
    r.version = "0.1.0";

    Section mr;
    mr.id = "mr";
    mr.title = "MR protocols";
    mr.meaning = "Protocols whose NEX exceeds the fleet reference.";
    mr.period = "the 90 days to 2025-06-02";
    mr.clock = "real days from the aggregates";
    mr.facts = {"3 pairs above the fleet reference", "42 minutes a week to save"};
    mr.charts = {chart("nex_trend", true, "Mean NEX per week"), chart("scan_time", false, "Scan time"),
                 chart("nex_bars", true, "NEX per protocol")};
    Table t;
    t.id = "nex_outliers";
    t.title = "NEX outliers";
    t.source = "dicomlake.v_protocol_nex_outliers";
    t.columns = {{"protocol", "Protocol", "", Column::Kind::text},
                 {"nex", "NEX", "", Column::Kind::number, 2},
                 {"minutes", "Minutes saved", "min", Column::Kind::integer},
                 {"above", "Above", "", Column::Kind::boolean}};
    t.rows = {{Value::of("T2 sag"), Value::of(1.8), Value::of(42.0), Value::of("true")},
              {Value::of("T1 ax"), Value::of(1.25), Value::null(), Value::of("false")}};
    mr.tables = {t};

    Section ct;
    ct.id = "ct";
    ct.title = "CT dose";
    ct.empty_reason = "no CT study in the period";
    ct.facts = {"this fact must not show"};
    r.sections = {mr, ct};
    return r;
}

const std::map<std::string, std::string> kPngs = {{"nex_trend", "PNG1"}};

TEST(ReportMailBody, SubjectTemplateGetsTheReportDay) {
    EXPECT_EQ(mail_body(sample_report(), "dicomlake report {date}", kPngs).subject, "dicomlake report 2025-06-02");
    EXPECT_EQ(mail_body(sample_report(), "{date}: {date}", kPngs).subject, "2025-06-02: 2025-06-02");
    EXPECT_EQ(mail_body(sample_report(), "no date", kPngs).subject, "no date");
    // A line break in the template cannot start a header of its own.
    EXPECT_EQ(mail_body(sample_report(), "a\r\nBcc: x@y {date}", kPngs).subject, "a  Bcc: x@y 2025-06-02");
}

TEST(ReportMailBody, ImagesAreTheKeyChartsThatHaveAPng) {
    std::map<std::string, std::string> pngs = {{"nex_trend", "PNG1"}, {"scan_time", "PNG2"}};
    const std::string html = mail_body(sample_report(), "", pngs).html;
    std::set<std::string> cids;
    const std::regex img("<img src=\"cid:([^\"]*)\"");
    for (auto it = std::sregex_iterator(html.begin(), html.end(), img); it != std::sregex_iterator(); ++it)
        cids.insert((*it)[1]);
    // scan_time has a PNG but is not a key chart; nex_bars is a key chart without a PNG.
    EXPECT_EQ(cids, std::set<std::string>{"nex_trend@dicomlake"});
    EXPECT_TRUE(has(html, "alt=\"Mean NEX per week\" width=\"600\""));
}

TEST(ReportMailBody, HtmlIsForMailClients) {
    const std::string html = mail_body(sample_report(), "", kPngs).html;
    EXPECT_FALSE(has(html, "<script"));
    EXPECT_FALSE(has(html, "<style"));
    EXPECT_FALSE(has(html, "http"));
    EXPECT_FALSE(has(html, "<svg"));
    EXPECT_TRUE(has(html, "max-width:640px"));
    EXPECT_TRUE(has(html, "<h2 "));
    EXPECT_TRUE(has(html, ">MR protocols</h2>"));
    EXPECT_TRUE(has(html, ">42 minutes a week to save</li>"));
    EXPECT_TRUE(has(html, ">Minutes saved (min)</th>"));
    EXPECT_TRUE(has(html, ">1.80</td>"));  // the column's decimals
    EXPECT_TRUE(has(html, ">yes</td>"));
    EXPECT_TRUE(has(html, "index.html"));
    EXPECT_TRUE(has(html, "report.xlsx"));
}

TEST(ReportMailBody, EveryTextIsEscaped) {
    Report r = sample_report();
    r.title = "<b>&";
    r.sections[0].facts = {"<script>alert('x')</script>"};
    r.sections[0].tables[0].rows[0][0] = Value::of("a<b & \"c\"");
    r.sections[0].charts[0].spec = chart::Line{"\"quoted\" <title>", "", {}, {}, {}, {}};
    const std::string html = mail_body(r, "", kPngs).html;
    EXPECT_FALSE(has(html, "<script"));
    EXPECT_FALSE(has(html, "<b>&"));
    EXPECT_TRUE(has(html, "&lt;b&gt;&amp;"));
    EXPECT_TRUE(has(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    EXPECT_TRUE(has(html, ">a&lt;b &amp; &quot;c&quot;</td>"));
    EXPECT_TRUE(has(html, "alt=\"&quot;quoted&quot; &lt;title&gt;\""));
}

TEST(ReportMailBody, EmptySectionShowsItsReasonInBothParts) {
    const MailBody body = mail_body(sample_report(), "", kPngs);
    EXPECT_TRUE(has(body.html, "no CT study in the period"));
    EXPECT_TRUE(has(body.text, "no CT study in the period"));
    EXPECT_FALSE(has(body.html, "this fact must not show"));
    EXPECT_FALSE(has(body.text, "this fact must not show"));
}

TEST(ReportMailBody, TextPartHasSectionsFactsAndAlignedRows) {
    const std::string text = mail_body(sample_report(), "", kPngs).text;
    EXPECT_TRUE(has(text, "dicomlake report\r\n"));
    EXPECT_TRUE(has(text, "2025-06-02"));
    EXPECT_TRUE(has(text, "MR protocols"));
    EXPECT_TRUE(has(text, "Protocols whose NEX exceeds the fleet reference.\r\n"));
    EXPECT_TRUE(has(text, "real days from the aggregates"));
    EXPECT_TRUE(has(text, "- 3 pairs above the fleet reference\r\n"));
    // Columns line up: text left, numbers right, two spaces between columns; NULL is blank.
    EXPECT_TRUE(has(text,
                    "Protocol   NEX  Minutes saved (min)  Above\r\n"
                    "--------  ----  -------------------  -----\r\n"
                    "T2 sag    1.80                   42  yes\r\n"
                    "T1 ax     1.25                       no\r\n"));
    EXPECT_TRUE(has(text, "The full report (index.html) and the spreadsheet (report.xlsx) are attached.\r\n"));
    EXPECT_FALSE(has(text, "<"));
}

TEST(ReportMailBody, AtMostTenRowsOfATable) {
    Report r = sample_report();
    Table& t = r.sections[0].tables[0];
    t.rows.clear();
    for (int i = 1; i <= 14; ++i)
        t.rows.push_back({Value::of("p" + std::to_string(i)), Value::of(1.0), Value::of(1.0), Value::of("true")});
    const MailBody body = mail_body(r, "", kPngs);
    EXPECT_TRUE(has(body.html, ">p10</td>"));
    EXPECT_FALSE(has(body.html, ">p11</td>"));
    EXPECT_TRUE(has(body.html, "4 more rows in report.xlsx"));
    EXPECT_TRUE(has(body.text, "\r\np10 "));
    EXPECT_FALSE(has(body.text, "\r\np11 "));
    t.html_rows = 3;  // the builder's choice for the page holds in the mail too
    EXPECT_FALSE(has(mail_body(r, "", kPngs).html, ">p4</td>"));
}

TEST(ReportMailBody, LinesEndInCrlf) {
    const MailBody body = mail_body(sample_report(), "", kPngs);
    for (const std::string* part : {&body.text, &body.html}) {
        for (std::size_t i = part->find('\n'); i != std::string::npos; i = part->find('\n', i + 1))
            ASSERT_TRUE(i > 0 && (*part)[i - 1] == '\r') << "bare LF at " << i;
    }
}

}  // namespace
}  // namespace dicomlake::report
