#include <cmath>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "python_reader.hpp"
#include "report/exports.hpp"

namespace dicomlake::report {
namespace {

using testing::run_python;
using testing::TempDir;

Table awkward_table() {
    Table t;
    t.id = "awkward";
    t.columns = {{"protocol", "Protocol", "", Column::Kind::text},
                 {"nex", "NEX", "", Column::Kind::number},
                 {"studies", "Studies", "", Column::Kind::integer},
                 {"day", "Day", "", Column::Kind::date},
                 {"above", "Above", "", Column::Kind::boolean}};
    t.rows = {
        {Value::of("a,b"), Value::of(1.8), Value::of(12.0), Value::of("2025-06-02"), Value::of("true")},
        {Value::of("say \"hi\""), Value::of(0.1), Value::of(1e6), Value::null(), Value::of("false")},
        {Value::of("two\r\nlines"), Value::null(), Value::of(-3.0), Value::of("2025-12-31"), Value::null()},
        {Value::of("\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC"), Value::of(1.0 / 3.0), Value::null(), Value::null(), Value::null()},
    };
    return t;
}

TEST(ReportCsv, QuotesPerRfc4180WithCrlfAndEmptyNull) {
    const std::string expected =
        "protocol,nex,studies,day,above\r\n"
        "\"a,b\",1.8,12,2025-06-02,true\r\n"
        "\"say \"\"hi\"\"\",0.1,1000000,,false\r\n"
        "\"two\r\nlines\",,-3,2025-12-31,\r\n"
        "\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC,0.3333333333333333,,,\r\n";
    EXPECT_EQ(to_csv(awkward_table()), expected);
}

TEST(ReportCsv, PythonsCsvModuleReadsBackEveryCell) {
    TempDir dir;
    Report report;
    report.sections.push_back({});
    report.sections[0].tables.push_back(awkward_table());
    const auto files = write_csvs(report, dir.path());
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0], dir.path() / "awkward.csv");
    const std::string script =
        "import csv, json, sys\n"
        "raw = open(sys.argv[1], 'rb').read()\n"
        "assert not raw.startswith(b'\\xef\\xbb\\xbf'), 'BOM'\n"
        "with open(sys.argv[1], newline='', encoding='utf-8') as f:\n"
        "    print(json.dumps(list(csv.reader(f, strict=True)), separators=(',', ':')))\n";
    EXPECT_EQ(run_python(script, files[0]),
              "[[\"protocol\",\"nex\",\"studies\",\"day\",\"above\"],"
              "[\"a,b\",\"1.8\",\"12\",\"2025-06-02\",\"true\"],"
              "[\"say \\\"hi\\\"\",\"0.1\",\"1000000\",\"\",\"false\"],"
              "[\"two\\r\\nlines\",\"\",\"-3\",\"2025-12-31\",\"\"],"
              "[\"\\u00e9 \\u65e5\\u672c\",\"0.3333333333333333\",\"\",\"\",\"\"]]\n");
}

TEST(ReportCsv, FullPrecisionNumbersReadBackExactly) {
    Table t;
    t.columns = {{"v", "V", "", Column::Kind::number, 1}};
    t.rows = {{Value::of(0.1 + 0.2)}, {Value::of(1234567.891)}, {Value::of(2.5e-7)}};
    // 0.1 + 0.2 is 0.30000000000000004 as a double: the decimals of the HTML do not round it.
    EXPECT_EQ(to_csv(t), "v\r\n0.30000000000000004\r\n1234567.891\r\n2.5e-07\r\n");
}

TEST(ReportCsv, NonFiniteNumberIsAnEmptyField) {
    Table t;
    t.columns = {{"v", "V", "", Column::Kind::number}};
    t.rows = {{Value::of(std::nan(""))}, {Value::of(HUGE_VAL)}};
    EXPECT_EQ(to_csv(t), "v\r\n\r\n\r\n");
}

TEST(ReportCsv, TextThatAFormulaWouldStartWithGetsAnApostrophe) {
    Table t;
    t.columns = {{"protocol", "Protocol", "", Column::Kind::text}, {"delta", "Delta", "", Column::Kind::number}};
    t.rows = {{Value::of("=HYPERLINK(\"x\")"), Value::of(-2.0)}, {Value::of("@SUM(A1)"), Value::null()},
              {Value::of("-T2"), Value::null()}, {Value::of("T2 = fast"), Value::null()}};
    EXPECT_EQ(to_csv(t),
              "protocol,delta\r\n\"'=HYPERLINK(\"\"x\"\")\",-2\r\n'@SUM(A1),\r\n'-T2,\r\nT2 = fast,\r\n");
}

TEST(ReportCsv, EveryTableOfEverySectionGetsItsFileAndBadIdsAreGuarded) {
    TempDir dir;
    Report report;
    Table one;
    one.id = "ct_dose";
    one.columns = {{"n", "N", "", Column::Kind::integer}};
    Table traversal = one;
    traversal.id = "../escape";
    report.sections.resize(2);
    report.sections[0].tables = {one};
    report.sections[1].tables = {one, traversal};
    const auto files = write_csvs(report, dir.path());
    ASSERT_EQ(files.size(), 3u);
    EXPECT_EQ(files[0].filename(), "ct_dose.csv");
    EXPECT_EQ(files[1].filename(), "ct_dose_2.csv");
    EXPECT_EQ(files[2].filename(), "___escape.csv");
    for (const auto& f : files) {
        EXPECT_EQ(f.parent_path(), dir.path());
        std::ifstream in(f, std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        EXPECT_EQ(text.str(), "n\r\n");
    }
}

TEST(ReportCsv, UnwritableDirectoryThrowsNamingTheFile) {
    TempDir dir;
    std::ofstream(dir.path() / "plain-file") << "x";
    Report report;
    report.sections.push_back({});
    report.sections[0].tables.push_back(awkward_table());
    try {
        write_csvs(report, dir.path() / "plain-file");
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("awkward.csv"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace dicomlake::report
