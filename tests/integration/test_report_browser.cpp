// ReportBrowser: index.html opened in a real headless Chromium renders without a console message
// and without a network request, and its screenshot has the charts in it, drawn across the
// column, above a white end of page. Needs no database: the report is built here.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "headless_browser.hpp"
#include "report/html.hpp"

namespace dicomlake::testing {
namespace {

namespace fs = std::filesystem;
using namespace dicomlake::report;

constexpr std::uint32_t first_palette_colour = 0x0072B2;  // Okabe-Ito blue, the first series
constexpr int window_width = 1000, window_height = 6000;

Section mr_section() {
    chart::Line trend;
    trend.title = "Mean NEX per scanner and week";
    trend.x = {"Week", "", true, {}, {}};
    trend.y = {"Mean NEX", "", false, 0.0, {}};
    trend.series = {{"MR1", {{20300, 1.80}, {20307, 1.62}, {20314, 1.31}, {20321, 1.09}}},
                    {"MR2", {{20300, 1.10}, {20307, 1.12}, {20314, 1.08}, {20321, 1.11}}}};
    trend.references = {{"fleet median", 1.1}};
    chart::Bars minutes;
    minutes.title = "Scan time per protocol";
    minutes.value = {"Scan time", "min", false, {}, {}};
    minutes.categories = {"LSPINE T2 SAG", "LSPINE T1 SAG", "LSPINE T2 AX"};
    minutes.groups = {"MR1"};
    minutes.values = {{4.5, 3.9, 5.2}};
    Table outliers;
    outliers.id = "nex_outliers";
    outliers.title = "Protocols above the fleet NEX";
    outliers.source = "dicomlake.v_protocol_nex_outliers";
    outliers.columns = {{"scanner", "Scanner", "", Column::Kind::text, 2},
                        {"protocol", "Protocol", "", Column::Kind::text, 2},
                        {"mean_nex", "Mean NEX", "", Column::Kind::number, 2},
                        {"minutes_per_week", "Time saved", "min/week", Column::Kind::number, 1}};
    for (int i = 0; i < 30; ++i)
        outliers.rows.push_back({Value::of("MR" + std::to_string(i % 3 + 1)), Value::of("LSPINE T2 SAG " + std::to_string(i)),
                                 Value::of(1.8 - i * 0.01), i % 7 ? Value::of(40.0 - i) : Value::null()});
    outliers.html_rows = 8;
    Section s;
    s.id = "mr-protocols";
    s.title = "MR protocols";
    s.meaning = "Where averaging more than the fleet costs scanner time.";
    s.period = "2026-09-02 to 2026-11-30";
    s.clock = "real days from the utilization aggregates";
    s.facts = {"3 protocol pairs above the fleet", "94 minutes a week to save"};
    s.charts = {{"nex_trend", true, "dicomlake.v_nex_weekly", trend},
                {"scan_time", false, "dicomlake.v_protocol_time", minutes}};
    s.tables = {outliers};
    return s;
}

Section dose_section() {
    chart::Scatter agd;
    agd.title = "AGD against compressed thickness";
    agd.x = {"Compressed thickness", "mm", false, {}, {}};
    agd.y = {"AGD", "mGy", false, {}, {}};
    agd.series = {{"MG1", {{40, 1.1}, {50, 1.3}, {60, 1.6}, {70, 2.0}}}};
    chart::BoxPlot dlp;
    dlp.title = "DLP per scanner";
    dlp.value = {"DLP", "mGy.cm", false, {}, {}};
    dlp.boxes = {{"CT1", 200, 350, 420, 500, 700, 120}, {"CT2", 250, 380, 450, 520, 800, 95}};
    dlp.references = {{"national DRL", 600}};
    chart::HeatMap busy;
    busy.title = "Busy minutes by weekday and hour";
    busy.rows = {"Mon", "Tue", "Wed"};
    busy.columns = {"08", "09", "10", "11"};
    busy.values = {{10.0, 40.0, 55.0, std::nullopt}, {5.0, 30.0, 60.0, 20.0}, {0.0, 25.0, 45.0, 35.0}};
    busy.unit = "min";
    Section s;
    s.id = "dose-and-use";
    s.title = "Dose and use";
    s.meaning = "Doses against references, and when the scanners are busy.";
    s.period = "2026-09-02 to 2026-11-30";
    s.clock = "real days from the aggregates";
    s.charts = {{"agd", false, "dicomlake.v_mammo_dose", agd},
                {"dlp", true, "dicomlake.v_ct_dose", dlp},
                {"busy", false, "dicomlake.v_activity_weekhour", busy}};
    return s;
}

Report sample_report() {
    Report report;
    report.date = "2026-11-30";
    report.first_day = "2026-09-02";
    report.generated_at = "2026-12-01T02:00:00Z";
    report.version = "test";
    Section empty;
    empty.id = "fluoro";
    empty.title = "Fluoroscopy";
    empty.empty_reason = "No fluoroscopy study in the period.";
    report.sections = {mr_section(), dose_section(), empty};
    return report;
}

class ReportBrowser : public ::testing::Test {
protected:
    void SetUp() override {
        chromium_ = find_chromium();
        if (chromium_.empty()) GTEST_SKIP() << "chromium is not on PATH (Debian package chromium)";
        std::string base = fs::temp_directory_path() / "dicomlake-browser-XXXXXX";
        ASSERT_NE(mkdtemp(base.data()), nullptr);
        dir_ = base;
    }
    void TearDown() override {
        if (!dir_.empty()) fs::remove_all(dir_);
    }

    BrowserRun open(const std::string& html) {
        std::string page = dir_ + "/index.html";
        std::ofstream(page, std::ios::binary) << html;
        return open_in_chromium(chromium_, page, dir_ + "/chromium", window_width, window_height);
    }

    std::string chromium_, dir_;
};

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) out += line + "\n";
    return out;
}

// Runs of rows (first, last) where `wanted` holds for at least `min_pixels` pixels, runs closer
// than `gap` rows merged: the vertical places where something is drawn.
template <class Wanted>
std::vector<std::pair<int, int>> bands(const Pixels& p, Wanted wanted, int min_pixels, int gap) {
    std::vector<std::pair<int, int>> out;
    for (int y = 0; y < p.height; ++y) {
        int n = 0;
        for (int x = 0; x < p.width && n < min_pixels; ++x) n += wanted(p.at(x, y)) ? 1 : 0;
        if (n < min_pixels) continue;
        if (!out.empty() && y - out.back().second <= gap) out.back().second = y;
        else out.push_back({y, y});
    }
    return out;
}

TEST_F(ReportBrowser, RendersWithoutConsoleMessageOrRequestAndShowsTheCharts) {
    BrowserRun run = open(to_html(sample_report()));
    ASSERT_EQ(run.exit_code, 0) << run.command_line << "\n" << run.log;
    EXPECT_TRUE(run.console.empty()) << joined(run.console);
    EXPECT_TRUE(run.page_requests.empty()) << joined(run.page_requests);

    Pixels shot = read_png(run.screenshot);
    ASSERT_EQ(shot.width, window_width);
    ASSERT_EQ(shot.height, window_height);
    auto not_white = [](std::uint32_t px) { return !near_colour(px, 0xFFFFFF, 8); };
    auto blue = [](std::uint32_t px) { return near_colour(px, first_palette_colour, 24); };

    // Where the page is drawn, found from the pixels alone: it ends before the window does
    // (the rest is white), and has a left and right edge.
    auto content = bands(shot, not_white, 1, window_height);
    ASSERT_EQ(content.size(), 1u);
    int top = content[0].first, bottom = content[0].second;
    ASSERT_LT(bottom, window_height - 50) << "the page fills the window: the rest is not white";
    int left = shot.width, right = -1;
    for (int y = top; y <= bottom; ++y)
        for (int x = 0; x < shot.width; ++x)
            if (not_white(shot.at(x, y))) left = std::min(left, x), right = std::max(right, x);

    // The first series' colour is drawn in several separate places (the line, bar, scatter and
    // box charts), the first of them in the upper part of the page, below the header. Gaps of
    // less than 120 rows (a legend above its plot, a thin line) stay within one chart.
    auto charts = bands(shot, blue, 1, 120);
    ASSERT_GE(charts.size(), 3u) << "charts in the first palette colour: " << charts.size();
    EXPECT_GT(charts[0].first, top + 100) << "the first chart sits below the title and contents";
    EXPECT_LT(charts[0].first, top + (bottom - top) / 2) << "the first chart is in the upper half";
    for (const auto& band : charts) EXPECT_LT(band.second, bottom);

    // The first chart spans the column: its blue reaches across most of the drawn width.
    int blue_left = shot.width, blue_right = -1;
    for (int y = charts[0].first; y <= charts[0].second; ++y)
        for (int x = 0; x < shot.width; ++x)
            if (blue(shot.at(x, y))) blue_left = std::min(blue_left, x), blue_right = std::max(blue_right, x);
    EXPECT_GT(blue_right - blue_left, (right - left) / 2)
        << "blue from x=" << blue_left << " to " << blue_right << ", page from " << left << " to " << right;
}

// The two tripwires above can fire: a page that fetches an image from the network and breaks its
// own content policy shows up in the net log and on the console.
TEST_F(ReportBrowser, TripwiresSeeARequestAndAConsoleMessage) {
    BrowserRun run = open(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" "
        "content=\"img-src http:\"></head><body><img src=\"http://127.0.0.1:9/x.png\">"
        "<img src=\"missing.png\"></body></html>");
    ASSERT_EQ(run.exit_code, 0) << run.command_line << "\n" << run.log;
    EXPECT_EQ(run.page_requests, std::vector<std::string>{"http://127.0.0.1:9/x.png"});
    ASSERT_EQ(run.console.size(), 1u) << run.log;
    EXPECT_NE(run.console[0].find("missing.png"), std::string::npos) << run.console[0];
}

}  // namespace
}  // namespace dicomlake::testing
