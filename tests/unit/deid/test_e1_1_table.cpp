// deid/e1_1_table: PS3.15 Table E.1-1 rows generated from the standard's JSON (2024b).
#include "deid/e1_1_table.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <tuple>

namespace dicomlake::deid {
namespace {

const std::string kSourceDir = DICOMLAKE_SOURCE_DIR;
const std::string kStandardJson =
    kSourceDir + "/../shared/data/dicom-standard/confidentiality_profile_attributes.json";

const E11Row* find_row(const std::string& name) {
    for (std::size_t i = 0; i < kE11RowCount; ++i)
        if (name == kE11Rows[i].name) return &kE11Rows[i];
    return nullptr;
}

bool is_wildcard(const E11Row& row) { return row.private_wildcard || row.mask != 0xFFFFFFFFu; }

// Every option cell of `row` is empty except those listed.
void expect_only_options(const E11Row& row, const std::map<ProfileOption, std::string>& set) {
    for (int i = 0; i < kProfileOptionCount; ++i) {
        auto it = set.find(static_cast<ProfileOption>(i));
        EXPECT_EQ(row.options[i], it == set.end() ? std::string() : it->second)
            << row.name << " option " << i;
    }
}

TEST(E11Table, RowCountAndEdition) {
    EXPECT_EQ(kE11RowCount, 621u);
    EXPECT_STREQ(kE11Edition, "2024b");
}

TEST(E11Table, SpotChecksAgainstTheStandard) {
    const E11Row* r = find_row("Accession Number");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->tag, 0x00080050u);
    EXPECT_EQ(r->mask, 0xFFFFFFFFu);
    EXPECT_FALSE(r->private_wildcard);
    EXPECT_STREQ(r->basic, "Z");
    expect_only_options(*r, {});

    r = find_row("Device Serial Number");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->tag, 0x00181000u);
    EXPECT_STREQ(r->basic, "X/Z/D");
    expect_only_options(*r, {{ProfileOption::retain_device_identity, "K"}});

    r = find_row("Study Date");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->tag, 0x00080020u);
    EXPECT_STREQ(r->basic, "Z");
    expect_only_options(*r, {{ProfileOption::retain_long_full_dates, "K"},
                             {ProfileOption::retain_long_modified_dates, "C"}});

    r = find_row("Patient's Age");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->tag, 0x00101010u);
    EXPECT_STREQ(r->basic, "X");
    expect_only_options(*r, {{ProfileOption::retain_patient_characteristics, "K"}});

    r = find_row("Content Sequence");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->tag, 0x0040A730u);
    EXPECT_STREQ(r->basic, "D");
    expect_only_options(*r, {{ProfileOption::clean_structured_content, "C"}});

    r = find_row("Private Attributes");
    ASSERT_NE(r, nullptr);
    EXPECT_TRUE(r->private_wildcard);
    EXPECT_EQ(r->tag, 0u);
    EXPECT_EQ(r->mask, 0u);
    EXPECT_STREQ(r->basic, "X");
    expect_only_options(*r, {{ProfileOption::retain_safe_private, "C"}});

    r = find_row("Overlay Data");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->tag, 0x60003000u);
    EXPECT_EQ(r->mask, 0xFF00FFFFu);
    EXPECT_FALSE(r->private_wildcard);
    EXPECT_STREQ(r->basic, "X");
    expect_only_options(*r, {{ProfileOption::clean_graphics, "C"}});

    r = find_row("Overlay Comments");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->tag, 0x60004000u);
    EXPECT_EQ(r->mask, 0xFF00FFFFu);
    EXPECT_STREQ(r->basic, "X");
    expect_only_options(*r, {{ProfileOption::clean_graphics, "C"}});

    r = find_row("Curve Data");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->tag, 0x50000000u);
    EXPECT_EQ(r->mask, 0xFF000000u);
    EXPECT_STREQ(r->basic, "X");
    expect_only_options(*r, {{ProfileOption::clean_graphics, "C"}});

    // The wildcard masks select a whole repeating group: (6002,4000) is Overlay Comments.
    const E11Row* comments = find_row("Overlay Comments");
    EXPECT_EQ(0x60024000u & comments->mask, comments->tag);
    EXPECT_NE(0x60024001u & comments->mask, comments->tag);
}

TEST(E11Table, ActionCodesAreKnown) {
    const std::string basic_chars = "XZDUKC/*";
    for (std::size_t i = 0; i < kE11RowCount; ++i) {
        const E11Row& row = kE11Rows[i];
        ASSERT_NE(row.name, nullptr);
        EXPECT_NE(std::string(row.name), "") << "row " << i;
        ASSERT_NE(row.basic, nullptr) << row.name;
        const std::string basic = row.basic;
        EXPECT_FALSE(basic.empty()) << row.name;
        EXPECT_EQ(basic.find_first_not_of(basic_chars), std::string::npos)
            << row.name << ": " << basic;
        for (int o = 0; o < kProfileOptionCount; ++o) {
            ASSERT_NE(row.options[o], nullptr) << row.name;
            const std::string v = row.options[o];
            EXPECT_TRUE(v.empty() || v == "K" || v == "C")
                << row.name << " option " << o << ": '" << v << "'";
        }
    }
}

TEST(E11Table, TagsAreUniqueAndWildcardsConsistent) {
    std::map<std::uint32_t, std::string> seen;
    int private_rows = 0;
    for (std::size_t i = 0; i < kE11RowCount; ++i) {
        const E11Row& row = kE11Rows[i];
        if (row.private_wildcard) {
            ++private_rows;
            EXPECT_EQ(row.mask, 0u) << row.name;
            EXPECT_EQ(row.tag, 0u) << row.name;
            continue;
        }
        EXPECT_EQ(row.tag & ~row.mask, 0u) << row.name << ": wildcard nibbles must be zero";
        if (is_wildcard(row)) continue;
        auto [it, inserted] = seen.emplace(row.tag, row.name);
        EXPECT_TRUE(inserted) << "tag " << std::hex << row.tag << " in both '" << it->second
                              << "' and '" << row.name << "'";
    }
    EXPECT_EQ(private_rows, 1);
    EXPECT_EQ(seen.size(), kE11RowCount - 4);  // 50XX,XXXX; 60XX,3000; 60XX,4000; private
}

TEST(E11Table, RowsAreSortedByTagThenNamePrivateLast) {
    for (std::size_t i = 1; i < kE11RowCount; ++i) {
        const E11Row& a = kE11Rows[i - 1];
        const E11Row& b = kE11Rows[i];
        EXPECT_LT(std::make_tuple(a.private_wildcard, a.tag, std::string(a.name)),
                  std::make_tuple(b.private_wildcard, b.tag, std::string(b.name)))
            << "rows " << i - 1 << " and " << i;
    }
}

// The .inc header records the edition and row count the generator saw; the .cpp states the
// edition by hand, so they must agree.
TEST(E11Table, IncHeaderMatchesEditionAndRowCount) {
    const std::string inc = kSourceDir + "/src/deid/e1_1_table.inc";
    std::ifstream in(inc);
    ASSERT_TRUE(in) << "cannot read " << inc;
    std::string line, edition, rows;
    while (std::getline(in, line) && line.rfind("//", 0) == 0) {
        const std::string ed = "// edition: DICOM ", rc = "// rows: ";
        if (line.rfind(ed, 0) == 0) edition = line.substr(ed.size());
        if (line.rfind(rc, 0) == 0) rows = line.substr(rc.size());
    }
    EXPECT_EQ(edition, kE11Edition);
    EXPECT_EQ(rows, std::to_string(kE11RowCount));
}

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// The committed table is exactly what scripts/gen-deid-table makes from the standard's JSON.
TEST(E11Table, GeneratorCheckPasses) {
    if (!std::ifstream(kStandardJson)) {
        GTEST_SKIP() << "the standard's table " << kStandardJson
                     << " is missing; cannot re-run scripts/gen-deid-table --check";
    }
    const std::string cmd = "python3 " + shell_quote(kSourceDir + "/scripts/gen-deid-table") +
                            " --check " + shell_quote(kStandardJson) + " --out " +
                            shell_quote(kSourceDir + "/src/deid/e1_1_table.inc") + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr) << "popen failed: " << cmd;
    std::string output;
    std::array<char, 4096> buf{};
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) output.append(buf.data(), n);
    const int status = pclose(p);
    ASSERT_NE(status, -1) << "pclose failed: " << cmd;
    ASSERT_TRUE(WIFEXITED(status)) << cmd << "\n" << output;
    EXPECT_EQ(WEXITSTATUS(status), 0)
        << cmd << "\n" << output << "(run scripts/gen-deid-table to regenerate the table)";
}

}  // namespace
}  // namespace dicomlake::deid
