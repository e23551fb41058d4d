// CSV exports, one file per table, for analysts' tools (R, Python, psql, BI tools).
//
// UTF-8 without a byte order mark. A BOM would make Excel guess UTF-8 when the file is
// double-clicked, but it becomes part of the first column's name in R's read.csv, Python's csv
// (without utf-8-sig), PostgreSQL's COPY and the shell tools, and it does not make the file
// open right in Excel anyway where the list separator is ';' (most of continental Europe).
// Spreadsheet users get report.xlsx, with real numbers and dates; the CSVs are for programs.
//
// RFC 4180: a header row of column names, CRLF line ends, a field quoted ("" for a quote) when
// it holds a comma, quote, CR or LF; NULL (and a non-finite number) is an empty field; numbers
// are the shortest text that reads back as the same double, whatever the locale; dates ISO
// (YYYY-MM-DD); booleans true/false.
//
// Text from the PACS is untrusted: a text cell that starts with = + - @ TAB or CR would run as a
// formula when the file is opened in a spreadsheet, so it gets a leading apostrophe (the OWASP
// advice for CSV injection). Only text columns: numbers, dates and booleans have fixed forms.
#include "report/exports.hpp"

#include <cmath>
#include <fstream>
#include <stdexcept>
#include <string_view>

#include "report/table_names.hpp"
#include "util/number.hpp"

namespace dicomlake::report {

namespace {

bool starts_like_formula(const std::string& text) {
    return !text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos;
}

void append_field(std::string& out, const std::string& field) {
    if (field.find_first_of(",\"\r\n") == std::string::npos) {
        out += field;
        return;
    }
    out += '"';
    for (char c : field) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

std::string cell_text(const Column& column, const Value& value) {
    if (value.number) return std::isfinite(*value.number) ? number_text(*value.number) : "";
    if (!value.text) return "";
    if (column.kind == Column::Kind::text && starts_like_formula(*value.text)) return "'" + *value.text;
    return *value.text;
}

}  // namespace

std::string to_csv(const Table& table) {
    std::string out;
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
        if (c != 0) out += ',';
        append_field(out, table.columns[c].name);
    }
    out += "\r\n";
    for (const auto& row : table.rows) {
        for (std::size_t c = 0; c < table.columns.size(); ++c) {
            if (c != 0) out += ',';
            if (c < row.size()) append_field(out, cell_text(table.columns[c], row[c]));
        }
        out += "\r\n";
    }
    return out;
}

std::vector<std::filesystem::path> write_csvs(const Report& report, const std::filesystem::path& dir) {
    const std::vector<std::string> names = table_names(report);
    std::vector<std::filesystem::path> written;
    std::error_code ignored;  // a directory that cannot be made fails the first write, named there
    std::filesystem::create_directories(dir, ignored);
    std::size_t n = 0;
    for (const auto& section : report.sections) {
        for (const auto& table : section.tables) {
            const std::filesystem::path file = dir / (names[n++] + ".csv");
            const std::string text = to_csv(table);
            std::ofstream out(file, std::ios::binary | std::ios::trunc);
            out.write(text.data(), static_cast<std::streamsize>(text.size()));
            out.close();
            if (!out) throw std::runtime_error("cannot write " + file.string() +
                                               ": check that the directory exists and is writable");
            written.push_back(file);
        }
    }
    return written;
}

}  // namespace dicomlake::report
