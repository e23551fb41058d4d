// report/chart: every kind of chart is a well-formed, accessible, deterministic SVG, checked by
// two parsers that are not ours (Python's xml.etree and librsvg).
#include "report/chart/chart.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "test_chart_xml.hpp"

namespace dicomlake::report::chart {
namespace {

using testing::librsvg_parses;
using testing::read_with_python;

Line two_scanners() {
    Line l;
    l.title = "Mean NEX per scanner";
    l.description = "Weekly mean NEX of lumbar spine MR, two scanners.";
    l.x = {"Week", "", true, {}, {}};
    l.y = {"Mean NEX", "", false, {}, {}};
    // 2026-09-07 is day 20703 since 1970-01-01 (Python: date(2026,9,7) - date(1970,1,1)).
    l.series = {{"MR1", {{20703, 1.8}, {20710, 1.6}, {20717, 1.2}}}, {"MR2", {{20703, 1.1}, {20717, 1.09}}}};
    l.references = {{"fleet median", 1.2}};
    return l;
}

Bars doses() {
    Bars b;
    b.title = "Median DLP per protocol";
    b.description = "Median DLP of each CT protocol, two scanners.";
    b.value = {"DLP", "mGy.cm", false, {}, {}};
    b.categories = {"CT HEAD ROUTINE", "CT ABDOMEN PELVIS WITH CONTRAST"};
    b.groups = {"CT1", "CT2"};
    b.values = {{850.0, 610.0}, {920.0, std::nullopt}};
    b.references = {{"national DRL", 970}};
    return b;
}

Scatter agd() {
    Scatter s;
    s.title = "AGD against compressed thickness";
    s.description = "One point per mammography view.";
    s.x = {"Compressed thickness", "mm", false, {}, {}};
    s.y = {"AGD", "mGy", false, {}, {}};
    s.series = {{"MG1", {{45, 1.2}, {60, 1.6}, {72, 2.1}}}};
    return s;
}

HeatMap week_hours() {
    HeatMap h;
    h.title = "Studies per weekday and hour";
    h.description = "Count of studies started in each hour of each weekday.";
    h.rows = {"Mon", "Tue"};
    h.columns = {"08", "09"};
    h.values = {{12.0, std::nullopt}, {3.0, 40.0}};
    h.unit = "studies";
    return h;
}

BoxPlot ctdi() {
    BoxPlot b;
    b.title = "CTDIvol per scanner";
    b.description = "Quartiles of CTDIvol of head CT, whiskers P5 to P95.";
    b.value = {"CTDIvol", "mGy", false, {}, {}};
    b.boxes = {{"CT1", 40, 48, 52, 57, 66, 42}, {"CT2", 35, 41, 44, 49, 60, 17}};
    b.references = {{"local reference (P75)", 55}};
    return b;
}

std::vector<Spec> one_of_each() { return {two_scanners(), agd(), doses(), week_hours(), ctdi()}; }

bool has_text(const nlohmann::json& read, const std::string& wanted) {
    for (const auto& t : read["texts"])
        if (t.get<std::string>().find(wanted) != std::string::npos) return true;
    return false;
}

TEST(ChartSvg, EveryKindParsesWithTitleAndDescription) {
    std::vector<Spec> specs = one_of_each();
    std::vector<std::string> svgs;
    for (const Spec& spec : specs) svgs.push_back(to_svg(spec));
    auto reads = read_with_python(svgs);
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const Spec& spec = specs[i];
        const auto& read = reads[i];
        EXPECT_TRUE(librsvg_parses(svgs[i])) << title_of(spec);
        ASSERT_FALSE(read.contains("error")) << read.dump();
        EXPECT_EQ(read["root"], "{http://www.w3.org/2000/svg}svg");
        EXPECT_EQ(read["title"], title_of(spec));
        EXPECT_EQ(read["desc"], description_of(spec));
        EXPECT_TRUE(read["ids_ok"].get<bool>()) << "aria-labelledby must name the title and desc ids";
    }
}

TEST(ChartSvg, EmptyDataDrawsTheFrameAndSaysNoData) {
    Line line = two_scanners();
    line.series.clear();
    Bars bars = doses();
    bars.values.clear();
    HeatMap heat = week_hours();
    heat.values.clear();
    BoxPlot box = ctdi();
    box.boxes.clear();
    Scatter scatter = agd();
    scatter.series = {{"MG1", {}}};
    std::vector<std::string> svgs;
    for (const Spec& spec : std::vector<Spec>{line, scatter, bars, heat, box}) svgs.push_back(to_svg(spec));
    auto reads = read_with_python(svgs);
    for (std::size_t i = 0; i < svgs.size(); ++i) {
        EXPECT_TRUE(librsvg_parses(svgs[i])) << i;
        ASSERT_FALSE(reads[i].contains("error")) << reads[i].dump();
        EXPECT_TRUE(has_text(reads[i], "no data")) << i;
    }
}

TEST(ChartSvg, LabelsWithMarkupCharactersStayWellFormed) {
    const std::string nasty = "T1 <&\"'> sag";
    Bars bars = doses();
    bars.title = nasty;
    bars.categories[0] = nasty;
    bars.groups[1] = nasty;
    bars.references[0].label = nasty;
    Line line = two_scanners();
    line.description = nasty;
    line.series[0].name = nasty;
    std::vector<std::string> svgs{to_svg(bars), to_svg(line)};
    auto reads = read_with_python(svgs);
    for (std::size_t i = 0; i < svgs.size(); ++i) {
        EXPECT_TRUE(librsvg_parses(svgs[i]));
        ASSERT_FALSE(reads[i].contains("error")) << reads[i].dump();
        EXPECT_TRUE(has_text(reads[i], nasty)) << svgs[i];
    }
    EXPECT_EQ(reads[0]["title"], nasty);
    EXPECT_EQ(reads[1]["desc"], nasty);
}

TEST(ChartSvg, ControlCharactersAndBrokenUtf8StayWellFormed) {
    Bars bars = doses();
    bars.categories[0] = std::string("A\x01\x1b") + "\xff\xfe" + "B\xc3";  // what a hostile PACS may send
    bars.title = "caf\xc3\xa9";                                           // valid UTF-8 survives
    std::string svg = to_svg(bars);
    EXPECT_TRUE(librsvg_parses(svg));
    auto read = read_with_python(svg);
    ASSERT_FALSE(read.contains("error")) << read.dump();
    EXPECT_EQ(read["title"], "caf\xc3\xa9");
}

TEST(ChartSvg, SameSpecSameBytesAndChangedValueChangedBytes) {
    for (const Spec& spec : one_of_each()) EXPECT_EQ(to_svg(spec), to_svg(spec)) << title_of(spec);
    Bars changed = doses();
    changed.values[0][0] = 851.0;
    EXPECT_NE(to_svg(doses()), to_svg(changed));
    Line moved = two_scanners();
    moved.series[1].points[1].y = 1.3;
    EXPECT_NE(to_svg(two_scanners()), to_svg(moved));
}

TEST(ChartSvg, ChartsWithOtherContentGetOtherIds) {
    auto reads = read_with_python(std::vector<std::string>{to_svg(doses()), to_svg(two_scanners())});
    const auto& a = reads[0];
    const auto& b = reads[1];
    ASSERT_FALSE(a.contains("error") || b.contains("error"));
    EXPECT_NE(a["ids"][0], b["ids"][0]);
    EXPECT_NE(a["ids"][0], a["ids"][1]);
}

TEST(ChartSvg, DatedAxisShowsIsoTicksInsideTheDataRange) {
    Line line = two_scanners();
    // 2026-09-01 = day 20697, 2026-11-30 = day 20787 (Python's date arithmetic).
    line.series = {{"MR1", {{20697, 1.5}, {20740, 1.4}, {20787, 1.3}}}};
    auto read = read_with_python(to_svg(line));
    ASSERT_FALSE(read.contains("error")) << read.dump();
    int dates = 0;
    for (const auto& t : read["texts"]) {
        std::string s = t.get<std::string>();
        bool iso = s.size() == 10 && s[4] == '-' && s[7] == '-';
        if (!iso) continue;
        ++dates;
        EXPECT_GE(s, "2026-09-01");
        EXPECT_LE(s, "2026-11-30");
    }
    EXPECT_GE(dates, 2);
}

TEST(ChartSvg, HeatMapLeavesEmptyCellsBlank) {
    auto read = read_with_python(to_svg(week_hours()));
    ASSERT_FALSE(read.contains("error")) << read.dump();
    std::string tips;
    for (const auto& t : read["tips"]) tips += t.get<std::string>() + "\n";
    EXPECT_NE(tips.find("Mon, 08: 12"), std::string::npos) << tips;
    EXPECT_NE(tips.find("Tue, 09: 40"), std::string::npos) << tips;
    EXPECT_EQ(tips.find("Mon, 09"), std::string::npos) << tips;
    EXPECT_TRUE(has_text(read, "studies"));  // the key names the unit
}

TEST(ChartSvg, AxesReferencesLegendAndCountsAreLabelled) {
    auto reads = read_with_python(
        std::vector<std::string>{to_svg(doses()), to_svg(two_scanners()), to_svg(ctdi()), to_svg(agd())});
    for (const auto& read : reads) ASSERT_FALSE(read.contains("error")) << read.dump();
    const auto& bars = reads[0];
    EXPECT_TRUE(has_text(bars, "DLP (mGy.cm)"));
    EXPECT_TRUE(has_text(bars, "national DRL"));
    EXPECT_TRUE(has_text(bars, "CT2"));  // legend of two groups
    const auto& line = reads[1];
    EXPECT_TRUE(has_text(line, "Mean NEX"));
    EXPECT_TRUE(has_text(line, "fleet median"));
    EXPECT_TRUE(has_text(line, "MR2"));
    const auto& box = reads[2];
    EXPECT_TRUE(has_text(box, "CTDIvol (mGy)"));
    EXPECT_TRUE(has_text(box, "local reference (P75)"));
    EXPECT_TRUE(has_text(box, "n=42"));
    EXPECT_TRUE(has_text(box, "n=17"));
    // One series: no legend, so its name is not drawn.
    EXPECT_FALSE(has_text(reads[3], "MG1"));
}

TEST(ChartSvg, UsesTheOkabeItoPaletteInOrder) {
    std::string svg = to_svg(doses());
    EXPECT_NE(svg.find("#0072B2"), std::string::npos);
    EXPECT_NE(svg.find("#E69F00"), std::string::npos);
}

TEST(ChartSvg, NonFiniteValuesAreLeftOut) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    Line line = two_scanners();
    line.series[0].points.push_back({20720, nan});
    line.series[1].points.push_back({inf, 1.0});
    line.references.push_back({"broken", inf});
    Bars bars = doses();
    bars.values[1][1] = nan;
    BoxPlot box = ctdi();
    box.boxes[0].q3 = inf;
    for (const Spec& spec : std::vector<Spec>{line, bars, box}) {
        std::string svg = to_svg(spec);
        EXPECT_EQ(svg.find("nan"), std::string::npos) << svg;
        EXPECT_EQ(svg.find("inf"), std::string::npos) << svg;
        EXPECT_TRUE(librsvg_parses(svg));
    }
}

TEST(ChartSvg, FetchesNothingAndRunsNothing) {
    for (const Spec& spec : one_of_each()) {
        std::string svg = to_svg(spec);
        EXPECT_EQ(svg.find("<script"), std::string::npos);
        EXPECT_EQ(svg.find("href"), std::string::npos);
        EXPECT_EQ(svg.find("url("), std::string::npos);
        EXPECT_EQ(svg.find("@import"), std::string::npos);
        // The namespace is the only address in the document.
        EXPECT_EQ(svg.find("http"), svg.rfind("http"));
    }
}

}  // namespace
}  // namespace dicomlake::report::chart
