// The tables for spreadsheets: one CSV per table (UTF-8, header row, full precision) and one
// xlsx workbook with a sheet per table (libxlsxwriter).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "report/model.hpp"

namespace dicomlake::report {

// RFC 4180 text of one table: header row of column names, CRLF line ends, fields quoted when
// they hold a comma, quote, CR or LF; NULL is an empty field; numbers in full precision.
// UTF-8 without a byte order mark (spreadsheet users get the xlsx); a text cell that a
// spreadsheet would take for a formula (= + - @ first) gets a leading apostrophe. docs/exports.md.
std::string to_csv(const Table& table);

// Writes DIR/<table id>.csv for every table of every section; returns the files written.
std::vector<std::filesystem::path> write_csvs(const Report& report, const std::filesystem::path& dir);

// Writes one workbook, a sheet per table (named by its id), numbers as numbers, dates as dates,
// a header row, and a first sheet describing the report and each table's source view.
// Throws std::runtime_error naming the file on failure.
void write_xlsx(const Report& report, const std::filesystem::path& file);

}  // namespace dicomlake::report
