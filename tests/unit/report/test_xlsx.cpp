#include <gtest/gtest.h>

#include "python_reader.hpp"
#include "report/exports.hpp"

namespace dicomlake::report {
namespace {

using testing::contains;
using testing::run_python;
using testing::TempDir;

// An xlsx is a zip of XML (ECMA-376): this reads it with nothing but Python's standard library.
// One line per sheet ("sheet NAME"), its frozen pane and autofilter, then one per cell:
// "SHEET!REF TYPE VALUE-AS-JSON FORMAT-CODE BOLD".
const char* kXlsxReader = R"PY(
import json, sys, zipfile
import xml.etree.ElementTree as ET
M = '{http://schemas.openxmlformats.org/spreadsheetml/2006/main}'
R = '{http://schemas.openxmlformats.org/officeDocument/2006/relationships}'
P = '{http://schemas.openxmlformats.org/package/2006/relationships}'
BUILTIN = {0: 'General', 1: '0', 2: '0.00', 3: '#,##0', 4: '#,##0.00', 14: 'm/d/yyyy'}
z = zipfile.ZipFile(sys.argv[1])
xml = lambda name: ET.fromstring(z.read(name))
rels = {r.get('Id'): r.get('Target').lstrip('/').replace('xl/', '', 1)
        for r in xml('xl/_rels/workbook.xml.rels').iter(P + 'Relationship')}
strings = []
if 'xl/sharedStrings.xml' in z.namelist():
    strings = [''.join(t.text or '' for t in si.iter(M + 't')) for si in xml('xl/sharedStrings.xml').iter(M + 'si')]
styles = xml('xl/styles.xml')
codes = dict(BUILTIN)
codes.update({int(f.get('numFmtId')): f.get('formatCode') for f in styles.iter(M + 'numFmt')})
fonts = [f.find(M + 'b') is not None for f in styles.find(M + 'fonts').iter(M + 'font')]
xfs = [(int(x.get('numFmtId', 0)), int(x.get('fontId', 0))) for x in styles.find(M + 'cellXfs').iter(M + 'xf')]
for sheet in xml('xl/workbook.xml').iter(M + 'sheet'):
    name = sheet.get('name')
    print('sheet', name)
    ws = xml('xl/' + rels[sheet.get(R + 'id')])
    pane = ws.find(M + 'sheetViews/' + M + 'sheetView/' + M + 'pane')
    if pane is not None:
        print(name, 'pane', pane.get('ySplit'), pane.get('state'))
    af = ws.find(M + 'autoFilter')
    if af is not None:
        print(name, 'autofilter', af.get('ref'))
    for c in ws.iter(M + 'c'):
        t = c.get('t', 'n')
        v = c.find(M + 'v')
        value = None if v is None else v.text
        if t == 's':
            value = strings[int(value)]
        elif t == 'inlineStr':
            value = ''.join(x.text or '' for x in c.iter(M + 't'))
        fmt, font = xfs[int(c.get('s', 0))]
        print('%s!%s %s %s %s %s' % (name, c.get('r'), t, json.dumps(value), codes.get(fmt, fmt),
                                      'bold' if fonts[font] else 'plain'))
)PY";

Report sample_report() {
    Table t;
    t.id = "ct_dose";
    t.title = "CT dose per protocol";
    t.source = "dicomlake.v_ct_dose";
    t.meaning = "Median CTDIvol per protocol and scanner.";
    t.columns = {{"protocol", "Protocol", "", Column::Kind::text},
                 {"ctdivol_mgy", "CTDIvol", "mGy", Column::Kind::number, 1},
                 {"studies", "Studies", "", Column::Kind::integer},
                 {"day", "Day", "", Column::Kind::date},
                 {"above", "Above", "", Column::Kind::boolean}};
    t.rows = {
        {Value::of("Head, routine"), Value::of(12.75), Value::of(42.0), Value::of("2025-06-02"), Value::of("true")},
        {Value::of("\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC"), Value::null(), Value::of(7.0), Value::null(), Value::of("false")},
    };
    Report r;
    r.title = "Nightly report";
    r.date = "2025-06-02";
    r.first_day = "2025-03-05";
    r.generated_at = "2025-06-03T04:00:00Z";
    r.sections.push_back({});
    r.sections[0].title = "CT dose";
    r.sections[0].tables.push_back(t);
    return r;
}

class ReportXlsx : public ::testing::Test {
protected:
    std::string written(const Report& report) {
        const auto file = dir.path() / "report.xlsx";
        write_xlsx(report, file);
        return run_python(kXlsxReader, file);
    }
    // The sample workbook, read back once for the tests that only look at it.
    const std::string& sample() {
        static const std::string out = written(sample_report());
        return out;
    }
    TempDir dir;
};

TEST_F(ReportXlsx, AboutSheetFirstThenOneSheetPerTable) {
    const std::string& out = sample();
    EXPECT_TRUE(contains(out, "sheet about\nabout!A1 s \"Nightly report\""));
    EXPECT_TRUE(contains(out, "sheet ct_dose\n"));
    EXPECT_LT(out.find("sheet about"), out.find("sheet ct_dose"));
    // The about sheet names the table's sheet, section, title, source view and meaning.
    EXPECT_TRUE(contains(out, "s \"dicomlake.v_ct_dose\""));
    EXPECT_TRUE(contains(out, "s \"Median CTDIvol per protocol and scanner.\""));
    EXPECT_TRUE(contains(out, "s \"2025-03-05 to 2025-06-02 (90 days)\""));
    // ...and documents each column with its unit.
    EXPECT_TRUE(contains(out, "s \"ctdivol_mgy\" General plain"));
    EXPECT_TRUE(contains(out, "s \"mGy\""));
}

TEST_F(ReportXlsx, CellsKeepTheirTypes) {
    const std::string& out = sample();
    EXPECT_TRUE(contains(out, "ct_dose!A1 s \"protocol\" General bold"));
    EXPECT_TRUE(contains(out, "ct_dose!E1 s \"above\" General bold"));
    EXPECT_TRUE(contains(out, "ct_dose!A2 s \"Head, routine\" General plain"));
    EXPECT_TRUE(contains(out, "ct_dose!B2 n \"12.75\" 0.0 plain"));  // full value, shown with 1 decimal
    EXPECT_TRUE(contains(out, "ct_dose!C2 n \"42\" 0 plain"));
    EXPECT_TRUE(contains(out, "ct_dose!D2 n \"45810\" yyyy-mm-dd plain"));  // Excel's serial of 2025-06-02
    EXPECT_TRUE(contains(out, "ct_dose!E2 b \"1\""));
    EXPECT_TRUE(contains(out, "ct_dose!E3 b \"0\""));
    EXPECT_TRUE(contains(out, "ct_dose!A3 s \"\\u00e9 \\u65e5\\u672c\""));
    EXPECT_FALSE(contains(out, "ct_dose!B3 "));  // NULL: no cell at all
    EXPECT_FALSE(contains(out, "ct_dose!D3 "));
}

TEST_F(ReportXlsx, HeaderIsFrozenAndFiltered) {
    const std::string& out = sample();
    EXPECT_TRUE(contains(out, "ct_dose pane 1 frozen"));
    EXPECT_TRUE(contains(out, "ct_dose autofilter A1:E3"));
}

TEST_F(ReportXlsx, SheetNamesAreGuardedUniqueAndShort) {
    Report r = sample_report();
    Table t = r.sections[0].tables[0];
    r.sections[0].tables.clear();
    for (const char* id : {"about", "history", "ct_dose", "ct_dose", "a_table_id_longer_than_excel_allows_it", "x[1]"}) {
        t.id = id;
        r.sections[0].tables.push_back(t);
    }
    const std::string out = written(r);
    for (const char* name : {"about", "about_2", "history_2", "ct_dose", "ct_dose_2",
                             "a_table_id_longer_than_excel_al", "x_1_"})
        EXPECT_TRUE(contains(out, std::string("sheet ") + name + "\n"));
}

TEST_F(ReportXlsx, FailureThrowsNamingTheFileAndLeavesNoFile) {
    const auto file = dir.path() / "missing-dir" / "report.xlsx";
    try {
        write_xlsx(sample_report(), file);
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_TRUE(contains(e.what(), file.string()));
    }
    EXPECT_FALSE(std::filesystem::exists(file));
}

}  // namespace
}  // namespace dicomlake::report
